"""The stock of lessons: every finding, learning point and recommendation of the indexed reviews, with its source,
themes and roles, and near-identical lessons across reviews grouped into recurring lessons.

A lesson is one quotable sentence (a unit of the index) of a case's Key issues or Findings (a finding), Learning
(a learning point) or Recommendations (a recommendation). Its key is the case id and a hash of its words, so it
survives a rebuild of the index. Grouping is average-linkage clustering of the sentence vectors already stored in
the index, cut where lessons stop being near-identical (``Settings.lesson_similarity``, tuned on the dev collection:
eval/RECURRING_LESSONS.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answer.counting import load_taxonomy, themes_in, themes_named
from assistant.answer.roles import ROLES, concerns_role, normalise_role
from assistant.errors import LessonError
from assistant.indexing.store import StoredIndex
from assistant.library.schema import quote_hash
from assistant.records import Case, QuoteAddress
from assistant.search.vocabulary import stems

# Section of a case -> what kind of lesson its sentences are (the digests' Key issues are the reviews' findings).
LESSON_SECTIONS = {
    "Key issues": "finding",
    "Findings": "finding",
    "Learning": "learning point",
    "Recommendations": "recommendation",
}
KINDS = tuple(dict.fromkeys(LESSON_SECTIONS.values()))
# A sentence that only counts what a review found ('eight findings and fourteen recommendations.') is not a lesson.
_TALLY_WORDS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|the|review|it|reached|made|and|findings?|recommendations?|national|local)\b|"
    r"[^\w\s]",
    re.I,
)

# A verdict on whether the death or harm could have been foreseen ('could not have been predicted or prevented') is
# a review's conclusion, not something a practitioner can learn to do differently: it is kept out of the stock.
_VERDICT = re.compile(
    r"(?i)\b(?:could|can|would)\s+not\s+(?:reasonably\s+)?have\s+(?:been\s+)?(?:predicted|prevented|foreseen|foresee)"
    r"|\bnot\s+(?:have\s+been\s+)?(?:predictable|preventable|foreseeable)\b"
    r"|\bcould\s+have\s+led\s+them\s+to\s+foresee\b"
)


def lesson_key(case_id: str, quote: str) -> str:
    """A lesson's key: its case id and a hash of its words ('2015-03-blackpool-baby-q#1f0c...'), stable on rebuild."""
    return f"{case_id}#{quote_hash(quote)}"


@dataclass(frozen=True)
class LessonSource(QuoteAddress):
    """Where a lesson is said: the review, its section and the verbatim quote."""

    case_id: str
    title: str
    area: str
    year: int
    section: str
    quote: str
    page: int | None = None
    kind: str = "case"
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values, with the reference and the link."""
        return {
            "case_id": self.case_id,
            "title": self.title,
            "year": self.year,
            "section": self.section,
            "quote": self.quote,
            "quote_hash": quote_hash(self.quote),
            "page": self.page,
            "reference": self.reference,
            "link": self.link,
        }


@dataclass(frozen=True)
class Lesson:
    """One finding, learning point or recommendation of one review, with its themes and roles."""

    key: str
    kind: str
    source: LessonSource
    themes: tuple[str, ...]
    roles: tuple[str, ...]

    @property
    def text(self) -> str:
        """The lesson in the review's words."""
        return self.source.quote

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "key": self.key,
            "kind": self.kind,
            "text": self.text,
            "themes": list(self.themes),
            "roles": list(self.roles),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class RecurringLesson:
    """Near-identical lessons: the one nearest their centre names them, with how many reviews and which years."""

    key: str  # the key of its earliest lesson: a link to any member's key finds the group
    text: str
    lessons: tuple[Lesson, ...]
    themes: tuple[str, ...] = field(default=())
    roles: tuple[str, ...] = field(default=())

    @property
    def case_ids(self) -> tuple[str, ...]:
        """The reviews it recurs in, earliest first."""
        return tuple(dict.fromkeys(m.source.case_id for m in self.lessons))

    @property
    def reviews(self) -> int:
        """How many reviews say it."""
        return len(self.case_ids)

    @property
    def years(self) -> tuple[int, int]:
        """The first and last year of those reviews."""
        years = [m.source.year for m in self.lessons]
        return min(years), max(years)

    @property
    def years_text(self) -> str:
        """'2013–2025', or one year."""
        first, last = self.years
        return str(first) if first == last else f"{first}\u2013{last}"

    @property
    def recurs(self) -> str:
        """'recurs in 6 reviews, 2013–2025' (or 'in 1 review, 2015')."""
        if self.reviews == 1:
            return f"in 1 review, {self.years_text}"
        return f"recurs in {self.reviews} reviews, {self.years_text}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values, each lesson with its source."""
        first, last = self.years
        return {
            "key": self.key,
            "text": self.text,
            "reviews": self.reviews,
            "years": [first, last],
            "recurs": self.recurs,
            "themes": list(self.themes),
            "roles": list(self.roles),
            "lessons": [m.to_dict() for m in self.lessons],
        }


