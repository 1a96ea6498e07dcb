"""Extractive answers: verbatim evidence chosen sentence by sentence from the retrieved cases, cited."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.counting import themes_named
from assistant.answer.present import escape_markdown
from assistant.answer.roles import ROLE_NAMES, concerns_role, role_label
from assistant.indexing.chunk import MONTH_NAMES
from assistant.indexing.sentences import Unit
from assistant.records import Answer, AnswerMode, Case, Citation, Hit, Record

_LEARNING_RE = re.compile(
    r"\b(lessons?|learn(?:ing|t|ed)?(?!\s+(?:disabilit|difficult))|recommend\w*|barriers?|enablers?|"
    r"themes?|what should|what can|what stops|what helps|why|how (?:can|should|do|does))\b",
    re.I,
)
_CASES_RE = re.compile(
    r"^\s*(?:(?:are there|show me|find|give me|list|any)\s+(?:any\s+)?)?(?:cases?|examples?|reviews?)\b"
    r"|\b(?:cases?|examples?|reviews?)\s+(?:involving|about|of|where|with|in which)\b",
    re.I,
)
EVIDENCE_SECTIONS = ("Summary", "Background", "Key issues", "Findings", "Notes")
LEARNING_SECTIONS = ("Learning", "Recommendations", "Findings", "Key issues")
SECTION_WEIGHT = {"Learning": 1.0, "Recommendations": 0.97, "Findings": 0.9, "Key issues": 0.8}
LEARNING_POOL = 12  # learning answers draw on the units of at most this many hits past the relevance bar
UNIT_CUTOFF = 0.7  # a learning point joins when it scores at least this share of the best one
MAX_CASES = 5
ECHO_WORDS = 14  # a case list repeats the topic it matched up to this many words; a longer story is "what you describe"
MAX_BULLETS = 6
POINTS_PER_REVIEW = 2  # points quoted from one review at most (1 on dev: 5 more irrelevant reviews for 1 relevant)
DUPLICATE_COSINE = 0.8
# a case joins a case list when its fused score is at least this share of the best (dev cited relevant / relevant
# cited: 0.55 0.74 / 0.56, 0.7 0.79 / 0.54, 0.75 0.81 / 0.54; at 0.75 "teenager suicide in custody" lost Leeds Child V
# at 0.71 of the best; eval/QUALITY.md)
RELATIVE_CUTOFF = 0.7
LOOSE_CUTOFF = 0.55  # ... or at least this share when it uses every distinctive word of the topic
ABSOLUTE_DENSE = 0.30  # a case shown must reach this cosine with the topic ...
LEXICAL_SUPPORT = 0.5  # ... or use at least this share of the topic's distinctive words
CLEAR_TOPIC_MATCH = 0.5  # this close to the topic, a case is listed, and a question answered, without its key word
DENSE_SHARE = 0.8  # after the first, a case shown reaches this share of the best topic similarity ...
STRONG_SUPPORT = 0.6  # ... or uses this share of the topic's distinctive words (measured: eval/QUALITY.md)
GENERAL_POINTS = 2  # general points shown after a role's own
POINT_FLOOR = 0.35  # a learning point on a topic must reach this relevance to it (0.3-0.5 measured, eval/QUALITY.md)
FEWEST_POINTS = 3  # when no point reaches the floor, the best two are still shown
ROLE_POINT_FLOOR = 0.3  # a role's point must reach this relevance to the question's topic (0.25-0.45 measured)
ALSO_DENSE = 0.45  # a learning answer also names, without quotes, reviews this close to the topic ...
ALSO_SUPPORT = 0.75  # ... or using this share of its distinctive words
ROLE_ALSO_DENSE = 0.45  # a role answer names them at this closeness (0.5 before: panel-gold role recall 0.445 -> 0.493)
OTHER_SECTIONS = ("Key issues", "Learning", "Findings", "Recommendations", "Background", "Summary", "Keywords")
OTHER_KEYED_DENSE = 0.3  # a further review's sentence with the topic's word is quoted at this cosine to the topic
OTHER_DENSE = 0.55  # ... and one without it at this
STORY_LEARNING_WORDS = 20  # a case list's first case keeps its learning line for a story of more words than this
MAX_OTHERS = 10  # a learning answer names at most this many further reviews without quotes
LEXICAL_WEIGHT = 0.3
ROLE_BOOST = 0.25


def classify(question: str) -> AnswerMode:
    """CASES for a case-finding question, LEARNING for a learning or theme question."""
    if _CASES_RE.search(question):
        return AnswerMode.CASES
    return AnswerMode.LEARNING if _LEARNING_RE.search(question) else AnswerMode.CASES


@dataclass
class Evidence:
    """Scores query relevance of quotable units (dense similarity plus word overlap)."""

    units: Sequence[Unit]
    vectors: np.ndarray
    unit_tokens: Sequence[frozenset[str]]
    query_vector: np.ndarray
    query_tokens: frozenset[str]  # the query's stemmed words and those of its synonym expansions
    query_size: int  # how many stemmed words the query itself has
    role: str | None = None

    def score(self, unit_id: int, lens: bool = True) -> float:
        """Relevance of one unit to the query (with the role boost, if a role is set and ``lens``)."""
        dense = float(self.vectors[unit_id] @ self.query_vector)
        overlap = min(1.0, len(self.unit_tokens[unit_id] & self.query_tokens) / max(self.query_size, 1))
        boost = ROLE_BOOST if lens and self.role and concerns_role(self.role, self.units[unit_id].text) else 0.0
        return dense + LEXICAL_WEIGHT * overlap + boost

    def best(
        self, unit_ids: Sequence[int], sections: Sequence[str], exclude: set[int], prefer: frozenset[str] = frozenset()
    ) -> int | None:
        """The best unit among ``unit_ids`` in ``sections`` (section order breaks near-ties); one that uses a
        token of ``prefer`` (the topic's key word) when there is one."""
        candidates = [u for u in unit_ids if self.units[u].section in sections and u not in exclude]
        if not candidates:
            return None
        candidates = [u for u in candidates if prefer & self.unit_tokens[u]] or candidates
        return max(candidates, key=lambda u: (self.score(u), -sections.index(self.units[u].section), -u))


class Composer:
    """Builds numbered citations and the markdown that refers to them."""

    def __init__(self, records: dict[str, Record]) -> None:
        self.records = records
        self.citations: list[Citation] = []

    def cite(self, unit: Unit) -> int:
        """The marker number for a unit's quote (one number per distinct quote)."""
        for citation in self.citations:
            if citation.case_id == unit.case_id and citation.quote == unit.text and citation.section == unit.section:
                return citation.n
        record = self.records[unit.case_id]
        n = len(self.citations) + 1
        self.citations.append(
            Citation(
                n, unit.case_id, record.title, unit.section, unit.text, record.kind, record.year, record.area, unit.page
            )
        )
        return n

    def quote(self, unit: Unit) -> str:
        """The unit as a quoted, cited phrase."""
        return f"\u201c{escape_markdown(unit.text)}\u201d [{self.cite(unit)}]"


def describe(record: Record) -> str:
    """'Oldham - Child D (January 2015, Oldham)', or a document's title with its year and area when known."""
    if isinstance(record, Case):
        when = f"{MONTH_NAMES[record.month]} {record.year}".strip()
        return f"**{escape_markdown(record.title)}** ({when}, {escape_markdown(record.area)})"
    facts = ", ".join(escape_markdown(str(f)) for f in (record.year, record.area) if f)
    return f"**{escape_markdown(record.title)}**" + (f" ({facts})" if facts else "")


@dataclass(frozen=True)
class Context:
    """What an answer is composed from: the question, what was searched, the hits and the evidence."""

    question: str
    query: str
    hits: Sequence[Hit]
    evidence: Evidence
    units_by_case: dict[str, list[int]]
    records: dict[str, Record]
    support: Mapping[str, float] = field(default_factory=dict)  # share of the topic's distinctive words per case
    chosen: bool = False  # the hits were chosen already (every review addressing a role): no relevance bar
    also: tuple[str, ...] = ()  # reviews that name the topic's theme (taxonomy), listed after the quoted points
    on_concept: Mapping[str, bool] = field(default_factory=dict)  # per case: does it use the topic's key word
    key_forms: frozenset[str] = frozenset()  # the tokens that count as the topic's key word

    def unpack(self) -> tuple[str, str, Sequence[Hit], Evidence, dict[str, list[int]], dict[str, Record]]:
        """The fields in order, for the compose functions."""
        return self.question, self.query, self.hits, self.evidence, self.units_by_case, self.records


def relevant_hits(
    hits: Sequence[Hit],
    support: Mapping[str, float] | None = None,
    listing: bool = True,
    on_concept: Mapping[str, bool] | None = None,
) -> list[Hit]:
    """The hits worth showing: close to the best one AND past an absolute bar (the topic's similarity, or
    the case using the topic's own distinctive words), so a list may be one case long and is never padded.
    A case list (``listing``) keeps only cases that use the topic's key word (``on_concept``) or match it
    clearly, and after the first only cases near the best topic similarity."""
    if not hits:
        return []
    support = support or {}
    passed = [h for h in hits if h.dense_score >= ABSOLUTE_DENSE or support.get(h.case_id, 0.0) >= LEXICAL_SUPPORT]
    if not passed:
        return []
    if not listing:  # learning points: every hit past the bar; the units' own cutoff picks the points
        return passed[:LEARNING_POOL]
    on_concept = on_concept or {}
    # a case listed uses the topic's key word, or matches the topic clearly in other words
    keyed = [h for h in passed if on_concept.get(h.case_id, True) or h.dense_score >= CLEAR_TOPIC_MATCH]
    passed = keyed or passed
    top, top_dense = passed[0].score, max(h.dense_score for h in passed)
    return [
        h
        for i, h in enumerate(passed)
        if (h.score >= RELATIVE_CUTOFF * top or (h.score >= LOOSE_CUTOFF * top and support.get(h.case_id, 0.0) >= 1.0))
        and (i == 0 or h.dense_score >= DENSE_SHARE * top_dense or _strongly_worded(h, support))
    ]


def _strongly_worded(hit: Hit, support: Mapping[str, float]) -> bool:
    return support.get(hit.case_id, 0.0) >= STRONG_SUPPORT


_METADATA_RE = re.compile(
    r"\b(?:was|were|is|are|has been|have been) (?:published|released|commissioned|undertaken|carried out|written|"
    r"authored|chaired|conducted|completed)\b|\bpublished (?:in|on|at|alongside|together|with|by)\b|"
    r"\bone of (?:two|three|four|five|several) (?:reviews|reports)\b|\bexecutive summary\b|\bthe (?:overview )?"
    r"report (?:was|is)\b|\bindependent (?:author|chair|reviewer)\b|\bterms of reference\b|\bthe review (?:panel"
    r"|team)\b|\bthe (?:report|review|study) (?:covers|sets out|looks at|describes|considers|examines|summarises)\b"
    r"|\b(?:findings|recommendations) (?:are|were) (?:addressed|made) (?:both )?to\b|\bawarded a contract\b"
    r"|\bto undertake a (?:small )?(?:study|review)\b",
    re.I,
)


def is_metadata(text: str) -> bool:
    """True for a sentence about a review's publication, authorship or process: metadata, never evidence."""
    return _METADATA_RE.search(text) is not None


def compose_cases(ctx: Context) -> Answer:
    """A case-finding answer: each relevant case once, with evidence and its key learning."""
    question, query, hits, evidence, units_by_case, records = ctx.unpack()
    composer = Composer(records)
    shown: list[str] = []
    lines: list[str] = []
    role_found = False
    for hit in relevant_hits(hits, ctx.support, on_concept=ctx.on_concept):
        if hit.case_id in shown or len(shown) == MAX_CASES:
            continue
        unit_ids = units_by_case.get(hit.case_id, [])
        record = records[hit.case_id]
        if record.kind == "report":  # a full report: evidence from the matching section, learning from its own
            evidence_id = evidence.best(unit_ids, (hit.section,), set())
            lessons = tuple(s.name for s in record.sections() if _LESSON_SECTION.search(s.name))
            learning_id = evidence.best(unit_ids, lessons, {evidence_id}) if lessons else None
        elif record.kind != "case":
            sections = (hit.section,)
            evidence_id = evidence.best(unit_ids, sections, set())
            learning_id = None
        else:
            evidence_id = evidence.best(unit_ids, EVIDENCE_SECTIONS, set())
            learning_id = evidence.best(unit_ids, ("Learning", "Recommendations"), {evidence_id}, ctx.key_forms)
        if evidence_id is None:
            continue
        # a learning line that is not about the question is left out; the first case of a long story keeps its
        # line (the story is about that case, and "what did they find" is what the asker wants from it)
        story_first = not shown and len(query.split()) > STORY_LEARNING_WORDS
        if learning_id is not None and ctx.query and not story_first and not _on_question(ctx, learning_id):
            learning_id = None
        if learning_id is None and story_first and record.kind == "case":  # its finding, when it states no lesson
            learning_id = evidence.best(unit_ids, ("Findings", "Key issues"), {evidence_id})
        shown.append(hit.case_id)
        heading = describe(record) + (f" — {escape_markdown(hit.section)}" if record.kind != "case" else "")
        lines.append(f"{len(shown)}. {heading}")
        lines.append(f"   - Why it matches: {composer.quote(evidence.units[evidence_id])}")
        if learning_id is not None:
            section = evidence.units[learning_id].section
            label = "Recommendation" if "ecommend" in section else "Learning" if section == "Learning" else "Finding"
            lines.append(f"   - {label}: {composer.quote(evidence.units[learning_id])}")
            role_found |= bool(evidence.role and concerns_role(evidence.role, evidence.units[learning_id].text))
        role_found |= bool(evidence.role and concerns_role(evidence.role, evidence.units[evidence_id].text))
    count = "One review matches" if len(shown) == 1 else f"{len(shown)} reviews match"
    asked = f"\u201c{escape_markdown(query)}\u201d" if len(query.split()) <= ECHO_WORDS else "what you describe"
    text = "\n".join([f"{count} {asked}, most relevant first.", "", *lines])
    text += _role_note(evidence.role, role_found)
    return Answer(question, text, tuple(composer.citations), tuple(shown), mode=AnswerMode.CASES, query=query)


def _on_question(ctx: Context, unit_id: int) -> bool:
    """True when a case's learning line relates to the question: it uses the topic's key word, or it reaches the
    relevance a learning point needs."""
    return bool(ctx.key_forms & ctx.evidence.unit_tokens[unit_id]) or ctx.evidence.score(unit_id) >= POINT_FLOOR


def learning_weight(record: Record, unit: Unit, hit_section: str = "") -> float | None:
    """How much a unit counts as learning: by section for a case or a report's lessons; for another document,
    the section that matched (its introduction less); None when it is not learning."""
    if record.kind == "case":
        return SECTION_WEIGHT.get(unit.section)
    if record.kind == "report":
        return 1.0 if _LESSON_SECTION.search(unit.section) else None
    if unit.section != hit_section:
        return None
    return 0.6 if unit.section == "Introduction" else 1.0  # an introduction describes rather than teaches


def _learning_candidates(ctx: Context, hits: Sequence[Hit]) -> list[tuple[float, int]]:
    """Learning units of ``hits`` with their weighted relevance to the query, best first."""
    evidence, units_by_case, records = ctx.evidence, ctx.units_by_case, ctx.records
    candidates: list[tuple[float, int]] = []
    for hit in hits:
        for unit_id in units_by_case.get(hit.case_id, []):
            unit = evidence.units[unit_id]
            weight = learning_weight(records[hit.case_id], unit, hit.section)
            if weight is not None and not is_metadata(unit.text):
                candidates.append((evidence.score(unit_id, lens=False) * weight, unit_id))
    candidates.sort(key=lambda pair: (-pair[0], pair[1]))
    if candidates:
        floor = UNIT_CUTOFF * candidates[0][0]
        candidates = [(score, u) for score, u in candidates if score >= floor]
        on_topic = [(score, u) for score, u in candidates if score >= POINT_FLOOR or not ctx.query]
        candidates = on_topic or candidates[:FEWEST_POINTS]
    if ctx.key_forms:  # points that use the topic's key word, when there are enough of them
        keyed = [(score, u) for score, u in candidates if ctx.key_forms & ctx.evidence.unit_tokens[u]]
        candidates = keyed if len(keyed) >= FEWEST_POINTS else candidates
    return candidates


def _role_candidates(ctx: Context, hits: Sequence[Hit], role: str) -> list[tuple[float, int]]:
    """Learning, recommendations and findings that address ``role``, from every hit above the bar, best first:
    on the topic when the question has one (the share-of-best cutoff of general points does not apply)."""
    evidence, units_by_case = ctx.evidence, ctx.units_by_case
    out = []
    for hit in hits:
        for unit_id in units_by_case.get(hit.case_id, []):
            unit = evidence.units[unit_id]
            weight = learning_weight(ctx.records[hit.case_id], unit, hit.section)
            if weight is not None and for_role(role, ctx.records[hit.case_id], unit) and not is_metadata(unit.text):
                score = evidence.score(unit_id, lens=False) * weight
                if not ctx.query or score >= ROLE_POINT_FLOOR:
                    out.append((score, unit_id))
    return sorted(out, key=lambda pair: (-pair[0], pair[1]))


def _group_points(ctx: Context, candidates: Sequence[tuple[float, int]], limit: int) -> list[list[int]]:
    """Distinct points (near-duplicates merged, with every review that carries them), most recurrent first."""
    evidence, records = ctx.evidence, ctx.records
    bullets: list[list[int]] = []
    per_source: dict[tuple[str, str], int] = {}
    order: dict[int, float] = {}
    for score, unit_id in candidates:
        unit = evidence.units[unit_id]
        duplicate = next((b for b in bullets if _similar(evidence, b[0], unit_id)), None)
        if duplicate is not None:
            if unit.case_id not in {evidence.units[u].case_id for u in duplicate}:
                duplicate.append(unit_id)
            continue
        source = (unit.case_id, unit.section if records[unit.case_id].kind != "case" else "")
        if per_source.get(source, 0) >= POINTS_PER_REVIEW:
            continue
        bullets.append([unit_id])
        order[unit_id] = score
        per_source[source] = per_source.get(source, 0) + 1
    bullets.sort(key=lambda b: (-len({evidence.units[u].case_id for u in b}), -order[b[0]]))
    return bullets[:limit]


def _bullet_lines(ctx: Context, composer: Composer, bullets: Sequence[list[int]], marker: str = "") -> list[str]:
    lines = []
    for bullet in bullets:
        units = [ctx.evidence.units[u] for u in bullet]
        parts = [f"{composer.quote(u)} — {_source(ctx.records[u.case_id], u)}" for u in units]
        reviews = len({u.case_id for u in units})
        recurs = f" *(in {reviews} reviews)*" if reviews > 1 else ""
        lines.append(f"- {marker}" + "; also ".join(parts) + recurs)
    return lines


def compose_learning(ctx: Context) -> Answer:
    """A learning answer: distinct points from every review above the bar, near-duplicates merged, the most
    recurrent first; with a role, that role's own points first and general ones after, marked as such."""
    question, query, _, evidence, _, records = ctx.unpack()
    hits = list(ctx.hits) if ctx.chosen else relevant_hits(ctx.hits, ctx.support, listing=False)
    candidates = _learning_candidates(ctx, hits)
    role = evidence.role
    composer = Composer(records)
    lines: list[str] = []
    if role:
        own = _role_candidates(ctx, hits, role)
        units = evidence.units
        general = [(s, u) for s, u in candidates if not for_role(role, records[units[u].case_id], units[u])]
        own_bullets = _group_points(ctx, own, MAX_BULLETS)
        general_bullets = _group_points(ctx, general, max(0, min(GENERAL_POINTS, MAX_BULLETS - len(own_bullets))))
        if own_bullets:
            lines += _bullet_lines(ctx, composer, own_bullets)
        else:
            lines.append(f"None of these reviews says anything specific to {role_label(role)} on this.")
        if general_bullets:
            lines += ["", f"General learning (not specific to {role_label(role)}):"]
            lines += _bullet_lines(ctx, composer, general_bullets)
        bullets = own_bullets + general_bullets
    else:
        bullets = _group_points(ctx, candidates, MAX_BULLETS)
        lines += _bullet_lines(ctx, composer, bullets)
    cases = tuple(dict.fromkeys(evidence.units[u].case_id for b in bullets for u in b))
    strong = [h.case_id for h in hits if records[h.case_id].kind == "case" and _strong(h, ctx, bool(role))]
    others = [c for c in dict.fromkeys([*ctx.also, *strong]) if c not in cases and c in records][:MAX_OTHERS]
    lines += _other_lines(ctx, composer, others)
    shown = (*cases, *others)
    sources = "one review" if len(cases) == 1 else f"{len(cases)} reviews"
    lens = f" for {role_label(role)}" if role else ""
    subject = f" on \u201c{escape_markdown(query)}\u201d" if query else ""
    text = "\n".join([f"Learning{lens}{subject} from {sources}:", "", *lines])
    return Answer(question, text, tuple(composer.citations), shown, mode=AnswerMode.LEARNING, query=query)


def _other_lines(ctx: Context, composer: Composer, others: Sequence[str]) -> list[str]:
    """The further reviews on the topic, each with its one sentence most on the question (from any section, as
    what that review records rather than a learning point), or named alone when no sentence of it is."""
    quoted, named = [], []
    role = ctx.evidence.role
    themes = themes_named(ctx.query) if ctx.query else []
    for case_id in others:
        unit_ids = [u for u in ctx.units_by_case.get(case_id, []) if not is_metadata(ctx.evidence.units[u].text)]
        # a sentence naming the topic's theme (what put the review on this) when there is one
        naming = [u for u in unit_ids if any(t.pattern.search(ctx.evidence.units[u].text) for t in themes)]
        best = ctx.evidence.best(naming or unit_ids, OTHER_SECTIONS, set(), ctx.key_forms)
        keyed = best is not None and bool(ctx.key_forms & ctx.evidence.unit_tokens[best])
        # close in meaning, not only in words: a sentence using the word in passing ("lived with his father") is not
        dense = float(ctx.evidence.vectors[best] @ ctx.evidence.query_vector) if best is not None else 0.0
        told = best is not None and ctx.evidence.units[best].section != "Background"  # not a passing circumstance
        on_question = (keyed and told and dense >= OTHER_KEYED_DENSE) or dense >= OTHER_DENSE
        if best is not None and on_question and len(ctx.evidence.units[best].text.split()) >= 4:
            unit = ctx.evidence.units[best]
            quoted.append(f"- {describe(ctx.records[case_id])}, {unit.section.lower()}: {composer.quote(unit)}")
        else:
            named.append(describe(ctx.records[case_id]))
    head = "Other reviews on this (what each records, in one sentence):"
    if role:  # not the role's own points: said so, so they are not read as learning for the role
        head = f"Other reviews on this, not addressed to {role_label(role)} (what each records, in one sentence):"
    lines = ["", head, *quoted] if quoted else []
    if named:
        lead = "Also on this, not quoted" if quoted else "Other reviews on this, not quoted above"
        lines += ["", f"{lead}: {'; '.join(named)}."]
    return lines


def role_points(answer: Answer, role: str) -> int:
    """How many of an answer's quotes concern ``role``."""
    return sum(concerns_role(role, c.quote) or concerns_role(role, c.title) for c in answer.citations)


def for_role(role: str, record: Record, unit: Unit) -> bool:
    """True when the unit's learning is for ``role``: it names the role's work, or the whole review is of the role's
    setting (every lesson of the review of a nursery is a lesson for early years staff)."""
    named = ROLE_NAMES.get(role)  # the title names the role's setting ("Little Ted's Nursery"), not its broad work
    return concerns_role(role, unit.text) or bool(named and named.search(record.title))


def _strong(hit: Hit, ctx: Context, role: bool = False) -> bool:
    """A match clear enough to name without a quote: close to the topic, or using most of its words (under a
    role lens, closer still: the role's own points already carry the answer)."""
    dense = ROLE_ALSO_DENSE if role else ALSO_DENSE
    return hit.dense_score >= dense or ctx.support.get(hit.case_id, 0.0) >= ALSO_SUPPORT


def compose_case_detail(ctx: Context, case_id: str, sections: Sequence[str]) -> Answer:
    """A follow-up about one case already cited: the sections asked for, or the whole case."""
    question, _, _, evidence, units_by_case, records = ctx.unpack()
    record = records[case_id]
    composer = Composer(records)
    unit_ids = units_by_case.get(case_id, [])
    wanted = list(sections) or [s.name for s in record.sections()]
    lines = [describe(record), ""]
    found = [s for s in wanted if any(evidence.units[u].section == s for u in unit_ids)]
    if sections and not found:
        lines.append(f"The review summary has no {' or '.join(s.lower() for s in sections)} section. What it does say:")
        found = [s.name for s in record.sections() if any(evidence.units[u].section == s.name for u in unit_ids)]
    for section in found:
        quotes = [composer.quote(evidence.units[u]) for u in unit_ids if evidence.units[u].section == section]
        lines.append(f"- **{escape_markdown(section)}**: " + " ".join(quotes))
    citations = tuple(composer.citations)
    return Answer(question, "\n".join(lines), citations, (case_id,), mode=AnswerMode.CASE_DETAIL, query=question)


def compose_none(
    question: str,
    reason: str,
    themes: Sequence[str],
    corpus_summary: str,
    nearest: Sequence[tuple[Record, str]] = (),
) -> Answer:
    """An honest 'nothing relevant' answer with what the corpus does cover and, apart and labelled, the
    nearest cases; no citations."""
    text = reason
    if nearest:
        names = [
            describe(r) + (f" — {escape_markdown(section)}" if r.kind != "case" and section else "")
            for r, section in nearest
        ]
        text += "\n\nNearest reviews (they share some words with your question, but none is about it):\n" + "\n".join(
            f"- {n}" for n in names
        )
    text += (
        f"\n\nThis collection holds {corpus_summary}. It covers themes such as "
        f"{', '.join(escape_markdown(t) for t in themes)}. Try asking about one of those, for example \u201ccases "
        f"involving {escape_markdown(themes[0]) if themes else 'neglect'}\u201d."
    )
    ids = tuple(dict.fromkeys(r.case_id for r, _ in nearest))
    return Answer(question, text, no_answer=True, mode=AnswerMode.NONE, query=question, nearest=ids)


def _similar(evidence: Evidence, a: int, b: int) -> bool:
    return float(evidence.vectors[a] @ evidence.vectors[b]) >= DUPLICATE_COSINE


def _source(record: Record, unit: Unit) -> str:
    if isinstance(record, Case):
        return escape_markdown(f"{record.title}, {MONTH_NAMES[record.month]} {record.year}".replace(",  ", ", "))
    return escape_markdown(f"{record.title}: {unit.section}")


def _role_note(role: str | None, found: bool) -> str:
    if not role or found:
        return ""
    return f"\n\nNone of these reviews says anything specific to {role_label(role)}; the learning shown is general."


_LESSON_SECTION = re.compile(r"recommend|learning|lesson", re.IGNORECASE)
_MARKER_RE = re.compile(r"\[(\d+)\]")


def citation_problems(answer: Answer, records: dict[str, Record]) -> list[str]:
    """What breaks the citation rules: markers without citations, quotes not verbatim in the case."""
    problems = []
    numbers = {c.n for c in answer.citations}
    for marker in _MARKER_RE.findall(answer.text):
        if int(marker) not in numbers:
            problems.append(f"marker [{marker}] has no citation")
    for citation in answer.citations:
        record = records.get(citation.case_id)
        sections = {s.name: s.text for s in record.sections()} if record else {}
        if citation.quote not in sections.get(citation.section, ""):
            problems.append(f"citation [{citation.n}] quote is not in {citation.case_id} / {citation.section}")
        if f"[{citation.n}]" not in answer.text:
            problems.append(f"citation [{citation.n}] is never referred to")
    return problems
