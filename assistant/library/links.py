"""Whether what users keep is still attached to its source after the index is rebuilt: every action's review and
recurring lesson, every note's linked lessons and every key lesson's quotes, by case id and a hash of the words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assistant.library import actions as act
from assistant.library import key_lessons, notes
from assistant.library.lessons import LessonStock
from assistant.library.storage import Store


@dataclass(frozen=True)
class BrokenLink:
    """One link that no longer resolves: what holds it, what it points to, and why it fails."""

    kind: str  # "action", "note" or "key-lesson"
    id: int
    title: str
    case_id: str
    target: str  # the lesson key or quote key it names ('' for a review)
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


@dataclass(frozen=True)
class LinkCheck:
    """How many links were checked, and those that no longer resolve."""

    checked: int
    broken: tuple[BrokenLink, ...]

    @property
    def line(self) -> str:
        """One line for a page or the terminal."""
        if not self.checked:
            return "No note, action or key lesson links to a review yet."
        if not self.broken:
            if self.checked == 1:
                return "The one link from a note, action or key lesson to a review resolves in this index."
            return f"All {self.checked} links from notes, actions and key lessons to the reviews resolve in this index."
        cases = sorted({b.case_id for b in self.broken})
        return (
            f"{len(self.broken)} of {self.checked} {'link' if self.checked == 1 else 'links'} no longer "
            f"{'resolves' if len(self.broken) == 1 else 'resolve'} (review removed or its words changed): "
            + ", ".join(cases)
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"checked": self.checked, "broken": [b.to_dict() for b in self.broken], "line": self.line}


def check_links(store: Store, stock: LessonStock) -> LinkCheck:
    """Every link from an action, note or key lesson to a review, lesson or quote, checked against ``stock``."""
    broken: list[BrokenLink] = []
    checked = 0
    for a in act.list_actions(store):
        checked += 1
        title = a.recommendation[:80]
        if not stock.has_review(a.source_case):
            broken.append(BrokenLink("action", a.id, title, a.source_case, "", "its review is not in the index"))
        if a.lesson_key:
            checked += 1
            if not stock.resolves(a.lesson_key):
                broken.append(_lesson_gone(stock, "action", a.id, title, a.lesson_key))
    for n in notes.list_notes(store):
        for key in n.lessons:
            checked += 1
            if not stock.resolves(key):
                broken.append(_lesson_gone(stock, "note", n.id, n.title, key))
    for k in key_lessons.list_key_lessons(store):
        for s in k.sources:
            checked += 1
            if not stock.quote_resolves(s.case_id, s.quote_hash):
                broken.append(BrokenLink("key-lesson", k.id, k.title, s.case_id, s.key, _reason(stock, s.case_id)))
        if k.lesson_key:
            checked += 1
            if not stock.resolves(k.lesson_key):
                broken.append(_lesson_gone(stock, "key-lesson", k.id, k.title, k.lesson_key))
    return LinkCheck(checked, tuple(broken))


def _lesson_gone(stock: LessonStock, kind: str, ident: int, title: str, key: str) -> BrokenLink:
    case_id = key.rpartition("#")[0] or key
    return BrokenLink(kind, ident, title, case_id, key, _reason(stock, case_id))


def _reason(stock: LessonStock, case_id: str) -> str:
    if stock.has_review(case_id):
        return "its review no longer has these words"
    return "its review is not in the index"
