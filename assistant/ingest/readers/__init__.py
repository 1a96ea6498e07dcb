"""Read a review file of any supported format into plain text the parser understands.

PDF (pypdf), Word .docx (python-docx), HTML (BeautifulSoup with the standard library's parser) and
plain text or markdown all come out as the same shape: paragraphs separated by blank lines and
headings written as markdown ``#`` lines. A PDF also gives the page of every line, and its
headers, footers and page numbers repeated on every page are removed. Every way a file can be
unreadable raises ParseError naming the file (and the line, where there is one).
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import statistics
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ParseError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", ".html", ".htm")
DEFAULT_MAX_MB = 50  # Settings.max_file_mb; a 150-page overview report is 1-5 MB
MAX_UNPACKED_MB = 500  # a .docx or PDF that unpacks to more is a bomb, not a review
MAX_DOCX_XML_MB = 64  # a 150-page report's word/document.xml is 1-10 MB; python-docx needs ~15x it in memory
MAX_TEXT_CHARS = 5_000_000  # text of one file; a long overview report holds under 500,000 characters
MAX_LINE_CHARS = 500_000  # one line or paragraph without a break: no review writes one this long
MAX_HTML_DEPTH = 500  # nested elements; real pages nest under 50, and the HTML parser slows quadratically
MIN_YEAR, MAX_YEAR = 1900, 2100  # a review's year outside these is a typo or an attack (10**23 broke the app)

# Characters that Windows-1252 text typically holds beyond ASCII (smart quotes, dashes, pound, euro).
_CP1252_PUNCTUATION = set("‘’“”–—…•£€°·½¼¾§©®™´¨¸\xa0\xad«»×÷¶¹²³ªº¿¡¢¥¦¬¯±µ†‡‰‹›")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
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


@dataclass(frozen=True)
class Extracted:
    """A file's text in the parser's shape, the page of each of its lines (PDF only), and any
    title, year, area or name the file itself declares (document properties, HTML title, front matter)."""

    text: str
    format: str  # pdf | docx | html | text
    pages: tuple[int, ...] = ()  # the 1-based page of each line of ``text``; empty when not paged
    meta: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # e.g. "decoded as Windows-1252"


def supported(path: Path) -> bool:
    """True when the file's extension is one ``extract`` reads."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def extract(path: Path, max_mb: float = DEFAULT_MAX_MB) -> Extracted:
    """The text of one file; raises ParseError with one clear line when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = " (save it as .docx or PDF)" if suffix in (".doc", ".rtf", ".odt", ".pages") else ""
        raise ParseError(path, 0, f"unsupported file type {suffix or '(none)'}{hint}; supported: {_supported_list()}")
    data = read_regular(path, max_mb)
    if not data.strip():
        raise ParseError(path, 1, "the file is empty")
    extracted = _extract(path, suffix, data)
    check_text(path, extracted)
    return extracted


def read_regular(path: Path, max_mb: float = DEFAULT_MAX_MB) -> bytes:
    """The bytes of a regular file of at most ``max_mb`` MB; one-line ParseError for anything else
    (a FIFO or a device, even behind a symlink, is refused without being read: it could block or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once instead of waiting for a writer
    except OSError as exc:
        raise ParseError(path, 0, f"cannot be read ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ParseError(path, 0, f"is not a regular file but {_file_kind(info.st_mode)}: only files are read")
    with os.fdopen(fd, "rb") as handle:
        limit = max_mb * 1024 * 1024
        over = f"over the {max_mb:g} MB limit per file (setting SCR_MAX_FILE_MB)"
        if not info.st_size <= limit:  # a NaN limit refuses too
            raise ParseError(path, 0, f"is {info.st_size / 1048576:.1f} MB, {over}")
        data = handle.read(int(limit) + 1)  # never more than the limit, even if the file grows meanwhile
    if len(data) > limit:
        raise ParseError(path, 0, f"grew to more than {max_mb:g} MB while being read, {over}")
    return data


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))
    kinds += ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def check_text(path: Path, extracted: Extracted) -> None:
    """Refuse, in one line, text too long for a review: over MAX_TEXT_CHARS, or a line over MAX_LINE_CHARS."""
    text = extracted.text
    if len(text) > MAX_TEXT_CHARS:
        held = f"holds {len(text) / 1e6:.1f} million characters of text"
        raise ParseError(path, 0, f"{held}, over the {MAX_TEXT_CHARS / 1e6:g} million a file may hold: split it")
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            where = number if extracted.format == "text" else 0  # other formats' lines are not the file's
            long = f"over {MAX_LINE_CHARS:,} characters without a line break"
            raise ParseError(path, where, f"has a line or paragraph {long}: not a review this reads")


