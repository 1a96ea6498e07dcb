"""Benchmarks on this machine: the floor, search and ask latency, cold start, build throughput,
memory, and the tutorial pipeline a user might assemble instead (the naive baseline)."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.api import Assistant
from assistant.evaluation.evaluate import GoldQuery, load_queries, ranked_ids
from assistant.indexing.build import build_index
from assistant.indexing.chunk import chunk_records
from assistant.indexing.vectors import FlatIndex
from assistant.ingest.parse import corpus_files, load_corpus, read_text
from assistant.settings import Settings

NAIVE_CHUNK, NAIVE_OVERLAP = 1000, 200


def _figures(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "p50": round(statistics.median(ms), 2),
        "p95": round(ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))], 2),
        "n": len(ms),
    }


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _ndcg(queries: list[GoldQuery], runs: dict[str, list[str]], k: int = 10) -> float:
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    qrels = Qrels({q.qid: dict.fromkeys(q.relevant, 1) for q in queries})
    run = Run({qid: {c: float(len(ids) - i) for i, c in enumerate(ids)} or {"_": 0.0} for qid, ids in runs.items()})
    return round(float(ranx_evaluate(qrels, run, f"ndcg@{k}", make_comparable=True)), 4)


def naive_baseline(assistant: Assistant, queries: list[GoldQuery], repeat: int) -> dict[str, Any]:
    """The tutorial pipeline: 1000/200 character chunks over whole files, the same model, a flat
    FAISS index, no sections, no grouping, no BM25. Its chunks are mapped to cases by line only to
    score it (the first chunk of each case counts)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    corpus_dir = assistant.settings.corpus_dir
    splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK, chunk_overlap=NAIVE_OVERLAP, add_start_index=True)
    starts: dict[str, list[tuple[int, str]]] = {}
    for record in load_corpus(corpus_dir):
        starts.setdefault(record.source, []).append((record.line, record.case_id))
    texts, owners = [], []
    for path in corpus_files(corpus_dir):
        text = read_text(path)
        heads = sorted(starts.get(str(path.relative_to(corpus_dir)), []))
        for doc in splitter.create_documents([text]):
            line = text[: doc.metadata["start_index"] + len(doc.page_content) // 2].count("\n") + 1
            owner = next((case for start, case in reversed(heads) if start <= line), heads[0][1] if heads else "")
            texts.append(doc.page_content)
            owners.append(owner)
    model = assistant.embedder
    vectors = model.embed(texts)
    index = FlatIndex.empty(vectors.shape[1])
    index.add(vectors)
    runs, samples = {}, []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            _, ids = index.search(model.embed([q.query]), min(30, len(index)))
            samples.append(time.perf_counter() - t)
            runs[q.qid] = list(dict.fromkeys(owners[i] for i in ids if i >= 0))[:10]
    return {"chunks": len(texts), "search_ms": _figures(samples), "ndcg@10": _ndcg(queries, runs)}


def _synthetic(assistant: Assistant, count: int, queries: list[str]) -> dict[str, Any]:
    """A flat index of ``count`` synthetic chunks made from the shipped sentences (not downloaded)."""
    rng = np.random.default_rng(0)
    units = [u.text for u in assistant.index.units]
    texts = [" ".join(rng.choice(units, size=3)) for _ in range(count)]
    started = time.perf_counter()
    vectors = assistant.embedder.embed(texts)
    encode_s = time.perf_counter() - started
    index = FlatIndex.empty(vectors.shape[1])
    index.add(vectors)
    samples = []
    for q in queries:
        vector = assistant.embedder.embed([q])
        t = time.perf_counter()
        index.search(vector, 100)
        samples.append(time.perf_counter() - t)
    return {
        "chunks": count,
        "encode_chunks_per_s": round(count / encode_s, 1),
        "faiss_search_ms": _figures(samples),
        "rss_mb": _rss_mb(),
    }


def run_bench(settings: Settings, queries_file: Path, repeat: int = 3, chunks: int = 0) -> dict[str, Any]:
    """Every figure of ``scr-assistant bench`` (see the README), measured in this one run."""
    queries = load_queries(queries_file)
    questions = [q.query for q in queries]
    assistant = Assistant.load(settings=settings)
    assistant.search("warm up the model and the indexes")
    rss_after_load = _rss_mb()
    for q in questions[:5]:  # warm-up
        assistant.ask(q)
    floor, search, ask = [], [], []
    index, encode = assistant.index.chunk_vectors, bare_encoder(assistant.embedder)
    k = min(assistant.settings.candidates, len(index))
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            vector = encode([q])
            index.search(vector, k)
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.search(q)
            search.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.ask(q)
            ask.append(time.perf_counter() - t)
    ours = {q.qid: ranked_ids(assistant, q.query, "hybrid", 10) for q in queries}
    result: dict[str, Any] = {
        "floor_ms": _figures(floor),
        "search_ms": _figures(search),
        "ask_ms": _figures(ask),
        "cold_start_s": _cold_start(settings, questions[0]),
        **_build_throughput(assistant),
        "naive": naive_baseline(assistant, queries, repeat),
        "ndcg@10": _ndcg(queries, ours),
        "rss_mb": rss_after_load,
        "chunks": len(index),
        "queries": len(queries),
    }
    if chunks > 0:
        result["synthetic"] = _synthetic(assistant, chunks, questions)
    return result


def bare_encoder(embedder: Any) -> Any:
    """The floor's encoder: bare ``model.encode`` for the torch model, the ONNX session's own batch
    encoding (no more than tokenise, run, pool) for an ONNX encoder."""
    from assistant.indexing.embed import SentenceTransformerEmbedder

    if not isinstance(embedder, SentenceTransformerEmbedder):
        return embedder.embed
    model, batch_size = embedder.model, embedder.batch_size
    return lambda texts: model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)


