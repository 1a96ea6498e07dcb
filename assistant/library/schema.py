"""The learning database's tables (kept equal to the migrations under ``migrations/``) and stable source keys."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, text

metadata = MetaData()
LESSON_KEY = 320  # a lesson's key: its case id (up to 300 characters), '#', a 16-character hash of its words


def _stamps() -> list[Column]:
    """Who made and last changed a record, when, and its version (against lost updates)."""
    return [
        Column("created_by", String(200), nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("updated_by", String(200), nullable=False),
        Column("updated_at", String(32), nullable=False),
        Column("version", Integer, nullable=False),
    ]


actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_case", String(300), nullable=False),
    Column("source_hash", String(16), nullable=False),
    Column("recommendation", Text, nullable=False),
    Column("lesson_key", String(LESSON_KEY), nullable=True),
    Column("owner", String(300), nullable=False),
    Column("lead", String(300), nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("review_date", Date, nullable=True),
    *_stamps(),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("year", Integer, nullable=True),
    Column("month", Integer, nullable=True),
    Column("setting", String(300), nullable=False),
    Column("happened", Text, nullable=False),
    Column("learned", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("themes", JSON, nullable=False),
    *_stamps(),
)

note_links = Table(
    "note_links",
    metadata,
    Column("note_id", Integer, ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("lesson_key", String(LESSON_KEY), primary_key=True),
)

key_lessons = Table(
    "key_lessons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("sources", JSON, nullable=False),  # [{"case_id", "section", "quote", "quote_hash"}]
    Column("themes", JSON, nullable=False, server_default=text("'[]'")),
    Column("roles", JSON, nullable=False, server_default=text("'[]'")),
    Column("lesson_key", String(LESSON_KEY), nullable=True),  # the recurring lesson it restates
    *_stamps(),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(20), nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("op", String(10), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(32), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)

# Export and import order: a row's parent is always written first.
TABLES = (actions, notes, note_links, key_lessons, audit)


def quote_hash(text: str) -> str:
    """A key for a quoted passage that survives an index rebuild: its words, case and spacing aside, hashed."""
    words = re.sub(r"\s+", " ", text).strip().casefold()
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]
