"""Feedback stored locally and exported as evaluation queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from assistant.evaluation.evaluate import load_queries
from assistant.library.feedback import export_queries, read_feedback, record_feedback
from assistant.records import Answer


def _answer(question: str, cases: tuple[str, ...], mode: str = "cases") -> Answer:
    return Answer(question, "text", cases=cases, mode=mode, query=question)


def test_judgments_are_appended_locally_and_exported_as_gold_queries(tmp_path: Path) -> None:
    data = tmp_path / "data"
    record_feedback(data, _answer("hidden pregnancy", ("2015-01-oldham-child-d",)), helpful=True)
    record_feedback(data, _answer("hidden pregnancy", ("2015-03-blackpool-baby-q",)), helpful=True)
    record_feedback(
        data, _answer("lessons on neglect", ("2015-01-leeds-child-y",), "learning"), helpful=True, role="school"
    )
    record_feedback(data, _answer("bread", ()), helpful=True)
    record_feedback(data, _answer("cot death", ("2015-03-leeds-child-v",)), helpful=False)
    rows, damaged = read_feedback(data)
    assert damaged == [] and len(rows) == 5 and rows[-1]["helpful"] is False
    queries, skipped = export_queries(rows)
    assert skipped == 2
    assert queries == [
        {
            "qid": "f001",
            "query": "hidden pregnancy",
            "relevant": ["2015-01-oldham-child-d", "2015-03-blackpool-baby-q"],
            "kind": "paraphrase",
        },
        {"qid": "f002", "query": "lessons on neglect", "relevant": ["2015-01-leeds-child-y"], "kind": "role"},
    ]


def test_cli_export_writes_a_file_that_eval_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    record_feedback(data, _answer("hidden pregnancy", ("2015-01-oldham-child-d",)), helpful=True)
    out = tmp_path / "judged.jsonl"
    assert main(["feedback", "export", "--data", str(data), "--out", str(out)]) == 0
    assert "1 helpful answers exported; 0 judgments left out" in capsys.readouterr().err
    [query] = load_queries(out)
    assert query.relevant == ("2015-01-oldham-child-d",)


GOOD = '{"question": "hidden pregnancy", "cases": ["2015-01-oldham-child-d"], "helpful": true}'
GOOD_2 = '{"question": "cot death", "query": "cot death", "cases": ["2015-03-leeds-child-v"], "helpful": true}'


def test_damaged_feedback_file_names_the_line_and_keeps_the_others(tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text(f"{GOOD}\n{{not json\n{GOOD_2}\n")
    rows, [damaged] = read_feedback(tmp_path)
    assert str(damaged).startswith(f"{tmp_path / 'feedback.jsonl'}:2: not valid JSON (Expecting property name")
    assert [r["question"] for r in rows] == ["hidden pregnancy", "cot death"] and not damaged.unfinished


BAD_LINES = [
    (b"\xff\xfe{}", "not UTF-8 text"),
    (b"[1, 2]", "a judgment must be a JSON object, not a list"),
    (b'"helpful"', "a judgment must be a JSON object, not a string"),
    (b"7", "a judgment must be a JSON object, not a number"),
    (b'{"question": "q", "cases": ["a"]}', 'missing "helpful"'),
    (b'{"helpful": true, "cases": ["a"]}', 'missing "question"'),
    (b'{"question": "q", "helpful": true}', 'missing "cases"'),
    (b'{"question": ["q"], "cases": ["a"], "helpful": true}', '"question" must be text'),
    (b'{"question": "q", "cases": "201", "helpful": true}', '"cases" must be a list of case ids'),
    (b'{"question": "q", "cases": [1, 2], "helpful": true}', '"cases" must be a list of case ids'),
    (b'{"question": "q", "cases": ["a"], "helpful": "yes"}', '"helpful" must be true or false'),
    (b'{"question": "q", "query": ["q"], "cases": ["a"], "helpful": true}', '"query" must be text, not a list'),
    (b'{"question": "q", "role": {}, "cases": ["a"], "helpful": true}', '"role" must be text, not an object'),
    (b"[" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_each_malformed_line_is_that_lines_error_and_the_rest_are_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: bytes, reason: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "feedback.jsonl").write_bytes(GOOD.encode() + b"\n" + line + b"\n" + GOOD_2.encode() + b"\n")
    out = tmp_path / "judged.jsonl"
    assert main(["feedback", "export", "--data", str(data), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error: {data / 'feedback.jsonl'}:2: {reason}")
    assert err[0].endswith("; that line is left out")
    assert "2 helpful answers exported; 0 judgments left out" in err[-1] and len(err) == 3
    assert [q.relevant for q in load_queries(out)] == [("2015-01-oldham-child-d",), ("2015-03-leeds-child-v",)]


def test_cases_given_as_a_string_never_become_one_id_per_character(tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text('{"question": "q", "cases": "2015-01-x", "helpful": true}\n')
    rows, [damaged] = read_feedback(tmp_path)
    assert rows == [] and "must be a list of case ids" in str(damaged)
    assert export_queries(rows) == ([], 0)


def test_a_half_written_last_line_leaves_every_other_judgment_exportable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "feedback.jsonl").write_text(f"{GOOD}\n{GOOD_2}\n{GOOD[:30]}")  # the app stopped mid-write
    out = tmp_path / "judged.jsonl"
    assert main(["feedback", "export", "--data", str(data), "--out", str(out)]) == 0  # nothing damaged: unfinished
    err = capsys.readouterr().err
    assert f"note: {data / 'feedback.jsonl'}:3: an unfinished last line (not valid JSON" in err
    assert len(load_queries(out)) == 2


def test_a_judgment_after_a_cut_off_line_starts_a_line_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text(f"{GOOD}\n{GOOD_2[:25]}")
    record_feedback(tmp_path, _answer("lessons on neglect", ("2015-01-leeds-child-y",)), helpful=True)
    rows, [damaged] = read_feedback(tmp_path)
    assert [r["question"] for r in rows] == ["hidden pregnancy", "lessons on neglect"]  # the new one is not lost
    assert damaged.line == 2 and not damaged.unfinished


def test_a_generated_learning_answer_exports_as_a_theme_query() -> None:
    row = {"question": "q", "query": "lessons on neglect", "helpful": True, "cases": ["a"]}
    row["mode"] = "learning+generated"
    assert export_queries([row])[0][0]["kind"] == "theme"
