"""The safeguarding synonym and acronym map."""

from __future__ import annotations

import json

from assistant.indexing.lexical import tokenize
from assistant.search.vocabulary import VOCABULARY_FILE, expansions, lexical_query, load_groups


def test_every_group_has_distinct_terms_and_no_term_is_in_two_groups() -> None:
    seen: dict[str, int] = {}
    for n, group in enumerate(load_groups()):
        assert len(group) >= 2
        for term in group:
            assert seen.setdefault(term.lower(), n) == n, f"{term!r} is in two groups"
    assert "_about" in json.loads(VOCABULARY_FILE.read_text())


def test_practitioner_words_expand_to_the_review_words() -> None:
    assert "concealed pregnancy" in expansions("hidden pregnancy")
    assert "Sudden Infant Death Syndrome".lower() in [t.lower() for t in expansions("cot death")]
    assert "child sexual exploitation" in expansions("CSE cases")
    assert "non-accidental injury" in expansions("NAI")
    assert "looked after child" in expansions("LAC teenagers")
    assert "Common Assessment Framework" in expansions("CAF")


def test_plurals_and_lower_case_acronyms_match() -> None:
    assert "concealed pregnancy" in expansions("hidden pregnancies")
    assert "sudden infant death syndrome" in expansions("sids")


def test_short_acronyms_and_everyday_words_do_not_misfire() -> None:
    assert expansions("my gp said") == []
    assert "general practitioner" in expansions("GP learning")
    assert expansions("mash potato") == []
    assert expansions("alone in the bath at night") == []  # no short acronym ("IN", "AT") misfires
    assert "home alone" in expansions("kids left on their own at night")  # a reviewed everyday group (DECISIONS.md)


def test_lexical_query_keeps_the_topic_words_then_the_expansions() -> None:
    assert lexical_query("SILP review").startswith("SILP Significant Incident Learning Process")
    assert lexical_query("nothing to expand here") == "nothing to expand here"


def test_irregular_plurals_share_a_stem_with_their_singular() -> None:
    [plural], [singular] = tokenize(["midwives"]), tokenize(["midwife"])
    assert plural == singular
