"""The front object: load an assistant from an index folder, then search it."""

from __future__ import annotations

from pathlib import Path

from assistant.embed import Embedder, load_embedder
from assistant.errors import IndexMismatchError, ScrError
from assistant.filters import Filters, validate
from assistant.records import Hit, Record
from assistant.retrieve import RETRIEVERS, make_hits, rank_groups, score_chunks
from assistant.settings import Settings, resolve
from assistant.store import StoredIndex, read_index

MAX_QUERY_CHARS = 2000


class QueryError(ScrError):
    """A query that cannot be searched (empty, say)."""


class Assistant:
    """A loaded index plus the embedder that reads queries; safe to share between threads."""

    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._records = {r.case_id: r for r in index.records}

    @classmethod
    def load(
        cls,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> Assistant:
        """Load and verify the index at ``index_dir`` (default: ``settings.index_dir``)."""
        settings = resolve(settings)
        if index_dir is not None:
            settings = settings.replace(index_dir=Path(index_dir))
        index = read_index(settings.index_dir)
        embedder = embedder or load_embedder(settings)
        built_with = index.manifest.get("model")
        if built_with != embedder.name:
            raise IndexMismatchError(
                settings.index_dir, f"it was built with model {built_with!r}, not {embedder.name!r}"
            )
        if embedder.dimension != index.faiss_index.d:
            raise IndexMismatchError(
                settings.index_dir,
                f"the model gives {embedder.dimension}-dimensional vectors, the index holds {index.faiss_index.d}",
            )
        return cls(index, embedder, settings)

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        retriever: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best cases (or document sections) for ``query``, each once, best first.

        ``filters`` restricts the cases searched (an unknown value raises FilterError);
        ``retriever`` is hybrid (default), dense or bm25.
        """
        query = clean_query(query)
        k = k or self.settings.k
        if k < 1:
            raise QueryError("k must be at least 1")
        retriever = retriever or self.settings.retriever
        if retriever not in RETRIEVERS:
            raise QueryError(f"unknown retriever {retriever!r}; use one of {', '.join(RETRIEVERS)}")
        if filters is not None:
            validate(filters, self.index.chunks)
        s = self.settings
        scored = score_chunks(self.index, self.embedder.embed([query]), query, s.candidates, filters, s.expand_synonyms)
        ranked = rank_groups(self.index.chunks, scored, retriever, s.fusion, s.dense_weight, s.rrf_k)
        return make_hits(self.index.chunks, ranked, scored, k, retriever)

    def records(self) -> list[Record]:
        """Every case and document in the index, in corpus order."""
        return list(self.index.records)

    def record(self, case_id: str) -> Record:
        """One case or document by id."""
        try:
            return self._records[case_id]
        except KeyError:
            raise QueryError(f"no case or document with id {case_id!r} in the index") from None


def clean_query(query: str) -> str:
    """A query with control characters removed and white space folded; empty is an error."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(query))
    text = " ".join(text.split())[:MAX_QUERY_CHARS]
    if not text:
        raise QueryError("the query is empty: type a question or some words to search for")
    return text
