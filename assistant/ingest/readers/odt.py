"""OpenDocument text .odt (odfpy), as LibreOffice and OpenOffice save it: paragraphs, lists and tables in
reading order; the Title style and ``text:h`` headings become markdown headings, so the parser finds the
sections. Footnotes, comments, tracked deletions and the table of contents are left out (as Word's are).
The package is checked before it is unpacked (``check_package``), odfpy parses with defusedxml (no entity
expansion), and a damaged part is refused rather than read in part."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.ingest.readers import common
from assistant.ingest.readers.common import Extracted, Reader, check_package, junk_title

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_MIMETYPE = "application/vnd.oasis.opendocument.text"  # also the prefix of -template and -master
_XML_PARTS = ("content.xml", "styles.xml", "meta.xml", "settings.xml")  # what odfpy parses into memory
_SKIP = {
    (_TEXT, "note"),  # footnotes and endnotes: their text would break the sentence they hang on
    (_TEXT, "tracked-changes"),  # deleted text kept for the record of changes
    (_TEXT, "table-of-content"),
    (_TEXT, "sequence-decls"),
    (_TEXT, "variable-decls"),
    (_TEXT, "user-field-decls"),
    (_OFFICE, "annotation"),  # reviewers' comments
    (_OFFICE, "forms"),
}
_STYLE_DEPTH = 20  # parent styles followed; real documents chain three or four


def read_odt(path: Path, data: bytes) -> Extracted:
    """An OpenDocument text's paragraphs, lists and tables in reading order, its headings marked."""
    sizes = check_package(path, data, "content.xml", "OpenDocument .odt file", "OpenDocument text")
    _check_parts(path, data, sizes)
    from odf.opendocument import load

    sink = _Sink()
    try:
        with contextlib.redirect_stdout(sink):  # odfpy prints a part it cannot parse, then goes on without it
            document = load(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - odfpy and defusedxml raise many kinds for a damaged package
        raise ParseError(path, 0, f"is not a readable OpenDocument .odt file ({type(exc).__name__})") from None
    if sink.written:
        raise ParseError(path, 0, "is not a readable OpenDocument .odt file: a damaged XML part")
    try:
        return _odt_text(document)
    except Exception as exc:  # noqa: BLE001 - odd documents (missing body, deep nesting)
        raise ParseError(path, 0, f"is an OpenDocument file this program cannot read ({type(exc).__name__})") from None


class _Sink(io.TextIOBase):
    """Swallows what odfpy prints, remembering that it printed."""

    written = False

    def write(self, text: str) -> int:
        self.written = True
        return len(text)


def _check_parts(path: Path, data: bytes, sizes: dict[str, int]) -> None:
    """Refuse a package that is not a text document (a spreadsheet renamed .odt) or whose other XML parts,
    which odfpy parses too, are over the size of a text part."""
    limit = common.MAX_XML_PART_MB * 1024 * 1024
    for part in _XML_PARTS[1:]:
        if sizes.get(part, 0) > limit:
            size = f"{sizes[part] / 1048576:.0f} MB, over {common.MAX_XML_PART_MB} MB"
            raise ParseError(path, 0, f"has a part ({part}) of {size}: not a normal OpenDocument text")
    if "mimetype" not in sizes or sizes["mimetype"] > 200:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    if not mimetype.startswith(_MIMETYPE):
        kind = mimetype.rpartition(".")[2] or "unknown"
        raise ParseError(path, 0, f"is not an OpenDocument text (.odt) file: it holds an OpenDocument {kind}")


def _odt_text(document: Any) -> Extracted:
    styles = _paragraph_styles(document)
    lines: list[str] = []
    for kind, text, level in _blocks(document.text, styles, in_list=False):
        if kind == "row":
            lines += [text, ""]
        elif level:
            lines += ["#" * level + " " + text, ""]
        elif kind == "item":
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    title = next((str(e).strip() for e in _elements(document.meta, (_DC, "title"))), "")
    meta = {"title": title} if title and not junk_title(title) else {}
    return Extracted("\n".join(lines), "odt", meta=meta)


def _paragraph_styles(document: Any) -> dict[str, tuple[str, str]]:
    """Paragraph style name -> (its parent style's name, its lower-case display name)."""
    styles = {}
    for group in (document.styles, document.automaticstyles):
        for style in _elements(group, (_STYLE, "style")):
            if style.attributes.get((_STYLE, "family")) != "paragraph":
                continue
            name = style.attributes.get((_STYLE, "name"), "")
            shown = style.attributes.get((_STYLE, "display-name")) or name.replace("_20_", " ")
            styles[name] = (style.attributes.get((_STYLE, "parent-style-name"), ""), shown.lower())
    return styles


def _heading_level(element: Any, styles: dict[str, tuple[str, str]]) -> int:
    """How many ``#`` a paragraph's heading gets: 1 for the Title style, N + 1 for a heading of level N
    (as the Word reader does), 0 for body text."""
    shown = _style_names(element.attributes.get((_TEXT, "style-name"), ""), styles)
    if "title" in shown:
        return 1
    if element.qname == (_TEXT, "h"):
        level = element.attributes.get((_TEXT, "outline-level"), "1")
        return min(int(level) + 1, 6) if level.isdigit() and int(level) > 0 else 2
    heading = next((m for m in map(re.compile(r"heading (\d)").fullmatch, shown) if m), None)
    return min(int(heading[1]) + 1, 6) if heading else 0


def _style_names(name: str, styles: dict[str, tuple[str, str]]) -> list[str]:
    """The display names of a paragraph style and of its parents, nearest first."""
    shown = []
    for _ in range(_STYLE_DEPTH):  # a cycle of parents ends here
        if name not in styles:
            break
        name, display = styles[name]
        shown.append(display)
    return shown


def _blocks(node: Any, styles: dict[str, tuple[str, str]], in_list: bool) -> Iterator[tuple[str, str, int]]:
    """(paragraph | item | row, its text, its heading level) for each block in reading order; sections and
    other containers are walked into."""
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        if child.qname in ((_TEXT, "p"), (_TEXT, "h")):
            text = _clean(_inline(child))
            if text:
                level = _heading_level(child, styles)
                yield ("item" if in_list and not level else "paragraph"), text, level
        elif child.qname == (_TABLE, "table"):
            for row in _rows(child):
                yield "row", row, 0
        else:
            yield from _blocks(child, styles, in_list or child.qname == (_TEXT, "list"))


def _rows(table: Any) -> Iterator[str]:
    """Each row of a table as its distinct cells' text joined by '|' (header rows and row groups included)."""
    for child in table.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == (_TABLE, "table-row"):
            cells = [_clean(" ".join(_paragraph_texts(c))) for c in _elements(child, (_TABLE, "table-cell"))]
            cells = list(dict.fromkeys(c for c in cells if c))
            if cells:
                yield " | ".join(cells)
        elif child.qname[0] == _TABLE and child.qname[1] in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _rows(child)


def _elements(node: Any, qname: tuple[str, str]) -> Iterator[Any]:
    return (c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE and c.qname == qname)


def _paragraph_texts(node: Any) -> Iterator[str]:
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        if child.qname in ((_TEXT, "p"), (_TEXT, "h")):
            yield _inline(child)
        else:
            yield from _paragraph_texts(child)


def _inline(node: Any) -> str:
    """The text of a paragraph: its spans and links, a space for each run of spaces, tab or line break."""
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP or child.qname[0] != _TEXT:
            continue  # frames, shapes and other objects anchored in the paragraph hold no body text
        elif child.qname[1] in ("s", "tab", "line-break"):
            parts.append(" ")
        elif child.qname[1] == "number":  # a heading's rendered number ("4.2")
            parts.append(_inline(child) + " ")
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


READER = Reader(
    suffixes=(".odt",),
    kind="zip",
    read=read_odt,
    library="odfpy",
    name="OpenDocument .odt",
    noun="an OpenDocument .odt file",
)
