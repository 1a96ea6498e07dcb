"""Writing a record with its audit trail and version check: the one path every change to the database takes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection

from assistant.errors import ConflictError, NotFoundError
from assistant.library.schema import audit
from assistant.library.storage import now


def create(conn: Connection, table: Table, kind: str, values: dict[str, Any], by: str) -> int:
    """Insert a record at version 1 and its 'create' audit entry; returns its id."""
    at = now()
    row = {**values, "created_by": by, "created_at": at, "updated_by": by, "updated_at": at, "version": 1}
    ident = conn.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()
    _audit(conn, kind, ident, "create", by, at, None, {"id": ident, **row})
    return ident


def change(
    conn: Connection, table: Table, kind: str, ident: int, changes: dict[str, Any], by: str, opened: int | None
) -> dict[str, Any]:
    """Apply ``changes`` to a record unless it changed since version ``opened`` (None: as it is now); audited."""
    before = current(conn, table, kind, ident, lock=True)
    if opened is not None and before["version"] != opened:
        raise ConflictError(kind, ident, before["updated_by"], before["updated_at"], opened, before["version"])
    at = now()
    stamps = {"updated_by": by, "updated_at": at, "version": before["version"] + 1}
    done = conn.execute(
        update(table).where(table.c.id == ident, table.c.version == before["version"]).values(**changes, **stamps)
    )
    if done.rowcount != 1:  # another writer got in between: never overwrite them
        latest = current(conn, table, kind, ident)
        raise ConflictError(
            kind, ident, latest["updated_by"], latest["updated_at"], before["version"], latest["version"]
        )
    after = {**before, **changes, **stamps}
    _audit(conn, kind, ident, "update", by, at, before, after)
    return after


def current(conn: Connection, table: Table, kind: str, ident: int, lock: bool = False) -> dict[str, Any]:
    """A record's row as a dict, or NotFoundError."""
    query = select(table).where(table.c.id == ident)
    if lock and conn.dialect.name != "sqlite":  # SQLite's write transaction already holds the database
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(kind, ident)
    return dict(row)


def history(conn: Connection, kind: str, ident: int) -> list[dict[str, Any]]:
    """A record's audit trail, oldest first: who, when, before and after."""
    rows = conn.execute(
        select(audit).where(audit.c.entity == kind, audit.c.entity_id == ident).order_by(audit.c.id)
    ).mappings()
    return [
        {**dict(r), "before": json.loads(r["before"]) if r["before"] else None, "after": json.loads(r["after"])}
        for r in rows
    ]


def _audit(
    conn: Connection, kind: str, ident: int, op: str, by: str, at: str, before: dict | None, after: dict
) -> None:
    conn.execute(
        insert(audit).values(
            entity=kind, entity_id=ident, op=op, actor=by, at=at, before=_json(before), after=_json(after)
        )
    )


def _json(row: dict[str, Any] | None) -> str | None:
    return None if row is None else json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
