"""The front object: load an assistant from an index folder, then search it and ask it.

It delegates: searching to :mod:`assistant.search.searcher`, answering to :mod:`assistant.answer.pipeline`.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answer.counting import themes_named
from assistant.answer.generate import check_endpoint
from assistant.answer.pipeline import ROLE_POOL, THEME_POOL, Pipeline
from assistant.answer.question import interpret
from assistant.answer.roles import ROLES, normalise_role
from assistant.errors import IndexMismatchError, QueryError, build_command
from assistant.indexing import embed as embedding
from assistant.indexing import journal
from assistant.indexing.embed import same_vectors
from assistant.indexing.store import StoredIndex, corpus_diff, describe_diff, live_build_dir, read_index
from assistant.ingest.facets import AGE_BANDS, HARM_TYPES, REVIEW_MODELS
from assistant.library.lessons import LessonStock
from assistant.library.recurring import asks_recurring_at_all, asks_recurring_lessons, compose_recurring
from assistant.library.themes import Theme, theme_counts
from assistant.records import Answer, Hit, Record
from assistant.search.filters import Filters, validate
from assistant.search.query import MAX_QUERY_CHARS, clean_query, cut_notice
from assistant.search.searcher import Searcher
from assistant.settings import RETRIEVERS, Settings
from assistant.settings import resolve as resolve_settings

__all__ = ["MAX_QUERY_CHARS", "Assistant", "QueryError", "clean_query", "cut_notice"]

# What the app's pages use besides the front object, so ui/ imports nothing below this module (tests/test_layers.py).
# Imported on first use: the command line never pays for the database, Word and PDF libraries it does not touch.
_FOR_UI = {
    "AGE_BANDS": "assistant.ingest.facets",
    "HARM_TYPES": "assistant.ingest.facets",
    "REVIEW_MODELS": "assistant.ingest.facets",
    "Embedder": "assistant.indexing.embed",
    "load_embedder": "assistant.indexing.embed",
    "read_pointer": "assistant.indexing.store",
    "intake": "assistant.indexing.intake",
    "render_page": "assistant.ingest.pages",
    "shared_cache": "assistant.ingest.pages",
    "SUPPORTED_SUFFIXES": "assistant.ingest.readers",
    "format_names": "assistant.ingest.readers",
    "Filters": "assistant.search.filters",
    "BREAKDOWN_HEADS": "assistant.answer.counting",
    "escape_markdown": "assistant.answer.present",
    "record_markdown": "assistant.answer.present",
    "record_heading": "assistant.answer.present",
    "section_markdown": "assistant.answer.present",
    "source_params": "assistant.reference",
    "when": "assistant.answer.present",
    "source_view": "assistant.answer.source",
    "actions": "assistant.library.actions",
    "check_links": "assistant.library.links",
    "LessonStock": "assistant.library.lessons",
    "theme_label": "assistant.library.lessons",
    "briefing": "assistant.library.briefing",
    "key_lessons": "assistant.library.key_lessons",
    "role_label": "assistant.answer.roles",
    "notes": "assistant.library.notes",
    "FLAG_WORDS": "assistant.library.board",
    "board_csv": "assistant.library.board",
    "board_docx": "assistant.library.board",
    "record_feedback": "assistant.library.feedback",
    "SUPPORT": "assistant.library.pack",
    "discussion_questions": "assistant.library.pack",
    "pack_docx": "assistant.library.pack",
    "pack_markdown": "assistant.library.pack",
    "clean_name": "assistant.library.people",
    "header_user": "assistant.library.people",
    "Store": "assistant.library.storage",
    "database_url": "assistant.library.storage",
    "decode_quote": "assistant.reference",
}


def __getattr__(name: str) -> Any:
    """The app's other names (``_FOR_UI``), imported when first asked for."""
    module = _FOR_UI.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(module)
    return loaded if module.rsplit(".", 1)[1] == name else getattr(loaded, name)


def _read_live(index_dir: Path, strict: bool) -> tuple[StoredIndex, str]:
    """The live index and its notice; read again when an add or build made a newer index live while
    the corpus was compared (so a load beside an add sees the old index with a notice, or the new one)."""
    for _ in range(3):
        index = read_index(index_dir)
        try:
            return index, _stale_notice(index_dir, index.manifest, strict)
        except IndexMismatchError:
            if live_build_dir(index_dir) == index.path:
                raise
    return index, _stale_notice(index_dir, index.manifest, strict)


def _stale_notice(index_dir: Path, manifest: dict[str, Any], strict: bool) -> str:
    """'' when the index was built from the corpus as it is; else the notice for serving it anyway
    (raises when the corpus was changed by hand and ``strict``)."""
    diff = corpus_diff(manifest)
    if not diff:
        return ""
    changed = {name for names in diff.values() for name in names}
    adding = set(journal.pending(index_dir))
    if changed and changed <= adding:
        return (
            f"Not yet in the index: {', '.join(sorted(changed))} (an add is under way or was interrupted); "
            "answers come from the index without them until the add or the next build finishes."
        )
    if strict:
        raise IndexMismatchError(index_dir, f"the corpus has changed since the build ({describe_diff(diff)})")
    return (
        f"The corpus has changed since the index was built ({describe_diff(diff)}): answers come from the "
        f"last complete index; run `{build_command(index_dir)}` to include the changes."
    )


