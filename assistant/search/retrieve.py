"""Retrieval: score chunks densely (the index's vector stores) and lexically (BM25), group them by case, fuse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.indexing.lexical import bm25_scores
from assistant.indexing.store import StoredIndex
from assistant.records import Chunk, Hit, Passage
from assistant.search.filters import Filters, allows
from assistant.search.fusion import fuse, rank
from assistant.search.vocabulary import lexical_query
from assistant.settings import RETRIEVERS, Settings

MAX_PASSAGES = 3
GroupKey = tuple[str, str]


def group_key(chunk: Chunk) -> GroupKey:
    """Cases and full reports group as a whole; another document (a study) groups by section, so
    each of its sections can rank."""
    return (chunk.case_id, chunk.section if chunk.kind == "document" else "")


def best_per_group(chunks: Sequence[Chunk], scored: Mapping[int, float]) -> dict[GroupKey, float]:
    """Each group's score: the score of its best chunk."""
    best: dict[GroupKey, float] = {}
    for chunk_id, score in scored.items():
        key = group_key(chunks[chunk_id])
        if key not in best or score > best[key]:
            best[key] = score
    return best


@dataclass(frozen=True)
class Scored:
    """Chunk scores of one query from each side (only chunks that passed the filters), and each
    group's best sentence similarity."""

    dense: dict[int, float]
    lexical: dict[int, float]
    sentences: dict[GroupKey, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SentenceGroups:
    """Which group (case, or document section) each quotable sentence of the index belongs to."""

    keys: tuple[GroupKey, ...]
    owner: np.ndarray  # the index into ``keys`` of each sentence, in unit order
    starts: np.ndarray | None = None  # where each group's run of sentences starts, when runs are contiguous


def sentence_groups(index: StoredIndex) -> SentenceGroups:
    """The group of every quotable sentence (computed once, when an assistant is loaded)."""
    positions: dict[GroupKey, int] = {}
    by_section = {r.case_id for r in index.records if r.kind == "document"}  # as group_key groups chunks
    owner = np.asarray(
        [
            positions.setdefault((u.case_id, u.section if u.case_id in by_section else ""), len(positions))
            for u in index.units
        ],
        dtype=np.int64,
    )
    starts = None
    if len(owner) and np.all(np.diff(owner) >= 0) and owner[-1] == len(positions) - 1:
        starts = np.flatnonzero(np.r_[True, np.diff(owner) > 0])  # one run per group, in group order
    return SentenceGroups(tuple(positions), owner, starts)


def best_sentences(
    index: StoredIndex,
    groups: SentenceGroups,
    query_vector: np.ndarray,
    allowed: set[GroupKey] | None,
    limit: int | None = None,
) -> dict[GroupKey, float]:
    """Each group's best cosine similarity between the query and one of its sentences (only the
    ``limit`` best groups, when given). Matching single sentences as well as whole chunks finds a
    case whose one telling sentence sits among others."""
    if not groups.keys:
        return {}
    sims = index.sentence_vectors.scores(query_vector)
    if groups.starts is not None:
        best = np.maximum.reduceat(sims, groups.starts)
    else:
        best = np.full(len(groups.keys), -np.inf, dtype=np.float32)
        np.maximum.at(best, groups.owner, sims)
    if allowed is not None:
        keep = np.fromiter((key in allowed for key in groups.keys), dtype=bool, count=len(groups.keys))
        best = np.where(keep, best, -np.inf)
    order = np.flatnonzero(np.isfinite(best))
    if limit is not None and len(order) > limit:
        order = order[np.argpartition(-best[order], limit - 1)[:limit]]
    return {groups.keys[i]: float(best[i]) for i in order}


def score_chunks(
    index: StoredIndex,
    query_vector: np.ndarray,
    query: str,
    candidates: int,
    filters: Filters | None = None,
    expand: bool = True,
    groups: SentenceGroups | None = None,
) -> Scored:
    """Dense scores of the top ``candidates`` chunks, BM25 scores of every matching chunk, and (with
    ``groups``) the best sentence similarity of every group."""
    chunks = index.chunks
    allowed = None
    if filters is not None and filters.active:
        allowed = np.array([c.chunk_id for c in chunks if allows(filters, c)], dtype=np.int64)
        if allowed.size == 0:
            return Scored({}, {})
    fetch = min(candidates, len(chunks) if allowed is None else int(allowed.size))
    scores, ids = index.chunk_vectors.search(query_vector, fetch, allowed)
    dense = {int(i): float(s) for i, s in zip(ids, scores, strict=True) if i >= 0}
    all_lexical = bm25_scores(index.bm25, lexical_query(query, expand), len(chunks))
    if allowed is not None:
        mask = np.zeros(len(chunks), dtype=bool)
        mask[allowed] = True
        all_lexical = np.where(mask, all_lexical, 0.0)
    top = np.argsort(-all_lexical, kind="stable")[:candidates]
    lexical = {int(i): float(all_lexical[i]) for i in top if all_lexical[i] > 0}
    sentences = {}
    if groups is not None:
        keys = None if allowed is None else {group_key(chunks[i]) for i in allowed}
        sentences = best_sentences(index, groups, query_vector, keys, limit=candidates)
    return Scored(dense, lexical, sentences)


def rank_groups(
    chunks: Sequence[Chunk],
    scored: Scored,
    retriever: str,
    fusion: str,
    dense_weight: float,
    rrf_k: int,
) -> list[tuple[GroupKey, float]]:
    """Groups best first with their scores, by one side or by both sides fused. A group's dense
    score is its best chunk's or its best sentence's similarity, whichever is higher."""
    dense = best_per_group(chunks, scored.dense)
    for key, similarity in scored.sentences.items():
        dense[key] = max(dense.get(key, similarity), similarity)
    lexical = best_per_group(chunks, scored.lexical)
    if retriever == "dense":
        return [(key, dense[key]) for key in rank(dense)]
    if retriever == "bm25":
        return [(key, lexical[key]) for key in rank(lexical)]
    if retriever != "hybrid":
        raise ValueError(f"unknown retriever {retriever!r} (use {', '.join(RETRIEVERS)})")
    return fuse(dense, lexical, method=fusion, dense_weight=dense_weight, k=rrf_k)


def make_hits(
    chunks: Sequence[Chunk],
    ranked: Iterable[tuple[GroupKey, float]],
    scored: Scored,
    k: int,
    retriever: str,
    fusion: str = Settings.fusion,
    dense_weight: float = Settings.dense_weight,
    rrf_k: int = Settings.rrf_k,
) -> list[Hit]:
    """The first ``k`` groups as hits, each with its matching passages, best first (by the same fusion)."""
    if retriever == "dense":
        passage_order = rank(scored.dense)
    elif retriever == "bm25":
        passage_order = rank(scored.lexical)
    else:
        fused = fuse(scored.dense, scored.lexical, method=fusion, dense_weight=dense_weight, k=rrf_k)
        passage_order = [cid for cid, _ in fused]
    members: dict[GroupKey, list[int]] = {}
    for chunk_id in passage_order:
        members.setdefault(group_key(chunks[chunk_id]), []).append(chunk_id)
    hits = []
    for key, score in ranked:
        if len(hits) == k:
            break
        ids = members.get(key, [])
        if not ids:
            continue
        best = chunks[ids[0]]
        passages = tuple(
            Passage(
                cid,
                chunks[cid].section,
                chunks[cid].text,
                scored.dense.get(cid, 0.0) or scored.lexical.get(cid, 0.0),
                chunks[cid].page,
            )
            for cid in ids[:MAX_PASSAGES]
        )
        hits.append(
            Hit(
                case_id=best.case_id,
                title=best.title,
                kind=best.kind,
                score=float(score),
                section=best.section,
                passage=best.text,
                passages=passages,
                year=best.year,
                area=best.area,
                dense_score=max((scored.dense.get(cid, 0.0) for cid in ids), default=0.0),
                lexical_score=max((scored.lexical.get(cid, 0.0) for cid in ids), default=0.0),
                page=best.page,
            )
        )
    return hits
