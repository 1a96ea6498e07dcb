"""From a question to an answer: resolve a follow-up, read the question, choose the mode, find its candidates,
check there is something to answer from, compose, and (optionally) rewrite through a local language model."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.answer.compose import (
    CLEAR_TOPIC_MATCH,
    LEARNING_SECTIONS,
    LEXICAL_SUPPORT,
    Composer,
    Context,
    Evidence,
    compose_case_detail,
    compose_learning,
    compose_none,
    describe,
    for_role,
    is_metadata,
    learning_weight,
    relevant_hits,
    role_points,
)
from assistant.answer.concepts import UNKNOWN_MEANING, Concepts
from assistant.answer.conversation import asks_figure_in, resolve, topic
from assistant.answer.counting import (
    compose_count,
    is_national,
    load_qualifiers,
    load_taxonomy,
    names_place,
    tally,
    themes_named,
)
from assistant.answer.generate import generate
from assistant.answer.modes import SPECS, searched_mode
from assistant.answer.present import escape_markdown
from assistant.answer.question import (
    Interpretation,
    asked_part,
    asks_for_guidance,
    asks_for_statistics,
    asks_learning_trend,
    asks_what_helps,
    interpret,
)
from assistant.answer.roles import normalise_role, role_label
from assistant.errors import ScrError
from assistant.indexing.embed import Embedder
from assistant.indexing.lexical import tokenize
from assistant.indexing.store import StoredIndex
from assistant.records import Answer, AnswerMode, Case, Hit, Record
from assistant.search.filters import Filters, allows, validate
from assistant.search.searcher import Searcher
from assistant.search.vocabulary import acronyms_in, expansions, lexical_query
from assistant.settings import Settings

ASK_CANDIDATES = 20
STORY_WORDS = 30  # a topic longer than this is a story: no one key word must be in every case listed (dev: at 14,
# cited relevant fell 0.743 -> 0.727)
NEAREST = 3  # a "nothing found" answer names this many nearest cases, apart and labelled
NARROW_SUPPORT = 0.25  # "which of those ...": the share of its words an earlier case must use to be kept
ROLE_POOL = 30  # a role question reranks this many hits by whether their learning addresses the role
UNCOUNTED_WORDS = 4  # a count topic of this many distinctive words, which no sentence holds, is searched instead
ROLE_TOPIC_BOOST = 0.5  # ... raising those that do by up to this share of the best score, by how much they say ...
ROLE_STRENGTH_CAP = 2.0  # ... (full boost at this many learning points for the role; eval/QUALITY.md)
OTHER_ROLE_WEIGHT = 0.3
THEME_BOOST = 0.2  # a review naming the topic's taxonomy theme rises by this share of the best score (dev: 0.1 / 0.2
# / 0.4 gave panel_gold 0.750 / 0.756 / 0.753 and questions 0.748 / 0.762 / 0.756, from 0.738 and 0.735)
THEME_POOL = 40  # ... among this many hits
ROLE_ONLY_BOOST = 3.0  # a role question with no topic ranks reviews by how much their learning says to the role
_ALTERNATIVES_RE = re.compile(r"\s*/\s*|\s+or\s+|;", re.I)  # "X / Y", "X or Y": a question offering alternatives


def _case_names(records: Sequence[Record]) -> dict[str, tuple[str, ...]]:
    """The names the reviews give their children, lower case and without a part in brackets ("baby peter" from
    "Baby Peter (second review)", "josh"), with the reviews of each; not a letter or number ("Child A", "Baby Q")."""
    names: dict[str, list[str]] = {}
    for record in records:
        if not isinstance(record, Case) or not record.name:
            continue
        words = re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)", " ", record.name.lower()))
        proper = [w for w in words if w not in _NAME_AGE_WORDS and not w.isdigit()]
        two = len(words) <= 2 or (len(words) == 3 and words[1] == "and")  # not a phrase ("babies with injuries")
        if proper and all(len(w) >= 3 for w in proper) and two:
            names.setdefault(" ".join(words), []).append(record.case_id)
    return {name: tuple(ids) for name, ids in names.items()}


def _report_titles(records: Sequence[Record]) -> dict[str, tuple[str, ...]]:
    """The titles of the national reviews and reports, lower case, without a subtitle or a part in brackets ("it was
    hard to escape", "out of routine", "ages of concern"), with the reviews of each; titles of two words or more."""
    titles: dict[str, list[str]] = {}
    for record in records:
        if not isinstance(record, Case) or not is_national(record):
            continue
        main = re.split(r"[:(]", record.name.lower())[0]
        words = re.findall(r"[a-z0-9]+", main.replace("\u2019", "'").replace("'", ""))
        if words and words[0] == "the":
            words = words[1:]
        if len(words) >= 2:
            titles.setdefault(" ".join(words), []).append(record.case_id)
    return {title: tuple(ids) for title, ids in titles.items()}


# A question naming a report by its title also says it is naming one: "the review called ...", "what did out of
# routine find" (not "safeguarding children in elective home education", the topic itself)
_REPORT_WORD_RE = re.compile(
    r"\b(?:report|review|study|paper|publication|called|titled|named|panel|ofsted|look(?:ed)? at|cover(?:ed)?|find|"
    r"found|recommend\w*)\b|[\"\u201c\u2018]",
    re.I,
)
_NUMBER_RE = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|half|third|quarter|dozen)\b",
    re.I,
)
TREND_FLOOR = 0.4  # a review's line in a learning-over-time answer reaches this relevance to the topic
MAX_TREND_LINES = 12  # at most this many reviews' lines: the six earliest and the latest
MAX_FIGURES = 3  # a question for a figure in one review quotes at most this many of its sentences with figures
ROLE_NEAR = 5  # a rare role's learning in other words answers when one of its reviews is this near the topic
ROLE_RARE = 0.1  # ... a role addressed by at most this share of the case reviews
FIGURE_MARGIN = 0.1  # ... each within this much of the best one's relevance


