"""PDF (pypdf): the text of every page, with the headers, footers and page numbers repeated on every
page removed, headings written as markdown ``#`` lines, and the page of every line kept."""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter
from pathlib import Path

from assistant.errors import ParseError
from assistant.ingest.readers import common
from assistant.ingest.readers.common import Extracted, Reader, junk_title

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,4})?$|^-\s*\d{1,3}\s*-$", re.IGNORECASE)
_MONTH_WORD = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)
_NUMBERED_HEADING = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(?P<title>[A-Z][^.!?;]*)$")
_SECTION_WORDS = {
    "introduction",
    "background",
    "summary",
    "executive summary",
    "findings",
    "key findings",
    "recommendations",
    "conclusions",
    "conclusion",
    "learning",
    "lessons learned",
    "lessons learnt",
    "analysis",
    "methodology",
    "terms of reference",
    "key practice episodes",
    "family background",
    "the family",
    "agency involvement",
    "glossary",
    "appendix",
    "references",
    "contents",
    "what happened",
    "learning for practitioners",
    "good practice",
}
logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported as one line of ours instead
ZONE = 3  # lines at the top and at the bottom of a page where headers and footers sit


def read_pdf(path: Path, data: bytes) -> Extracted:
    """A PDF's text by page, its running headers and footers removed and its headings marked."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several kinds for unsupported encryption
                opened = 0
            if not opened:
                raise ParseError(path, 0, "is an encrypted PDF: remove its password (save an unprotected copy) first")
        pages = []
        total, limit = 0, common.MAX_UNPACKED_MB
        for page in reader.pages:  # pypdf caps each stream at 75 MB unpacked; this caps the whole text
            pages.append(page.extract_text() or "")
            total += len(pages[-1])
            if total > limit * 1024 * 1024:
                raise ParseError(path, 0, f"unpacks to over {limit} MB of text: not a review this reads")
        info = reader.metadata
        title = str(info.title or "").strip() if info else ""
    except ParseError:
        raise
    except PdfReadError as exc:
        raise ParseError(path, 0, f"is not a readable PDF: damaged or incomplete ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds (limits, dependencies, odd structures)
        why = f"{type(exc).__name__}: {str(exc)[:100]}"
        raise ParseError(path, 0, f"is not a PDF this program can read ({why})") from None
    if not any(page.strip() for page in pages):
        raise ParseError(path, 0, "no extractable text: scanned PDF? run OCR first")
    raw = [[line.strip() for line in page.split("\n")] for page in pages]
    cover = next((line for line in raw[0] if line and not _PAGE_NUMBER.match(line)), "")
    lines, numbers = pdf_layout(strip_running_lines(raw))
    if not title or junk_title(title):
        title = cover if 0 < len(cover.split()) <= 15 else ""  # the cover's first line, before running lines go
    meta = {"title": title} if title else {}
    return Extracted("\n".join(lines), "pdf", tuple(numbers), meta)


def _running_key(line: str) -> str:
    """A line with its numbers blanked, to match a header or footer across pages ('Page 3 of 9')."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without blank lines, page numbers, and the headers and footers that
    repeat near the top or the bottom of at least half of the pages (and of two or more)."""
    pages = [[line for line in page if line.strip()] for page in pages]
    zone_counts: Counter[str] = Counter()
    for page in pages:
        zone = set(page[:ZONE]) | set(page[-ZONE:])
        zone_counts.update({_running_key(line) for line in zone})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, count in zone_counts.items() if count >= threshold}
    cleaned = []
    for page in pages:
        keep = []
        for i, line in enumerate(page):
            in_zone = i < ZONE or i >= len(page) - ZONE
            if in_zone and (_running_key(line) in running or _PAGE_NUMBER.match(line.strip())):
                continue
            keep.append(line)
        cleaned.append(keep)
    return cleaned


def heading_level(line: str, short: bool) -> int:
    """The level of a heading line of a PDF ('4. Findings' 1, '4.2 Health' 2, 'FINDINGS' 1), or 0."""
    text = line.strip()
    words = text.split()
    if not words or len(words) > 12 or len(text) > 90 or text[-1] in ".,;:" or not short:
        return 0
    numbered = _NUMBERED_HEADING.match(text)
    if numbered and not _MONTH_WORD.match(text):  # '12 March 2016 Home visit' is a chronology line
        return numbered["number"].count(".") + 1
    bare = re.sub(r"^(?:section|part|chapter|appendix)\s+\w+[:.]?\s*", "", text.lower()).strip()
    if bare in _SECTION_WORDS or text.lower() in _SECTION_WORDS:
        return 1
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and 2 <= len(words) <= 8:  # not 'CAMHS' alone
        return 1
    return 0


def pdf_layout(pages: list[list[str]]) -> tuple[list[str], list[int]]:
    """Lines of text in the parser's shape and the page of each: headings become markdown headings,
    a short line ending a sentence ends its paragraph, a word hyphenated over a line break is joined."""
    widths = [len(line) for page in pages for line in page if len(line.split()) > 5]
    typical = statistics.median(widths) if widths else 80
    out: list[str] = []
    numbers: list[int] = []

    def emit(text: str, page: int) -> None:
        out.append(text)
        numbers.append(page)

    def blank(page: int) -> None:
        if out and out[-1] != "":
            emit("", page)

    for page_number, page in enumerate(pages, start=1):
        for line in page:
            short = len(line) < 0.75 * typical
            level = heading_level(line, short)
            if level:
                blank(page_number)
                emit("#" * min(level, 3) + " " + line, page_number)
                emit("", page_number)
                continue
            if out and out[-1].endswith("-") and len(out[-1]) > 1 and out[-1][-2].isalpha() and line[:1].islower():
                out[-1] = out[-1] + line  # 'multi-' + 'agency': keep the hyphen, join the word
            else:
                emit(line, page_number)
            cover = page_number == 1 and not any(t.startswith("#") for t in out)
            if short and (cover or line.rstrip().endswith((".", "!", "?", ":", '"', "”", "’"))):
                blank(page_number)  # a sentence's last line, or a line of the cover page, ends a block
    while out and out[-1] == "":
        out.pop()
        numbers.pop()
    return out, numbers


READER = Reader(suffixes=(".pdf",), kind="pdf", read=read_pdf, library="pypdf", name="PDF", noun="a PDF")
