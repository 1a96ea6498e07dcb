"""Fusion and grouping: hand-made rankings, deterministic ties."""

from __future__ import annotations

import pytest

from assistant.records import Chunk
from assistant.search.fusion import fuse, min_max, rank, rrf, weighted
from assistant.search.retrieve import Scored, best_per_group, group_key, make_hits, rank_groups


def test_rrf_adds_reciprocal_ranks() -> None:
    fused = rrf([["a", "b", "c"], ["c", "a"]], k=1)
    assert fused == pytest.approx({"a": 1 / 2 + 1 / 3, "b": 1 / 3, "c": 1 / 4 + 1 / 2})


def test_rrf_prefers_agreement_between_the_two_sides() -> None:
    ranking = fuse({"a": 0.9, "b": 0.8, "c": 0.1}, {"b": 7.0, "c": 5.0}, method="rrf")
    assert [key for key, _ in ranking] == ["b", "c", "a"]  # b and c are found by both sides


def test_rrf_ignores_zero_lexical_scores() -> None:
    with_zero = fuse({"a": 0.5, "b": 0.4}, {"a": 0.0, "b": 0.0}, method="rrf")
    assert [k for k, _ in with_zero] == ["a", "b"]


def test_weighted_combines_min_max_scaled_scores() -> None:
    assert min_max({"a": 2.0, "b": 4.0, "c": 3.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}
    combined = weighted({"a": 0.2, "b": 0.6}, {"a": 10.0, "c": 5.0}, dense_weight=0.25)
    assert combined == pytest.approx({"a": 0.75, "b": 0.25, "c": 0.0})


def test_ties_are_broken_by_key_whatever_the_input_order() -> None:
    first = fuse({"b": 0.5, "a": 0.5}, {}, method="weighted")
    second = fuse({"a": 0.5, "b": 0.5}, {}, method="weighted")
    assert first == second and [k for k, _ in first] == ["a", "b"]
    assert rank({"z": 1.0, "y": 1.0, "x": 2.0}) == ["x", "y", "z"]
    tie = fuse({"c": 0.9, "d": 0.1}, {"d": 3.0, "c": 1.0}, method="rrf")
    assert [k for k, _ in tie] == ["c", "d"]


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fusion method"):
        fuse({"a": 1.0}, {}, method="borda")


def _chunk(chunk_id: int, case_id: str, section: str, kind: str = "case") -> Chunk:
    return Chunk(chunk_id, case_id, case_id.title(), section, f"text {chunk_id}", "h", kind=kind)


CHUNKS = [
    _chunk(0, "case-a", "Summary"),
    _chunk(1, "case-a", "Learning"),
    _chunk(2, "case-b", "Summary"),
    _chunk(3, "study", "Barriers / Training", kind="document"),
    _chunk(4, "study", "Enablers / Training", kind="document"),
]


def test_cases_group_whole_and_documents_by_section() -> None:
    assert group_key(CHUNKS[0]) == group_key(CHUNKS[1]) == ("case-a", "")
    assert group_key(CHUNKS[3]) != group_key(CHUNKS[4])


def test_a_case_scores_as_its_best_chunk() -> None:
    best = best_per_group(CHUNKS, {0: 0.2, 1: 0.7, 2: 0.5})
    assert best == {("case-a", ""): 0.7, ("case-b", ""): 0.5}


def test_hits_hold_each_case_once_with_its_matching_passages_best_first() -> None:
    scored = Scored(dense={0: 0.2, 1: 0.7, 2: 0.5, 3: 0.6, 4: 0.1}, lexical={0: 3.0})
    ranked = rank_groups(CHUNKS, scored, "dense", "weighted", 0.5, 60)
    hits = make_hits(CHUNKS, ranked, scored, 10, "dense")
    assert [(h.case_id, h.section) for h in hits] == [
        ("case-a", "Learning"),
        ("study", "Barriers / Training"),
        ("case-b", "Summary"),
        ("study", "Enablers / Training"),
    ]
    assert [p.chunk_id for p in hits[0].passages] == [1, 0]
    assert hits[0].dense_score == pytest.approx(0.7) and hits[0].lexical_score == pytest.approx(3.0)
    assert len(make_hits(CHUNKS, ranked, scored, 2, "hybrid")) == 2


def test_bm25_ranking_leaves_out_unmatched_cases() -> None:
    scored = Scored(dense={0: 0.9, 2: 0.5}, lexical={2: 1.5})
    assert [key for key, _ in rank_groups(CHUNKS, scored, "bm25", "weighted", 0.5, 60)] == [("case-b", "")]
    with pytest.raises(ValueError, match="unknown retriever"):
        rank_groups(CHUNKS, scored, "magic", "weighted", 0.5, 60)
