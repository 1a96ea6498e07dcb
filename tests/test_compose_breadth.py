"""Breadth of learning answers, on hand-made units and vectors (no index, no model)."""

from __future__ import annotations

import numpy as np

from assistant.answer.compose import ROLE_ALSO_DENSE, Context, Evidence, compose_learning, for_role
from assistant.indexing.sentences import Unit
from assistant.records import Case, Hit


def _case(case_id: str, learning: str) -> Case:
    return Case(case_id, 2020, 1, "Area", case_id.title(), learning=learning)


def _context(dense: dict[str, float], role: str | None) -> Context:
    """Three cases: 'a' and 'b' hold police learning on the topic; 'c' holds general learning only."""
    texts = {
        "a": "police officers attending domestic incidents should speak to the children",
        "b": "police should record the children present at domestic abuse incidents",
        "c": "the family moved house often",
    }
    records = {k: _case(k, t) for k, t in texts.items()}
    units = [Unit(i, k, "Learning", t) for i, (k, t) in enumerate(texts.items())]
    topic = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.9, 0.436], [0.8, 0.6], [0.1, 0.995]], dtype=np.float32)
    tokens = [frozenset(u.text.split()) for u in units]
    evidence = Evidence(units, vectors, tokens, topic, frozenset({"domestic", "incidents"}), 2, role)
    hits = [
        Hit(k, records[k].title, "case", 1.0 - i / 10, "Learning", "", dense_score=dense[k])
        for i, k in enumerate(texts)
    ]
    by_case = {u.case_id: [u.unit_id] for u in units}
    return Context("q", "domestic incidents", hits, evidence, by_case, records)


def test_a_role_answer_names_further_reviews_close_to_the_topic_without_quotes() -> None:
    ctx = _context({"a": 0.7, "b": 0.6, "c": ROLE_ALSO_DENSE + 0.05}, "police")
    answer = compose_learning(ctx)
    quoted = {c.case_id for c in answer.citations}
    assert quoted == {"a", "b"}
    assert "Other reviews on this, not quoted above: **Area - C**" in answer.text
    assert answer.cases == ("a", "b", "c")


def test_a_role_answer_names_no_review_below_its_closeness_bar() -> None:
    ctx = _context({"a": 0.7, "b": 0.6, "c": ROLE_ALSO_DENSE - 0.05}, "police")
    answer = compose_learning(ctx)
    assert "Other reviews" not in answer.text
    assert "c" not in answer.cases


def test_every_lesson_of_a_review_of_the_roles_setting_is_for_that_role() -> None:
    record = Case("n", 2010, 11, "Plymouth", "Little Ted's Nursery", learning="colleagues felt unable to raise it")
    unit = Unit(0, "n", "Learning", "colleagues felt unable to raise it")
    assert for_role("early-years", record, unit)
    assert not for_role("early-years", _case("a", unit.text), unit)


def test_a_cases_learning_line_off_the_question_is_left_out() -> None:
    """Each case has a summary on the topic; 'a' learns about the topic, 'b' only about record keeping."""
    from assistant.answer.compose import compose_cases

    records = {
        "a": Case("a", 2020, 1, "Area", "A", summary="domestic incidents at home", learning="ask about incidents"),
        "b": Case("b", 2020, 2, "Area", "B", summary="domestic incidents reported", learning="keep better records"),
    }
    units = [
        Unit(0, "a", "Summary", "domestic incidents at home"),
        Unit(1, "a", "Learning", "ask about incidents"),
        Unit(2, "b", "Summary", "domestic incidents reported"),
        Unit(3, "b", "Learning", "keep better records"),
    ]
    vectors = np.array([[0.9, 0.436], [0.5, 0.866], [0.9, 0.436], [0.05, 0.999]], dtype=np.float32)
    tokens = [frozenset(u.text.split()) for u in units]
    evidence = Evidence(units, vectors, tokens, np.array([1.0, 0.0], dtype=np.float32),
                        frozenset({"domestic", "incidents"}), 2)
    hits = [Hit(k, k.upper(), "case", 0.9, "Summary", "", dense_score=0.9) for k in records]
    ctx = Context("q", "domestic incidents", hits, evidence, {"a": [0, 1], "b": [2, 3]}, records,
                  {"a": 1.0, "b": 1.0})
    text = compose_cases(ctx).text
    assert "ask about incidents" in text  # the word overlap takes it over the bar
    assert "keep better records" not in text and text.count("Why it matches") == 2


def test_a_theme_answer_quotes_a_further_review_where_it_uses_the_topics_word_and_names_the_rest() -> None:
    ctx = _context({"a": 0.7, "b": 0.6, "c": 0.2}, None)
    units = [*ctx.evidence.units, Unit(3, "d", "Key issues", "a domestic incident was reported to the police in 2019")]
    records = {**ctx.records, "d": Case("d", 2019, 5, "Area", "D", key_issues=units[3].text)}
    vectors = np.vstack([ctx.evidence.vectors, np.array([[0.4, 0.9165]], dtype=np.float32)])
    tokens = [*ctx.evidence.unit_tokens, frozenset(units[3].text.split())]
    evidence = Evidence(units, vectors, tokens, ctx.evidence.query_vector, ctx.evidence.query_tokens, 2)
    by_case = {**ctx.units_by_case, "d": [3]}
    ctx = Context("q", "domestic incidents", ctx.hits, evidence, by_case, records, also=("d", "c"),
                  key_forms=frozenset({"domestic"}))
    answer = compose_learning(ctx)
    other = answer.text.split("Other reviews on this (what each records, in one sentence):")[1]
    assert "**Area - D** (May 2019, Area), key issues: \u201ca domestic incident was reported" in other
    assert "Also on this, not quoted: **Area - C**" in other  # its one sentence does not use the topic's word
    assert {c.case_id for c in answer.citations} == {"a", "b", "d"} and answer.cases[-2:] == ("d", "c")


def test_a_case_list_keeps_cases_near_the_best_and_one_using_every_word_of_the_topic() -> None:
    from assistant.answer.compose import relevant_hits
    from assistant.records import Hit

    def hit(case_id: str, score: float, dense: float) -> Hit:
        return Hit(case_id, case_id, "case", score, "Summary", "text", dense_score=dense)

    hits = [hit("best", 1.0, 0.5), hit("near", 0.72, 0.45), hit("worded", 0.6, 0.3), hit("far", 0.6, 0.45)]
    support = {"best": 0.5, "near": 0.5, "worded": 1.0, "far": 0.5}
    kept = [h.case_id for h in relevant_hits(hits, support)]
    assert kept == ["best", "near", "worded"]  # "far" is under 0.7 of the best and uses only half the words
