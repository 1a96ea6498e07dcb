"""The words of a question against the words of the reviews: which word stands for the topic, whether any review
uses it (or a form or synonym of it), which cases use it, and the names no review mentions."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from assistant.answer.conversation import AGE_WORDS
from assistant.answer.roles import ROLE_NAMES
from assistant.indexing.embed import Embedder
from assistant.indexing.lexical import tokenize
from assistant.indexing.store import StoredIndex
from assistant.records import Hit
from assistant.search.vocabulary import (
    acronyms_in,
    everyday_words,
    expansions,
    framing_words,
    lexical_query,
    matched_terms,
)
from assistant.search.vocabulary import words as words_of

COMMON_SHARE = 0.4  # a word in more than this share of the reviews ("child", "died") is never a key word
KEY_WORD_MARGIN = 0.03  # an unknown key word must stand this far above the best known word (eval/QUALITY.md)
KEY_WORD_SIMILARITY = 0.35  # a key word this close to its topic stands for it (good ones: 0.4-0.7, loose: ~0.2)
PAIR_WINDOW = 4  # two words within this many tokens of each other are used together
PAIR_TOPIC_WORDS = 3  # ... checked for a topic of at most this many words
PAIR_MIN_CASES = 3  # ... each of whose two words this many reviews use
KEY_WORD_CACHE = 4096  # topics whose key words are kept
UNKNOWN_MEANING = 0.73  # a topic this far from itself without its unknown words is about them (eval/NO_ANSWER.md)
UNKNOWN_TIE = 0.02  # ... and when its best unknown word stands for it nearly as well as any known word
UNKNOWN_MIN_WORDS = 3  # ... judged only for a topic of this many content words ("big picture" is framing)
_SHORT_FILLER = frozenset({"hes", "ive", "its", "yrs", "esp", "etc", "aka", "btw", "pls", "ppl", "tbh", "yep"})
_AGE_NOUNS = frozenset(
    {"toddler", "toddlers", "newborn", "newborns", "child", "children", "kids", "kid", "teen", "teens"}
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'&-]+")
_REVIEW_NAME_RE = re.compile(  # "the daniel pelka review", "the logan mwangi child practice review"
    r"\bthe ((?:[a-z][a-z'-]+ ){1,3}?)(?:serious case |child practice |safeguarding practice |case )?review\b"
)
# "rochdale grooming review - what did it say", "the climbie inquiry": a review named by a word no review uses
_NAMED_REVIEW_RE = re.compile(
    r"(?:^\s*|\bthe )((?:[a-z][a-z'-]+ ){1,3}?)(?:serious case |child practice |safeguarding practice |case )?"
    r"(?:review|inquiry|scr)\b",
    re.I,
)
_NAME_RE = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][a-zA-Z\u00C0-\u017F'-]{2,})")


class Concepts:
    """The index's words per case and sentence, and what a question's words are measured against."""

    def __init__(
        self, index: StoredIndex, embedder: Embedder, units_by_case: dict[str, list[int]], expand: bool
    ) -> None:
        self.embedder = embedder
        self.expand_synonyms = expand
        self._units = index.units
        self.unit_tokens = [frozenset(t) for t in tokenize([u.embed_text for u in index.units])] if index.units else []
        self.vocabulary = frozenset(index.bm25.vocab_dict)
        self._plain = frozenset(_plain(t) for t in self.vocabulary)  # "climbié" is what "climbie" names
        self._ordered = sorted(self.vocabulary)  # for prefix lookups
        keywords = {r.case_id: " ; ".join(getattr(r, "keywords", ())) for r in index.records}
        keyword_tokens = dict(zip(keywords, map(frozenset, tokenize(list(keywords.values()))), strict=True))
        self.case_tokens: dict[str, frozenset[str]] = {  # the words of a case's sentences and its keywords
            case_id: frozenset().union(*(self.unit_tokens[u] for u in units), keyword_tokens.get(case_id, ()))
            for case_id, units in units_by_case.items()
        }
        self._cache: dict[str, list[tuple[str, float]]] = {}  # key words per topic, within and across questions
        counts = Counter(t for words in self.case_tokens.values() for t in words)
        self.common = frozenset(t for t, n in counts.items() if n > COMMON_SHARE * max(1, len(self.case_tokens)))

    def support(self, query: str, hits: Sequence[Hit]) -> dict[str, float]:
        """Per case: the share of the query's distinctive words it uses (a reviewed synonym counts as half)."""
        own = self.distinctive(tokenize([lexical_query(query, False)])[0])
        if not own:
            return {}
        extra = set(tokenize([" ".join(expansions(query))])[0]) - own if self.expand_synonyms else set()
        acronym = bool(acronyms_in(query))  # "CAF": the model reads acronyms poorly, their expansion decides
        support = {}
        for hit in hits:
            words = self.case_tokens.get(hit.case_id, frozenset())
            share = len(own & words) / len(own)
            support[hit.case_id] = (1.0 if acronym else max(share, 0.5)) if extra & words else share
        return support

    def unknown_pair(self, topic: str) -> str | None:
        """A two-word term no review uses together ("private fostering", though "private" and "fostering" are both
        in the reviews): the topic itself, else None. Only for a short topic of two distinctive words that names
        no reviewed synonym group."""
        words = [w for w in re.findall(r"[\w'-]+", topic) if _word_tokens(w)]
        if len(words) > PAIR_TOPIC_WORDS or matched_terms(topic):
            return None
        tokens = [t for t in dict.fromkeys(tokenize([topic])[0]) if t not in self.common and len(t) >= 3]
        tokens = [t for t in tokens if t in self.vocabulary and not any(p.fullmatch(t) for p in ROLE_NAMES.values())]
        framing = set(tokenize([" ".join(framing_words())])[0])
        tokens = [t for t in tokens if t not in framing and not _age_word(t)]
        if len(tokens) != 2 or len(self.distinctive(tokens)) != 2:
            return None
        cases = [sum(t in words for words in self.case_tokens.values()) for t in tokens]
        if min(cases) < PAIR_MIN_CASES:  # a rare word ("edlington") names its review by itself
            return None
        first, second = tokens
        for unit_id, words in enumerate(self.unit_tokens):  # only a sentence holding both is read again
            if (
                first in words
                and second in words
                and _near(tokenize([self._units[unit_id].embed_text])[0], first, second)
            ):
                return None
        return topic

    def distinctive(self, tokens: Sequence[str]) -> set[str]:
        """The tokens that half the cases or fewer contain ("child" is in nearly all of them)."""
        limit = max(1, len(self.case_tokens) // 2)
        return {t for t in tokens if sum(t in words for words in self.case_tokens.values()) <= limit}

    def forms(self, word: str) -> frozenset[str]:
        """The reviews' tokens that count as ``word``: its stem, longer forms of it ("starv" -> "starvat"), forms
        sharing all but its last two letters, and the tokens of its everyday equivalents and reviewed synonyms."""
        tokens = _word_tokens(word)
        if not tokens:
            return frozenset()
        found = {t for t in tokens if t in self.vocabulary}
        if len(tokens) == 1 and len(tokens[0]) >= 4:
            stem = tokens[0]
            shared = max(5, len(stem) - 2)  # "autism" ~ "autist", "curious" ~ "curios", not "radicalis" ~ "radic"
            found |= set(self._prefixed(stem))
            found |= {v for v in self._prefixed(stem[:shared]) if len(v) >= shared} if len(stem) >= shared else set()
        alternatives = [*everyday_words().get(re.sub(r"['’]s$", "", word.lower()), ()), *expansions(word)]
        for other in alternatives:
            other_tokens = _word_tokens(other)
            if other_tokens and all(t in self.vocabulary for t in other_tokens):
                found |= set(other_tokens)
        return frozenset(found)

    def quote_forms(self, topic: str, topic_vector: np.ndarray | None = None) -> frozenset[str]:
        """The tokens a case's learning line should use to show it is about ``topic``: the one-word terms of a reviewed
        synonym group the topic names ("took their own lives": suicide, suicidal), else its key word's own forms
        (no loose prefixes: "attendance" is not "attention"), when that word clearly stands for the topic."""
        grouped = {
            _word_tokens(term)[0]
            for group, matched in matched_terms(topic)
            if any(" " in m for m in matched)  # a phrase of the group: "took their own lives"
            for term in group
            if re.fullmatch(r"[a-z]+", term) and len(_word_tokens(term)) == 1
        } - self.common
        if grouped & self.vocabulary:
            return frozenset(grouped & self.vocabulary)
        ranked = self.key_words(topic, topic_vector)
        if not ranked or ranked[0][1] < KEY_WORD_SIMILARITY:
            return frozenset()
        tokens = _word_tokens(ranked[0][0])
        if len(tokens) != 1:
            return frozenset()
        own = set(self._prefixed(tokens[0])) if len(tokens[0]) >= 5 else {tokens[0]}
        return frozenset((own & self.vocabulary) - self.common)

    def _prefixed(self, prefix: str) -> list[str]:
        """The vocabulary's tokens that start with ``prefix`` (a range of the sorted vocabulary: no scan)."""
        ordered = self._ordered
        return ordered[bisect_left(ordered, prefix) : bisect_left(ordered, prefix + chr(0x10FFFF))]

    def known_word(self, word: str) -> bool:
        """True when the reviews use the word, a form of it, or an everyday equivalent or reviewed synonym of it."""
        return not _word_tokens(word) or bool(self.forms(word))

    def key_words(self, topic: str, topic_vector: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The topic's content words, the one that best stands for it first (role names and words nearly every
        review uses, such as "child" or "died", left out)."""
        cached = self._cache.get(topic)
        if cached is not None:
            return cached
        words = list(dict.fromkeys(w for w in _WORD_RE.findall(topic) if _word_tokens(w)))
        words = [w for w in words if not any(p.fullmatch(w) for p in ROLE_NAMES.values())]  # a role is a lens
        framing = set(tokenize([" ".join(framing_words())])[0])  # "reviews", "learning": never the key word
        words = [w for w in words if not set(_word_tokens(w)) <= self.common | framing]
        ranked = []
        if words:  # the topic is embedded with its words, so the ranking depends on the topic alone (cacheable)
            vectors = self.embedder.embed([topic, *words])
            similarity = vectors[1:] @ vectors[0]
            ranked = sorted(zip(words, map(float, similarity), strict=True), key=lambda pair: -pair[1])
            ranked.sort(key=lambda pair: _age_word(pair[0]))  # "teenagers self harming" is about self-harm
        if len(self._cache) > KEY_WORD_CACHE:
            self._cache.clear()
        self._cache[topic] = ranked
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

    def unknown_meaning(self, topic: str, topic_vector: np.ndarray | None = None) -> tuple[list[str], float]:
        """The topic's content words no review uses (nor a form or synonym of them), and the cosine similarity of the
        topic to itself without them: low when those words carry what the question is about ("dog" and "bitten" in
        "toddler badly bitten by the family dog"), high when they are asides or slang ("lad", "hes"). The similarity
        is 1.0 when a word the reviews use stands for the topic clearly better than any unknown one."""
        words = [w for w in dict.fromkeys(_WORD_RE.findall(topic)) if _word_tokens(w)]
        content = [w for w in words if (len(w) >= 3 and w.lower() not in _SHORT_FILLER) or w.isupper()]
        unknown = [w for w in content if not self.known_word(w)]
        if not unknown or len(content) < UNKNOWN_MIN_WORDS:
            return [], 1.0
        gone = re.compile(r"(?<![\w'&-])(?:" + "|".join(map(re.escape, unknown)) + r")(?![\w'&-])")
        reduced = " ".join(gone.sub(" ", topic).split())
        if not re.search(r"[^\W\d_]", reduced):
            return unknown, 0.0
        similarity = dict(self.key_words(topic))  # each word's closeness to the topic
        unknown.sort(key=lambda w: -similarity.get(w, -1.0))  # the word standing best for the topic first
        best_known = max((v for w, v in similarity.items() if w not in unknown and not _age_word(w)), default=-1.0)
        if similarity.get(unknown[0], -1.0) < best_known - UNKNOWN_TIE:  # a known word stands for the topic better
            return unknown, 1.0
        if topic_vector is None:  # the caller's vector of the topic saves embedding it again
            topic_vector = self.embedder.embed([topic])[0]
        return unknown, float(self.embedder.embed([reduced])[0] @ topic_vector)

    def on_concept(self, topic: str, topic_vector: np.ndarray, hits: Sequence[Hit]) -> dict[str, bool]:
        """Per case: whether it uses the topic's key word (a form, equivalent or synonym of it)."""
        ranked = [(w, sim) for w, sim in self.key_words(topic, topic_vector) if min(map(len, _word_tokens(w))) >= 4]
        if not ranked or ranked[0][1] < KEY_WORD_SIMILARITY:  # "car" is too short to decide, "people" too loose
            return {}
        forms = self.forms(ranked[0][0])
        if not forms:
            return {}
        return {h.case_id: bool(forms & self.case_tokens.get(h.case_id, frozenset())) for h in hits}

    def unknown_acronyms(self, topic: str) -> list[str]:
        """Acronyms of three letters or more in the topic ("FGM") that no review uses, nor their expansion; role
        names ("DSL") are a lens, not a topic."""
        found = []
        for word in dict.fromkeys(re.findall(r"\b[A-Z]{3,6}s?\b", topic)):
            if any(p.fullmatch(word) for p in ROLE_NAMES.values()):
                continue
            if not self.known_word(word.rstrip("s") if word.endswith("s") and len(word) > 3 else word):
                found.append(word)
        return found

    def unknown_names(self, query: str) -> list[str]:
        """Capitalised names in the query (not its first word) that no review mentions, and words naming a review
        ("the logan mwangi review") that none does."""
        unknown = [name for name in _NAME_RE.findall(query.strip()) if self._unknown_name(name)]
        for match in _REVIEW_NAME_RE.finditer(query):  # two unknown words naming a review: a first and last name
            words = [w for w in match[1].split() if len(w) >= 3 and self._unknown_name(w)]
            name = " ".join(w if w[:1].isupper() else w.title() for w in words)  # "logan mwangi": Logan Mwangi
            unknown += [name] if len(words) >= 2 and name not in unknown else []
        for match in _NAMED_REVIEW_RE.finditer(query):  # one such word, not a slip for a word the reviews use
            words = [w for w in match[1].split() if len(w) >= 5 and self._unknown_name(w) and not self._near_known(w)]
            unknown += [w.title() for w in words[:1] if w.title() not in unknown and w not in unknown]
        return unknown

    def _near_known(self, word: str) -> bool:
        """True when ``word`` is one slip (a letter missed, added, changed or swapped) from a word the reviews use."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        for token in tokenize([word])[0]:
            splits = [(token[:i], token[i:]) for i in range(len(token) + 1)]
            near = {a + b[1:] for a, b in splits if b}
            near |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            near |= {a + c + b[1:] for a, b in splits if b for c in letters}
            near |= {a + c + b for a, b in splits for c in letters}
            if near & self.vocabulary:
                return True
        return False

    def _unknown_name(self, name: str) -> bool:
        if any(p.fullmatch(name) for p in ROLE_NAMES.values()):  # "HVs", "GPs": a role, not a name
            return False
        tokens = tokenize([name])[0]
        known = any(t in self.vocabulary for t in tokens) or _plain(name.lower()) in self._plain
        return bool(tokens) and not known and not expansions(name)


def _plain(token: str) -> str:
    """A token without its accents ("climbié" -> "climbie")."""
    return "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))


def _near(tokens: Sequence[str], first: str, second: str) -> bool:
    """True when ``first`` and ``second`` stand within PAIR_WINDOW tokens of each other, either way round."""
    at = [i for i, t in enumerate(tokens) if t == first]
    return any(t == second and abs(i - j) < PAIR_WINDOW for i, t in enumerate(tokens) for j in at)


def _age_word(word: str) -> bool:
    """True for a word naming an age ("teenagers", "baby"): it says whom a question is about, rarely what."""
    return any(pattern.fullmatch(word) for pattern, _ in AGE_WORDS) or word.lower() in _AGE_NOUNS


@lru_cache(maxsize=16384)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The index's tokens of one word (cached: the same words come back in every question)."""
    return tuple(tokenize([word])[0])
