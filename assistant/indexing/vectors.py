"""The vector index: exact (flat inner product) for small corpora, approximate (HNSW) past a
chunk count measured by the scale benchmark (``eval/SCALE.md``)."""

from __future__ import annotations

from typing import Any

import faiss
import numpy as np

from assistant.settings import Settings

# Past this many vectors an exact search costs more than half the query embedding it follows; see
# eval/SCALE.md for the measurement. The one value lives in Settings (SCR_APPROXIMATE_FROM).
APPROXIMATE_FROM: int = Settings.approximate_from
HNSW_M = 32  # neighbours per node
EF_CONSTRUCTION = 80  # breadth of the search while building
EF_SEARCH = 256  # breadth of the search at query time (recall against latency; eval/SCALE.md)
# A filter that leaves this many chunks or fewer is searched exactly among them: HNSW's graph walk
# loses recall when most nodes are filtered out.
EXACT_FILTERED_UP_TO = 50_000


def make_index(vectors: np.ndarray, approximate_from: int = APPROXIMATE_FROM) -> Any:
    """A FAISS inner-product index over ``vectors`` (normalised float32 rows): exact below
    ``approximate_from`` rows, HNSW at or above it."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dimension = int(vectors.shape[1])
    if len(vectors) >= approximate_from:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = EF_CONSTRUCTION
        index.hnsw.efSearch = EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(vectors)
    return index


def is_approximate(index: Any) -> bool:
    """True for an HNSW index."""
    return isinstance(index, faiss.IndexHNSW)


def kind(index: Any) -> str:
    """'hnsw' or 'flat', as recorded in the manifest."""
    return "hnsw" if is_approximate(index) else "flat"


def prepare(index: Any) -> Any:
    """Set query-time parameters on an index read from disk."""
    if is_approximate(index):
        index.hnsw.efSearch = max(int(index.hnsw.efSearch), EF_SEARCH)
    return index


def all_vectors(index: Any) -> np.ndarray:
    """Every stored vector, in id order (both index kinds keep the full vectors)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return np.ascontiguousarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)


def search(index: Any, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Scores and ids of the ``k`` nearest vectors, optionally only among the ``allowed`` ids."""
    query = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
    params = None
    if allowed is not None and is_approximate(index) and len(allowed) <= EXACT_FILTERED_UP_TO:
        return _exact_among(index, query, k, np.asarray(allowed, dtype=np.int64))
    if allowed is not None:
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if is_approximate(index):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(int(index.hnsw.efSearch), k))
        else:
            params = faiss.SearchParameters(sel=selector)
    elif is_approximate(index) and k > index.hnsw.efSearch:
        params = faiss.SearchParametersHNSW(efSearch=k)
    return index.search(query, k, params=params)


def _exact_among(index: Any, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product search among the ``allowed`` ids of an index that stores full vectors."""
    rows = index.reconstruct_batch(allowed) if len(allowed) else np.zeros((0, index.d), dtype=np.float32)
    scores = rows @ query[0]
    top = np.argsort(-scores, kind="stable")[:k]
    found_scores = np.full((1, k), -np.inf, dtype=np.float32)
    found_ids = np.full((1, k), -1, dtype=np.int64)
    found_scores[0, : len(top)] = scores[top]
    found_ids[0, : len(top)] = allowed[top]
    return found_scores, found_ids
