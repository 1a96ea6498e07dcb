"""One search over a loaded index: score chunks and sentences, fuse, group by case."""

from __future__ import annotations

import numpy as np

from assistant.indexing.store import StoredIndex
from assistant.records import Hit
from assistant.search.filters import Filters
from assistant.search.retrieve import make_hits, rank_groups, score_chunks, sentence_groups
from assistant.settings import Settings


class Searcher:
    """The index, its sentence groups and the settings that shape a search."""

    def __init__(self, index: StoredIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.groups = sentence_groups(index)

    def search(
        self, query: str, query_vector: np.ndarray, k: int, filters: Filters | None = None, retriever: str = "hybrid"
    ) -> list[Hit]:
        """The ``k`` best cases for ``query`` (already embedded as ``query_vector``), each once, best first."""
        s = self.settings
        scored = score_chunks(self.index, query_vector, query, s.candidates, filters, s.expand_synonyms, self.groups)
        ranked = rank_groups(self.index.chunks, scored, retriever, s.fusion, s.dense_weight, s.rrf_k)
        return make_hits(self.index.chunks, ranked, scored, k, retriever, s.fusion, s.dense_weight, s.rrf_k)
