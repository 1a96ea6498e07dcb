"""Learning notes from practice (a practice episode, an audit, a rapid review, a near miss): checked for
identifying details before they are saved, searchable beside the reviews, linked to the lessons they echo."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import Stemmer
from sqlalchemy import delete, insert, select

from assistant.errors import IdentifyingDetailsError, StorageError
from assistant.library import changes
from assistant.library.identifiers import Finding, find_identifiers
from assistant.library.schema import note_links, notes
from assistant.library.storage import Store

KIND = "note"
LABEL = "Local learning note (not a published review)"
_WORDS = re.compile(r"[a-z0-9']+")
_STOP = frozenset("a an and are as at be by for from has have in is it of on or that the this to was were with".split())


@dataclass(frozen=True)
class NoteDraft:
    """What the author writes: title, month and year, setting, what happened, what was learned, roles, themes."""

    title: str
    happened: str
    learned: str = ""
    setting: str = ""
    year: int | None = None
    month: int | None = None
    roles: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def text(self) -> str:
        """Every free-text field, for the identifying-details check."""
        return "\n".join((self.title, self.setting, self.happened, self.learned))


@dataclass(frozen=True)
class Note:
    """A saved learning note, with who wrote it, its version and the recurring lessons it echoes."""

    id: int
    title: str
    year: int | None
    month: int | None
    setting: str
    happened: str
    learned: str
    roles: tuple[str, ...]
    themes: tuple[str, ...]
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    version: int
    lessons: tuple[str, ...] = field(default=())
    label: str = LABEL

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


def check_note(draft: NoteDraft) -> list[Finding]:
    """The identifying details found in a draft (empty when none were found)."""
    return find_identifiers(draft.text())


def add_note(store: Store, draft: NoteDraft, by: str, confirmed_clean: bool = False) -> Note:
    """Save a note, unless it holds identifying details and the author has not confirmed it is clean."""
    if not draft.title.strip() or not draft.happened.strip():
        raise StorageError("a learning note needs a title and what happened")
    if draft.month is not None and not 1 <= draft.month <= 12:
        raise StorageError(f"the month must be 1 to 12, got {draft.month}")
    if draft.year is not None and not 1900 <= draft.year <= 2100:
        raise StorageError(f"the year must be 1900 to 2100, got {draft.year}")
    found = check_note(draft)
    if found and not confirmed_clean:
        raise IdentifyingDetailsError(found)
    values = asdict(draft)
    values["roles"], values["themes"] = list(draft.roles), list(draft.themes)
    with store.write() as conn:
        ident = changes.create(conn, notes, KIND, values, by)
    return get_note(store, ident)


def get_note(store: Store, ident: int) -> Note:
    """One note by its id."""
    with store.read() as conn:
        row = changes.current(conn, notes, KIND, ident)
        return _note(row, _links(conn).get(ident, ()))


def list_notes(store: Store) -> list[Note]:
    """Every note, newest first."""
    with store.read() as conn:
        links = _links(conn)
        rows = conn.execute(select(notes).order_by(notes.c.id.desc())).mappings()
        return [_note(dict(r), links.get(r["id"], ())) for r in rows]


def link_note(store: Store, ident: int, lesson_key: str, by: str) -> Note:
    """Record that a note echoes a recurring lesson ('this happened here too'); audited as a change of the note."""
    with store.write() as conn:
        row = changes.current(conn, notes, KIND, ident)
        conn.execute(delete(note_links).where(note_links.c.note_id == ident, note_links.c.lesson_key == lesson_key))
        conn.execute(insert(note_links).values(note_id=ident, lesson_key=lesson_key))
        changes.change(conn, notes, KIND, ident, {}, by, row["version"])
    return get_note(store, ident)


def search_notes(store: Store, query: str, limit: int = 3) -> list[Note]:
    """The notes that share most of the query's words (stemmed, stop words aside), best first; none share none."""
    wanted = _terms(query)
    if not wanted:
        return []
    scored = []
    for note in list_notes(store):
        have = _terms(" ".join((note.title, note.happened, note.learned, note.setting, *note.themes)))
        share = len(wanted & have) / len(wanted)
        if share >= 0.5:
            scored.append((-share, -note.id, note))
    return [n for *_, n in sorted(scored, key=lambda s: s[:2])][:limit]


_stemmer = Stemmer.Stemmer("english")


def _terms(text: str) -> set[str]:
    return set(_stemmer.stemWords([w for w in _WORDS.findall(text.lower()) if w not in _STOP]))


def _links(conn: Any) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for row in conn.execute(select(note_links).order_by(note_links.c.note_id, note_links.c.lesson_key)):
        found.setdefault(row.note_id, []).append(row.lesson_key)
    return {k: tuple(v) for k, v in found.items()}


def _note(row: dict[str, Any], lessons: tuple[str, ...]) -> Note:
    row = {**row, "roles": tuple(row["roles"]), "themes": tuple(row["themes"])}
    return Note(**row, lessons=lessons)