def extract_lessons(index: StoredIndex) -> list[Lesson]:
    """Every lesson of the index's case reviews, in index order, each once (a sentence repeated in a case is one)."""
    cases = {r.case_id: r for r in index.records if isinstance(r, Case)}
    found: dict[str, Lesson] = {}
    for unit in index.units:
        case = cases.get(unit.case_id)
        kind = LESSON_SECTIONS.get(unit.section)
        if case is None or kind is None or is_tally(unit.text) or is_verdict(unit.text):
            continue
        key = lesson_key(case.case_id, unit.text)
        if key in found:
            continue
        source = LessonSource(case.case_id, case.title, case.area, case.year, unit.section, unit.text, unit.page,
                              name=case.name)  # fmt: skip
        themes = tuple(t.key for t in themes_in(unit.text))
        roles = tuple(r for r in ROLES if concerns_role(r, unit.text))
        found[key] = Lesson(key, kind, source, themes, roles)
    return list(found.values())


def is_verdict(text: str) -> bool:
    """Whether a sentence only judges if the harm could have been foreseen or prevented (a conclusion, no lesson)."""
    return bool(_VERDICT.search(text))


def is_tally(text: str) -> bool:
    """Whether a sentence only counts findings or recommendations ('the review made 15 recommendations.')."""
    return bool(re.search(r"(?i)findings|recommendations", text)) and len(_TALLY_WORDS.sub(" ", text).split()) < 2


