"""Text for display: corpus text made inert for markdown, and records written out as markdown."""

from __future__ import annotations

import re

from assistant.indexing.chunk import MONTH_NAMES
from assistant.records import Case, Record, Section

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


def record_heading(record: Record, heading_level: int = 3) -> str:
    """A record's title and facts (date, area, source file) as markdown, every piece escaped."""
    facts = [f for f in (when(record), escape_markdown(record.area), f"source: {escape_markdown(record.source)}") if f]
    return f"{'#' * heading_level} {escape_markdown(record.title)}\n" + " · ".join(facts)


def section_markdown(section: Section) -> str:
    """One section as markdown: its name in bold, its page or pages for a report, then its text, all escaped."""
    body = escape_markdown(section.text).replace("\n", "  \n")
    pages = sorted({page for _, page in section.pages})
    where = "" if not pages else f" · page {pages[0]}" if len(pages) == 1 else f" · pages {pages[0]}–{pages[-1]}"
    return f"**{escape_markdown(section.name)}**{where}  \n{body}"


def record_markdown(record: Record, heading_level: int = 3) -> str:
    """A whole case or document as markdown, every piece of corpus text escaped."""
    return "\n".join([record_heading(record, heading_level), *(f"\n{section_markdown(s)}" for s in record.sections())])
