"""The benchmark harness measures what it claims, on the real model (figures are printed, not asserted as targets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.bench import run_bench
from assistant.indexing.embed import encoder_choice
from assistant.settings import Settings

from .conftest import ROOT, SHIPPED_CORPUS

pytestmark = pytest.mark.model


def test_bench_reports_every_figure(real_index: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join((ROOT / "eval" / "queries.jsonl").read_text().splitlines()[:12]))
    result = run_bench(Settings(corpus_dir=SHIPPED_CORPUS, index_dir=real_index), queries, repeat=1, chunks=200)
    for key in ("floor_ms", "search_ms", "ask_ms", "naive"):
        assert result[key]["search_ms" if key == "naive" else "p50"]
    assert result["floor_ms"]["n"] == result["search_ms"]["n"] == 12
    assert 0 < result["cold_start_s"] < 120 and result["rss_mb"] > 50
    assert result["build_chunks_per_s"] > 0 and result["encode_chunks_per_s"] > 0
    if encoder_choice(Settings()) != "torch":  # ONNX (on a CPU): torch's model.encode is timed beside it
        assert result["model_encode_chunks_per_s"] > 0 and result["build_vs_model_encode"] > 0
    assert result["build_vs_encode"] > 0 and result["build_vs_all_embedded"] > 0
    assert result["sentences_per_chunk"] > 1
    assert result["naive"]["chunks"] < result["chunks"]  # 1000-character chunks over whole files
    assert 0 <= result["naive"]["ndcg@10"] <= 1 and 0 <= result["ndcg@10"] <= 1
    assert result["synthetic"]["chunks"] == 200 and result["synthetic"]["faiss_search_ms"]["n"] == 12
