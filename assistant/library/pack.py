"""Training packs: chosen cases as Markdown or Word, with reflective questions from each case's own text."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.present import escape_markdown, when
from assistant.answer.source import quote_reference, section_reference
from assistant.indexing.sentences import split_spans
from assistant.records import Case, Record

PACK_SECTIONS = ("Summary", "Key issues", "Findings", "Learning", "Recommendations")
SUPPORT = (
    "These reviews describe the deaths and serious harm of children. If the material affects you, talk to "
    "your supervisor or a colleague. If a case raises concerns about a child, contact your local children's "
    "social care team or the NSPCC helpline (0808 800 5000); in an emergency call 999."
)


@dataclass(frozen=True)
class Question:
    """A reflective question, the section of the case it comes from and the sentence of it that it quotes."""

    text: str
    section: str
    quote: str = ""
    reference: str = ""  # the quote's standard reference (assistant.reference), for slides and handouts


def _first_sentence(text: str) -> str:
    spans = split_spans(text)
    return text[spans[0][0] : spans[0][1]] if spans else text


_CASE_QUESTIONS = (  # (section, the question around its first sentence)
    (
        "Key issues",
        "The review names this issue: “{}”. What would have helped professionals see it at the time, "
        "and who could have acted on it?",
    ),
    ("Findings", "The review found: “{}”. Could this happen in your agency? What would tell you?"),
    ("Learning", "The learning is: “{}”. What would you do differently in your own practice because of it?"),
    (
        "Recommendations",
        "It recommends: “{}”. Which agency in your area would own this, and how would you know it had happened?",
    ),
)
_BACKGROUND_QUESTION = "From the background: “{}”. What risks would you want to explore further, and with whom?"
_DOCUMENT_QUESTION = "Which of these points most affects learning in your own team: “{}”?"


def discussion_questions(record: Record) -> list[Question]:
    """Questions for a training session, each built on a sentence of the case's own sections and carrying
    that sentence's standard reference."""
    sections = record.sections()
    if not isinstance(record, Case):
        asked = [(s, _DOCUMENT_QUESTION) for s in sections[:3]]
    else:
        named = {s.name: s for s in sections}
        asked = [(named[name], form) for name, form in _CASE_QUESTIONS if name in named]
        if not asked and "Background" in named:
            asked = [(named["Background"], _BACKGROUND_QUESTION)]
    questions = []
    for section, form in asked:
        quote = _first_sentence(section.text)
        questions.append(Question(form.format(quote), section.name, quote, quote_reference(record, section, quote)))
    return questions


def pack_markdown(records: Sequence[Record], title: str = "Training pack: learning from case reviews") -> str:
    """The pack as Markdown: per case its sections, reflective questions and the source of every item."""
    made = f"_Made {time.strftime('%d %B %Y')} from {len(records)} review(s)._"
    lines = [f"# {escape_markdown(title)}", "", made, "", SUPPORT, ""]
    for n, record in enumerate(records, start=1):
        lines += [f"## {n}. {escape_markdown(record.title)}", ""]
        facts = [when(record), escape_markdown(record.area)]
        lines += [
            " · ".join(f for f in facts if f)
            + f"  \nSource: `{record.case_id}` ({escape_markdown(record.source)}, line {record.line})",  # id: a slug
            "",
        ]
        for section in record.sections():
            if section.name in PACK_SECTIONS:
                cited = escape_markdown(section_reference(record, section))
                lines += [
                    f"**{escape_markdown(section.name)}** (source: {cited})",
                    "",
                    escape_markdown(section.text),
                    "",
                ]
        keywords = getattr(record, "keywords", ())
        if keywords:
            lines += [f"**Keywords:** {escape_markdown(', '.join(keywords))}", ""]
        questions = discussion_questions(record)
        if questions:
            lines += ["**Questions for discussion**", ""]
            lines += [
                f"{i}. {escape_markdown(q.text)} (source: {escape_markdown(q.reference)})"
                for i, q in enumerate(questions, 1)
            ]
            lines.append("")
    return "\n".join(lines)


def pack_docx(records: Sequence[Record], title: str = "Training pack: learning from case reviews") -> bytes:
    """The same pack as a Word document (python-docx)."""
    from docx import Document as WordDocument

    doc = WordDocument()
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"Made {time.strftime('%d %B %Y')} from {len(records)} review(s).")
    doc.add_paragraph(SUPPORT)
    for n, record in enumerate(records, start=1):
        doc.add_heading(f"{n}. {record.title}", level=1)
        facts = " · ".join(f for f in (when(record), record.area) if f)
        doc.add_paragraph(f"{facts}\nSource: {record.case_id} ({record.source}, line {record.line})")
        for section in record.sections():
            if section.name in PACK_SECTIONS:
                doc.add_heading(section.name, level=2)
                doc.add_paragraph(section.text)
                doc.add_paragraph(f"Source: {section_reference(record, section)}").italic = True
        keywords = getattr(record, "keywords", ())
        if keywords:
            doc.add_paragraph(f"Keywords: {', '.join(keywords)}")
        questions = discussion_questions(record)
        if questions:
            doc.add_heading("Questions for discussion", level=2)
            for q in questions:
                doc.add_paragraph(f"{q.text} (source: {q.reference})", style="List Number")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
