"""The evaluation harness: gold set parsing, metrics, report, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import ParseError
from assistant.evaluation.evaluate import GoldQuery, evaluate, load_queries, write_report
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


GOOD_LINE = b'{"qid": "ok", "query": "x", "relevant": ["c"]}\n\n'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"qid": ["a"], "query": "x", "relevant": ["c"]}', '"qid" must be a string or a number, not \\["a"\\]'),
        (b'{"qid": {"a": 1}, "query": "x", "relevant": ["c"]}', '"qid" must be a string or a number'),
        (b'{"qid": "a", "query": "x", "relevant": "c"}', '"relevant" must be a non-empty list of ids'),
        (b'{"qid": "a", "query": ["x"], "relevant": ["c"]}', '"query" must be non-empty text'),
        (b'{"qid": "a", "query": "x", "relevant": ["c"], "kind": ["role"]}', "unknown kind"),
        (b'["qid", "query", "relevant"]', "each line must be a JSON object"),
        (b'"qid query relevant"', "each line must be a JSON object"),
        (b'{"qid": "a", "query": "caf\xe9", "relevant": ["c"]}', "not UTF-8 text"),
        (b"not json at all", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_malformed_query_files_are_one_line_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: bytes, message: str
) -> None:
    """`qid` a list, `relevant` a string, a JSON list or non-UTF-8 bytes once gave a traceback."""
    path = tmp_path / "q.jsonl"
    path.write_bytes(GOOD_LINE + line + b"\n")
    with pytest.raises(ParseError, match=message) as info:
        load_queries(path)
    assert info.value.line == 3 and str(info.value).startswith(f"{path}:3: ")
    assert main(["eval", "--queries", str(path), "--index", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:3: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"qid": ["a"], "query": "x"}', '"qid" must be a string or a number'),
        (b'{"query": 7}', '"query" must be non-empty text'),
        (b'{"qid": "a"}', 'needs a JSON object with a "query"'),
        (b"[1]", "each line must be a JSON object"),
        (b'{"query": "\xff"}', "not UTF-8 text"),
    ],
)
def test_malformed_out_of_scope_files_name_file_and_line(tmp_path: Path, line: bytes, message: str) -> None:
    from assistant.evaluation.evaluate import load_lines, load_queries_loose

    path = tmp_path / "oos.jsonl"
    path.write_bytes(b'{"query": "how do I bake bread"}\n' + line + b"\n")
    with pytest.raises(ParseError, match=message) as info:
        load_queries_loose(path)
    assert info.value.line == 2
    (tmp_path / "fine.jsonl").write_bytes(b'\xef\xbb\xbf{"qid": 3, "query": "bread"}\n{"query": "cake"}\n')
    assert load_lines(tmp_path / "fine.jsonl") == ["bread", "cake"]
    assert [q.qid for q in load_queries_loose(tmp_path / "fine.jsonl")] == ["3", "2"]
