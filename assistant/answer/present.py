"""Text for display: corpus text made inert for markdown, and records written out as markdown."""

from __future__ import annotations

import re

from assistant.indexing.chunk import MONTH_NAMES
from assistant.records import Case, Record

# Characters that let text become a link, an image, HTML or code in markdown.
_ACTIVE = re.compile(r"([\\`*_\[\]<>!|#~$])")
# What GitHub-flavoured markdown (Streamlit's, and most viewers') turns into a link with no markup at all: a web
# address, a mailto:/xmpp: address or a bare e-mail address. Matched wherever it starts, even inside a word
# ("_http://..." is still linked after the escaped "_"), and never across a backtick, which would end the code span.
_ADDRESS = re.compile(
    r"(?i)(?:(?:https?|ftp)://|www\.)[^\s<>\"'`“”)\]]*[^\s<>\"'`“”)\].,;:!?]"
    r"|(?<![-.\w+])(?:(?:mailto|xmpp):)?[-.\w+]+@[-\w]+(?:\.[-\w]+)+"  # from a run's start: linear time
    r"|(?:mailto|xmpp|javascript|data|vbscript):[^\s<>\"'`“”)\]]+"
)


def escape_markdown(text: str) -> str:
    """``text`` with markdown's active characters escaped, so it shows as written and never
    becomes a link, an image (an outside request) or HTML. Web and e-mail addresses are shown as
    code, which markdown never turns into links."""
    text = str(text)
    parts = []
    pos = 0
    for match in _ADDRESS.finditer(text):
        parts.append(_ACTIVE.sub(r"\\\1", text[pos : match.start()]))
        parts.append(f"`{match.group(0)}`")
        pos = match.end()
    parts.append(_ACTIVE.sub(r"\\\1", text[pos:]))
    return "".join(parts)


def when(record: Record) -> str:
    """'January 2015' for a case, its year (or '') for a document."""
    if isinstance(record, Case):
        return f"{MONTH_NAMES[record.month]} {record.year}".strip()
    return str(record.year or "")


def record_markdown(record: Record, heading_level: int = 3) -> str:
    """A whole case or document as markdown, every piece of corpus text escaped."""
    hashes = "#" * heading_level
    lines = [f"{hashes} {escape_markdown(record.title)}"]
    facts = [f for f in (when(record), escape_markdown(record.area), f"source: {escape_markdown(record.source)}") if f]
    lines.append(" · ".join(facts))
    for section in record.sections():
        body = escape_markdown(section.text).replace("\n", "  \n")
        pages = sorted({page for _, page in section.pages})
        where = "" if not pages else f" · page {pages[0]}" if len(pages) == 1 else f" · pages {pages[0]}–{pages[-1]}"
        lines.append(f"\n**{escape_markdown(section.name)}**{where}  \n{body}")
    return "\n".join(lines)
