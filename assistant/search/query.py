"""A query as typed, made searchable: control and invisible characters removed, white space folded, length cut."""

from __future__ import annotations

import re

from assistant.errors import QueryError

MAX_QUERY_CHARS = 2000  # a question longer than this is cut, with a notice
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def clean_query(query: str) -> str:
    """A query with control and invisible characters removed, white space folded, and cut to
    ``MAX_QUERY_CHARS`` characters; an empty one is an error."""
    text = _ANSI_RE.sub(" ", str(query))  # terminal colour codes pasted with a question
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())[:MAX_QUERY_CHARS].strip()
    if not text:
        raise QueryError("the query is empty: type a question or some words to search for")
    return text


def cut_notice(query: str) -> str:
    """The notice for a query longer than the limit ('' when it fits)."""
    if len(" ".join(str(query).split())) <= MAX_QUERY_CHARS:
        return ""
    return (
        f"Your question was longer than {MAX_QUERY_CHARS:,} characters; only its first {MAX_QUERY_CHARS:,} were used."
    )
