"""Full reports: the year, area and child's pseudonym their opening text shows, whether a document
is a case review, and the page each stretch of a section sits on (PDFs)."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from assistant.records import Document, Section

OPENING_LINES = 60  # title pages and front matter sit in the first lines of a report
_YEAR = r"(19[89]\d|20[0-4]\d)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DATED = re.compile(rf"\b(?:published|publication|dated?|final|issued|completed)\b[^\n]{{0,40}}?\b{_YEAR}\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I)
_ANY_YEAR = re.compile(rf"(?<![\d/.-]){_YEAR}(?![\d/.-])")
_AREA_WORD = r"[A-Z][\w'.-]*+"  # possessive, and starting a word: linear on a word of any length
_AREA = re.compile(
    rf"(?<![\w'.-])((?:{_AREA_WORD}(?:\s*+(?:,|&|and|of|upon|on|under|the)\s++|\s++)){{1,6}}?)"
    r"(?:Local\s+)?Safeguarding\s+"
    r"(?:Children'?s?\s+|Adults\s+)?(?:Board|Partnership|Partners|Arrangements)\b"
)
_AREA_NOISE = {"serious", "case", "review", "report", "overview", "the", "by", "published", "local", "child", "final"}
_PSEUDONYM = re.compile(
    r"\b((?:Child|Baby|Infant|Sibling|Siblings|Young Person|Family|Adult)\s+[A-Z]{1,2}\d{0,3})(?![\w'])"
)
_NOT_A_NAME = {"overview", "executive", "summary", "report", "practice", "learning", "final", "neglect", "the", "a"}
_REVIEW_OF = re.compile(
    r"\b(?i:review)\b\s*(?:into|of|:|-|–|—)\s*(?:the\s+(?:death|case)\s+of\s+)?[‘'\"“]?([A-Z][a-z]+)[’'\"”]?"
    r"(?![ -][A-Z][a-z])(?!\w)"
)
_QUOTED = re.compile(r"[‘'\"“]([A-Z][a-z]+)[’'\"”]")
_REVIEW_WORDS = re.compile(
    r"\b(?:serious case review|safeguarding practice review|learning review|case review|learning brief|"
    r"domestic homicide review|practice review|SCR|LCSPR|CSPR|SILP)\b",
    re.I,
)


def infer_metadata(title: str, text: str) -> dict[str, Any]:
    """Year, area and name that a report's title and opening lines show (only those found)."""
    opening = "\n".join([line for line in text.split("\n") if line.strip()][:OPENING_LINES])
    found: dict[str, Any] = {}
    cover = "\n".join([title, *opening.split("\n")[:12]])
    for pattern, where in ((_DATED, f"{title}\n{opening}"), (_MONTH_YEAR, f"{title}\n{opening}"), (_ANY_YEAR, cover)):
        match = pattern.search(where)
        if match:
            found["year"] = int(match.group(1))
            break
    for line in (title, *opening.split("\n")):
        match = _AREA.search(line.lstrip("# "))
        if match:
            words = match.group(1).split()
            while words and words[0].lower().strip(",") in _AREA_NOISE:
                words.pop(0)  # 'Serious Case Review Northshire ...' names Northshire
            area = " ".join(words).strip(" ,&")
            if area:
                found["area"] = re.sub(r"\s+(?:and|&|,)$", "", area)
                break
    name = _PSEUDONYM.search(title) or _QUOTED.search(title)
    if name is None:
        named = _REVIEW_OF.search(title)
        name = named if named and named.group(1).lower() not in _NOT_A_NAME else None
    name = name or _PSEUDONYM.search(opening)
    if name and name.group(1) not in found.get("area", "").split():  # 'Learning review - Hackney' names a place
        found["name"] = name.group(1)
    return found


def looks_like_review(title: str, name: str) -> bool:
    """A case review of a child: it names the child, or its title says it is a review of one."""
    return bool(name) or (bool(_REVIEW_WORDS.search(title)) and not re.search(r"\blearning from\b", title, re.I))


def with_pages(document: Document, lines: Sequence[str], pages: Sequence[int]) -> Document:
    """The document with each section's page marks: (offset in the section's text, page) at the
    section's start and wherever a new page begins inside it."""
    if not pages:
        return document
    flat_parts: list[str] = []
    starts: list[int] = []
    line_pages: list[int] = []
    offset = 0
    for line, page in zip(lines, pages, strict=True):
        text = re.sub(r"\s+", " ", line.strip())
        if not text:
            continue
        starts.append(offset)
        line_pages.append(page)
        flat_parts.append(text)
        offset += len(text) + 1
    flat = " ".join(flat_parts)
    cursor = 0
    sections = []
    for section in document.doc_sections:
        needle, back = _collapse(section.text)  # back: each collapsed character's offset in section.text
        position = flat.find(needle, cursor)
        if position < 0:
            position = flat.find(needle[:80], cursor)
            length = min(len(needle), 80)
        else:
            length = len(needle)
        if position < 0:
            sections.append(section)
            continue
        first = bisect.bisect_right(starts, position) - 1
        marks = [(0, line_pages[first])]
        for i in range(first + 1, len(starts)):
            if starts[i] >= position + length:
                break
            if line_pages[i] != marks[-1][1]:
                marks.append((back[min(starts[i] - position, len(back) - 1)], line_pages[i]))
        cursor = position + length
        sections.append(dataclasses.replace(section, pages=tuple(marks)))
    return dataclasses.replace(document, doc_sections=tuple(sections))


def _collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with every run of white space made one space, and the original offset of each character."""
    out: list[str] = []
    back: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        back.append(i)
    return "".join(out), back or [0]


def page_at(section: Section, offset: int) -> int | None:
    """The page of the character at ``offset`` of a section's text (None when not paged)."""
    if not section.pages:
        return None
    index = bisect.bisect_right([start for start, _ in section.pages], max(offset, 0)) - 1
    return section.pages[max(index, 0)][1]
