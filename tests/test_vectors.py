"""The vector index: exact below the switch, HNSW above it, filtered searches exact."""

from __future__ import annotations

import numpy as np


def test_filtered_search_on_hnsw_is_exact_among_the_allowed() -> None:
    from assistant.indexing import vectors

    rng = np.random.default_rng(3)
    data = rng.normal(size=(3000, 32)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    approximate, exact = vectors.make_index(data, approximate_from=1000), vectors.make_index(data, 10**9)
    assert vectors.kind(approximate) == "hnsw" and vectors.kind(exact) == "flat"
    allowed = np.arange(0, 3000, 101)  # a selective filter: 30 chunks
    for row in (0, 7, 99):
        _, got = vectors.search(approximate, data[row], 10, allowed)
        _, want = vectors.search(exact, data[row], 10, allowed)
        assert list(got[0]) == list(want[0])
