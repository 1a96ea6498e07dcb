"""The front object: load an assistant from an index folder, then search it and ask it."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.compose import (
    CLEAR_TOPIC_MATCH,
    LEXICAL_SUPPORT,
    Context,
    Evidence,
    compose_case_detail,
    compose_cases,
    compose_learning,
    compose_none,
    learning_weight,
    relevant_hits,
    role_points,
)
from assistant.answer.conversation import resolve, topic
from assistant.answer.counting import compose_count, tally, themes_named
from assistant.answer.generate import check_endpoint, generate
from assistant.answer.present import escape_markdown
from assistant.answer.question import Interpretation, interpret
from assistant.answer.roles import ROLE_NAMES, ROLES, concerns_role, normalise_role, role_label
from assistant.errors import IndexMismatchError, ScrError, build_command
from assistant.indexing import journal
from assistant.indexing.embed import Embedder, load_embedder, same_vectors
from assistant.indexing.lexical import tokenize
from assistant.indexing.store import StoredIndex, corpus_diff, describe_diff, live_build_dir, read_index
from assistant.ingest.facets import AGE_BANDS, HARM_TYPES, REVIEW_MODELS
from assistant.library.themes import Theme, theme_counts
from assistant.records import Answer, Case, Hit, Record
from assistant.search.filters import Filters, allows, validate
from assistant.search.retrieve import RETRIEVERS, make_hits, rank_groups, score_chunks, sentence_groups
from assistant.search.vocabulary import (
    acronyms_in,
    everyday_words,
    expansions,
    framing_words,
    lexical_query,
    matched_terms,
)
from assistant.search.vocabulary import words as words_of
from assistant.settings import Settings
from assistant.settings import resolve as resolve_settings

MAX_QUERY_CHARS = 2000  # a question longer than this is cut, with a notice
ASK_CANDIDATES = 20
NEAREST = 3  # a "nothing found" answer names this many nearest cases, apart and labelled
NARROW_SUPPORT = 0.25  # "which of those ...": the share of its words an earlier case must use to be kept
ROLE_POOL = 30  # a role question reranks this many hits by whether their learning addresses the role
ROLE_CASE_BOOST = 0.25  # ... raising those that do by this share of their score
COMMON_SHARE = 0.4  # a word in more than this share of the reviews ("child", "died") is never a key word
KEY_WORD_MARGIN = 0.03  # an unknown key word must stand this far above the best known word (eval/QUALITY.md)
KEY_WORD_SIMILARITY = 0.35  # a key word this close to its topic stands for it (good ones: 0.4-0.7, loose: ~0.2)
KEY_WORD_CACHE = 4096  # topics whose key words are kept
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'&-]+")
_NAME_RE = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][a-zA-Z\u00C0-\u017F'-]{2,})")


class QueryError(ScrError):
    """A query that cannot be searched (empty, say)."""


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

    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._records = {r.case_id: r for r in index.records}
        self._units_by_case: dict[str, list[int]] = {}
        for unit in index.units:
            self._units_by_case.setdefault(unit.case_id, []).append(unit.unit_id)
        self._unit_tokens = [frozenset(t) for t in tokenize([u.embed_text for u in index.units])] if index.units else []
        self._vocabulary = frozenset(index.bm25.vocab_dict)
        self._areas = sorted({r.area for r in index.records if isinstance(r, Case) and r.area})
        self._groups = sentence_groups(index)
        keywords = {r.case_id: " ; ".join(getattr(r, "keywords", ())) for r in index.records}
        keyword_tokens = dict(zip(keywords, map(frozenset, tokenize(list(keywords.values()))), strict=True))
        self._case_tokens: dict[str, frozenset[str]] = {  # the words of a case's sentences and its keywords
            case_id: frozenset().union(*(self._unit_tokens[u] for u in units), keyword_tokens.get(case_id, ()))
            for case_id, units in self._units_by_case.items()
        }
        self._key_words: dict[str, list[tuple[str, float]]] = {}  # per topic, within and across questions
        counts = Counter(t for words in self._case_tokens.values() for t in words)
        self._common = frozenset(t for t, n in counts.items() if n > COMMON_SHARE * max(1, len(self._case_tokens)))

    @classmethod
    def load(
        cls,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
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
        embedder = embedder or load_embedder(settings)
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
        interp = interpret(query, self._areas)
        text = interp.topic or query
        if not interp.role:
            return self._search_vector(text, self.embedder.embed([text]), k, filters, retriever)
        hits = self._search_vector(text, self.embedder.embed([text]), max(k, ROLE_POOL), filters, retriever)
        return self._role_rerank(hits, interp.role)[:k]

    def _role_in_general(
        self,
        question: str,
        interp: Interpretation,
        role: str,
        query_vector: np.ndarray,
        filters: Filters | None,
        evidence: Evidence,
    ) -> Answer | None:
        """When no review holds learning for ``role`` on the topic: the role's learning across the collection,
        the reviews nearest the topic first, said plainly (None when no review addresses the role at all)."""
        ranked = self._search_vector(interp.topic, query_vector, len(self._records), filters)
        hits = [h for h in ranked if self._addresses(h.case_id, role)][:ROLE_POOL]
        if not hits:
            return None
        support = dict.fromkeys((h.case_id for h in hits), 1.0)
        context = Context(question, "", hits, evidence, self._units_by_case, self._records, support, True)
        answer = compose_learning(context)
        note = (
            f"None of these reviews says anything specific to {role_label(role)} on "
            f"\u201c{escape_markdown(interp.topic)}\u201d. What they say to {role_label(role)} more generally:\n\n"
        )
        return dataclasses.replace(answer, text=note + answer.text)

    def _theme_cases(self, interp: Interpretation, filters: Filters | None) -> tuple[str, ...]:
        """The local reviews that name the topic's taxonomy theme (none when the topic names no theme)."""
        if not interp.topic or not themes_named(interp.topic):
            return ()
        return tally(self.records(filters), dataclasses.replace(interp, mode="count", breakdown=None)).matching

    def _addresses(self, case_id: str, role: str) -> bool:
        """True when the case's learning, recommendations, findings or key issues address ``role``."""
        units, record = self.index.units, self._records[case_id]
        return any(
            learning_weight(record, units[u], units[u].section) is not None and concerns_role(role, units[u].text)
            for u in self._units_by_case.get(case_id, [])
        )

    def _role_rerank(self, hits: Sequence[Hit], role: str) -> list[Hit]:
        """Hits with the cases whose learning addresses ``role`` moved up (the profession lens on ranking)."""
        boost = 1 + ROLE_CASE_BOOST
        boosted = [(h.score * boost if self._addresses(h.case_id, role) else h.score, i) for i, h in enumerate(hits)]
        return [hits[i] for _, i in sorted(boosted, key=lambda pair: (-pair[0], pair[1]))]

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
        answer = self._ask(question, history, filters, role, literal)
        if notice:
            answer = dataclasses.replace(answer, notice=" ".join(filter(None, (notice, answer.notice))))
        return answer

    def _ask(
        self,
        question: str,
        history: Sequence[Answer] | None,
        filters: Filters | None,
        role: str | None,
        literal: bool = False,
    ) -> Answer:
        """The body of :meth:`ask`."""
        question = clean_query(question)
        role_key = normalise_role(role)
        if filters is not None:
            validate(filters, self.index.chunks)
        resolved = resolve(question, history)
        interp = interpret(resolved.query, self._areas, role_key)
        if literal:
            interp = dataclasses.replace(
                interp, roles=(role_key,) if role_key else (), role_from="setting" if role_key else None,
                age_bands=(), year_from=None, year_to=None, area=None, review_model=None,
            )
        if interp.mode in ("count", "overview") and resolved.mode in (None, "narrow"):
            records = self.records(self._question_filters(interp, filters))
            if resolved.mode == "narrow":
                records = [r for r in records if r.case_id in resolved.within]
            counted = tally(records, interp)
            if counted.count == 0 and interp.topic and not themes_named(interp.topic):
                if interp.mode == "overview" and interp.breakdown in ("theme", "area", "model", "year"):
                    interp = dataclasses.replace(interp, topic="")  # "top themes for a board paper": all reviews
                    counted = tally(records, interp)
                else:
                    hits = self._search_vector(interp.topic, self.embedder.embed([interp.topic]), NEAREST, filters)
                    reason = f"No review in this collection mentions \u201c{escape_markdown(interp.topic)}\u201d."
                    return self._nothing(question, reason, hits)
            answer = compose_count(question, interp, counted, self._records, resolved.query)
            return dataclasses.replace(answer, topic=interp.topic)
        role_key = interp.role
        interp = dataclasses.replace(interp, age_bands=())  # "baby" also means a toddler: ages narrow only counts
        search_query = interp.topic or resolved.query
        if interp.topic and resolved.subject and resolved.follows:
            search_query = resolved.query
        filters = self._question_filters(interp, filters)
        query_vector = self.embedder.embed([search_query])
        evidence = self._evidence(search_query, query_vector[0], role_key)
        if resolved.mode == "case-detail" and resolved.case_id in self._records:
            context = Context(question, question, (), evidence, self._units_by_case, self._records)
            return compose_case_detail(context, resolved.case_id, resolved.sections)
        if resolved.mode == "out-of-range":
            last = next(a for a in reversed(history or ()) if a.cases)
            titles = "; ".join(escape_markdown(self._records[c].title) for c in last.cases if c in self._records)
            count = "one review" if len(last.cases) == 1 else f"{len(last.cases)} reviews"
            text = (
                f"The last answer named {count}: {titles}. Ask about one of them, for example "
                "\u201ctell me more about the first case\u201d."
            )
            return Answer(question, text, no_answer=True, mode="none", query=question)
        unknown = self.unknown_names(resolved.query)
        if unknown:
            names = " or ".join(escape_markdown(n) for n in unknown)
            return self._nothing(question, f"The reviews in this collection do not mention {names}.")
        # a role question always gets that role's learning; otherwise a key word no review uses, with no clear
        # match in other words, means the collection cannot answer
        missing = self.missing_concept(interp.topic, query_vector[0]) if interp.topic and not role_key else None
        nearest = self._search_vector(search_query, query_vector, NEAREST, filters) if missing else []
        if missing and not missing.isupper() and nearest and nearest[0].dense_score >= CLEAR_TOPIC_MATCH:  # not "FGM"
            missing = None  # the reviews say it in other words, clearly enough
        if missing:
            return self._nothing(
                question,
                f"No review in this collection mentions \u201c{escape_markdown(missing)}\u201d, which is what your "
                "question is about.",
                nearest,
            )
        if resolved.age_bands and (filters is None or filters.age_band is None):
            filters = dataclasses.replace(filters or Filters(), age_band=",".join(resolved.age_bands))
        if resolved.mode == "narrow":  # "which of those ...": only the earlier answer's cases
            hits = self._search_vector(search_query, query_vector, len(self._records), filters)
            hits = [h for h in hits if h.case_id in resolved.within][:ASK_CANDIDATES]
            if not hits:
                return self._nothing(question, "None of the reviews in the last answer is about that.")
        elif role_key and not interp.topic:  # "what should GPs learn?": every review whose learning addresses GPs
            ranked = self._search_vector(search_query, query_vector, len(self._records), filters)
            hits = [h for h in ranked if self._addresses(h.case_id, role_key)][:ROLE_POOL] or ranked[:ASK_CANDIDATES]
        elif role_key:
            hits = self._search_vector(search_query, query_vector, ROLE_POOL, filters)
            hits = self._role_rerank(hits, role_key)[:ASK_CANDIDATES]
        else:
            hits = self._search_vector(search_query, query_vector, ASK_CANDIDATES, filters)
        if resolved.age_bands and resolved.subject:  # narrowed by age: keep cases that still concern the topic
            expand = bool(acronyms_in(resolved.subject))  # "CSE" needs its expansion; other words stand alone
            subject = self._distinctive(tokenize([lexical_query(resolved.subject, expand)])[0])
            hits = [h for h in hits if self._case_tokens.get(h.case_id, frozenset()) & subject]
            if not hits:
                return self._nothing(
                    question,
                    f"None of the reviews about \u201c{escape_markdown(resolved.subject)}\u201d concerns "
                    f"{escape_markdown(resolved.query.removesuffix(resolved.subject).strip())}.",
                )
        support = self._support(search_query, hits)
        chosen = bool(role_key and not interp.topic and interp.mode == "role")  # picked for the role, not for words
        chosen = chosen and any(self._addresses(h.case_id, role_key) for h in hits[:1])
        if chosen:
            support = dict.fromkeys((h.case_id for h in hits), 1.0)
        if resolved.mode == "narrow":  # cases already shown: a narrowing needs fewer of its own words
            support = {case: (LEXICAL_SUPPORT if share >= NARROW_SUPPORT else share) for case, share in support.items()}
        if not hits or not self.in_scope(search_query, hits) or not relevant_hits(hits, support):
            return self._nothing(
                question,
                f"No review in this collection is about \u201c{escape_markdown(search_query)}\u201d.",
                hits[:NEAREST],
            )
        previous = next((a.mode for a in reversed(history or ()) if a.cases), None)
        previous_mode = previous.removesuffix("+generated") if previous else None  # generation is not a mode
        if resolved.follows and previous_mode in ("cases", "learning"):
            mode = previous_mode
        else:
            mode = "cases" if interp.mode == "find" else "learning"
        compose = compose_learning if mode == "learning" else compose_cases
        shown_query = "" if not interp.topic and interp.roles else search_query
        also = self._theme_cases(interp, filters) if mode == "learning" and not role_key else ()
        keyed = self.on_concept(interp.topic, query_vector[0], hits) if mode == "cases" and interp.topic else {}
        ranked = self.key_words(interp.topic, query_vector[0]) if interp.topic and mode == "learning" else []
        key_forms = self.forms(ranked[0][0]) if ranked else frozenset()
        context = Context(
            question,
            shown_query,
            hits,
            evidence,
            self._units_by_case,
            self._records,
            support,
            chosen,
            also,
            keyed,
            key_forms,
        )
        answer = compose(context)
        if role_key and mode == "learning" and interp.topic and not role_points(answer, role_key):
            answer = self._role_in_general(question, interp, role_key, query_vector, filters, evidence) or answer
        answer = dataclasses.replace(
            answer, topic=resolved.subject or interp.topic or topic(resolved.query), interpretation=interp
        )
        if self.settings.llm_url:
            llm = self.settings
            answer = generate(answer, llm.llm_url, llm.llm_model, llm.llm_timeout, support=llm.llm_support)
        return answer

    def _question_filters(self, interp: Interpretation, filters: Filters | None) -> Filters | None:
        """The sidebar's filters with the facets the question names added (the sidebar's own choice wins); a
        named facet that matches nothing in the index (a year with no review) is left out rather than refused."""
        base = filters or Filters()
        named = {
            "year_from": interp.year_from,
            "year_to": interp.year_to,
            "area": interp.area,
            "review_model": interp.review_model,
        }
        updates = {k: v for k, v in named.items() if v is not None and getattr(base, k) is None}
        merged = dataclasses.replace(base, **updates) if updates else base
        try:
            validate(merged, self.index.chunks)
        except ScrError:
            return filters
        if not any(allows(merged, c) for c in self.index.chunks):
            return filters
        return merged if merged.active else filters

    @property
    def corpus_dir(self) -> Path:
        """The corpus folder the index was built from (the settings' folder when that one is gone)."""
        built_from = Path(self.index.manifest.get("corpus_dir", ""))
        return built_from if self.index.manifest.get("corpus_dir") and built_from.is_dir() else self.settings.corpus_dir

    def in_scope(self, query: str, hits: Sequence[Hit]) -> bool:
        """True when the hits are close enough to the query to answer from (see eval/NO_ANSWER.md):
        the best cosine similarity reaches ``min_relevance``, or the query uses an acronym of the
        safeguarding vocabulary (SUDI, CSE...), which the embedding model reads poorly."""
        best = max((h.dense_score for h in hits), default=0.0)
        return best >= self.settings.min_relevance or bool(acronyms_in(query))

    def records(self, filters: Filters | None = None) -> list[Record]:
        """Every case and document in the index, in corpus order (only those ``filters`` allow)."""
        if filters is None or not filters.active:
            return list(self.index.records)
        validate(filters, self.index.chunks)
        allowed = {c.case_id for c in self.index.chunks if allows(filters, c)}
        return [r for r in self.index.records if r.case_id in allowed]

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
            return self._records[case_id]
        except KeyError:
            raise QueryError(f"no case or document with id {case_id!r} in the index") from None

    def _search_vector(
        self, query: str, query_vector: np.ndarray, k: int, filters: Filters | None = None, retriever: str = "hybrid"
    ) -> list[Hit]:
        s = self.settings
        scored = score_chunks(self.index, query_vector, query, s.candidates, filters, s.expand_synonyms, self._groups)
        ranked = rank_groups(self.index.chunks, scored, retriever, s.fusion, s.dense_weight, s.rrf_k)
        return make_hits(self.index.chunks, ranked, scored, k, retriever, s.fusion, s.dense_weight)

    def _evidence(self, query: str, query_vector: np.ndarray, role: str | None) -> Evidence:
        own = set(tokenize([query])[0])
        extra = set(tokenize([" ".join(expansions(query))])[0]) if self.settings.expand_synonyms else set()
        return Evidence(
            self.index.units,
            self.index.sentence_vectors.vectors(),
            self._unit_tokens,
            query_vector,
            frozenset(own | extra),
            len(own),
            role,
        )

    def _support(self, query: str, hits: Sequence[Hit]) -> dict[str, float]:
        """Per case: the share of the query's distinctive words it uses (a reviewed synonym counts as half)."""
        own = self._distinctive(tokenize([lexical_query(query, False)])[0])
        if not own:
            return {}
        extra = set(tokenize([" ".join(expansions(query))])[0]) - own if self.settings.expand_synonyms else set()
        acronym = bool(acronyms_in(query))  # "CAF": the model reads acronyms poorly, their expansion decides
        support = {}
        for hit in hits:
            words = self._case_tokens.get(hit.case_id, frozenset())
            share = len(own & words) / len(own)
            support[hit.case_id] = (1.0 if acronym else max(share, 0.5)) if extra & words else share
        return support

    def _distinctive(self, tokens: Sequence[str]) -> set[str]:
        """The tokens that half the cases or fewer contain ("child" is in nearly all of them)."""
        limit = max(1, len(self._case_tokens) // 2)
        return {t for t in tokens if sum(t in words for words in self._case_tokens.values()) <= limit}

    def forms(self, word: str) -> frozenset[str]:
        """The reviews' tokens that count as ``word``: its stem, longer forms of it ("starv" -> "starvat"), forms
        sharing all but its last two letters, and the tokens of its everyday equivalents and reviewed synonyms."""
        tokens = _word_tokens(word)
        if not tokens:
            return frozenset()
        found = {t for t in tokens if t in self._vocabulary}
        if len(tokens) == 1 and len(tokens[0]) >= 4:
            stem = tokens[0]
            shared = max(5, len(stem) - 2)  # "autism" ~ "autist", "curious" ~ "curios", not "radicalis" ~ "radic"
            found |= {
                v for v in self._vocabulary if v.startswith(stem) or (len(v) >= shared and v[:shared] == stem[:shared])
            }
        alternatives = [*everyday_words().get(re.sub(r"['’]s$", "", word.lower()), ()), *expansions(word)]
        for other in alternatives:
            other_tokens = _word_tokens(other)
            if other_tokens and all(t in self._vocabulary for t in other_tokens):
                found |= set(other_tokens)
        return frozenset(found)

    def known_word(self, word: str) -> bool:
        """True when the reviews use the word, a form of it, or an everyday equivalent or reviewed synonym of it."""
        return not _word_tokens(word) or bool(self.forms(word))

    def key_words(self, topic: str, topic_vector: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The topic's content words, the one that best stands for it first (role names and words nearly every
        review uses, such as "child" or "died", left out)."""
        cached = self._key_words.get(topic)
        if cached is not None:
            return cached
        words = list(dict.fromkeys(w for w in _WORD_RE.findall(topic) if _word_tokens(w)))
        words = [w for w in words if not any(p.fullmatch(w) for p in ROLE_NAMES.values())]  # a role is a lens
        framing = set(tokenize([" ".join(framing_words())])[0])  # "reviews", "learning": never the key word
        words = [w for w in words if not set(_word_tokens(w)) <= self._common | framing]
        ranked = []
        if words:  # the topic is embedded with its words, so the ranking depends on the topic alone (cacheable)
            vectors = self.embedder.embed([topic, *words])
            similarity = vectors[1:] @ vectors[0]
            ranked = sorted(zip(words, map(float, similarity), strict=True), key=lambda pair: -pair[1])
        if len(self._key_words) > KEY_WORD_CACHE:
            self._key_words.clear()
        self._key_words[topic] = ranked
        return ranked

    def missing_concept(self, topic: str, topic_vector: np.ndarray) -> str | None:
        """The word that best stands for the topic, when no review uses it (nor a form or synonym of it):
        "ibuprofen" in "how much ibuprofen for a 3 year old". None when the key word is in the reviews."""
        ranked = self.key_words(topic, topic_vector)
        if not ranked:
            return None
        phrased = {w for _, terms in matched_terms(topic) for term in terms for w in words_of(term)}
        key, best = ranked[0]
        if key.lower() in phrased or self.known_word(key):  # "kicked" in "kicked out of school" is known
            return None
        known = [sim for word, sim in ranked[1:] if self.known_word(word)]
        # a near tie with a word the reviews do use: the question may still be about that
        return None if known and best - known[0] < KEY_WORD_MARGIN else key

    def on_concept(self, topic: str, topic_vector: np.ndarray, hits: Sequence[Hit]) -> dict[str, bool]:
        """Per case: whether it uses the topic's key word (a form, equivalent or synonym of it)."""
        ranked = [(w, sim) for w, sim in self.key_words(topic, topic_vector) if min(map(len, _word_tokens(w))) >= 4]
        if not ranked or ranked[0][1] < KEY_WORD_SIMILARITY:  # "car" is too short to decide, "people" too loose
            return {}
        forms = self.forms(ranked[0][0])
        if not forms:
            return {}
        return {h.case_id: bool(forms & self._case_tokens.get(h.case_id, frozenset())) for h in hits}

    def unknown_names(self, query: str) -> list[str]:
        """Capitalised names in the query (not its first word) that no review mentions."""
        unknown = []
        for name in _NAME_RE.findall(query.strip()):
            if any(p.fullmatch(name) for p in ROLE_NAMES.values()):  # "HVs", "GPs": a role, not a name
                continue
            tokens = tokenize([name])[0]
            if tokens and not any(t in self._vocabulary for t in tokens) and not expansions(name):
                unknown.append(name)
        return unknown

    def _nothing(self, question: str, reason: str, nearest: Sequence[Hit] = ()) -> Answer:
        cases = [r for r in self._records.values() if isinstance(r, Case)]
        years = sorted({c.year for c in cases})
        span = "" if not years else str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        documents = len(self._records) - len(cases)
        summary = f"{len(cases)} case review summaries" + (f" published in {span}" if span else "")
        if documents:
            summary += f" and {documents} other document{'s' if documents > 1 else ''} on learning from reviews"
        counts = Counter(k.lower() for c in cases for k in c.keywords)
        themes = [k for k, _ in counts.most_common(6)]
        shown = [(self._records[h.case_id], h.section) for h in nearest if h.case_id in self._records]
        return compose_none(question, reason, themes, summary, shown)


@lru_cache(maxsize=16384)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The index's tokens of one word (cached: the same words come back in every question)."""
    return tuple(tokenize([word])[0])


def clean_query(query: str) -> str:
    """A query with control and invisible characters removed, white space folded, and cut to
    ``MAX_QUERY_CHARS`` characters; an empty one is an error."""
    text = _ANSI_RE.sub(" ", str(query))  # terminal colour codes pasted with a question
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())[:MAX_QUERY_CHARS].strip()
    if not text:
        raise QueryError("the query is empty: type a question or some words to search for")
    return text


def cut_notice(query: str) -> str:
    """The notice for a query longer than the limit ('' when it fits)."""
    if len(" ".join(str(query).split())) <= MAX_QUERY_CHARS:
        return ""
    return (
        f"Your question was longer than {MAX_QUERY_CHARS:,} characters; only its first {MAX_QUERY_CHARS:,} were used."
    )
