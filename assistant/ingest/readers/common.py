"""What every reader shares: the ``Reader`` each format declares, the ``Extracted`` text it returns,
and the checks that keep a hostile file from hanging or exhausting the program (a regular file under
the size limit, text not too long, a ZIP package that does not unpack to far more than a review)."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ParseError

DEFAULT_MAX_MB = 50  # Settings.max_file_mb; a 150-page overview report is 1-5 MB
MAX_UNPACKED_MB = 500  # a .docx, .odt or PDF that unpacks to more is a bomb, not a review
MAX_XML_PART_MB = 64  # a 150-page report's text part is 1-10 MB; python-docx needs ~15x it in memory
MAX_TEXT_CHARS = 5_000_000  # text of one file; a long overview report holds under 500,000 characters
MAX_LINE_CHARS = 500_000  # one line or paragraph without a break: no review writes one this long
MIN_YEAR, MAX_YEAR = 1900, 2100  # a review's year outside these is a typo or an attack (10**23 broke the app)

# Characters that Windows-1252 text typically holds beyond ASCII (smart quotes, dashes, pound, euro).
_CP1252_PUNCTUATION = set("‘’“”–—…•£€°·½¼¾§©®™´¨¸\xa0\xad«»×÷¶¹²³ªº¿¡¢¥¦¬¯±µ†‡‰‹›")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Extracted:
    """A file's text in the parser's shape, the page of each of its lines (PDF only), and any
    title, year, area or name the file itself declares (document properties, HTML title, front matter)."""

    text: str
    format: str  # the reader's format: pdf | docx | html | text | ...
    pages: tuple[int, ...] = ()  # the 1-based page of each line of ``text``; empty when not paged
    meta: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # e.g. "decoded as Windows-1252"


@dataclass(frozen=True)
class Reader:
    """One file format: the suffixes it reads, what its content must be, how it is read, and by what.

    Each module of this package declares one as ``READER``; the package finds them by itself, so a new
    format is a new module (and its test), nothing more.
    """

    suffixes: tuple[str, ...]  # lower case, with the dot: (".pdf",)
    kind: str | Callable[[bytes], bool]  # what ``sniff`` must say of the content, or a check of the bytes
    read: Callable[[Path, bytes], Extracted]  # the file's bytes (already size-checked) to its text
    library: str | None  # the distribution that reads it, recorded with its version in an index's manifest
    name: str  # how people know the format, for help texts: "PDF", "Word .docx"
    noun: str  # what a file of a suffix must be, in a refusal: "is not <noun>: its content is an HTML page"

    def accepts(self, data: bytes) -> bool:
        """True when the bytes are of this reader's kind, whatever the extension says."""
        return self.kind(data) if callable(self.kind) else sniff(data) == self.kind


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


def describe(data: bytes) -> str:
    """What the bytes are, for people: 'a PDF', 'an HTML page', 'plain text'."""
    return _DESCRIBE[sniff(data)]


def is_text(data: bytes) -> bool:
    """True unless the bytes are a PDF, a ZIP package or an old Office file (text, HTML, or binary
    data that ``decode_text`` refuses naming its line)."""
    return sniff(data) not in ("pdf", "zip", "ole")


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


def junk_title(title: str) -> bool:
    """Document-property titles that are file names or tool defaults, not the report's title."""
    lowered = title.lower()
    return lowered.startswith(("microsoft word", "untitled")) or lowered.endswith((".doc", ".docx", ".pdf"))


def check_package(path: Path, data: bytes, part: str, label: str, document: str) -> dict[str, int]:
    """The unpacked size of each member of a ZIP package (.docx, .odt) that holds its text in ``part``;
    a one-line ParseError when it is damaged, lacks ``part``, unpacks to over MAX_UNPACKED_MB or has a
    ``part`` over MAX_XML_PART_MB. ``label`` is the file type ("Word .docx file"), ``document`` the kind
    of document ("Word document")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except zipfile.BadZipFile:
        raise ParseError(path, 0, f"is not a readable {label}: damaged or incomplete ZIP") from None
    if part not in sizes:
        article = "an" if label[:1].lower() in "aeiou" else "a"
        raise ParseError(path, 0, f"is not {article} {label}: a ZIP archive without {part}")
    unpacked = sum(sizes.values())
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        size = f"{unpacked / 1048576:.0f} MB, over {MAX_UNPACKED_MB} MB"
        raise ParseError(path, 0, f"unpacks to {size}: not a normal {document}")
    if sizes[part] > MAX_XML_PART_MB * 1024 * 1024:
        size = f"{sizes[part] / 1048576:.0f} MB, over {MAX_XML_PART_MB} MB"
        raise ParseError(path, 0, f"has a text part ({part}) of {size}: not a normal {document}")
    return sizes