class Assistant:
    """A loaded index plus the embedder that reads queries; safe to share between threads."""

    notice = ""  # set by load when the index served is not the corpus's latest state

    def __init__(self, index: StoredIndex, embedder: embedding.Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._searcher = Searcher(index, settings)
        self._pipeline = Pipeline(index, embedder, settings, self._searcher)
        self._stock: LessonStock | None = None  # the recurring lessons, built when first asked for

    @classmethod
    def load(
        cls,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        embedder: embedding.Embedder | None = None,
        strict: bool = True,
    ) -> Assistant:
        """Load and verify the index at ``index_dir`` (default: ``settings.index_dir``).

        A corpus that changed since the build raises when ``strict``; otherwise the last complete
        index is served and ``notice`` says so. Files of an add that is under way, or was interrupted,
        never raise: the index without them is served, with a notice.
        """
        settings = resolve_settings(settings)
        if index_dir is not None:
            settings = settings.replace(index_dir=Path(index_dir))
        index, notice = _read_live(settings.index_dir, strict)
        embedder = embedder or embedding.load_embedder(settings)
        built_with = index.manifest.get("model")
        if not same_vectors(str(built_with), embedder.name):
            raise IndexMismatchError(
                settings.index_dir, f"it was built with model {built_with!r}, not {embedder.name!r}"
            )
        if embedder.dimension != (held := index.chunk_vectors.dimension):
            raise IndexMismatchError(
                settings.index_dir,
                f"the model gives {embedder.dimension}-dimensional vectors, the index holds {held}",
            )
        if settings.llm_url:
            check_endpoint(settings.llm_url)
        assistant = cls(index, embedder, settings)
        assistant.notice = notice
        return assistant

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
        interp = interpret(query, self._pipeline._areas)
        text = interp.topic or query
        themed = bool(interp.topic and themes_named(interp.topic))  # reviews naming its theme rise
        if not interp.role and not themed:
            return self._searcher.search(text, self.embedder.embed([text]), k, filters, retriever)
        pool = max(k, ROLE_POOL, THEME_POOL) if interp.topic else len(self.index.records)  # no topic: any review
        hits = self._searcher.search(text, self.embedder.embed([text]), pool, filters, retriever)
        if interp.role:
            hits = self._pipeline._role_rerank(hits, interp.role, topic=bool(interp.topic))
        return self._pipeline.theme_rerank(hits, interp, filters, rescore=not interp.role)[:k]

    def ask(
        self,
        question: str,
        history: Sequence[Answer] | None = None,
        filters: Filters | None = None,
        role: str | None = None,
        literal: bool = False,
    ) -> Answer:
        """An extractive, cited answer to ``question``; ``history`` holds the chat's earlier answers.

        Case-finding questions list each relevant case once with quoted evidence; learning questions
        give distinct learning points; follow-ups resolve against the cases already cited; a question
        the corpus cannot answer says so, with no citations. ``role`` puts that role's learning first.
        A question over the length limit is cut, and the answer's ``notice`` says so. The role and facets
        named in the question apply as if chosen (an explicit ``role`` wins); ``literal`` ignores them.
        """
        notice = cut_notice(question)
        answer = None if literal else self._recurring(clean_query(question), filters, role)
        if answer is None:
            answer = self._pipeline.ask(clean_query(question), history, filters, role, literal)
        if notice:
            answer = dataclasses.replace(answer, notice=" ".join(filter(None, (notice, answer.notice))))
        return answer

    def _recurring(self, question: str, filters: Filters | None, role: str | None) -> Answer | None:
        """ "Which recommendations keep coming up?": the lessons most reviews make, from the lesson stock (built on
        first use); None for any other question, or a filtered one (the stock is the whole collection's)."""
        if filters is not None and filters.active:
            return None
        if not asks_recurring_at_all(question):  # a cheap look first: most questions are not this one
            return None
        interp = interpret(question, self._pipeline._areas, normalise_role(role))
        if not asks_recurring_lessons(question, interp):
            return None
        if self._stock is None:
            self._stock = LessonStock(self.index, self.settings.lesson_similarity)
        return compose_recurring(question, interp, self._stock, self.index, interp.role)

    @property
    def corpus_dir(self) -> Path:
        """The corpus folder the index was built from (the settings' folder when that one is gone)."""
        built_from = Path(self.index.manifest.get("corpus_dir", ""))
        return built_from if self.index.manifest.get("corpus_dir") and built_from.is_dir() else self.settings.corpus_dir

    def facets(self) -> dict[str, list[Any]]:
        """The values each filter can take in this index (for pickers in the UI)."""
        cases = [c for c in self.index.chunks if c.kind == "case"]
        return {
            "years": sorted({c.year for c in self.index.chunks if c.year is not None}),
            "areas": sorted({c.area for c in cases}),
            "review_models": [m for m in (*REVIEW_MODELS, "other") if any(c.review_model == m for c in cases)],
            "keywords": [t.name for t in theme_counts(self.index.records)],
            "age_bands": [b for b in AGE_BANDS if any(b in c.age_bands for c in cases)],
            "harms": [h for h in HARM_TYPES if any(h in c.harms for c in cases)],
            "roles": list(ROLES),
        }

    def themes(self, filters: Filters | None = None) -> list[Theme]:
        """Keyword themes across the (filtered) cases, most frequent first."""
        return theme_counts(self.records(filters))

    def record(self, case_id: str) -> Record:
        """One case or document by id."""
        try:
            return self._pipeline._records[case_id]
        except KeyError:
            raise QueryError(f"no case or document with id {case_id!r} in the index") from None

    def records(self, filters: Filters | None = None) -> list[Record]:
        """Every case and document in the index, in corpus order (only those ``filters`` allow)."""
        return self._pipeline.records(filters)

    def in_scope(self, query: str, hits: Sequence[Hit]) -> bool:
        """True when the hits are close enough to the query to answer from (see eval/NO_ANSWER.md)."""
        return self._pipeline.in_scope(query, hits)

    def unknown_names(self, query: str) -> list[str]:
        """Capitalised names in the query (not its first word) that no review mentions."""
        return self._pipeline.concepts.unknown_names(query)