_OTHERS_RE = re.compile(
    r"\b(?:other|others|like|similar|such as|apart from|besides|except|other than|compared (?:with|to))\b", re.I
)
_NAME_AGE_WORDS = frozenset({"baby", "infant", "toddler", "child", "children", "young", "person", "teenager"})


def _without_unquoted(answer: Answer) -> Answer:
    """The answer without its line of reviews named but not quoted (in an answer that already says the role has no
    learning of its own on the topic, a list of names is padding)."""
    kept = [
        p
        for p in answer.text.split("\n\n")
        if not p.startswith(("Also on this, not quoted", "Other reviews on this, not quoted"))
    ]
    quoted = {c.case_id for c in answer.citations}
    return dataclasses.replace(answer, text="\n\n".join(kept), cases=tuple(c for c in answer.cases if c in quoted))


def _years_phrase(year_from: int | None, year_to: int | None) -> str:
    """ "published in 2015", "published 2020-2022", "published in 2018 or later", "" for no years."""
    if year_from and year_to:
        return f"published in {year_from}" if year_from == year_to else f"published {year_from}\u2013{year_to}"
    if year_from:
        return f"published in {year_from} or later"
    if year_to:
        return f"published in {year_to} or earlier"
    return ""


def _scope(filters: Filters | None) -> str:
    """The filters' restriction as an aside in a sentence (" (from Croydon)"), or nothing."""
    scope = filters.scope() if filters is not None else ""
    return f" ({escape_markdown(scope)})" if scope else ""


