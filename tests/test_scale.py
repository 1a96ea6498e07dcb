"""The scale benchmark's parts: the synthetic corpus parses and chunks as planned, and the
exact-against-HNSW comparison measures recall (the full benchmark is ``bench --scale N``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.evaluation.scale import compare_exact_hnsw, generate_corpus, recall, switch_point
from assistant.indexing.chunk import chunk_records
from assistant.indexing.embed import load_embedder
from assistant.ingest.parse import corpus_files, load_corpus, match_heading
from assistant.settings import Settings

from .conftest import SHIPPED_CORPUS


def test_synthetic_corpus_parses_every_case_and_hits_the_chunk_target(tmp_path: Path) -> None:
    count_tokens = load_embedder().count_tokens  # the real tokenizer only (tokenizer.json), not the model
    settings = Settings(corpus_dir=tmp_path / "corpus")
    target = 300
    generated = generate_corpus(settings.corpus_dir, target, count_tokens, settings, SHIPPED_CORPUS, cases_per_file=20)
    files = corpus_files(settings.corpus_dir)
    assert len(files) == generated["files"] > 1
    headings = sum(1 for f in files for line in f.read_text(encoding="utf-8").splitlines() if match_heading(line))
    records = load_corpus(settings.corpus_dir)
    assert len(records) == headings == generated["cases"]
    assert all(r.kind == "case" and 2010 <= r.year <= 2025 and r.sections() for r in records)
    chunks = chunk_records(records, count_tokens, settings)
    assert abs(len(chunks) - target) <= 0.2 * target
    again = tmp_path / "again"
    generate_corpus(again, target, count_tokens, settings, SHIPPED_CORPUS, cases_per_file=20)
    assert (again / files[0].name).read_text(encoding="utf-8") == files[0].read_text(encoding="utf-8")  # fixed seed


def test_recall_counts_shared_ids() -> None:
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    approx = np.array([[4, 3, 9, 9], [5, 6, 7, 8]])
    assert recall(exact, approx, 2) == 0.5  # [1,2] vs [4,3]: none; [5,6] vs [5,6]: all
    assert recall(exact, approx, 4) == 0.75


def test_hnsw_recall_against_exact_on_random_vectors() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((1_000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.standard_normal((40, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    row = compare_exact_hnsw(vectors, queries, k=10, repeat=1)
    assert row["vectors"] == 1_000 and row["recall@10"] >= 0.9
    assert row["flat_ms"]["n"] == row["hnsw_ms"]["n"] == 40
    public = {k: v for k, v in row.items() if not k.startswith("_")}
    assert switch_point([{**public, "flat_ms": {"p50": 0.01}}]) is None  # exact is fast: no switch
    assert switch_point([{**public, "flat_ms": {"p50": 5.0}}])["vectors"] == 1_000
