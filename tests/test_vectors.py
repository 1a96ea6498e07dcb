"""The vector stores: one interface over FAISS flat, FAISS HNSW and the sentence matrix, exact where
it must be, and the only way the rest of the package reaches vectors."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.indexing import vectors
from assistant.indexing.vectors import FaissIndex, FlatIndex, HnswIndex, MatrixIndex, VectorIndex, make_index


def _unit_rows(count: int, dimension: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _three_kinds(data: np.ndarray) -> dict[str, VectorIndex]:
    return {
        "flat": make_index(data, approximate_from=len(data) + 1),
        "hnsw": make_index(data, approximate_from=1),
        "matrix": MatrixIndex(data),
    }


def test_filtered_search_on_hnsw_is_exact_among_the_allowed() -> None:
    data = _unit_rows(3000, 32, seed=3)
    approximate, exact = make_index(data, approximate_from=1000), make_index(data, 10**9)
    assert approximate.kind == "hnsw" and exact.kind == "flat"
    allowed = np.arange(0, 3000, 101)  # a selective filter: 30 chunks
    for row in (0, 7, 99):
        _, got = approximate.search(data[row], 10, allowed)
        _, want = exact.search(data[row], 10, allowed)
        assert list(got) == list(want)


def test_flat_hnsw_and_matrix_agree_on_the_exact_top_k() -> None:
    data, queries = _unit_rows(300, 16, seed=1), _unit_rows(20, 16, seed=2)
    stores = _three_kinds(data)
    allowed = np.arange(5, 300, 7)
    for query in queries:
        truth = np.argsort(-(data @ query), kind="stable")[:10]
        among = allowed[np.argsort(-(data[allowed] @ query), kind="stable")[:10]]
        for kind, store in stores.items():
            assert isinstance(store, VectorIndex) and store.kind == kind
            scores, ids = store.search(query, 10)
            assert list(ids) == list(truth), kind
            assert np.allclose(scores, data[truth] @ query, atol=1e-5), kind
            assert list(store.search(query, 10, allowed)[1]) == list(among), kind
            assert np.allclose(store.scores(query), data @ query, atol=1e-5), kind


def test_every_kind_adds_returns_rows_pads_and_round_trips(tmp_path: Path) -> None:
    data = _unit_rows(40, 8, seed=4)
    for kind, store in _three_kinds(data[:30]).items():
        store.add(data[30:])
        assert (len(store), store.dimension) == (40, 8), kind
        assert np.allclose(store.vectors(), data) and np.allclose(store.vectors(np.array([3, 33])), data[[3, 33]])
        scores, ids = store.search(data[0], 50)  # more than it holds: padded as FAISS pads
        assert len(ids) == 50 and list(ids[40:]) == [-1] * 10 and ids[0] == 0, kind
        path = tmp_path / f"{kind}.bin"
        store.save(path)
        again = type(store).load(path)
        assert again.kind == kind and np.array_equal(again.vectors(), store.vectors()), kind


def test_the_sentence_matrix_is_not_written_through_and_keeps_the_npy_format(tmp_path: Path) -> None:
    data = _unit_rows(5, 4, seed=5)
    matrix = MatrixIndex(data)
    with pytest.raises(ValueError):
        matrix.vectors()[0, 0] = 1.0  # the rows an answer reads are the index's own, read-only
    matrix.save(tmp_path / "units.npy")
    assert np.array_equal(np.load(tmp_path / "units.npy", allow_pickle=False), data)  # plain .npy, as before


def test_loading_refuses_the_wrong_kind_and_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "index.faiss"
    make_index(_unit_rows(10, 4, seed=6), approximate_from=100).save(path)
    assert FaissIndex.load(path).kind == "flat" and FlatIndex.load(path).kind == "flat"
    with pytest.raises(ValueError, match="not a hnsw"):
        HnswIndex.load(path)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError):
        FaissIndex.load(path)
    (tmp_path / "units.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError):
        MatrixIndex.load(tmp_path / "units.npy")


def test_only_the_vectors_module_imports_faiss() -> None:
    package = Path(vectors.__file__).resolve().parents[1]
    reaching = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path != Path(vectors.__file__).resolve()
        and any(word in path.read_text(encoding="utf-8") for word in ("import faiss", ".reconstruct_n(", ".ntotal"))
    ]
    assert reaching == []


class ListIndex:
    """A store that is nothing but a Python list, scored one row at a time: what a new backend
    (a server, another library) must provide, and all the rest of the package may use."""

    kind = "list"

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = [np.asarray(row, dtype=np.float32) for row in rows]
        self._dimension = int(rows.shape[1])
        self.calls: Counter[str] = Counter()

    @property
    def dimension(self) -> int:
        return self._dimension

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, rows: np.ndarray) -> None:
        self.rows += [np.asarray(row, dtype=np.float32) for row in rows]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        self.calls["search"] += 1
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        ids = range(len(self.rows)) if allowed is None else [int(i) for i in allowed]
        best = sorted(((float(self.rows[i] @ query), i) for i in ids), key=lambda pair: (-pair[0], pair[1]))[:k]
        best += [(-np.inf, -1)] * (k - len(best))
        return np.array([s for s, _ in best], np.float32), np.array([i for _, i in best], np.int64)

    def scores(self, query: np.ndarray) -> np.ndarray:
        self.calls["scores"] += 1
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        return np.array([float(row @ query) for row in self.rows], dtype=np.float32)

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        self.calls["vectors"] += 1
        chosen = range(len(self.rows)) if ids is None else ids
        return np.array([self.rows[int(i)] for i in chosen], dtype=np.float32).reshape(-1, self._dimension)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([row.tolist() for row in self.rows]), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ListIndex:
        return cls(np.array(json.loads(path.read_text(encoding="utf-8")), dtype=np.float32))


def test_search_and_answers_go_through_the_vector_index_interface(fake_index, fake_embedder) -> None:  # noqa: ANN001
    from assistant.api import Assistant
    from assistant.indexing.store import read_index
    from assistant.search.filters import Filters

    stored = read_index(fake_index.index_dir)
    chunks, sentences = ListIndex(stored.chunk_vectors.vectors()), ListIndex(stored.sentence_vectors.vectors())
    assert isinstance(chunks, VectorIndex)
    swapped = dataclasses.replace(stored, chunk_vectors=chunks, sentence_vectors=sentences)
    real, fake = Assistant(stored, fake_embedder, fake_index), Assistant(swapped, fake_embedder, fake_index)
    area = next(r.area for r in stored.records if getattr(r, "area", ""))
    for query, filters in (("neglect and missed health appointments", None), ("bruising", Filters(area=area))):
        got, want = fake.search(query, k=5, filters=filters), real.search(query, k=5, filters=filters)
        assert [h.case_id for h in got] == [h.case_id for h in want] and got
        assert [round(h.score, 4) for h in got] == [round(h.score, 4) for h in want]
    assert chunks.calls["search"] == 2 and sentences.calls["scores"] == 2  # both sides, every search
    answer = fake.ask("what was learnt about neglect?")
    assert answer.text == real.ask("what was learnt about neglect?").text and sentences.calls["vectors"] >= 1
