"""A one-page '7-minute briefing' of a recurring lesson, a theme or a key lesson, in the layout partnerships use:
what happened, why it matters, what to do, questions to reflect on, sources. Every item is a verbatim quote of a
review, numbered to its source in the standard reference form; Word (python-docx) and Markdown."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.roles import role_label
from assistant.errors import LessonError
from assistant.indexing.sentences import split_spans
from assistant.library.key_lessons import KeyLesson
from assistant.library.lessons import Lesson, LessonSource, LessonStock, RecurringLesson, theme_key_of, theme_label
from assistant.records import Case, Record

PER_SECTION = 3  # items in each of the three parts: enough for one page
QUESTIONS = 4
TO_DO = ("recommendation", "learning point")
NONE = "None of these reviews says this in so many words."


@dataclass(frozen=True)
class Item:
    """One point of a briefing: a verbatim quote and the number of its source."""

    text: str
    source: int  # 1-based, into Briefing.sources


@dataclass(frozen=True)
class Briefing:
    """A 7-minute briefing, ready to write as Word or Markdown."""

    title: str
    subtitle: str
    happened: tuple[Item, ...]
    matters: tuple[Item, ...]
    to_do: tuple[Item, ...]
    questions: tuple[str, ...]
    sources: tuple[LessonSource, ...]
    key_lesson: str = ""  # a trainer's own words, when the briefing is of a key lesson
    key_lesson_by: str = ""


class _Sources:
    """Sources numbered in the order they are first cited."""

    def __init__(self) -> None:
        self.order: list[LessonSource] = []

    def item(self, source: LessonSource) -> Item:
        if source not in self.order:
            self.order.append(source)
        return Item(source.quote, self.order.index(source) + 1)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def group_briefing(stock: LessonStock, records: Sequence[Record], group: RecurringLesson) -> Briefing:
    """The briefing of one recurring lesson (or of a lesson found in one review)."""
    return _briefing(stock, records, f"7-minute briefing: {_short(group.text)}", group.recurs, [group])


def theme_briefing(stock: LessonStock, records: Sequence[Record], theme: str) -> Briefing:
    """The briefing of a theme: its most recurrent lessons."""
    key = theme_key_of(theme)
    groups = stock.select(theme=key)
    reviews = {m.source.case_id for g in groups for m in g.lessons if key in m.themes}
    years = [m.source.year for g in groups for m in g.lessons if key in m.themes]
    span = f", {min(years)}\u2013{max(years)}" if years and min(years) != max(years) else ""
    if not groups:
        raise LessonError(f"no lesson of these reviews is about {theme_label(key)}: there is nothing to brief on")
    lessons = sum(key in m.themes for m in stock.lessons)
    subtitle = f"{_plural(lessons, 'lesson')} in {_plural(len(reviews), 'review')}{span}"
    return _briefing(stock, records, f"7-minute briefing: {theme_label(key)}", subtitle, groups, focus=key)


def key_lesson_briefing(stock: LessonStock, records: Sequence[Record], lesson: KeyLesson) -> Briefing:
    """The briefing of a key lesson: the trainer's words, then the recurring lessons its quotes belong to."""
    groups = list(dict.fromkeys(stock.group(s.key) for s in lesson.sources if stock.resolves(s.key)))
    if lesson.lesson_key and stock.resolves(lesson.lesson_key):
        groups.insert(0, stock.group(lesson.lesson_key))
    groups = list(dict.fromkeys(groups))
    if not groups:
        raise LessonError(
            f"key lesson {lesson.id}: none of its quotes is in the index any more (was its review removed?)"
        )
    reviews = {m.source.case_id for g in groups for m in g.lessons}
    subtitle = f"a key lesson resting on {_plural(len(lesson.sources), 'quote')} from {_plural(len(reviews), 'review')}"
    made = _briefing(stock, records, f"7-minute briefing: {lesson.title}", subtitle, groups)
    return dataclasses.replace(made, key_lesson=lesson.text, key_lesson_by=lesson.created_by)


def _briefing(
    stock: LessonStock,
    records: Sequence[Record],
    title: str,
    subtitle: str,
    groups: Sequence[RecurringLesson],
    focus: str | None = None,
) -> Briefing:
    cases = {r.case_id: r for r in records if isinstance(r, Case)}
    lessons = [m for g in groups for m in g.lessons if focus is None or focus in m.themes]
    numbered = _Sources()
    happened = [numbered.item(s) for s in _what_happened(cases, lessons)]
    matters = [numbered.item(m.source) for m in _first_per_review([m for m in lessons if m.kind == "finding"])]
    to_do_lessons = [m for m in lessons if m.kind in TO_DO] or _same_reviews_to_do(stock, lessons)
    to_do = [numbered.item(m.source) for m in _first_per_review(to_do_lessons)]
    return Briefing(
        title=title,
        subtitle=subtitle,
        happened=tuple(happened),
        matters=tuple(matters),
        to_do=tuple(to_do),
        questions=_questions(lessons),
        sources=tuple(numbered.order),
    )


