"""Safeguarding synonyms and acronyms (data in vocabulary.json), used to expand lexical queries.

Terms match on stemmed words, so "concealed pregnancies" matches "concealed pregnancy". An
acronym of three or more letters matches in any case ("sids", "cse"); a two-letter one ("DV",
"GP") only in capitals or as the whole query, so that ordinary words are not taken for it.
"""

from __future__ import annotations

import json
import re
import threading
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.json")
_CASE_SENSITIVE = {"MASH"}  # acronyms that are also everyday words
_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread


def _english() -> Stemmer.Stemmer:
    if not hasattr(_local, "stemmer"):
        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer


def words(text: str) -> list[str]:
    """Lower-case word tokens, possessive 's dropped."""
    return re.findall(r"[a-z0-9&]+", re.sub(r"['’]s\b", "", text.lower()))


@lru_cache(maxsize=8192)  # vocabulary terms and case keywords are stemmed again on every query
def stems(text: str) -> tuple[str, ...]:
    """Stemmed word tokens of ``text``."""
    return tuple(_english().stemWords(words(text)))


@cache
def load_groups(path: Path = VOCABULARY_FILE) -> tuple[tuple[str, ...], ...]:
    """The synonym groups, each a tuple of equivalent terms."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(tuple(group) for group in data["groups"])


def _contains(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(sequence[i : i + n] == part for i in range(len(sequence) - n + 1))


def _exact_only(term: str) -> bool:
    """A two-letter acronym, or one that is also an everyday word: matched as written, not stemmed."""
    return term.isupper() and " " not in term and (len(term.replace("&", "")) <= 2 or term in _CASE_SENSITIVE)


@cache
def _compiled(path: Path = VOCABULARY_FILE) -> tuple[tuple[tuple[str, bool, tuple[str, ...]], ...], ...]:
    """Each group's terms with how they match and their stems, worked out once rather than per query."""
    return tuple(tuple((t, _exact_only(t), () if _exact_only(t) else stems(t)) for t in g) for g in load_groups(path))


def _matched(query: str, path: Path) -> list[tuple[tuple[str, ...], list[str]]]:
    """Every group that the query matches, with the terms of it that matched."""
    query_stems = stems(query)
    present = set(query_stems)
    raw: set[str] | None = None
    out = []
    for group, compiled in zip(load_groups(path), _compiled(path), strict=True):
        matched = []
        for term, exact, term_stems in compiled:
            if exact:
                if raw is None:
                    raw = set(re.findall(r"[A-Za-z0-9&]+", query))
                hit = term in raw or query.strip().upper() == term
            else:
                hit = bool(term_stems) and term_stems[0] in present and _contains(query_stems, term_stems)
            if hit:
                matched.append(term)
        if matched:
            out.append((group, matched))
    return out


def matched_terms(query: str, path: Path = VOCABULARY_FILE) -> list[tuple[tuple[str, ...], list[str]]]:
    """Every synonym group the query matches, with the terms of it that the query uses."""
    return _matched(query, path)


def expansions(query: str, path: Path = VOCABULARY_FILE) -> list[str]:
    """Terms to add to ``query``: the other members of every group one of its terms matches."""
    extra: list[str] = []
    for group, matched in _matched(query, path):
        extra.extend(t for t in group if t not in matched and t not in extra)
    return extra


def acronyms_in(query: str, path: Path = VOCABULARY_FILE) -> list[str]:
    """The vocabulary's acronyms (SUDI, CSE, CAF...) that the query uses."""
    return [t for _, matched in _matched(query, path) for t in matched if t.isupper() and " " not in t]


@cache
def everyday_words(path: Path = VOCABULARY_FILE) -> dict[str, tuple[str, ...]]:
    """Plain-speech words and the reviews' words for the same thing ("mum" -> "mother"); never used to expand."""
    out: dict[str, tuple[str, ...]] = {}
    for plain, formal in json.loads(path.read_text(encoding="utf-8")).get("everyday", ()):
        out[plain.lower()] = (*out.get(plain.lower(), ()), formal)
    return out


@cache
def framing_words(path: Path = VOCABULARY_FILE) -> frozenset[str]:
    """Words that frame a question ("cases", "learning") rather than name its topic."""
    return frozenset(json.loads(path.read_text(encoding="utf-8")).get("framing", ()))


def lexical_query(query: str, expand: bool = True, path: Path = VOCABULARY_FILE) -> str:
    """The BM25 query: the question without its framing words (unless nothing else is left), then
    the synonym and acronym expansions found in the whole question."""
    kept = [w for w in query.split() if re.sub(r"\W", "", w.lower()) not in framing_words(path)]
    core = " ".join(kept) if kept else query
    extra = expansions(query, path) if expand else []
    return f"{core} {' '.join(extra)}" if extra else core
