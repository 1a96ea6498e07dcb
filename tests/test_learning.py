"""Actions, notes and the board report through the library and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from docx import Document as WordDocument

from assistant.cli import main
from assistant.errors import ConflictError, IdentifyingDetailsError
from assistant.library import actions as act
from assistant.library import notes
from assistant.library.board import board_csv, board_docx
from assistant.library.people import clean_name, command_line_user, header_user
from assistant.library.schema import quote_hash
from assistant.library.storage import Store
from assistant.settings import Settings

TODAY = dt.date(2025, 3, 1)


def test_keys_survive_a_rebuild_because_they_are_the_quoted_words() -> None:
    assert quote_hash("Share  information\nbetween agencies.") == quote_hash("share information between agencies.")
    assert quote_hash("share information") != quote_hash("share records")


def test_flags_overdue_slipping_and_done_without_evidence(store: Store) -> None:
    late = act.add_action(store, "c1", "Rec A", "Health", dt.date(2025, 2, 1), "amy")
    soon = act.add_action(store, "c1", "Rec B", "Police", dt.date(2025, 3, 10), "amy")
    done = act.add_action(store, "c2", "Rec C", "School", dt.date(2025, 2, 1), "amy")
    act.update_action(store, done.id, "bea", status="done")
    settings = Settings.from_env({}, today="2025-03-01")
    found = act.needing_attention(store, settings)
    assert [a.id for a in found["overdue"]] == [late.id]
    assert [a.id for a in found["slipping"]] == [soon.id]
    assert [a.id for a in found["no-impact-evidence"]] == [done.id]
    act.update_action(store, done.id, "bea", status="impact-evidenced", evidence="re-audit: 9 of 10 shared")
    assert act.needing_attention(store, settings)["no-impact-evidence"] == []


def test_a_stale_form_is_refused(store: Store) -> None:
    a = act.add_action(store, "c1", "Rec A", "Health", TODAY, "amy")
    act.update_action(store, a.id, "bea", opened=1, lead="Jo")
    with pytest.raises(ConflictError, match="changed by bea"):
        act.update_action(store, a.id, "cal", opened=1, lead="Sam")


def test_a_note_with_identifiers_is_not_saved_until_confirmed(store: Store) -> None:
    draft = notes.NoteDraft(title="Near miss", happened="Jayden, DOB 01/02/2020, was not brought.")
    with pytest.raises(IdentifyingDetailsError) as caught:
        notes.add_note(store, draft, "amy")
    assert {f.text for f in caught.value.findings} == {"Jayden", "01/02/2020"}
    assert notes.list_notes(store) == []
    saved = notes.add_note(store, draft, "amy", confirmed_clean=True)
    assert saved.label.startswith("Local learning note")


def test_notes_are_found_by_their_words_and_linked_to_lessons(store: Store) -> None:
    n = notes.add_note(
        store,
        notes.NoteDraft(title="Lost referral", happened="A referral from the school was lost between two teams."),
        "amy",
    )
    notes.add_note(store, notes.NoteDraft(title="Safe sleep", happened="Advice was not repeated."), "amy")
    assert [x.id for x in notes.search_notes(store, "referral lost between teams")] == [n.id]
    assert notes.search_notes(store, "bath") == []
    linked = notes.link_note(store, n.id, "lesson-abc", "bea")
    assert linked.lessons == ("lesson-abc",) and linked.version == 2


def test_board_report_carries_every_action_and_its_source(store: Store) -> None:
    a = act.add_action(store, "2015-01-oldham-child-d", "=Share information", "Health", dt.date(2025, 2, 1), "amy")
    b = act.add_action(store, "2015-02-leeds-child-v", "Train staff", "Police", dt.date(2025, 6, 1), "amy")
    rows = act.list_actions(store)
    doc = WordDocument(io.BytesIO(board_docx(rows, TODAY, 14)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for action in (a, b):
        assert f"Source: {action.source_case} (quote {action.source_hash})" in text
    assert "1 overdue" in text
    table = list(csv.DictReader(io.StringIO(board_csv(rows, TODAY, 14))))
    assert [r["source_case"] for r in table] == [a.source_case, b.source_case]
    assert table[0]["recommendation"] == "'=Share information"  # never a spreadsheet formula


def test_the_person_who_made_a_change() -> None:
    assert command_line_user(Settings.from_env({}, user="Amy  Lee\n")) == "Amy Lee"
    proxied = Settings.from_env({}, user_header="X-Forwarded-User")
    assert header_user({"x-forwarded-user": "amy@partnership"}, proxied) == "amy@partnership"
    assert header_user({"x-forwarded-user": "amy"}, Settings.from_env({})) is None
    assert clean_name("a\x00b") == "a b"


def _cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_round_trip(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("SCR_DATABASE_URL", db_url)
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCR_USER", "amy")
    monkeypatch.setenv("SCR_TODAY", "2025-03-01")
    code, out, _ = _cli(capsys, "actions", "add", "--source", "2015-01-oldham-child-d", "--recommendation",
                        "Share information", "--owner", "Health", "--due", "2025-02-01")  # fmt: skip
    assert code == 0 and "action 1 added" in out
    code, out, _ = _cli(capsys, "actions", "list", "--overdue", "--json")
    listed = json.loads(out)["actions"]
    assert [(a["id"], a["flags"]) for a in listed] == [(1, ["overdue"])]
    assert _cli(capsys, "actions", "update", "1", "--status", "in-progress", "--version", "1")[0] == 0
    code, _, err = _cli(capsys, "actions", "update", "1", "--status", "done", "--version", "1")
    assert code == 2 and "changed by amy" in err and "since you opened it" in err
    note = tmp_path / "note.txt"
    note.write_text("Chloe lived at 9 Station Road, LS6 2AB.", encoding="utf-8")
    code, _, err = _cli(capsys, "notes", "add", "--title", "Near miss", "--text", str(note))
    assert code == 1 and "9 Station Road" in err and "LS6 2AB" in err and "Chloe" in err
    assert json.loads(_cli(capsys, "notes", "list", "--json")[1])["notes"] == []
    note.write_text("A referral from the school was lost.", encoding="utf-8")
    assert _cli(capsys, "notes", "add", "--title", "Near miss", "--text", str(note), "--when", "2024-05")[0] == 0
    saved = json.loads(_cli(capsys, "notes", "list", "--json")[1])["notes"]
    assert [(n["title"], n["month"], n["year"], n["created_by"]) for n in saved] == [("Near miss", 5, 2024, "amy")]
    export = tmp_path / "export.json"
    assert _cli(capsys, "db", "export", "--out", str(export))[0] == 0
    assert _cli(capsys, "actions", "report", "--out", str(tmp_path / "board.docx"))[0] == 0
    assert "Source: 2015-01-oldham-child-d" in "\n".join(
        p.text for p in WordDocument(tmp_path / "board.docx").paragraphs
    )
    code, out, _ = _cli(capsys, "db", "backup", "--out", str(tmp_path / "backup.bin"))
    assert code == 0 and (tmp_path / "backup.bin").stat().st_size > 0
    code, _, err = _cli(capsys, "db", "import", str(export))
    assert code == 2 and "already holds records" in err


def test_import_into_an_empty_database_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "a"))
    _cli(capsys, "actions", "add", "--source", "c", "--recommendation", "r", "--owner", "o", "--due", "2025-01-01")
    _cli(capsys, "db", "export", "--out", str(tmp_path / "e.json"))
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "b"))
    code, out, _ = _cli(capsys, "db", "import", str(tmp_path / "e.json"))
    assert code == 0 and "1 actions" in out
    _cli(capsys, "db", "export", "--out", str(tmp_path / "e2.json"))
    assert (tmp_path / "e2.json").read_bytes() == (tmp_path / "e.json").read_bytes()
