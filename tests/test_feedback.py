"""Feedback stored locally and exported as evaluation queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ParseError
from assistant.evaluate import load_queries
from assistant.feedback import export_queries, read_feedback, record_feedback
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
    rows = read_feedback(data)
    assert len(rows) == 5 and rows[-1]["helpful"] is False
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


def test_damaged_feedback_file_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text('{"helpful": true}\n{not json\n')
    with pytest.raises(ParseError, match="feedback.jsonl:2: not valid JSON"):
        read_feedback(tmp_path)
