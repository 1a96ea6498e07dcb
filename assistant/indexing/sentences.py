"""Sentence units: the verbatim stretches of a section that an answer can quote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.reports import page_at
from assistant.records import Record

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+(?=[A-Z0-9\"'‘“(])")
_BULLET = re.compile(r"^\s*(?:[-*•▪◦]|\d+[.)])\s+")
LONG_SENTENCE_WORDS = 25
MIN_UNIT_WORDS = 3


@dataclass(frozen=True)
class Unit:
    """One quotable sentence (or clause of a long list sentence) of one section of one record."""

    unit_id: int
    case_id: str
    section: str
    text: str
    context: str = ""  # a document's section heading, read with the sentence; empty for cases
    page: int | None = None  # the PDF page the sentence is on

    @property
    def embed_text(self) -> str:
        """What the model and the word overlap read: the heading (for documents), then the text."""
        return f"{self.context}: {self.text}" if self.context else self.text


def split_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``: bullet lines first, then sentence ends,
    then the clauses of a long semicolon list; each span is stripped of white space and bullets."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        bullet = _BULLET.match(line)
        start = offset + (bullet.end() if bullet else 0)
        for s, e in _sentences(text, start, offset + len(line)):
            spans.extend(_clauses(text, s, e))
        offset += len(line) + 1
    return [(s, e) for s, e in spans if len(text[s:e].split()) >= MIN_UNIT_WORDS]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        out.append((pos, match.start()))
        pos = match.end()
    out.append((pos, end))
    return [_strip(text, s, e) for s, e in out if text[s:e].strip()]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if len(text[start:end].split()) <= LONG_SENTENCE_WORDS or "; " not in text[start:end]:
        return [(start, end)]
    out = []
    pos = start
    for match in re.finditer(r";\s+", text[start:end]):
        out.append(_strip(text, pos, start + match.start()))
        pos = start + match.end()
    out.append(_strip(text, pos, end))
    return [_drop_conjunction(text, s, e) for s, e in out if e > s]


def _drop_conjunction(text: str, start: int, end: int) -> tuple[int, int]:
    """A list clause without its leading 'and'/'or' ('and lack of ...' -> 'lack of ...')."""
    match = re.match(r"(?:and|or)\s+", text[start:end])
    return (start + match.end(), end) if match else (start, end)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def record_units(records: list[Record]) -> list[Unit]:
    """Every quotable unit of every section of every record, numbered in order."""
    units: list[Unit] = []
    for record in records:
        for section in record.sections():
            if section.name in ("Keywords", "Model"):
                continue  # lists and method names, not sentences to quote as evidence
            context = section.name if record.kind != "case" else ""
            for start, end in split_spans(section.text):
                page = page_at(section, start)
                units.append(Unit(len(units), record.case_id, section.name, section.text[start:end], context, page))
    return units