class Pipeline:
    """The answer pipeline over one loaded index (the front object, :class:`assistant.api.Assistant`, delegates)."""

    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings, searcher: Searcher) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.searcher = searcher
        self._records = {r.case_id: r for r in index.records}
        self._units_by_case: dict[str, list[int]] = {}
        for unit in index.units:
            self._units_by_case.setdefault(unit.case_id, []).append(unit.unit_id)
        self._areas = sorted({r.area for r in index.records if isinstance(r, Case) and r.area})
        self._case_names = _case_names(index.records)
        self._report_titles = _report_titles(index.records)
        self._strengths: dict[tuple[str, str], float] = {}
        self._themed: dict[tuple[object, ...], frozenset[str]] = {}
        load_taxonomy(), load_qualifiers()  # read once here: answering a question opens no file
        self.concepts = Concepts(index, embedder, self._units_by_case, settings.expand_synonyms)

    def ask(
        self,
        question: str,
        history: Sequence[Answer] | None,
        filters: Filters | None,
        role: str | None,
        literal: bool = False,
        lens: bool = True,
    ) -> Answer:
        """A cited answer to ``question`` (see :meth:`assistant.api.Assistant.ask`); without ``lens``, the roles
        the question names are not applied (the topic's learning for every agency)."""
        role_key = normalise_role(role)
        given_filters = filters
        if filters is not None:
            validate(filters, self.index.chunks)
        resolved = resolve(question, history)
        if asks_for_guidance(resolved.query) and not literal:
            nearest = self.searcher.search(resolved.query, self.embedder.embed([resolved.query]), NEAREST, filters)
            reason = (
                "These reviews hold what was learned from cases, not procedures, timescales, doses or staffing "
                "figures, so they cannot answer this; your local safeguarding partnership's procedures or your "
                "service's own guidance will."
            )
            return self._nothing(question, reason, nearest)
        if asks_for_statistics(resolved.query) and not literal and not resolved.follows:
            nearest = self.searcher.search(resolved.query, self.embedder.embed([resolved.query]), NEAREST, filters)
            reason = (
                "These reviews hold what was learned from individual cases, not national or local statistics, so "
                "they cannot give that figure; official statistics (for example the Department for Education's "
                "serious incident notifications or the National Child Mortality Database) will. The reviews "
                "nearest to the subject are below."
            )
            return self._nothing(question, reason, nearest)
        interp = interpret(resolved.query, self._areas, role_key)
        if not lens:
            interp = dataclasses.replace(
                interp, roles=(), role_from=None, mode="theme" if interp.mode == "role" else interp.mode
            )
        if literal:
            interp = dataclasses.replace(
                interp,
                roles=(role_key,) if role_key else (),
                role_from="setting" if role_key else None,
                age_bands=(),
                year_from=None,
                year_to=None,
                areas=(),
                review_model=None,
            )
        uncounted = ""  # why a count question is answered with the reviews closest to it instead
        about_one = resolved.mode == "narrow" and len(resolved.within) == 1  # "how many cases did it look at?"
        if asks_figure_in(question) and not literal:  # a figure in one review, not a count of the collection
            named_one = () if resolved.mode or _OTHERS_RE.search(question) else self._named_cases(question)
            one = resolved.within if about_one else named_one if len(named_one) == 1 else ()
            figures = self._figures(question, one[0], resolved.query, interp) if one else None
            if figures is not None:
                return figures
        if interp.mode in ("count", "overview") and resolved.mode in (None, "narrow") and not about_one:
            # with a topic, the years, area or model named are the scope (the total); without one they are the
            # criterion itself ("how many used the SILP model": of all the reviews)
            records = self.records(self._question_filters(interp, filters) if interp.topic else filters)
            if resolved.mode == "narrow":
                records = [r for r in records if r.case_id in resolved.within]
            counted = tally(records, interp)
            if counted.count == 0 and interp.topic and interp.areas and not self._known_words(interp.topic):
                interp = dataclasses.replace(interp, topic="")  # "from merseyside - liverpool, sefton, wirral": places
                counted = tally(records, interp)
            words = self.concepts.distinctive(tokenize([lexical_query(interp.topic, False)])[0]) if interp.topic else ()
            if counted.count == 0 and interp.topic and not themes_named(interp.topic):
                if interp.mode == "overview" and interp.breakdown in ("theme", "area", "model", "year", "harm"):
                    interp = dataclasses.replace(interp, topic="")  # "top themes for a board paper": all reviews
                    counted = tally(records, interp)
                elif len(words) >= UNCOUNTED_WORDS:  # a topic of many words no one sentence holds: search it
                    uncounted = (
                        f"No review says \u201c{escape_markdown(interp.topic)}\u201d in one sentence, so there is no "
                        "exact count; the reviews closest to it are below."
                    )
                    interp = dataclasses.replace(interp, mode="find", breakdown=None)
                else:
                    hits = self.searcher.search(interp.topic, self.embedder.embed([interp.topic]), NEAREST, filters)
                    reason = f"No review in this collection mentions \u201c{escape_markdown(interp.topic)}\u201d."
                    return self._nothing(question, reason, hits)
            if not uncounted:
                answer = compose_count(question, interp, counted, self._records, resolved.query)
                if interp.topic and asks_learning_trend(question):  # "has the learning changed": it, earliest first
                    national = tally(records, dataclasses.replace(interp, national=True)).matching
                    answer = self._with_trend(answer, interp.topic, (*counted.matching, *national))
                return dataclasses.replace(answer, topic=interp.topic)
        role_key = interp.role
        named = self._named_cases(question)  # "the baby peter review": its age word is a name, not an age filter
        if named and resolved.mode is None and not _OTHERS_RE.search(question):  # not "other reviews like Josh"
            resolved = dataclasses.replace(resolved, mode="narrow", within=named)  # the reviews named, not others
        interp = dataclasses.replace(interp, age_bands=())  # "baby" also means a toddler: ages narrow only counts
        search_query = interp.topic or resolved.query
        if interp.topic and resolved.subject and resolved.follows:
            search_query = resolved.query
        earlier = next((a for a in reversed(history or ()) if a.cases), None)
        by_facet = bool(not interp.topic and (interp.place or interp.areas or interp.year_from or interp.year_to))
        by_facet = by_facet and resolved.mode == "narrow" and len(resolved.within) > 1
        if by_facet and earlier is not None and earlier.topic:  # "which of those were in london?": the same topic
            search_query = earlier.topic
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
            return Answer(question, text, no_answer=True, mode=AnswerMode.NONE, query=question)
        unknown = self.concepts.unknown_names(resolved.query)
        if unknown:
            names = " or ".join(escape_markdown(n) for n in unknown)
            return self._nothing(question, f"The reviews in this collection do not mention {names}.")
        # a role question always gets that role's learning; otherwise a key word no review uses, with no clear
        # match in other words, means the collection cannot answer
        concepts = self.concepts
        topic_vector = query_vector[0]
        missing = (
            self._missing(interp.topic, resolved.query, topic_vector, resolved.mode != "narrow", search_query)
            if interp.topic and not role_key
            else None
        )
        if role_key and interp.topic:  # a role's learning is no answer to a topic no review knows by its acronym
            missing = next(iter(concepts.unknown_acronyms(interp.topic)), None)
        nearest = self.searcher.search(search_query, query_vector, NEAREST, filters) if missing else []
        if missing and not missing.isupper() and nearest and nearest[0].dense_score >= CLEAR_TOPIC_MATCH:  # not "FGM"
            missing = None  # the reviews say it in other words, clearly enough
        if missing and resolved.mode == "narrow" and len(resolved.within) == 1 and resolved.within[0] in self._records:
            title = escape_markdown(self._records[resolved.within[0]].title)  # "what did that one say about X?"
            return self._not_in_last(
                question, f"**{title}** says nothing about \u201c{escape_markdown(missing)}\u201d."
            )
        if missing:
            return self._nothing(
                question,
                f"No review in this collection mentions \u201c{escape_markdown(missing)}\u201d, which is what your "
                "question is about.",
                nearest,
            )
        if resolved.age_bands and (filters is None or filters.age_band is None) and not named:
            filters = dataclasses.replace(filters or Filters(), age_band=",".join(resolved.age_bands))
        if resolved.mode == "narrow":  # "which of those ...": only the earlier answer's cases
            hits = self.searcher.search(search_query, query_vector, len(self._records), filters)
            hits = [h for h in hits if h.case_id in resolved.within]
            if interp.year_from or interp.year_to:  # "which of them were in 2016?": a year none has stays asked
                low, high = interp.year_from or 0, interp.year_to or 9999
                years_of = {h.case_id: getattr(self._records.get(h.case_id), "year", None) or 0 for h in hits}
                hits = [h for h in hits if low <= years_of[h.case_id] <= high]
            if interp.place:  # "which of those were in london?": the earlier cases from there
                hits = [h for h in hits if self._from_place(h.case_id, interp.place)]
                if not hits:
                    return self._not_in_last(
                        question, f"None of the reviews in the last answer is from {interp.place}."
                    )
            hits = hits[:ASK_CANDIDATES]
            if not hits:
                where = " or ".join(interp.areas) if interp.areas and not interp.topic else ""
                years = _years_phrase(interp.year_from, interp.year_to) if not interp.topic else ""
                what = " and ".join(p for p in (f"from {where}" if where else "", years) if p) or "about that"
                verb = "was" if years and not where else "is"
                return self._not_in_last(question, f"None of the reviews in the last answer {verb} {what}.")
        elif interp.place:  # "neglect cases in london": reviews from there only
            ranked = self.searcher.search(search_query, query_vector, len(self._records), filters)
            hits = [h for h in ranked if self._from_place(h.case_id, interp.place)]
            hits = (self._role_rerank(hits, role_key) if role_key else hits)[:ASK_CANDIDATES]
            if not hits:
                about = f" and about \u201c{escape_markdown(interp.topic)}\u201d" if interp.topic else ""
                return self._nothing(question, f"No review in this collection is from {interp.place}{about}.")
        elif role_key and not interp.topic:  # "what should GPs learn?": every review whose learning addresses GPs
            ranked = self.searcher.search(search_query, query_vector, len(self._records), filters)
            ranked = self._role_rerank(ranked, role_key, topic=False)
            hits = [h for h in ranked if self._addresses(h.case_id, role_key)][:ROLE_POOL] or ranked[:ASK_CANDIDATES]
        elif role_key:
            hits = self.searcher.search(search_query, query_vector, max(ROLE_POOL, THEME_POOL), filters)
            hits = self._role_rerank(self.theme_rerank(hits, interp, filters), role_key)[:ASK_CANDIDATES]
        else:
            hits = self.searcher.search(search_query, query_vector, THEME_POOL, filters)
            hits = self.theme_rerank(hits, interp, filters)[:ASK_CANDIDATES]
        if resolved.age_bands and resolved.subject:  # narrowed by age: keep cases that still concern the topic
            expand = bool(acronyms_in(resolved.subject))  # "CSE" needs its expansion; other words stand alone
            subject = self.concepts.distinctive(tokenize([lexical_query(resolved.subject, expand)])[0])
            hits = [h for h in hits if self.concepts.case_tokens.get(h.case_id, frozenset()) & subject]
            if not hits:
                return self._nothing(
                    question,
                    f"None of the reviews about \u201c{escape_markdown(resolved.subject)}\u201d concerns "
                    f"{escape_markdown(resolved.query.removesuffix(resolved.subject).strip())}.",
                )
        support = self.concepts.support(search_query, hits)
        chosen = bool(role_key and not interp.topic and interp.mode == "role")  # picked for the role, not for words
        chosen = chosen and any(self._addresses(h.case_id, role_key) for h in hits[:1])
        if chosen:
            support = dict.fromkeys((h.case_id for h in hits), 1.0)
        if resolved.mode == "narrow":  # cases already shown: a narrowing needs fewer of its own words
            support = {case: (LEXICAL_SUPPORT if share >= NARROW_SUPPORT else share) for case, share in support.items()}
        # "what does it say would help": about the one review just answered, whose best passages answer it when it
        # uses the question's words or the question asks what would help; otherwise the usual bar decides
        helps = asks_what_helps(interp.topic)  # its recommendations, in any words
        uses_words = not support or max(support.values()) >= LEXICAL_SUPPORT
        pinned = resolved.mode == "narrow" and len(resolved.within) == 1 and bool(hits)
        pinned = pinned and (uses_words or helps)
        # "which of those were in london?", "any of them from 2015?": a narrowing by place or year alone keeps
        # every earlier case that passes it
        pinned = pinned or (by_facet and bool(hits))
        if by_facet:
            chosen, support = True, dict.fromkeys((h.case_id for h in hits), 1.0)
        if pinned:
            chosen, support = True, dict.fromkeys((h.case_id for h in hits), 1.0)
        if not pinned and (not hits or not self.in_scope(search_query, hits) or not relevant_hits(hits, support)):
            part = asked_part(question) if not literal and resolved.mode is None else None
            if part:  # a story, then a question: answer the question part (the story's words found nothing)
                answer = self.ask(part, history, given_filters, role_key, literal)
                if not answer.no_answer:
                    lead = f"Answering the part of your question that asks: \u201c{escape_markdown(part)}\u201d\n\n"
                    return dataclasses.replace(answer, question=question, text=lead + answer.text)
            about = escape_markdown(search_query)
            reason = f"No review in this collection{_scope(filters)} is about \u201c{about}\u201d."
            if resolved.mode == "narrow" and len(resolved.within) == 1 and resolved.within[0] in self._records:
                title = escape_markdown(self._records[resolved.within[0]].title)
                return self._not_in_last(question, f"**{title}** says nothing about \u201c{about}\u201d.")
            if resolved.mode == "narrow":
                return self._not_in_last(
                    question, f"None of the reviews in the last answer is about \u201c{about}\u201d."
                )
            return self._nothing(question, reason, hits[:NEAREST])
        previous = next((a for a in reversed(history or ()) if a.cases), None)
        mode = searched_mode(interp.mode, previous, resolved.follows)
        compose = SPECS[mode].compose
        assert compose is not None  # a searched mode always has a composer
        shown_query = "" if not interp.topic and interp.roles else search_query
        also = self._theme_cases(interp, filters) if mode == AnswerMode.LEARNING and not role_key else ()
        learning, topic_vector = mode == AnswerMode.LEARNING, query_vector[0]
        story = len(interp.topic.split()) > STORY_WORDS  # one key word cannot stand for a story of many details
        keyed = {}
        if interp.topic and not learning and not story:
            keyed = concepts.on_concept(interp.topic, topic_vector, hits)
        ranked = concepts.key_words(interp.topic, topic_vector) if interp.topic and learning else []
        key_forms = concepts.forms(ranked[0][0]) if ranked else frozenset()
        if interp.topic and not learning:
            key_forms = concepts.quote_forms(interp.topic, topic_vector)
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
        if by_facet and answer.cases:  # "2 of the 5 reviews in the last answer are from London:"
            where = interp.place or " or ".join(interp.areas) or ""
            years = _years_phrase(interp.year_from, interp.year_to)
            what = " and ".join(p for p in (f"from {where}" if where else "", years) if p)
            shown = len(answer.cases)
            verb = ("was" if shown == 1 else "were") if years else ("is" if shown == 1 else "are")
            lead = f"{shown} of the {len(resolved.within)} reviews in the last answer {verb} {what}:"
            first, _, rest = answer.text.partition("\n")
            answer = dataclasses.replace(answer, text=f"{lead}\n{rest}")
        if (
            pinned
            and len(resolved.within) == 1
            and interp.topic
            and not helps
            and keyed.get(resolved.within[0]) is False
        ):
            # "did it involve a school exclusion?": it does not say, and the answer says so (no unrelated quote)
            record = self._records.get(resolved.within[0])
            word = ranked[0][0] if ranked else concepts.key_words(interp.topic, topic_vector)[0][0]
            title = escape_markdown(record.title if record else resolved.within[0])
            return self._not_in_last(question, f"**{title}** does not mention \u201c{escape_markdown(word)}\u201d.")
        if role_key and mode == AnswerMode.LEARNING and interp.topic and not role_points(answer, role_key):
            # nothing for the role on the topic: the topic's learning for every agency, said plainly (the judges
            # scored the role's learning on other subjects 0: off the question); the role's general learning only
            # when the topic has none
            general = self.ask(question, history, given_filters, None, literal, lens=False)
            if general.no_answer or general.mode != AnswerMode.LEARNING or self._role_near(interp, role_key, filters):
                answer = self._role_in_general(question, interp, role_key, query_vector, filters, evidence) or answer
            else:
                label = role_label(role_key)
                note = (
                    f"None of these reviews says anything specific to {label} on "
                    f"\u201c{escape_markdown(interp.topic)}\u201d. What they say on it for every agency:\n\n"
                )
                owner = f"{label}'" if label.endswith("s") else f"{label}'s"
                tail = f"\n\nFor {owner} learning on every subject, ask \u201cwhat should {label} learn?\u201d"
                answer = _without_unquoted(dataclasses.replace(general, text=note + general.text + tail))
        answer = dataclasses.replace(
            answer, topic=resolved.subject or interp.topic or topic(resolved.query), interpretation=interp
        )
        if learning and interp.topic and asks_learning_trend(question) and not answer.no_answer:
            theme_cases = self._theme_cases(dataclasses.replace(interp, both_scopes=True), filters)
            vector = topic_vector if search_query == interp.topic else None
            answer = self._with_trend(answer, interp.topic, (*answer.cases, *theme_cases), vector)
        if uncounted and not answer.no_answer:
            answer = dataclasses.replace(answer, text=f"{uncounted}\n\n{answer.text}")
        if self.settings.llm_url:
            llm = self.settings
            answer = generate(answer, llm.llm_url, llm.llm_model, llm.llm_timeout, support=llm.llm_support)
        return answer

    def _missing(
        self, topic: str, question: str, topic_vector: np.ndarray, meaning: bool = True, searched: str = ""
    ) -> str | None:
        """The key word no review uses (or an acronym none uses: "FGM"), for a topic the collection cannot answer; with
        ``meaning``, also the words no review uses when they carry the topic together ("bitten", "dog"); a question
        offering alternatives ("taking parents at their word / respectful uncertainty", "FGM or neglect") is
        answerable when any one of them is."""
        concepts = self.concepts

        def unknown(text: str) -> str | None:
            return concepts.missing_concept(text, topic_vector) or next(iter(concepts.unknown_acronyms(text)), None)

        missing = unknown(topic) or (concepts.unknown_pair(topic) if meaning else None)
        if not missing and meaning:
            words, similarity = concepts.unknown_meaning(topic, topic_vector if searched == topic else None)
            missing = "\u201d or \u201c".join(words[:2]) if similarity < UNKNOWN_MEANING else None
        parts = [p.strip() for p in _ALTERNATIVES_RE.split(question) if p.strip()]
        if not missing or len(parts) < 2:
            return missing
        if any(not unknown(interpret(part, self._areas).topic or part) for part in parts):
            return None
        return missing

    def _role_near(self, interp: Interpretation, role: str, filters: Filters | None) -> bool:
        """True when one of the few reviews nearest the topic addresses ``role``, a role few reviews address: its
        learning for the role, though not in the topic's words, is near enough to answer with (a probation tutor
        not passing on a violent man's new relationship). A role most reviews address (the police) says nothing
        by being near."""
        cases = [r for r in self._records.values() if r.kind == "case"]
        addressing = sum(self._addresses(r.case_id, role) for r in cases)
        if not cases or addressing > ROLE_RARE * len(cases):
            return False
        nearest = self.searcher.search(interp.topic, self.embedder.embed([interp.topic]), ROLE_NEAR, filters)
        return any(self._addresses(h.case_id, role) for h in nearest)

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
        ranked = self.searcher.search(interp.topic, query_vector, len(self._records), filters)
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

    def _from_place(self, case_id: str, place: str) -> bool:
        """True for a local review from ``place`` ("London": a London borough; "Wales": a Welsh area)."""
        record = self._records.get(case_id)
        return isinstance(record, Case) and not is_national(record) and names_place(record, place)

    def _named_cases(self, question: str) -> tuple[str, ...]:
        """The reviews whose child the question names: by a name of two words or more ("baby peter", "khyra
        ishaq"), or by a one-word name written with its capital ("Josh", "Maisie")."""
        text = f" {' '.join(re.findall(r'[a-z0-9]+', question.lower()))} "
        # a capitalised word first in the question is a name only when it names a review ("Josh's review")
        first = re.match(r"\s*([A-Z][a-z]{2,})\b(?!['\u2019]s\b| review| case| scr)", question)
        capitals = set(re.findall(r"(?<![\w'])([A-Z][a-z]{2,})\b", question)) - ({first[1]} if first else set())
        found = [
            case_id
            for name, case_ids in self._case_names.items()
            if (" " in name and f" {name} " in text) or (" " not in name and name.title() in capitals)
            for case_id in case_ids
        ]
        if _REPORT_WORD_RE.search(question):
            found += [case_id for title, ids in self._report_titles.items() if f" {title} " in text for case_id in ids]
        return tuple(dict.fromkeys(found))

    def _figures(self, question: str, case_id: str, query: str, interp: Interpretation) -> Answer | None:
        """The sentences of one review that give the figures a question asks for ("how many cases did it look
        at?"), most relevant first; None when the review's summary gives no figures."""
        record = self._records.get(case_id)
        units = self.index.units
        numbered = [
            u
            for u in self._units_by_case.get(case_id, [])
            if _NUMBER_RE.search(units[u].text) and not is_metadata(units[u].text)
        ]
        if record is None or not numbered:
            return None
        text = interp.topic or query
        evidence = self._evidence(text, self.embedder.embed([text])[0], None)
        scored = sorted(((evidence.score(u, lens=False), u) for u in numbered), key=lambda p: (-p[0], p[1]))
        chosen = [u for score, u in scored if score >= scored[0][0] - FIGURE_MARGIN][:MAX_FIGURES]
        composer = Composer(self._records)
        lines = [f"The figures {describe(record)} gives on that:", ""]
        lines += [f"- {composer.quote(units[u])}" for u in sorted(chosen)]
        return Answer(
            question,
            "\n".join(lines),
            tuple(composer.citations),
            (case_id,),
            mode=AnswerMode.CASE_DETAIL,
            query=query,
            topic=text,
            interpretation=interp,
        )

    def _known_words(self, text: str) -> list[str]:
        """The words of ``text`` (three letters or more) that some review uses, in any form."""
        return [w for w in re.findall(r"[^\W\d_]{3,}", text) if self.concepts.known_word(w)]

    def _with_trend(
        self, answer: Answer, topic_text: str, case_ids: Sequence[str], vector: np.ndarray | None = None
    ) -> Answer:
        """The answer with, after its first part, each review's learning on the topic in the order published (the
        earliest first): how the learning has changed over the years, in the reviews' own words (``vector``: the
        topic's, when already embedded)."""
        vector = self.embedder.embed([topic_text])[0] if vector is None else vector
        evidence = self._evidence(topic_text, vector, None)
        units, composer = self.index.units, Composer(self._records)
        composer.citations = list(answer.citations)  # new quotes number on from the answer's own
        reviews = sorted(
            {c for c in case_ids if isinstance(self._records.get(c), Case)},
            key=lambda c: (self._records[c].year, self._records[c].month, c),
        )
        lines = []
        for case_id in reviews:
            record, unit_ids = self._records[case_id], self._units_by_case.get(case_id, [])
            best = evidence.best(unit_ids, LEARNING_SECTIONS, set())
            if best is None or evidence.score(best, lens=False) < TREND_FLOOR:
                continue
            lines.append(f"- **{record.year}**, {escape_markdown(record.title)}: {composer.quote(units[best])}")
        if len(lines) < 2:
            return answer
        if len(lines) > MAX_TREND_LINES:  # the six earliest and the latest
            lines = [*lines[:6], *lines[6 - MAX_TREND_LINES :]]
        head, cut, rest = answer.text.partition("\n\nEvery review counted:")
        section = (
            "\n\nHow the learning on this reads over the years (earliest first, each review's own words):\n"
            + "\n".join(lines)
        )
        text = head + section + cut + rest
        return dataclasses.replace(answer, text=text, citations=tuple(composer.citations))

    def theme_rerank(
        self, hits: Sequence[Hit], interp: Interpretation, filters: Filters | None, rescore: bool = False
    ) -> list[Hit]:
        """Hits with the reviews that name the topic's taxonomy theme ("neglect", "co-sleeping") raised by a share of
        the best score: a review whose summary, key issues or keywords name the theme is about it. With
        ``rescore``, each hit carries its raised score (a search shows scores; an answer's bars use the fused one)."""
        if not hits or not interp.topic or not themes_named(interp.topic):
            return list(hits)
        key = (interp.topic, interp.age_bands, filters)
        named = self._themed.get(key)  # read once: another thread may replace the cache meanwhile
        if named is None:
            scope = dataclasses.replace(interp, both_scopes=True, place=None)
            named = frozenset(self._theme_cases(scope, filters))
            self._themed = {key: named}  # the last topic only
        top = hits[0].score
        boosted = [(h.score + (THEME_BOOST * top if h.case_id in named else 0.0), i) for i, h in enumerate(hits)]
        ordered = sorted(boosted, key=lambda pair: (-pair[0], pair[1]))
        return [dataclasses.replace(hits[i], score=score) if rescore else hits[i] for score, i in ordered]

    def _theme_cases(self, interp: Interpretation, filters: Filters | None) -> tuple[str, ...]:
        """The local reviews that name the topic's taxonomy theme (none when the topic names no theme)."""
        if not interp.topic or not themes_named(interp.topic):
            return ()
        return tally(self.records(filters), dataclasses.replace(interp, mode="count", breakdown=None)).matching

    def _addresses(self, case_id: str, role: str) -> bool:
        """True when the case's learning, recommendations, findings or key issues address ``role``."""
        units, record = self.index.units, self._records[case_id]
        return any(
            learning_weight(record, units[u], units[u].section) is not None and for_role(role, record, units[u])
            for u in self._units_by_case.get(case_id, [])
        )

    def _role_rerank(self, hits: Sequence[Hit], role: str, topic: bool = True) -> list[Hit]:
        """Hits with the cases whose learning addresses ``role`` moved up (the profession lens on ranking): by up to
        half the best score on a topic, in proportion to how much the review says to the role; with no topic
        ("what should GPs learn?"), mainly by how much it says to the role."""
        if not hits:
            return []
        top = hits[0].score
        boosted = []
        for i, h in enumerate(hits):
            strength = self._role_strength(h.case_id, role)
            bonus = ROLE_TOPIC_BOOST * min(1.0, strength / ROLE_STRENGTH_CAP) if topic else ROLE_ONLY_BOOST * strength
            boosted.append((h.score + top * bonus, i))
        return [hits[i] for _, i in sorted(boosted, key=lambda pair: (-pair[0], pair[1]))]

    def _role_strength(self, case_id: str, role: str) -> float:
        """How much a review says to ``role``: its sentences for the role, a learning point weighted by its section
        (1 for Learning) and another sentence 0.3 (computed once per review and role)."""
        key = (case_id, role)
        if key not in self._strengths:
            record, units = self._records[case_id], self.index.units
            weights = (
                learning_weight(record, units[u], units[u].section)
                for u in self._units_by_case.get(case_id, [])
                if for_role(role, record, units[u])
            )
            self._strengths[key] = sum(OTHER_ROLE_WEIGHT if w is None else w for w in weights)
        return self._strengths[key]

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

    def _evidence(self, query: str, query_vector: np.ndarray, role: str | None) -> Evidence:
        own = set(tokenize([query])[0])
        extra = set(tokenize([" ".join(expansions(query))])[0]) if self.settings.expand_synonyms else set()
        return Evidence(
            self.index.units,
            self.index.sentence_vectors.vectors(),
            self.concepts.unit_tokens,
            query_vector,
            frozenset(own | extra),
            len(own),
            role,
        )

    def _not_in_last(self, question: str, reason: str) -> Answer:
        """A follow-up the earlier answer's reviews do not answer: said plainly, without the collection's summary
        (the reviews were just named)."""
        return Answer(question, reason, no_answer=True, mode=AnswerMode.NONE, query=question)

    def _nothing(self, question: str, reason: str, nearest: Sequence[Hit] = ()) -> Answer:
        cases = [r for r in self._records.values() if isinstance(r, Case)]
        years = sorted({c.year for c in cases})
        span = "" if not years else str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        documents = len(self._records) - len(cases)
        noun = "case review summary" if len(cases) == 1 else "case review summaries"
        summary = f"{len(cases)} {noun}" + (f" published in {span}" if span else "")
        if documents:
            summary += f" and {documents} other document{'s' if documents > 1 else ''} on learning from reviews"
        counts = Counter(k.lower() for c in cases for k in c.keywords)
        themes = [k for k, _ in counts.most_common(6)]
        shown = [(self._records[h.case_id], h.section) for h in nearest if h.case_id in self._records]
        return compose_none(question, reason, themes, summary, shown)