def _cold_start(settings: Settings, question: str) -> float:
    """Seconds from a new process to its first answered question (imports, model and index load)."""
    import os

    env = {**os.environ, "SCR_ENCODER": settings.encoder, "SCR_ENCODER_CACHE": settings.encoder_cache}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant", "ask", question, "--index", str(settings.index_dir), "--json"],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    return round(time.perf_counter() - started, 2)


def compare_encoders(settings: Settings, queries_file: Path, repeat: int = 3) -> dict[str, Any]:
    """Each encoder (torch, ONNX, ONNX int8) on the same chunks and questions: preparing it (the
    local export), bare encode chunks/s, query embedding p50, build seconds, cold start, and the
    dev set's hybrid nDCG@10; with the speed-up and the nDCG@10 change against torch."""
    from assistant.indexing.embed import load_embedder
    from assistant.settings import ENCODERS

    queries = load_queries(queries_file)
    questions = [q.query for q in queries]
    records = load_corpus(settings.corpus_dir)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="scr-encoders-") as tmp:
        for name in ENCODERS:
            # a cache of its own, so that preparing the encoder includes the export
            chosen = settings.replace(encoder=name, index_dir=Path(tmp) / name, encoder_cache=str(Path(tmp) / "export"))
            embedder = load_embedder(chosen)
            started = time.perf_counter()
            embedder.embed(["prepare the encoder"])  # loads the model, or exports it on first use
            prepare_s = time.perf_counter() - started
            texts = [c.embed_text for c in chunk_records(records, embedder.count_tokens, chosen)]
            encode = bare_encoder(embedder)
            encode(texts[:16])
            started = time.perf_counter()
            encode(texts)
            encode_s = time.perf_counter() - started
            samples = []
            for _ in range(repeat):
                for q in questions:
                    t = time.perf_counter()
                    encode([q])
                    samples.append(time.perf_counter() - t)
            started = time.perf_counter()
            build_index(chosen, embedder=embedder, progress=False)
            build_s = time.perf_counter() - started
            assistant = Assistant.load(settings=chosen, embedder=embedder)
            runs = {q.qid: ranked_ids(assistant, q.query, "hybrid", 10) for q in queries}
            out[name] = {
                "prepare_s": round(prepare_s, 2),
                "encode_chunks_per_s": round(len(texts) / encode_s, 1),
                "query_embed_ms": _figures(samples),
                "build_s": round(build_s, 2),
                "cold_start_s": _cold_start(chosen, questions[0]),
                "ndcg@10": _ndcg(queries, runs),
            }
    base = out["torch"]
    for name in ENCODERS[1:]:
        out[name]["encode_speedup"] = round(out[name]["encode_chunks_per_s"] / base["encode_chunks_per_s"], 2)
        out[name]["query_speedup"] = round(base["query_embed_ms"]["p50"] / out[name]["query_embed_ms"]["p50"], 2)
        out[name]["ndcg@10_change"] = round(out[name]["ndcg@10"] - base["ndcg@10"], 4)
    return out


def _build_throughput(assistant: Assistant) -> dict[str, Any]:
    """Chunks per second of a full build of the corpus, beside bare encoding of the same chunks: by the
    encoder that built it (its own floor), and by sentence-transformers' ``model.encode`` on torch at
    the same batch size (the floor the issue names). The build also embeds every quotable sentence, so
    the bare encoding of all it embeds is timed as well (``build_vs_all_embedded``)."""
    from assistant.indexing.embed import SentenceTransformerEmbedder, load_embedder
    from assistant.indexing.sentences import record_units

    settings = assistant.settings
    records = load_corpus(settings.corpus_dir)
    texts = [c.embed_text for c in chunk_records(records, assistant.embedder.count_tokens, settings)]
    sentences = [u.embed_text for u in record_units(records)]
    encode = bare_encoder(assistant.embedder)
    encode(texts[:8])  # the encoder's batch path loaded before either side is timed
    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp:
        started = time.perf_counter()
        report = build_index(
            settings.replace(index_dir=Path(tmp) / "index"), embedder=assistant.embedder, progress=False
        )
        build_s = time.perf_counter() - started
    encode_s = _timed(encode, texts)
    everything_s = encode_s + _timed(encode, sentences)
    out: dict[str, Any] = {
        "build_chunks_per_s": round(report.chunks / build_s, 1),
        "encode_chunks_per_s": round(len(texts) / encode_s, 1),
        "build_s": round(build_s, 2),
        "build_vs_encode": round(encode_s / build_s, 3),
        "build_vs_all_embedded": round(everything_s / build_s, 3),
        "sentences_per_chunk": round(len(sentences) / max(len(texts), 1), 2),
    }
    if not isinstance(assistant.embedder, SentenceTransformerEmbedder):
        torch_model = load_embedder(settings.replace(encoder="torch"))
        model_encode_s = _timed(bare_encoder(torch_model), texts)
        out["model_encode_chunks_per_s"] = round(len(texts) / model_encode_s, 1)
        out["build_vs_model_encode"] = round(model_encode_s / build_s, 3)
    return out


def _timed(encode: Any, texts: list[str]) -> float:
    """Seconds to encode ``texts`` once, after a short warm-up."""
    encode(texts[:8])
    started = time.perf_counter()
    encode(texts)
    return time.perf_counter() - started
