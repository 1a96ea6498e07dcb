"""Plain text and markdown: UTF-8, UTF-16 or Windows-1252, with an optional front matter block
(title, year, area, name) at the top. Markdown ``#`` headings are read by the parser itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.ingest.readers.common import MAX_YEAR, MIN_YEAR, Extracted, Reader, decode_text, is_text


def read_plain_text(path: Path, data: bytes) -> Extracted:
    """A text or markdown file's text, its front matter taken out as metadata."""
    text, note = decode_text(path, data)
    meta, text = front_matter(path, text)
    return Extracted(text, "text", meta=meta, note=note)


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


READER = Reader(
    suffixes=(".txt", ".md", ".markdown"),
    kind=is_text,
    read=read_plain_text,
    library=None,
    name="text or markdown",
    noun="text",
)
