"""Vector stores behind one interface, :class:`VectorIndex`: the chunks' FAISS index, exact (flat
inner product) for small corpora and approximate (HNSW) past a chunk count measured by the scale
benchmark (``eval/SCALE.md``), and the quotable sentences' plain matrix (``units.npy``).

This is the only module that imports FAISS; a new store (a server, another library) is one more
class here with the same methods.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

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


@runtime_checkable
class VectorIndex(Protocol):
    """Normalised float32 vectors searched by inner product. A vector's id is its row: 0, 1, ... in
    the order the vectors were added."""

    kind: ClassVar[str]  # 'flat', 'hnsw' or 'matrix': what the manifest records

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def __len__(self) -> int:
        """How many vectors are stored."""
        ...

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; they take the next ids."""
        ...

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scores and ids (two arrays of length ``k``, best first) of the nearest vectors, optionally
        only among the ``allowed`` ids; ids of -1 pad the end when fewer than ``k`` are found."""
        ...

    def scores(self, query: np.ndarray) -> np.ndarray:
        """The query's inner product with every stored vector, in id order."""
        ...

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        """The stored rows: all of them in id order, or those of ``ids``; never to be written to."""
        ...

    def save(self, path: Path) -> None:
        """Write the store to the file ``path``."""
        ...

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read a store ``save`` wrote; raises ValueError when the file is not one."""
        ...


def _query(query: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))


def _rows(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of ``scores`` (ties: lower id first), padded as FAISS pads."""
    ascending = len(ids) < 2 or bool(np.all(ids[1:] >= ids[:-1]))
    top = (np.argsort(-scores, kind="stable") if ascending else np.lexsort((ids, -scores)))[:k]
    found_scores = np.full(k, -np.inf, dtype=np.float32)
    found_ids = np.full(k, -1, dtype=np.int64)
    found_scores[: len(top)] = scores[top]
    found_ids[: len(top)] = ids[top]
    return found_scores, found_ids


class MatrixIndex:
    """Vectors held as one numpy matrix and scanned exactly: the quotable sentences (``units.npy``),
    whose every score is wanted at once (each group's best sentence)."""

    kind: ClassVar[str] = "matrix"

    def __init__(self, vectors: np.ndarray) -> None:
        rows = _rows(vectors)
        if rows.ndim != 2:
            raise ValueError(f"holds an array of shape {rows.shape}, not rows of vectors")
        self._rows = rows

    @property
    def dimension(self) -> int:
        return int(self._rows.shape[1])

    def __len__(self) -> int:
        return int(self._rows.shape[0])

    def add(self, vectors: np.ndarray) -> None:
        self._rows = np.vstack([self._rows, _rows(vectors).reshape(-1, self.dimension)])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if allowed is None:
            return _top(self.scores(query), np.arange(len(self), dtype=np.int64), k)
        allowed = np.asarray(allowed, dtype=np.int64)
        return _top(self._rows[allowed] @ _query(query)[0], allowed, k)

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self._rows @ np.asarray(query, dtype=np.float32).reshape(-1)

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        if ids is not None:
            return self._rows[np.asarray(ids, dtype=np.int64)]
        view = self._rows.view()  # no copy: the sentences' vectors are read on every answer
        view.flags.writeable = False
        return view

    def save(self, path: Path) -> None:
        with Path(path).open("wb") as handle:  # exactly ``path``: np.save would add .npy to another name
            np.save(handle, self._rows, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> MatrixIndex:
        return cls(np.load(path, allow_pickle=False))


class FaissIndex:
    """A FAISS inner-product index that keeps the full vectors (both kinds here do)."""

    kind: ClassVar[str] = ""

    def __init__(self, index: Any) -> None:
        self._index = index

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        rows = _rows(vectors)
        if len(rows):
            self._index.add(rows)

    def scores(self, query: np.ndarray) -> np.ndarray:
        found, ids = self.search(query, len(self))
        out = np.full(len(self), -np.inf, dtype=np.float32)
        out[ids[ids >= 0]] = found[ids >= 0]
        return out

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        if ids is not None:
            ids = np.asarray(ids, dtype=np.int64)
            return self._index.reconstruct_batch(ids) if len(ids) else np.zeros((0, self.dimension), np.float32)
        if len(self) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        """The flat or HNSW index in ``path`` (called on a subclass, only that kind is accepted)."""
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise ValueError(str(exc)) from None
        if isinstance(raw, faiss.IndexHNSW):
            index: FaissIndex = HnswIndex(raw)
        elif isinstance(raw, faiss.IndexFlat) and raw.metric_type == faiss.METRIC_INNER_PRODUCT:
            index = FlatIndex(raw)
        else:
            raise ValueError(f"holds a {type(raw).__name__}, not an inner-product flat or HNSW index")
        if not isinstance(index, cls):
            raise ValueError(f"holds a {index.kind} index, not a {cls.kind} one")
        return index


class FlatIndex(FaissIndex):
    """Exact search: every vector is scored."""

    kind: ClassVar[str] = "flat"

    @classmethod
    def empty(cls, dimension: int) -> FlatIndex:
        return cls(faiss.IndexFlatIP(dimension))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        scores, ids = self._index.search(_query(query), k, params=params)
        return scores[0], ids[0]


class HnswIndex(FaissIndex):
    """Approximate search over a graph of neighbours (HNSW); a selective filter is searched exactly."""

    kind: ClassVar[str] = "hnsw"

    def __init__(self, index: Any) -> None:
        super().__init__(index)
        index.hnsw.efSearch = max(int(index.hnsw.efSearch), EF_SEARCH)  # an index read from disk, too

    @classmethod
    def empty(cls, dimension: int) -> HnswIndex:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = EF_CONSTRUCTION
        return cls(index)

    @property
    def ef_search(self) -> int:
        """Breadth of the search at query time (FAISS searches with at least ``k``)."""
        return int(self._index.hnsw.efSearch)

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        self._index.hnsw.efSearch = int(value)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        query = _query(query)
        params = None
        if allowed is not None and len(allowed) <= EXACT_FILTERED_UP_TO:
            allowed = np.asarray(allowed, dtype=np.int64)
            return _top(self.vectors(allowed) @ query[0], allowed, k)
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
        elif k > self.ef_search:
            params = faiss.SearchParametersHNSW(efSearch=k)
        scores, ids = self._index.search(query, k, params=params)
        return scores[0], ids[0]


def make_index(vectors: np.ndarray, approximate_from: int = APPROXIMATE_FROM) -> FaissIndex:
    """The chunks' index over ``vectors`` (normalised float32 rows): exact below ``approximate_from``
    rows, HNSW at or above it."""
    rows = _rows(vectors)
    kind = HnswIndex if len(rows) >= approximate_from else FlatIndex
    index = kind.empty(int(rows.shape[1]))
    index.add(rows)
    return index


def library_info() -> dict[str, Any]:
    """The vector library's version and thread count, for benchmark reports."""
    return {"faiss": faiss.__version__, "faiss_threads": faiss.omp_get_max_threads()}
