"""Retrieval: rank chunks for a query, then group them into case-level hits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assistant.records import Chunk, Hit, Passage

MAX_PASSAGES = 3


def group_key(chunk: Chunk) -> tuple[str, str]:
    """Cases group as a whole; a document groups by section, so each section can rank."""
    return (chunk.case_id, chunk.section if chunk.kind == "document" else "")


def group_hits(chunks: Sequence[Chunk], scored: Iterable[tuple[int, float]], k: int) -> list[Hit]:
    """Group (chunk id, score) pairs, best first, into at most ``k`` hits, one per case.

    A case scores as its best chunk; ties keep the order of the case's best chunk id, so the
    result is deterministic.
    """
    groups: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for chunk_id, score in sorted(scored, key=lambda pair: (-pair[1], pair[0])):
        groups.setdefault(group_key(chunks[chunk_id]), []).append((chunk_id, score))
    hits = []
    for members in list(groups.values())[:k]:
        best_id, best_score = members[0]
        best = chunks[best_id]
        passages = tuple(
            Passage(cid, chunks[cid].section, chunks[cid].text, float(score)) for cid, score in members[:MAX_PASSAGES]
        )
        hits.append(
            Hit(
                case_id=best.case_id,
                title=best.title,
                kind=best.kind,
                score=float(best_score),
                section=best.section,
                passage=best.text,
                passages=passages,
                year=best.year,
                area=best.area,
            )
        )
    return hits
