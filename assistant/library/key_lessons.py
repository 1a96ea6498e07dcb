"""Key lessons: a trainer's or manager's own words for a lesson, linked to the source quotes it rests on and tagged;
versioned and audited like every record of the learning database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from assistant.errors import StorageError
from assistant.library import changes
from assistant.library.schema import key_lessons, quote_hash
from assistant.library.storage import Store

KIND = "key-lesson"
EDITABLE = ("title", "text", "tags", "sources", "themes", "roles", "lesson_key")


@dataclass(frozen=True)
class SourceQuote:
    """A verbatim quote a key lesson rests on, keyed by its case id and a hash of its words."""

    case_id: str
    section: str
    quote: str

    @property
    def quote_hash(self) -> str:
        """The hash of the quoted words (what survives a rebuild)."""
        return quote_hash(self.quote)

    @property
    def key(self) -> str:
        """The lesson key of the quote: 'case-id#hash'."""
        return f"{self.case_id}#{self.quote_hash}"

    def to_dict(self) -> dict[str, str]:
        """As stored."""
        return {"case_id": self.case_id, "section": self.section, "quote": self.quote, "quote_hash": self.quote_hash}


@dataclass(frozen=True)
class KeyLesson:
    """A saved key lesson, with who wrote and last changed it and its version."""

    id: int
    title: str
    text: str
    tags: tuple[str, ...]
    sources: tuple[SourceQuote, ...]
    themes: tuple[str, ...]
    roles: tuple[str, ...]
    lesson_key: str | None
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        row = asdict(self)
        row["sources"] = [s.to_dict() for s in self.sources]
        return row


def add_key_lesson(
    store: Store,
    title: str,
    text: str,
    sources: Sequence[SourceQuote],
    by: str,
    tags: Sequence[str] = (),
    themes: Sequence[str] = (),
    roles: Sequence[str] = (),
    lesson_key: str | None = None,
) -> KeyLesson:
    """Save a key lesson in the author's words, linked to at least one source quote."""
    values = _checked(
        {"title": title, "text": text, "sources": sources, "tags": tags, "themes": themes, "roles": roles,
         "lesson_key": lesson_key}
    )  # fmt: skip
    with store.write() as conn:
        ident = changes.create(conn, key_lessons, KIND, values, by)
        return _key_lesson(changes.current(conn, key_lessons, KIND, ident))


def update_key_lesson(store: Store, ident: int, by: str, opened: int | None = None, **fields: Any) -> KeyLesson:
    """Change a key lesson; ``opened`` is the version the person saw, and a later change by anyone is a conflict."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise StorageError(f"a key lesson has no field {', '.join(sorted(unknown))}; fields: {', '.join(EDITABLE)}")
    values = _checked({k: v for k, v in fields.items() if v is not None})
    with store.write() as conn:
        return _key_lesson(changes.change(conn, key_lessons, KIND, ident, values, by, opened))


def get_key_lesson(store: Store, ident: int) -> KeyLesson:
    """One key lesson by its id."""
    with store.read() as conn:
        return _key_lesson(changes.current(conn, key_lessons, KIND, ident))


def list_key_lessons(store: Store) -> list[KeyLesson]:
    """Every key lesson, newest first."""
    with store.read() as conn:
        rows = conn.execute(select(key_lessons).order_by(key_lessons.c.id.desc())).mappings()
        return [_key_lesson(dict(r)) for r in rows]


def key_lesson_history(store: Store, ident: int) -> list[dict[str, Any]]:
    """A key lesson's audit trail: who changed what, when, before and after."""
    with store.read() as conn:
        changes.current(conn, key_lessons, KIND, ident)
        return changes.history(conn, KIND, ident)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as stored, or StorageError saying what is missing."""
    for key in ("title", "text"):
        if key in values:
            values[key] = str(values[key]).strip()
            if not values[key]:
                raise StorageError(f"a key lesson needs its {key}")
    if "sources" in values:
        sources = [s if isinstance(s, SourceQuote) else SourceQuote(**_source_fields(s)) for s in values["sources"]]
        if not sources or any(not s.case_id.strip() or not s.quote.strip() for s in sources):
            raise StorageError("a key lesson needs at least one source quote (a case id and the quoted words)")
        values["sources"] = [s.to_dict() for s in dict.fromkeys(sources)]
    for key in ("tags", "themes", "roles"):
        if key in values:
            values[key] = list(dict.fromkeys(str(t).strip() for t in values[key] if str(t).strip()))
    return values


def _source_fields(row: Any) -> dict[str, str]:
    if not isinstance(row, dict) or not {"case_id", "quote"} <= set(row):
        raise StorageError("a source quote needs its case_id and quote")
    return {"case_id": str(row["case_id"]), "section": str(row.get("section", "")), "quote": str(row["quote"])}


def _key_lesson(row: dict[str, Any]) -> KeyLesson:
    sources = tuple(SourceQuote(**_source_fields(s)) for s in row["sources"])
    return KeyLesson(
        **{**row, "tags": tuple(row["tags"]), "themes": tuple(row["themes"]), "roles": tuple(row["roles"]),
           "sources": sources}
    )  # fmt: skip
