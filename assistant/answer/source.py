"""The source view of a citation: its whole section with the quote marked, the neighbouring sections,
the case's facts, the page of a PDF report, a reference to copy and the address that opens it again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.answer.present import when
from assistant.errors import SourceError
from assistant.ingest.facets import REVIEW_MODELS, derive_review_model
from assistant.records import Case, Record, Section
from assistant.reference import reference, slug, source_link, source_params

MARK_OPEN, MARK_CLOSE = ">>>", "<<<"  # how the terminal shows a quote inside its section


class Records(Protocol):
    """What the source view needs of the front object (``assistant.api.Assistant``)."""

    corpus_dir: Path

    def record(self, case_id: str) -> Record: ...


@dataclass(frozen=True)
class SourceView:
    """One section of one review as the reader checks a quote against it."""

    case_id: str
    title: str
    kind: str
    section: str
    text: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) offsets of the quote in ``text``
    sections: tuple[str, ...]  # every section of the record, in reading order
    facts: tuple[tuple[str, str], ...]  # (label, value): date, area, review model, keywords
    reference: str
    link: str  # the query string of this view: source=ID&section=SLUG[&page=N][&q=TOKEN]
    quote: str = ""
    page: int | None = None  # the PDF page the quote (or the section) is on
    section_pages: tuple[int, ...] = ()  # the PDF pages the section spans
    file: Path | None = None  # the original PDF, when the record came from one and it is still there

    @property
    def previous(self) -> str | None:
        """The section before this one, if any."""
        at = self.sections.index(self.section)
        return self.sections[at - 1] if at > 0 else None

    @property
    def next(self) -> str | None:
        """The section after this one, if any."""
        at = self.sections.index(self.section)
        return self.sections[at + 1] if at + 1 < len(self.sections) else None

    @property
    def params(self) -> dict[str, str]:
        """The query parameters of this view's address (``link`` as a dict)."""
        return source_params(self.case_id, self.section, self.page, self.quote)

    def marked(self) -> str:
        """The section text with each highlight between ``>>>`` and ``<<<`` (for the terminal)."""
        out, pos = [], 0
        for start, end in self.highlights:
            out += [self.text[pos:start], MARK_OPEN, self.text[start:end], MARK_CLOSE]
            pos = end
        return "".join([*out, self.text[pos:]])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "case_id": self.case_id,
            "title": self.title,
            "kind": self.kind,
            "section": self.section,
            "text": self.text,
            "highlights": [list(h) for h in self.highlights],
            "sections": list(self.sections),
            "previous": self.previous,
            "next": self.next,
            "facts": dict(self.facts),
            "reference": self.reference,
            "link": self.link,
            "quote": self.quote,
            "page": self.page,
            "section_pages": list(self.section_pages),
            "file": str(self.file) if self.file else None,
        }


def source_view(
    assistant: Records, case_id: str, section: str | None = None, page: int | None = None, quote: str = ""
) -> SourceView:
    """The source view of ``case_id``: ``section`` (else the one holding ``page``, else the first), with
    ``quote`` marked wherever it occurs; SourceError when the section or the page is not in the record."""
    record = assistant.record(case_id)
    sections = record.sections()
    if not sections:
        raise SourceError(f"{case_id} has no sections to show")
    chosen = _choose(record, sections, section, page)
    highlights = find_quote(chosen.text, quote) if quote else ()
    pages = section_pages(chosen)
    if highlights and page is None:
        page = page_at(chosen, highlights[0][0])
    if page is None and pages:
        page = pages[0]
    file = _pdf_file(assistant.corpus_dir, record)
    name = record.name if isinstance(record, Case) else ""
    return SourceView(
        case_id=case_id,
        title=record.title,
        kind=record.kind,
        section=chosen.name,
        text=chosen.text,
        highlights=highlights,
        sections=tuple(s.name for s in sections),
        facts=facts(record),
        reference=reference(record.kind, record.title, record.area, record.year, chosen.name, page, name),
        link=source_link(case_id, chosen.name, page, quote if highlights else ""),
        quote=quote if highlights else "",
        page=page,
        section_pages=pages,
        file=file,
    )


def _choose(record: Record, sections: tuple[Section, ...], section: str | None, page: int | None) -> Section:
    if section:
        for candidate in sections:
            if section in (candidate.name, slug(candidate.name)):
                return candidate
        names = ", ".join(s.name for s in sections)
        raise SourceError(f"{record.case_id} has no section {section!r}; its sections are: {names}")
    if page is not None:
        for candidate in sections:
            if page in section_pages(candidate):
                return candidate
        raise SourceError(f"{record.case_id} has no text on page {page}")
    return sections[0]


def find_quote(text: str, quote: str) -> tuple[tuple[int, int], ...]:
    """Where ``quote`` is in ``text``: its first verbatim occurrence, else one that differs only in spacing
    and line breaks; empty when it is not there."""
    quote = quote.strip()
    if not quote:
        return ()
    at = text.find(quote)
    if at >= 0:
        return ((at, at + len(quote)),)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    return ((match.start(), match.end()),) if match else ()


def section_pages(section: Section) -> tuple[int, ...]:
    """The PDF pages a section spans, in order (empty for a section not from a PDF)."""
    if not section.pages:
        return ()
    first, last = min(p for _, p in section.pages), max(p for _, p in section.pages)
    return tuple(range(first, last + 1))


def page_at(section: Section, offset: int) -> int | None:
    """The PDF page that holds the character at ``offset`` of the section's text."""
    page = None
    for start, number in section.pages:
        if start <= offset:
            page = number
    return page


def section_reference(record: Record, section: Section) -> str:
    """The standard reference of a whole section (with its first page for a report), as the pack cites it."""
    pages = section_pages(section)
    name = record.name if isinstance(record, Case) else ""
    return reference(
        record.kind, record.title, record.area, record.year, section.name, pages[0] if pages else None, name
    )


def quote_reference(record: Record, section: Section, quote: str) -> str:
    """The standard reference of a quote from ``section``, with the page it is on for a report (the
    section's first page when the quote is not found in it)."""
    spans = find_quote(section.text, quote)
    if not spans or not section.pages:
        return section_reference(record, section)
    name = record.name if isinstance(record, Case) else ""
    page = page_at(section, spans[0][0])
    return reference(record.kind, record.title, record.area, record.year, section.name, page, name)


def facts(record: Record) -> tuple[tuple[str, str], ...]:
    """The record's facts for the reader: date, area, review model and keywords (those it has)."""
    rows = [("Date", when(record)), ("Area", record.area)]
    if isinstance(record, Case):
        model = derive_review_model(record)
        if model:
            rows.append(("Review model", REVIEW_MODELS[model][0] if model in REVIEW_MODELS else "Other"))
        rows.append(("Keywords", ", ".join(record.keywords)))
    rows.append(("Source file", record.source))
    return tuple((label, value) for label, value in rows if value)


def _pdf_file(corpus_dir: Path, record: Record) -> Path | None:
    if not record.source.lower().endswith(".pdf"):
        return None
    path = (Path(corpus_dir) / record.source).resolve()
    root = Path(corpus_dir).resolve()
    return path if path.is_file() and path.is_relative_to(root) else None