def lesson_vectors(index: StoredIndex, lessons: Sequence[Lesson]) -> np.ndarray:
    """The stored sentence vector of each lesson (normalised), in the order given."""
    by_key: dict[str, int] = {}
    for unit in index.units:
        by_key.setdefault(lesson_key(unit.case_id, unit.text), unit.unit_id)
    rows = [by_key[m.key] for m in lessons]
    held = index.sentence_vectors
    vectors = np.asarray(held.vectors(), dtype=np.float32)[rows] if rows else np.zeros((0, 1), np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def cluster(vectors: np.ndarray, similarity: float, method: str = "average") -> list[int]:
    """A cluster label per row: rows joined while their (average) cosine similarity is at least ``similarity``."""
    if len(vectors) < 2:
        return list(range(len(vectors)))
    from scipy.cluster.hierarchy import fcluster, linkage

    distances = _condensed_distances(vectors)
    tree = linkage(distances, method=method)
    return [int(label) for label in fcluster(tree, t=1.0 - similarity, criterion="distance")]


def _condensed_distances(vectors: np.ndarray) -> np.ndarray:
    """Cosine distances of every pair, in scipy's condensed order, never below zero."""
    sims = np.clip(vectors @ vectors.T, -1.0, 1.0)
    upper = np.triu_indices(len(vectors), k=1)
    return np.maximum(1.0 - sims[upper], 0.0).astype(np.float64)


def group_lessons(
    lessons: Sequence[Lesson], vectors: np.ndarray, similarity: float, method: str = "average"
) -> list[RecurringLesson]:
    """Lessons grouped where near-identical, most recurrent first (reviews, then latest year, then key)."""
    labels = cluster(vectors, similarity, method)
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        members.setdefault(label, []).append(row)
    groups = [_group([lessons[r] for r in rows], vectors[rows]) for rows in members.values()]
    return sorted(groups, key=lambda g: (-g.reviews, -g.years[1], -g.years[0], g.key))


def _group(members: list[Lesson], vectors: np.ndarray) -> RecurringLesson:
    order = sorted(range(len(members)), key=lambda i: (members[i].source.year, members[i].key))
    members = [members[i] for i in order]
    vectors = vectors[order]
    centre = vectors.mean(axis=0)
    nearest = int(np.argmax(vectors @ centre)) if len(members) > 1 else 0
    themes = Counter(t for m in members for t in m.themes)
    roles = Counter(r for m in members for r in m.roles)
    return RecurringLesson(
        key=members[0].key,
        text=members[nearest].text,
        lessons=tuple(members),
        themes=tuple(t for t, _ in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))),
        roles=tuple(r for r, _ in sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


class LessonStock:
    """The lessons of one index and their recurring groups, found by key, theme, role or words."""

    def __init__(self, index: StoredIndex, similarity: float, method: str = "average") -> None:
        self.lessons = extract_lessons(index)
        self.vectors = lesson_vectors(index, self.lessons)
        self.groups = group_lessons(self.lessons, self.vectors, similarity, method)
        self._group_of = {m.key: g for g in self.groups for m in g.lessons}
        self._case_ids = frozenset(r.case_id for r in index.records)
        self._unit_keys = frozenset(lesson_key(u.case_id, u.text) for u in index.units)

    def group(self, key: str) -> RecurringLesson:
        """The recurring lesson holding the lesson ``key`` (any member's key), or LessonError."""
        try:
            return self._group_of[key]
        except KeyError:
            raise LessonError(f"no lesson with key {key!r} in this index (was its review removed?)") from None

    def resolves(self, key: str) -> bool:
        """Whether a lesson key still names a lesson of this index."""
        return key in self._group_of

    def quote_resolves(self, case_id: str, quote_hash_: str) -> bool:
        """Whether a quoted sentence (case id and hash of its words) is still in this index."""
        return f"{case_id}#{quote_hash_}" in self._unit_keys

    def has_review(self, case_id: str) -> bool:
        """Whether the review is still in this index."""
        return case_id in self._case_ids

    def select(
        self, theme: str | None = None, role: str | None = None, words: str = "", recurring: bool = False
    ) -> list[RecurringLesson]:
        """The groups (most recurrent first) with a lesson on the theme, for the role, holding the words (each
        whole, so its figures stay those of the table); only those in two or more reviews when ``recurring``."""
        theme_key = theme_key_of(theme) if theme else None
        role_key = normalise_role(role) if role else None
        wanted = set(stems(words)) if words.strip() else set()
        return [
            g
            for g in self.groups
            if not (recurring and g.reviews < 2) and any(_matches(m, theme_key, role_key, wanted) for m in g.lessons)
        ]

    def themes(self) -> list[tuple[str, str, int]]:
        """(key, label, lessons) for every taxonomy theme some lesson names, most lessons first."""
        counts = Counter(t for m in self.lessons for t in m.themes)
        labels = {t.key: t.label for t in load_taxonomy()}
        return [(k, labels[k], n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def roles(self) -> list[tuple[str, int]]:
        """(role, lessons) for every role some lesson concerns, most lessons first."""
        counts = Counter(r for m in self.lessons for r in m.roles)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _matches(lesson: Lesson, theme: str | None, role: str | None, wanted: set[str]) -> bool:
    if theme and theme not in lesson.themes:
        return False
    if role and role not in lesson.roles:
        return False
    return not wanted or wanted <= set(stems(f"{lesson.text} {lesson.source.title}"))


def theme_key_of(theme: str) -> str:
    """The taxonomy key for a theme's key, label or wording ('DV' -> 'domestic-abuse'), or LessonError."""
    wanted = theme.strip().lower()
    for t in load_taxonomy():
        if wanted in (t.key, t.label.lower()):
            return t.key
    named = themes_named(theme)
    if len(named) == 1:
        return named[0].key
    known = ", ".join(t.key for t in load_taxonomy())
    raise LessonError(f"unknown theme {theme!r}; known themes: {known}")


def theme_label(key: str) -> str:
    """How answers name a taxonomy theme."""
    return next((t.label for t in load_taxonomy() if t.key == key), key)