def _extract(path: Path, suffix: str, data: bytes) -> Extracted:
    actual = sniff(data)
    if suffix == ".pdf":
        if actual != "pdf":
            raise ParseError(path, 0, f"is not a PDF: its content is {_DESCRIBE[actual]}")
        return _pdf(path, data)
    if suffix == ".docx":
        if actual != "zip":
            raise ParseError(path, 0, f"is not a Word .docx file: its content is {_DESCRIBE[actual]}")
        return _docx(path, data)
    if actual in ("pdf", "zip", "ole"):
        raise ParseError(path, 0, f"is not text: its content is {_DESCRIBE[actual]}")
    text, note = decode_text(path, data)
    if suffix in (".html", ".htm"):
        return _html(path, text, note)
    meta, text = front_matter(path, text)
    return Extracted(text, "text", meta=meta, note=note)


_DESCRIBE = {
    "pdf": "a PDF",
    "zip": "a ZIP archive (such as a .docx)",
    "ole": "an old-style Office file (.doc or .xls)",
    "html": "an HTML page",
    "text": "plain text",
    "binary": "binary data",
}


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the extension says: pdf, zip, ole, html, text or binary."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if b"\x00" in head and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (b"<body" in lowered and b"</" in lowered):
        return "html"
    return "text"


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 when the
    bytes read as ordinary text in it; anything else is refused naming the first bad line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _normalise_newlines(data.decode("utf-16")), "decoded as UTF-16"
        except UnicodeDecodeError:
            raise ParseError(path, 1, "starts like UTF-16 text but is not valid UTF-16") from None
    try:
        text, note = data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = _cp1252(data)
        if text is None:
            raise ParseError(path, line, "not valid UTF-8 text, nor Windows-1252 (save the file as UTF-8)") from None
        note = "decoded as Windows-1252"
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(path, line, "holds a NUL byte: is it really a text file?")
    control = _CONTROL.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise ParseError(path, line, "holds control characters: is it really a text file?")
    return _normalise_newlines(text), note


def _cp1252(data: bytes) -> str | None:
    """The bytes as Windows-1252 when every character beyond ASCII is typical punctuation or a
    letter inside a word (as in 'café'); None when they do not read as text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    for i, char in enumerate(text):
        if ord(char) < 128 or char in _CP1252_PUNCTUATION:
            continue
        inside_word = char.isalpha() and (
            (i > 0 and text[i - 1].isalpha()) or (i + 1 < len(text) and text[i + 1].isalpha())
        )
        if not inside_word:
            return None
    return text


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_FRONT_MATTER_KEYS = {"title": str, "year": int, "area": str, "name": str}


def front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """A leading ``---`` block of ``key: value`` lines (title, year, area, name) and the text
    after it; the block's lines are blanked so line numbers still match the file."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    try:
        end = next(i for i in range(1, min(len(lines), 40)) if lines[i].strip() == "---")
    except StopIteration:
        return {}, text
    meta: dict[str, Any] = {}
    for number in range(1, end):
        line = lines[number]
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip().lower(), value.strip().strip("\"'")
        if not sep or key not in _FRONT_MATTER_KEYS:
            raise ParseError(path, number + 1, f"front matter line is not 'key: value' with a key of {_keys()}")
        if _FRONT_MATTER_KEYS[key] is int:
            if not value.isdigit():
                raise ParseError(path, number + 1, f"front matter {key} must be a whole number, got {value!r}")
            if len(value) > 4 or not MIN_YEAR <= int(value) <= MAX_YEAR:
                shown = value if len(value) <= 12 else f"{value[:12]}... ({len(value)} digits)"
                limits = f"between {MIN_YEAR} and {MAX_YEAR}"
                raise ParseError(path, number + 1, f"front matter {key} must be {limits}, got {shown}")
            meta[key] = int(value)
        else:
            meta[key] = value
    return meta, "\n".join([""] * (end + 1) + lines[end + 1 :])


def _keys() -> str:
    return ", ".join(_FRONT_MATTER_KEYS)


def _supported_list() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


# ---------------------------------------------------------------- PDF


def _pdf(path: Path, data: bytes) -> Extracted:
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
        total = 0
        for page in reader.pages:  # pypdf caps each stream at 75 MB unpacked; this caps the whole text
            pages.append(page.extract_text() or "")
            total += len(pages[-1])
            if total > MAX_UNPACKED_MB * 1024 * 1024:
                raise ParseError(path, 0, f"unpacks to over {MAX_UNPACKED_MB} MB of text: not a review this reads")
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
    if not title or _junk_title(title):
        title = cover if 0 < len(cover.split()) <= 15 else ""  # the cover's first line, before running lines go
    meta = {"title": title} if title else {}
    return Extracted("\n".join(lines), "pdf", tuple(numbers), meta)


