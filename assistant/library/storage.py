"""The learning database: one schema on SQLite (default) or PostgreSQL, migrated by Alembic, written in transactions."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Engine, create_engine, event, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from assistant.errors import DatabaseNotEmptyError, StorageError
from assistant.library.schema import TABLES
from assistant.settings import Settings, resolve

DATABASE_FILE = "learning.db"
EXPORT_FORMAT = "scr-learning-export"
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_SECONDS = 30  # how long a SQLite writer waits for another's transaction before giving up


def database_url(settings: Settings | None = None) -> str:
    """The SQLAlchemy URL of the learning database: SCR_DATABASE_URL, else SQLite under SCR_DATA_DIR."""
    settings = resolve(settings)
    url = settings.database_url
    if not url:
        return f"sqlite:///{settings.data_dir / DATABASE_FILE}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):  # the driver installed with this package
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def shown_url(url: str) -> str:
    """``url`` with any password hidden, for messages."""
    head, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        rest = f"{credentials.split(':', 1)[0]}:***@{host}" if ":" in credentials else rest
    return head + sep + rest


def now() -> str:
    """The current time in UTC, to the second, as stored."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """The open learning database: short transactions for writes (SQLite's taken at once, so writers queue)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)

    @classmethod
    def open(cls, settings: Settings | None = None, url: str | None = None) -> Store:
        """Open (creating and migrating as needed) the database the settings name."""
        url = url or database_url(settings)
        store = cls(_engine(url))
        try:
            store.migrate()
        except SQLAlchemyError as exc:
            store.close()
            raise StorageError(f"cannot open the learning database {shown_url(url)}: {_reason(exc)}") from None
        return store

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (one process at a time)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(7216001)"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def revision(self) -> str:
        """The schema's current migration."""
        with self.read() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction: everything in it is saved together, or (on any error, or a kill) nothing is."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise StorageError(f"the learning database could not be written: {_reason(exc)}") from None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction that sees one consistent state."""
        try:
            with self.engine.connect().execution_options(read_only=True) as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            raise StorageError(f"the learning database could not be read: {_reason(exc)}") from None

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def is_empty(self) -> bool:
        """Whether no table holds a row."""
        with self.read() as conn:
            return all(conn.execute(select(func.count()).select_from(t)).scalar_one() == 0 for t in TABLES)

    def export(self) -> dict[str, Any]:
        """Every row of every table, in key order, as plain JSON values."""
        with self.read() as conn:
            tables = {
                t.name: [_plain(dict(r._mapping)) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in TABLES
            }
        return {"format": EXPORT_FORMAT, "schema": self.revision(), "tables": tables}

    def import_(self, data: dict[str, Any]) -> dict[str, int]:
        """Load an export into this (empty) database in one transaction; returns the rows per table."""
        if (
            not isinstance(data, dict)
            or data.get("format") != EXPORT_FORMAT
            or not isinstance(data.get("tables"), dict)
        ):
            raise StorageError("not an export of the learning database (its 'format' is not scr-learning-export)")
        if data.get("schema") != self.revision():
            raise StorageError(f"the export is of schema {data.get('schema')!r}, this database is {self.revision()!r}")
        if not self.is_empty():
            raise DatabaseNotEmptyError("the learning database already holds records: import into an empty one")
        counts = {}
        with self.write() as conn:
            for table in TABLES:
                rows = [_typed(table, row) for row in data["tables"].get(table.name, [])]
                if rows:
                    conn.execute(insert(table), rows)
                counts[table.name] = len(rows)
                if not self.is_sqlite and "id" in table.c:  # the next id after the imported ones
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                            f" COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                        )
                    )
        return counts

    def backup(self, out: Path) -> Path:
        """A consistent copy taken while others write: a SQLite file (the online backup API), else an export."""
        out.parent.mkdir(parents=True, exist_ok=True)
        if not self.is_sqlite:
            out.write_text(dump(self.export()), encoding="utf-8")
            return out
        partial = out.with_name(out.name + ".part")
        raw = self.engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            with target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
        partial.replace(out)
        return out


def dump(data: dict[str, Any]) -> str:
    """An export as JSON text: keys sorted, so equal content is equal bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _engine(url: str) -> Engine:
    """An engine for ``url``; SQLite in WAL mode with writes that take the lock at BEGIN and wait for it."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's begin event below starts every transaction
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("read_only")
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row with dates as YYYY-MM-DD text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """An exported row with its dates read back, only the table's own columns."""
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise StorageError(f"the export's {table.name} rows have unknown columns: {', '.join(sorted(unknown))}")
    typed = {}
    for key, value in row.items():
        if isinstance(table.c[key].type, Date) and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        typed[key] = value
    return typed


def _reason(exc: Exception) -> str:
    """The database's own one-line reason."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
