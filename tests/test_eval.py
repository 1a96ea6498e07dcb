"""The evaluation harness: gold set parsing, metrics, report, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import ParseError
from assistant.evaluate import GoldQuery, evaluate, load_queries, write_report
from assistant.settings import Settings

from .conftest import ROOT, HashEmbedder

GOLD = [
    GoldQuery("q1", "concealed pregnancy professional curiosity", ("2015-01-oldham-child-d",), "keyword"),
    GoldQuery("q2", "drowning bath", ("2015-04-lambeth-child-i", "2015-03-nottingham-city-child-g"), "paraphrase"),
    GoldQuery("q3", "zzzz qqqq", ("2015-01-walsall-w4",), "theme"),
]


def test_dev_gold_set_is_well_formed() -> None:
    queries = load_queries(ROOT / "eval" / "queries.jsonl")
    assert len(queries) >= 40
    assert {q.kind for q in queries} == {"keyword", "paraphrase", "theme", "role"}
    assert sum(q.kind in ("paraphrase", "theme") for q in queries) > len(queries) / 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"qid": "a", "query": "x"}', 'needs "qid", "query" and "relevant"'),
        ('{"qid": "a", "query": "x", "relevant": []}', "non-empty list"),
        ('{"qid": "a", "query": "x", "relevant": ["c"], "kind": "vibes"}', "unknown kind"),
        ('{"qid": "a", "query": "x", "relevant": ["c"]', "not valid JSON"),
    ],
)
def test_malformed_gold_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"qid": "ok", "query": "x", "relevant": ["c"]}\n\n' + line + "\n")
    with pytest.raises(ParseError, match=message) as info:
        load_queries(path)
    assert info.value.line == 3


def test_metrics_per_retriever_and_kind(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    assistant = Assistant.load(settings=fake_index, embedder=fake_embedder)
    result = evaluate(assistant, GOLD, retrievers=("bm25", "hybrid"), k=10)
    assert result["queries"] == 3 and set(result["retrievers"]) == {"bm25", "hybrid"}
    bm25 = result["retrievers"]["bm25"]
    assert set(bm25) == {"ndcg@10", "recall@5", "recall@10", "mrr", "by_kind"}
    assert bm25["by_kind"]["keyword"]["mrr"] == 1.0  # the fake's words match Oldham's keywords exactly
    assert bm25["by_kind"]["theme"]["recall@10"] == 0.0  # nothing matches nonsense words
    assert 0.0 < bm25["ndcg@10"] < 1.0


def test_report_has_markdown_and_png(tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    assistant = Assistant.load(settings=fake_index, embedder=fake_embedder)
    result = evaluate(assistant, GOLD, k=10)
    report, chart = write_report(result, tmp_path / "report")
    text = report.read_text()
    assert "| hybrid |" in text and "| dense |" in text and "![retrievers](retrievers.png)" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_eval_builds_a_temporary_index_for_another_corpus(
    tmp_path: Path, corpus_copy: Path, use_fake_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(json.dumps(q.__dict__ | {"relevant": list(q.relevant)}) for q in GOLD))
    code = main(
        [
            "eval",
            "--queries",
            str(queries),
            "--corpus",
            str(corpus_copy),
            "--index",
            str(tmp_path / "none"),
            "--retriever",
            "all",
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert set(data["retrievers"]) == {"bm25", "dense", "hybrid"} and data["queries"] == 3
    assert "building a temporary index" in captured.err
    assert not (tmp_path / "none").exists()
