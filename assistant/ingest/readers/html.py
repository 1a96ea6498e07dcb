"""HTML (BeautifulSoup with the standard library's parser): the page's text without scripts, styles,
menus and footers; h1-h6 become markdown headings, list items bullets, table rows cells joined by '|'.
A page nested deeper than a review ever is refused before it is parsed (the parser slows quadratically)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import ParseError
from assistant.ingest.readers.common import Extracted, Reader, decode_text, is_text

MAX_HTML_DEPTH = 500  # nested elements; real pages nest under 50, and the HTML parser slows quadratically
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


def read_html(path: Path, data: bytes) -> Extracted:
    """A web page's text: headings, paragraphs, list items and table rows, without scripts or menus."""
    text, note = decode_text(path, data)
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


READER = Reader(
    suffixes=(".html", ".htm"),
    kind=is_text,
    read=read_html,
    library="beautifulsoup4",
    name="HTML",
    noun="text",
)
