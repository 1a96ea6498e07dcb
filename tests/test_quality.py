"""The answer-level evaluation (eval --answers): question files, per-answer scores, the whole run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ParseError
from assistant.evaluation.quality import (
    Question,
    answer_count,
    carries,
    check_questions,
    combined_corpus,
    evidence_citations,
    load_questions,
    score_answer,
    summarise,
)
from assistant.records import Answer, Citation
from tests.conftest import DATA, SHIPPED_CORPUS, HashEmbedder

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


FIND = {
    "qid": "f1",
    "query": "baby left in the bath",
    "kind": "find",
    "persona": "health visitor",
    "relevant": ["2015-04-lambeth-child-i"],
    "concepts": ["bath"],
}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "JSON object"),
        ({**FIND, "kind": "vibes"}, "unknown kind 'vibes'"),
        ({**FIND, "qid": ["f1"]}, '"qid" must be a non-empty string'),
        ({**FIND, "relevant": "2015-04-lambeth-child-i"}, '"relevant" must be a list'),
        ({**FIND, "relevant": []}, "needs at least one"),
        ({**FIND, "kind": "none"}, "has no relevant ids"),
        ({**FIND, "kind": "count", "criterion": "x"}, '"expected_count" or "expected_table"'),
        ({**FIND, "kind": "count", "expected_count": 1}, "criterion"),
        ({**FIND, "kind": "count", "expected_count": True, "criterion": "x"}, "whole number"),
        ({**FIND, "kind": "followup"}, "history"),
        ({**FIND, "kind": "role"}, '"role"'),
        ({**FIND, "split": "test"}, "unknown split"),
    ],
)
def test_a_malformed_question_names_file_and_line(tmp_path: Path, row: object, message: str) -> None:
    path = _write(tmp_path / "q.jsonl", [FIND | {"qid": "ok"}, row])
    with pytest.raises(ParseError) as err:
        load_questions(path)
    assert f"{path}:2" in str(err.value) and message in str(err.value)


def test_non_utf8_and_duplicate_ids_are_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(json.dumps(FIND).encode() + b"\n\xff\xfe\n")
    with pytest.raises(ParseError, match=r"bad.jsonl:2: not UTF-8"):
        load_questions(bad)
    with pytest.raises(ParseError, match="duplicate qid 'f1'"):
        load_questions(_write(tmp_path / "dup.jsonl", [FIND, FIND]))


def test_check_reports_unknown_ids_small_kinds_and_count_mismatch(tmp_path: Path) -> None:
    count = {**FIND, "qid": "c1", "kind": "count", "expected_count": 2, "criterion": "keywords name x"}
    path = _write(tmp_path / "q.jsonl", [FIND, {**FIND, "qid": "f2", "relevant": ["no-such-case"]}, count])
    problems = check_questions(load_questions(path), ["2015-04-lambeth-child-i"], path)
    assert any("no case 'no-such-case'" in p and ":2:" in p for p in problems)
    assert any("expected_count 2 but 1 relevant" in p for p in problems)
    assert any("only 0 none questions" in p for p in problems)
    assert any("only 3 questions" in p for p in problems)


def _answer(text: str, citations: tuple[Citation, ...], cases: tuple[str, ...], mode: str = "cases") -> Answer:
    return Answer("q", text, citations, cases, mode=mode)


def _cite(n: int, case_id: str, quote: str, section: str = "Key issues") -> Citation:
    return Citation(n, case_id, case_id, section, quote)


def test_score_of_a_case_answer_counts_padding_and_evidence_on_the_concept() -> None:
    text = (
        "2 reviews match.\n\n1. **A**\n   - Why it matches: “left in the bath” [1]\n   - Learning: “x” [2]\n"
        "2. **B**\n   - Why it matches: “published in May” [3]"
    )
    cites = (_cite(1, "a", "left in the bath"), _cite(2, "a", "x", "Learning"), _cite(3, "b", "published in May"))
    question = Question("f1", "bath", "find", "gp", relevant=("a", "c"), concepts=("bath",))
    row = score_answer(question, _answer(text, cites, ("a", "b")), {})
    assert row["precision"] == 0.5 and row["recall"] == 0.5 and row["padding"] == 1
    assert evidence_citations(_answer(text, cites, ("a", "b"))) == [1, 3]
    assert row["evidence_quotes"] == 2 and row["evidence_on_concept"] == 1


def test_role_points_and_counts_are_scored() -> None:
    text = "Learning from 2 reviews:\n\n- “GPs should ask” [1] — A\n- “share information” [2] — B"
    cites = (_cite(1, "a", "GPs should ask", "Learning"), _cite(2, "b", "share information", "Learning"))
    role_q = Question("r1", "what should GPs learn", "role", "gp", relevant=("a",), role="gp")
    row = score_answer(role_q, _answer(text, cites, ("a", "b"), mode="learning"), {"gp": ["gp"]})
    assert row["points"] == 2 and row["points_for_role"] == 1
    count_q = Question("c1", "how many", "count", "trainer", relevant=("a", "b"), expected_count=2, criterion="c")
    assert score_answer(count_q, _answer(text, cites, ("a", "b")), {})["count_exact"] is True
    five = _answer("5 reviews match “how many”, most relevant first.", (), ())
    assert answer_count(five) == 5 and answer_count(_answer("One review matches", (), ())) == 1
    assert score_answer(count_q, five, {})["count_exact"] is False


def test_none_questions_score_refusal_and_summary_rates() -> None:
    none_q = Question("n1", "how do I bake bread", "none", "trainer", nearest=("a",))
    refused = score_answer(none_q, Answer("q", "nothing", no_answer=True, mode="none"), {})
    answered = score_answer(none_q, _answer("1 review", (), ("a",)), {})
    assert refused["refused"] and not answered["refused"] and answered["nearest_shown"] == ["a"]
    find = score_answer(Question("f", "x", "find", "gp", relevant=("a",)), _answer("1", (), ("a",)), {})
    summary = summarise([refused, answered, find])
    assert summary["none_refused"] == 0.5 and summary["in_scope_wrongly_refused"] == 0.0
    assert summary["cited_relevant"] == 1.0


def test_carries_matches_word_starts_only() -> None:
    assert carries("Mother was co-sleeping", ["co-sleep"]) and carries("GPs did not", ["gp"])
    assert not carries("the laptop", ["top"])


def test_combined_corpus_copies_each_folder_once_and_reuses_it(tmp_path: Path) -> None:
    one = combined_corpus([SHIPPED_CORPUS, DATA], tmp_path / "cache")
    assert (one / "0-corpus" / "case-reviews-2015.txt").is_file() and (one / "1-data" / "digest_2016.txt").is_file()
    assert combined_corpus([SHIPPED_CORPUS, DATA], tmp_path / "cache") == one
    with pytest.raises(ParseError, match="corpus folder not found"):
        combined_corpus([tmp_path / "missing"], tmp_path / "cache")


def test_cli_eval_answers_prints_every_figure(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    use_fake_embedder: HashEmbedder,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    questions = _write(
        tmp_path / "q.jsonl",
        [
            FIND,
            {**FIND, "qid": "n1", "kind": "none", "relevant": [], "query": "how do I bake sourdough bread"},
            {**FIND, "qid": "c1", "kind": "count", "expected_count": 1, "criterion": "keywords name drowning"},
            {**FIND, "qid": "u1", "kind": "followup", "history": ["baby left in the bath"], "query": "what else?"},
        ],
    )
    out = tmp_path / "quality.json"
    args = ["eval", "--answers", "--queries", str(questions), "--corpus", str(SHIPPED_CORPUS), "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    for figure in ("ndcg@10", "cited_relevant", "none_refused", "in_scope_wrongly_refused", "count_exact"):
        assert figure in printed
    rows = json.loads(out.read_text())["answers"]["rows"]
    assert [r["qid"] for r in rows] == ["f1", "n1", "c1", "u1"]


def test_cli_eval_check_fails_on_an_unknown_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = _write(tmp_path / "q.jsonl", [FIND, {**FIND, "qid": "f2", "relevant": ["nope"]}])
    assert main(["eval", "--check", "--queries", str(questions), "--corpus", str(SHIPPED_CORPUS)]) == 1
    assert "no case 'nope'" in capsys.readouterr().out


def test_the_shipped_question_set_passes_its_check(capsys: pytest.CaptureFixture[str]) -> None:
    questions = ROOT / "eval" / "questions.jsonl"
    collection = ROOT / "eval" / "collection"
    code = main(["eval", "--check", "--queries", str(questions), "--corpus", str(SHIPPED_CORPUS), str(collection)])
    assert code == 0, capsys.readouterr().out
