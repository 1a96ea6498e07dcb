"""Section-aware chunking: every chunk lies inside one section of one record."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.ingest.facets import derive_facets
from assistant.ingest.reports import page_at
from assistant.records import Case, Chunk, Record
from assistant.settings import Settings, resolve

MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SPECIAL_TOKENS = 2  # [CLS] and [SEP], added by the model around every text
MIN_BODY_TOKENS = 32


def text_digest(text: str) -> str:
    """A short content hash of what the model reads: equal digests share a vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record_label(record: Record) -> str:
    """Title with date, as used in chunk headers: 'Oldham - Child D (January 2015)'."""
    if isinstance(record, Case):
        when = f"{MONTH_NAMES[record.month]} {record.year}".strip()
        return f"{record.title} ({when})"
    return record.title


def chunk_records(
    records: Iterable[Record],
    count_tokens: Callable[[str], int],
    settings: Settings | None = None,
    max_tokens: int | None = None,
) -> list[Chunk]:
    """Split each section of each record into chunks that fit the model's window.

    ``count_tokens`` counts the word pieces of a text without special tokens; each chunk's
    header plus body stays within ``settings.chunk_tokens`` and the model's own ``max_tokens``
    (both including special tokens). A header too long to leave room for text is cut to the title.
    """
    settings = resolve(settings)
    chunks: list[Chunk] = []
    for record in records:
        label = record_label(record)
        facets = derive_facets(record)
        keywords = tuple(getattr(record, "keywords", ()))
        for section in record.sections():
            limit = min(settings.chunk_tokens, max_tokens or settings.chunk_tokens)
            header = f"{label} — {section.name}"
            if limit - SPECIAL_TOKENS - count_tokens(header + "\n") < MIN_BODY_TOKENS:
                header = record.title[:80]
            budget = max(limit - SPECIAL_TOKENS - count_tokens(header + "\n"), 8)
            splitter = RecursiveCharacterTextSplitter(
                chunk_size=budget,
                chunk_overlap=min(settings.chunk_overlap, budget // 2),
                length_function=count_tokens,
                separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
                keep_separator="end",
            )
            cursor = 0
            for piece in splitter.split_text(section.text):
                piece = piece.strip()
                if not piece:
                    continue
                found = section.text.find(piece, cursor)
                offset = found if found >= 0 else cursor
                cursor = offset + 1
                chunks.append(
                    Chunk(
                        chunk_id=len(chunks),
                        case_id=record.case_id,
                        title=record.title,
                        section=section.name,
                        text=piece,
                        header=header,
                        kind=record.kind,
                        year=record.year,
                        area=record.area,
                        source=record.source,
                        line=section.line or record.line,
                        keywords=keywords,
                        age_bands=facets.age_bands,
                        harms=facets.harms,
                        review_model=facets.review_model,
                        page=page_at(section, offset),
                        digest=text_digest(f"{header}\n{piece}"),
                    )
                )
    return chunks
