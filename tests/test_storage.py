"""The learning database on SQLite and PostgreSQL: migrations, versions against lost updates, crash safety,
backup and export round trips."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from assistant.errors import ConflictError, DatabaseNotEmptyError, StorageError
from assistant.library import actions as act
from assistant.library.schema import actions, audit
from assistant.library.storage import Store, database_url, dump, shown_url
from assistant.settings import Settings

from .learning_db import fresh_url

DUE = dt.date(2025, 6, 30)


def _add(store: Store, n: int = 0) -> act.Action:
    return act.add_action(
        store, "2015-01-oldham-child-d", f"Recommendation {n}: share information", "Health", DUE, "amy"
    )


def test_default_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path / "d")
    assert database_url(settings) == f"sqlite:///{tmp_path / 'd' / 'learning.db'}"
    pg = Settings.from_env({"SCR_DATABASE_URL": "postgresql://u:secret@127.0.0.1/db"})
    assert database_url(pg) == "postgresql+psycopg://u:secret@127.0.0.1/db"
    assert "secret" not in shown_url(database_url(pg))


def test_a_database_url_that_is_neither_engine_is_refused() -> None:
    with pytest.raises(Exception, match="SCR_DATABASE_URL must be sqlite"):
        Settings.from_env({"SCR_DATABASE_URL": "mysql://x/y"})


def test_an_unreachable_database_is_one_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot open the learning database postgresql.*\\*\\*\\*"):
        Store.open(url="postgresql+psycopg://u:pw@127.0.0.1:9/none?connect_timeout=2")


def test_migrations_create_the_schema_once(store: Store) -> None:
    assert store.revision() == "0002"
    store.migrate()  # a second open of the same database is a no-op
    assert store.revision() == "0002" and store.is_empty()


def test_an_update_from_a_stale_version_is_refused_and_names_who_changed_it(store: Store) -> None:
    first = _add(store)
    act.update_action(store, first.id, "bea", opened=first.version, status="in-progress")
    with pytest.raises(ConflictError, match="changed by bea .* since you opened it") as caught:
        act.update_action(store, first.id, "cal", opened=first.version, status="done")
    assert caught.value.now == 2
    kept = act.get_action(store, first.id)
    assert kept.status == "in-progress" and kept.updated_by == "bea" and kept.version == 2
    trail = act.action_history(store, first.id)
    assert [(e["op"], e["actor"]) for e in trail] == [("create", "amy"), ("update", "bea")]
    assert trail[1]["before"]["status"] == "not-started" and trail[1]["after"]["status"] == "in-progress"


def _writer(url: str, ident: int, name: str, updates: int, out: multiprocessing.Queue) -> None:
    """Make ``updates`` successful changes, each from the version just read; count the conflicts met."""
    store = Store.open(url=url)
    conflicts = 0
    done = 0
    while done < updates:
        seen = act.get_action(store, ident)
        try:
            act.update_action(store, ident, name, opened=seen.version, evidence=f"{name} {done}")
            done += 1
        except ConflictError:
            conflicts += 1
    store.close()
    out.put((name, done, conflicts))


def test_eight_concurrent_writers_lose_no_update(store: Store) -> None:
    ident = _add(store).id
    url = store.url
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(url, ident, f"w{i}", 50, out)) for i in range(8)]
    for w in writers:
        w.start()
    results = [out.get(timeout=600) for _ in writers]
    for w in writers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sorted(r[1] for r in results) == [50] * 8
    final = act.get_action(store, ident)
    assert final.version == 1 + 400  # every successful update counted once
    trail = act.action_history(store, ident)[1:]
    assert len(trail) == 400
    # each change was made from the state the one before it left: no change was written over another
    assert [e["before"]["version"] for e in trail] == list(range(1, 401))
    assert all(trail[i]["after"] == {**trail[i + 1]["before"]} for i in range(399))
    print("conflicts reported:", sum(r[2] for r in results))


def _killed_writer(url: str) -> None:
    """Add actions ten to a transaction, forever (until killed)."""
    store = Store.open(url=url)
    n = 0
    while True:
        with store.write() as conn:
            from assistant.library import changes

            for _ in range(10):
                changes.create(conn, actions, "action", _values(n), "killer")
                n += 1


def _values(n: int) -> dict:
    return {
        "source_case": "c",
        "source_hash": "h",
        "recommendation": f"r{n}",
        "lesson_key": None,
        "owner": "o",
        "lead": "",
        "due": DUE,
        "status": "not-started",
        "evidence": "",
        "review_date": None,
    }


@pytest.mark.parametrize("delay", [0.4, 0.9, 1.7])
def test_a_writer_killed_mid_transaction_leaves_the_database_consistent(store: Store, delay: float) -> None:
    ctx = multiprocessing.get_context("fork")
    writer = ctx.Process(target=_killed_writer, args=(store.url,))
    writer.start()
    time.sleep(delay)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join()
    reopened = Store.open(url=store.url)
    with reopened.read() as conn:
        if reopened.is_sqlite:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        count = conn.execute(select(func.count()).select_from(actions)).scalar_one()
        audited = conn.execute(select(func.count()).select_from(audit).where(audit.c.op == "create")).scalar_one()
    assert count > 0 or delay < 1  # it was killed while writing, not before it began
    assert count % 10 == 0 and count == audited  # whole transactions only, each record with its audit entry
    _add(reopened)  # and it is still writable
    reopened.close()


def _filled(store: Store) -> None:
    from assistant.library import notes

    a = _add(store, 1)
    _add(store, 2)
    act.update_action(store, a.id, "bea", status="done", evidence="Audit of 40 referrals — ‘improved’")
    notes.add_note(
        store,
        notes.NoteDraft(
            title="Near miss",
            happened="A referral was lost.",
            learned="Check.",
            roles=("gp",),
            themes=("information sharing",),
        ),
        by="amy",
    )


def test_export_import_round_trips_byte_for_byte(store: Store, tmp_path: Path, db_url: str) -> None:
    _filled(store)
    exported = dump(store.export())
    with pytest.raises(DatabaseNotEmptyError):
        store.import_(json.loads(exported))
    target_url = fresh_url("sqlite", tmp_path / "other") if store.is_sqlite else None
    if target_url is None:  # PostgreSQL: export, empty the database, import back
        target_url = fresh_url("postgresql", tmp_path)
        store.close()
    target = Store.open(url=target_url.replace("postgresql://", "postgresql+psycopg://", 1))
    counts = target.import_(json.loads(exported))
    assert counts["actions"] == 2 and counts["audit"] == 4 and counts["notes"] == 1
    assert dump(target.export()) == exported
    later = _add(target, 3)  # ids continue after the imported ones
    assert later.id == 3
    target.close()


def test_sqlite_backup_holds_the_same_content(tmp_path: Path) -> None:
    store = Store.open(url=fresh_url("sqlite", tmp_path))
    _filled(store)
    out = store.backup(tmp_path / "backups" / "b.db")
    assert sqlite3.connect(out).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy = Store.open(url=f"sqlite:///{out}")
    assert dump(copy.export()) == dump(store.export())


def test_an_export_of_another_kind_is_refused(store: Store) -> None:
    with pytest.raises(StorageError, match="not an export"):
        store.import_({"tables": {}})
