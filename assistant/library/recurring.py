"""Answers to "which lessons / recommendations keep coming up": the stock's recurring lessons, most recurrent first."""

from __future__ import annotations

import re

from assistant.answer.compose import Composer, describe, is_metadata
from assistant.answer.present import escape_markdown
from assistant.answer.question import Interpretation
from assistant.answer.roles import role_label
from assistant.indexing.store import StoredIndex
from assistant.library.lessons import Lesson, LessonStock, RecurringLesson
from assistant.records import Answer, AnswerMode, Case

MAX_GROUPS = 8  # an answer shows at most this many recurring lessons
MAX_NAMED = 6  # ... each naming at most this many of its reviews

_LESSON_WORDS = (
    r"recommendations?|lessons?|learning(?: points?)?|findings?|messages?|failings?|mistakes?|themes? of learning"
)
_RECURS_WORDS = (
    r"recurr\w*|again and again|over and over|time (?:and|after) time|time and again|repeated(?:ly)?"
    r"|keep(?:s)? (?:coming|cropping|turning) up|keep(?:s)? being (?:made|repeated)"
    r"|come(?:s)? up (?:most|again|a lot|often|the most)"
    r"|most (?:common(?:ly)?|frequent(?:ly)?|often)|commonest|common(?:ly)?|frequent|same"
)
_ASKS_RE = re.compile(
    rf"\b(?:{_RECURS_WORDS})\b.*\b(?:{_LESSON_WORDS})\b|\b(?:{_LESSON_WORDS})\b.*\b(?:{_RECURS_WORDS})\b", re.I
)
# what is left of the topic once the asking is taken out: nothing means the question is about all the lessons
_ASKING_RE = re.compile(
    rf"\b(?:{_LESSON_WORDS}|{_RECURS_WORDS}|what|which|kinds? of|types? of|sorts? of|are|is|the|most|come|comes|up"
    r"|made|make|get|gets|in|across|these|all|reviews?|scrs?|cases?|collection|do|does|they|there|keep|keeps|again"
    r"|and|of|a|an|main|top|key|ones?|see|we|you|i)\b",
    re.I,
)


def asks_recurring_at_all(question: str) -> bool:
    """True when the question's words ask which lessons recur (before it is read in full)."""
    return bool(_ASKS_RE.search(question))


def asks_recurring_lessons(question: str, interp: Interpretation) -> bool:
    """True for "which recommendations come up again and again", "most common lessons for GPs": lessons across
    the whole collection ranked by how many reviews make them (not a topic's learning, not a count)."""
    if not asks_recurring_at_all(question) or interp.age_bands or interp.areas or interp.place:
        return False
    rest = _ASKING_RE.sub(" ", interp.topic)
    return not re.findall(r"[^\W\d_]{3,}", rest)


def compose_recurring(
    question: str, interp: Interpretation, stock: LessonStock, index: StoredIndex, role: str | None
) -> Answer | None:
    """The lessons most reviews make (for ``role``, when one is named), each in the words of the review nearest
    its group's centre, with how many reviews make it and which; None when no lesson recurs."""
    recommendations = bool(re.search(r"\brecommend", question, re.I))
    groups = stock.select(role=role, recurring=True)
    if recommendations:
        groups = [g for g in groups if any(m.kind == "recommendation" for m in g.lessons)] or groups
    if not groups:
        return None
    records = {r.case_id: r for r in index.records}
    units = {(u.case_id, u.text): u for u in index.units}
    composer = Composer(records)
    reviews = sum(1 for r in index.records if isinstance(r, Case))
    kind = "recommendations and lessons" if recommendations else "lessons"
    lens = f" for {role_label(role)}" if role else ""
    chosen = [(g, m) for g in groups if (m := _quoted(g, role, recommendations)) is not None]
    shown: list[tuple[RecurringLesson, Lesson]] = chosen[:MAX_GROUPS]
    lines = [
        f"The {kind}{lens} that recur most across the {reviews} reviews, most reviews first ({len(chosen)} recur in "
        "two or more; near-identical lessons are grouped, and each group is quoted from one of its reviews):",
        "",
    ]
    cases: list[str] = []
    for n, (group, member) in enumerate(shown, 1):
        unit = units.get((member.source.case_id, member.text))
        if unit is None:
            continue
        named = [describe(records[c]) for c in group.case_ids[:MAX_NAMED] if c in records]
        more = f" and {group.reviews - MAX_NAMED} more" if group.reviews > MAX_NAMED else ""
        lines.append(f"{n}. {composer.quote(unit)} \u2014 {escape_markdown(group.recurs)}: {'; '.join(named)}{more}")
        cases += [c for c in group.case_ids if c not in cases]
    text = "\n".join(lines)
    return Answer(
        question, text, tuple(composer.citations), tuple(cases), mode=AnswerMode.LEARNING, query=question,
        interpretation=interp,
    )  # fmt: skip


def _quoted(group: RecurringLesson, role: str | None, recommendation: bool) -> Lesson | None:
    """The lesson to quote for a group: its centre, or for a role or a question on recommendations the first of its
    lessons that is for the role or a recommendation; None when that lesson is about the review itself ("raises
    issues for the board based on the review findings") rather than a lesson."""
    centre = next((m for m in group.lessons if m.text == group.text), group.lessons[0])
    fits = [
        m for m in group.lessons if (not role or role in m.roles) and (not recommendation or m.kind == "recommendation")
    ]
    member = centre if centre in fits or not fits else fits[0]
    if is_metadata(member.text) or re.search(
        r"\b(?:raises? issues|issues? (?:of|for) consideration)\b", member.text, re.I
    ):
        return None
    return member
