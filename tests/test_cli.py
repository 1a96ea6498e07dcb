"""The command line, run in-process with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.settings import Settings


def test_build_then_search_json(
    tmp_path: Path, corpus_copy: Path, use_fake_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "idx"
    assert main(["build", "--corpus", str(corpus_copy), "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "19 cases, 1 documents" in out and "0 skipped" in out
    assert main(["search", "concealed", "pregnancy", "--index", str(index), "--json", "--k", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "concealed pregnancy"
    assert len(data["results"]) == 3
    assert set(data["results"][0]) >= {"case_id", "title", "score", "section", "passage"}
    assert data["results"][0]["case_id"] == "2015-01-oldham-child-d"


def test_cases_json_lists_cases_and_the_study(fake_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "--index", str(fake_index.index_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 20
    assert {"case_id", "title", "year", "area"} <= set(rows[0])
    kinds = [r["kind"] for r in rows]
    assert kinds.count("case") == 19 and kinds.count("document") == 1


def test_env_var_sets_the_index_folder(
    fake_index: Settings,
    monkeypatch: pytest.MonkeyPatch,
    use_fake_embedder: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCR_INDEX_DIR", str(fake_index.index_dir))
    assert main(["search", "drowning", "bath"]) == 0
    assert "score" in capsys.readouterr().out


def test_missing_index_is_one_line_with_the_build_command(
    tmp_path: Path, use_fake_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["search", "neglect", "--index", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"run `scr-assistant build --index {tmp_path / 'none'}`" in err


def test_parse_error_is_one_line_naming_file_and_line(
    tmp_path: Path, use_fake_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "digest.txt").write_text("Title\n\nSmarch 2015 - Area - Child\n\nText.\n\nMay 2015 - B - C\n\nText.\n")
    code = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "idx")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == f"error: {corpus / 'digest.txt'}:3: case heading has an unknown month 'Smarch'"
    assert not (tmp_path / "idx" / "CURRENT").exists()


def test_eval_encoders_reports_each_encoders_change_against_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import assistant.evaluation.bench
    import assistant.indexing.embed

    seen = {}

    def compare(settings: Settings, queries: Path, repeat: int = 3) -> dict:
        seen.update(corpus=settings.corpus_dir, queries=queries)
        return {
            "torch": {"ndcg@10": 0.91},
            "onnx": {"ndcg@10": 0.91, "ndcg@10_change": 0.0, "encode_speedup": 1.9, "query_speedup": 2.1},
            "onnx-int8": {"ndcg@10": 0.90, "ndcg@10_change": -0.01, "encode_speedup": 3.4, "query_speedup": 5.7},
        }

    monkeypatch.setattr(assistant.evaluation.bench, "compare_encoders", compare)
    monkeypatch.setattr(assistant.indexing.embed, "_cuda_torch", lambda: False)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": "q1", "query": "concealed pregnancy", "relevant": ["x"]}\n')
    assert main(["eval", "--queries", str(queries), "--corpus", str(tmp_path), "--encoders"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert seen == {"corpus": tmp_path, "queries": queries}
    assert lines[2].split() == ["onnx", "(default)", "0.9100", "+0.0000", "1.90x", "2.10x"]
    assert lines[3].split() == ["onnx-int8", "0.9000", "-0.0100", "3.40x", "5.70x"]
    assert main(["eval", "--queries", str(queries), "--encoders", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["default"] == "onnx"