def _what_happened(cases: dict[str, Case], lessons: Sequence[Lesson]) -> list[LessonSource]:
    """The first sentence of the summary of each review (earliest first), up to PER_SECTION."""
    out = []
    for case_id in dict.fromkeys(m.source.case_id for m in lessons):
        case = cases.get(case_id)
        spans = split_spans(case.summary) if case and case.summary else []
        if spans:
            start, end = spans[0]
            quote = case.summary[start:end]
            out.append(LessonSource(case.case_id, case.title, case.area, case.year, "Summary", quote, name=case.name))
        if len(out) == PER_SECTION:
            break
    return out


def _first_per_review(lessons: Sequence[Lesson]) -> list[Lesson]:
    """Up to PER_SECTION lessons, one from each review while there are other reviews, latest review first."""
    ordered = sorted(lessons, key=lambda m: (-m.source.year, m.key))
    picked: list[Lesson] = []
    seen: set[str] = set()
    for m in ordered:
        if m.source.case_id not in seen:
            picked.append(m)
            seen.add(m.source.case_id)
    picked += [m for m in ordered if m not in picked]
    return picked[:PER_SECTION]


def _same_reviews_to_do(stock: LessonStock, lessons: Sequence[Lesson]) -> list[Lesson]:
    """When the lessons themselves are findings: what the same reviews say to do on the same themes."""
    reviews = {m.source.case_id for m in lessons}
    themes = {t for m in lessons for t in m.themes}
    return [
        m
        for m in stock.lessons
        if m.source.case_id in reviews and m.kind in TO_DO and (not themes or themes & set(m.themes))
    ]


def _questions(lessons: Sequence[Lesson]) -> tuple[str, ...]:
    """Questions to reflect on, from the lessons' themes and roles."""
    themes = list(dict.fromkeys(t for m in lessons for t in m.themes))[:2]
    roles = list(dict.fromkeys(r for m in lessons for r in m.roles))[:1]
    asked = [f"Where have we seen {theme_label(t)} in our own work, and would we have seen it sooner?" for t in themes]
    asked += [f"What would this lesson change in the day-to-day practice of {role_label(r)} here?" for r in roles]
    asked += [
        "Has this happened in our partnership, and what evidence do we have that it could not happen again?",
        "Who needs to hear this, and how will we know it has made a difference to children?",
    ]
    return tuple(asked[:QUESTIONS])


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown: every item numbered to its source, the sources in the standard reference form."""
    lines = [f"# {briefing.title}", "", f"*{briefing.subtitle}*", ""]
    if briefing.key_lesson:
        lines += [f"**Key lesson** (in the words of {briefing.key_lesson_by}): {_one_line(briefing.key_lesson)}", ""]
    for heading, items in _parts(briefing):
        lines += [f"## {heading}", ""]
        lines += [f"- {_one_line(i.text)} [{i.source}]" for i in items] or [f"*{NONE}*"]
        lines.append("")
    lines += ["## Questions to reflect on", ""]
    lines += [f"{n}. {q}" for n, q in enumerate(briefing.questions, 1)]
    lines += ["", "## Sources", ""]
    lines += [f"{n}. {s.reference} In the app: /?{s.link}" for n, s in enumerate(briefing.sources, 1)]
    return "\n".join(lines) + "\n"


def briefing_docx(briefing: Briefing) -> bytes:
    """The briefing as a one-page Word document: narrow margins, small type, every item numbered to its source."""
    from docx import Document as WordDocument
    from docx.shared import Cm, Pt

    doc = WordDocument()
    for section in doc.sections:
        section.top_margin = section.bottom_margin = Cm(1.5)
        section.left_margin = section.right_margin = Cm(1.8)
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(briefing.title, level=1)
    doc.add_paragraph(briefing.subtitle).runs[0].italic = True
    if briefing.key_lesson:
        para = doc.add_paragraph()
        para.add_run(f"Key lesson (in the words of {briefing.key_lesson_by}): ").bold = True
        para.add_run(_one_line(briefing.key_lesson))
    for heading, items in _parts(briefing):
        doc.add_heading(heading, level=2)
        for item in items:
            doc.add_paragraph(f"{_one_line(item.text)} [{item.source}]", style="List Bullet")
        if not items:
            doc.add_paragraph().add_run(NONE).italic = True
    doc.add_heading("Questions to reflect on", level=2)
    for question in briefing.questions:
        doc.add_paragraph(question, style="List Number")
    doc.add_heading("Sources", level=2)
    for n, source in enumerate(briefing.sources, 1):
        para = doc.add_paragraph(f"[{n}] {source.reference} In the app: /?{source.link}")
        for run in para.runs:
            run.font.size = Pt(8)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _parts(briefing: Briefing) -> tuple[tuple[str, tuple[Item, ...]], ...]:
    return (
        ("What happened", briefing.happened),
        ("Why it matters", briefing.matters),
        ("What to do", briefing.to_do),
    )


def _short(text: str, most: int = 90) -> str:
    """A title from a quote: its first ``most`` characters, cut at a word, with an ellipsis when cut."""
    text = _one_line(text).rstrip(".")
    if len(text) <= most:
        return text[:1].upper() + text[1:]
    cut = text[:most].rsplit(" ", 1)[0].rstrip(",;:")
    return cut[:1].upper() + cut[1:] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