def _junk_title(title: str) -> bool:
    """Document-property titles that are file names or tool defaults, not the report's title."""
    lowered = title.lower()
    return lowered.startswith(("microsoft word", "untitled")) or lowered.endswith((".doc", ".docx", ".pdf"))


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


# ---------------------------------------------------------------- Word


def _docx(path: Path, data: bytes) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise ParseError(path, 0, "is not a Word .docx file: a ZIP archive without word/document.xml")
            unpacked = sum(info.file_size for info in archive.infolist())
            text_part = archive.getinfo("word/document.xml").file_size
    except zipfile.BadZipFile:
        raise ParseError(path, 0, "is not a readable Word .docx file: damaged or incomplete ZIP") from None
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        size = f"{unpacked / 1048576:.0f} MB, over {MAX_UNPACKED_MB} MB"
        raise ParseError(path, 0, f"unpacks to {size}: not a normal Word document")
    if text_part > MAX_DOCX_XML_MB * 1024 * 1024:
        size = f"{text_part / 1048576:.0f} MB, over {MAX_DOCX_XML_MB} MB"
        raise ParseError(path, 0, f"has a text part (word/document.xml) of {size}: not a normal Word document")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a damaged package
        raise ParseError(path, 0, f"is not a readable Word .docx file ({type(exc).__name__})") from None
    try:
        return _docx_text(document, Table)
    except Exception as exc:  # noqa: BLE001 - odd packages (missing style names, broken parts)
        raise ParseError(path, 0, f"is a Word file this program cannot read ({type(exc).__name__})") from None


def _docx_blocks(document: Any, table_type: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, content controls (cover pages, boxes) included."""
    from docx.text.paragraph import Paragraph

    def walk(element: Any) -> Iterator[Any]:
        for child in element.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                yield Paragraph(child, document)
            elif tag == "tbl":
                yield table_type(child, document)
            elif tag in ("sdt", "sdtContent", "customXml"):
                yield from walk(child)

    yield from walk(document.element.body)


def _paragraph_styles(document: Any) -> tuple[dict[str, str], str]:
    """Paragraph style id -> lower-case name, and the default paragraph style's name: looked up once,
    since python-docx scans every style for each unstyled paragraph (24 s for 24,000 paragraphs)."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    names = {s.style_id: (s.name or "").lower() for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    return names, ((default.name if default is not None else "") or "").lower()


def _docx_text(document: Any, Table: Any) -> Extracted:  # noqa: N803 - the python-docx class
    lines: list[str] = []
    names, default_style = _paragraph_styles(document)
    for block in _docx_blocks(document, Table):
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    lines += [" | ".join(cells), ""]
            continue
        text = re.sub(r"\s+", " ", block.text).strip()
        if not text:
            continue
        style = names.get(block._p.style or "", default_style)  # what block.style.name gives, in O(1)
        level = re.match(r"heading (\d)", style)
        if style == "title":
            lines += [f"# {text}", ""]
        elif level:
            lines += ["#" * min(int(level.group(1)) + 1, 6) + " " + text, ""]
        elif "list" in style:
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    title = (document.core_properties.title or "").strip()
    meta = {"title": title} if title and not _junk_title(title) else {}
    return Extracted("\n".join(lines), "docx", meta=meta)


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "footer", "aside", "iframe", "svg", "head", "select")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "blockquote", "pre", "tr", "table", "dd", "dt", "figcaption")


# Elements that never nest, or whose end tag may be left out (the parser closes them): not counted as depth.
_VOID_OR_OPTIONAL = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th thead tbody tfoot "
    "option optgroup colgroup caption rt rp".split()
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*+)[^>]*+>")


def html_depth(text: str) -> int:
    """How deeply the page's elements nest (a linear scan of its tags, tolerant of unclosed ones)."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        if match[2].lower() in _VOID_OR_OPTIONAL or match[0].endswith("/>"):
            continue
        depth = max(depth - 1, 0) if match[1] else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _html(path: Path, text: str, note: str) -> Extracted:
    from bs4 import BeautifulSoup

    depth = html_depth(text)
    if depth > MAX_HTML_DEPTH:
        raise ParseError(path, 0, f"nests its elements {depth:,} deep, over {MAX_HTML_DEPTH}: not a page this reads")

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        heading = re.sub(r"\s+", " ", tag.get_text(" ", strip=True))
        tag.replace_with(f"\n\n{'#' * int(tag.name[1])} {heading}\n\n" if heading else "")
    for tag in soup.find_all("li"):
        tag.insert(0, "\n- ")
        tag.append("\n")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.append(" | ")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert(0, "\n\n")
        tag.append("\n\n")
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip().rstrip("|").strip() for line in soup.get_text().split("\n")]
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    meta = {"title": title} if title else {}
    return Extracted("\n".join(collapsed).strip(), "html", meta=meta, note=note)
