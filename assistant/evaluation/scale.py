"""The scale benchmark (``scr-assistant bench --scale N``): a synthetic corpus of about N chunks
(:mod:`assistant.evaluation.synthetic`) built with the real pipeline in a child process, then build
throughput against bare encoding, size on disk, memory, search latency in a fresh child process, and
exact against approximate (HNSW) vector search by corpus size; the report is
:mod:`assistant.evaluation.scale_report`. The children are this module run again
(``python -m assistant.evaluation.scale build|search ...``)."""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.bench import _figures
from assistant.evaluation.scale_report import markdown, summary
from assistant.evaluation.synthetic import SEED, generate_corpus, held_out_texts, length_profile, load_source
from assistant.indexing.chunk import chunk_records
from assistant.settings import Settings

__all__ = [  # what the CLI and the tests import from here, wherever it now lives
    "compare_exact_hnsw",
    "ef_sweep",
    "generate_corpus",
    "markdown",
    "recall",
    "run_scale",
    "summary",
    "switch_point",
    "tie_recall",
]

SIZES = (5_000, 10_000, 20_000, 50_000, 100_000)
EF_SWEEP = (64, 128, 256)
CANDIDATES = 100  # what the retriever fetches from the vector index (Settings.candidates)
FLOOR_SHARE_MS = 2.0  # half of the ~4 ms query embedding (ONNX), a quarter of torch's ~8 ms
MIN_RECALL_AT_10 = 0.95
ENCODE_SAMPLE = 5_000
HELD_OUT_QUERIES = 200
BUILD_RECORD = "scale-build.json"


def _say(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- exact against approximate


def recall(exact_ids: np.ndarray, approx_ids: np.ndarray, k: int) -> float:
    """Mean fraction of each query's exact top ``k`` ids found in its approximate top ``k``."""
    hits = [len(set(e[:k].tolist()) & set(a[:k].tolist())) / k for e, a in zip(exact_ids, approx_ids, strict=True)]
    return round(float(np.mean(hits)), 4) if hits else 0.0


def tie_recall(
    vectors: np.ndarray, queries: np.ndarray, exact_ids: np.ndarray, approx_ids: np.ndarray, k: int
) -> float:
    """Like :func:`recall`, but an approximate hit counts when it scores at least the exact k-th
    score (less 1e-5): a near-duplicate swapped for its twin is not a miss."""
    hits = []
    for q, e, a in zip(queries, exact_ids, approx_ids, strict=True):
        kth = float(vectors[e[k - 1]] @ q) - 1e-5
        found = a[:k][a[:k] >= 0]
        hits.append(int(np.sum(vectors[found] @ q >= kth)) / k)
    return round(float(np.mean(hits)), 4) if hits else 0.0


def _timed_search(index: Any, queries: np.ndarray, k: int, repeat: int) -> tuple[np.ndarray, list[float]]:
    for q in queries[:5]:  # warm-up
        index.search(q, k)
    ids = np.zeros((len(queries), k), dtype=np.int64)
    samples: list[float] = []
    for _ in range(repeat):
        for row, q in enumerate(queries):
            started = time.perf_counter()
            _, found = index.search(q, k)
            samples.append(time.perf_counter() - started)
            ids[row] = found
    return ids, samples


def compare_exact_hnsw(
    vectors: np.ndarray, queries: np.ndarray, k: int = CANDIDATES, repeat: int = 3
) -> dict[str, Any]:
    """Build a flat and an HNSW index over ``vectors``; time both and measure HNSW recall against exact."""
    from assistant.indexing.vectors import make_index

    k = min(k, len(vectors))
    started = time.perf_counter()
    flat = make_index(vectors, approximate_from=len(vectors) + 1)
    flat_s = time.perf_counter() - started
    started = time.perf_counter()
    hnsw = make_index(vectors, approximate_from=1)
    hnsw_s = time.perf_counter() - started
    exact_ids, flat_samples = _timed_search(flat, queries, k, repeat)
    approx_ids, hnsw_samples = _timed_search(hnsw, queries, k, repeat)
    return {
        "vectors": len(vectors),
        "flat_build_s": round(flat_s, 3),
        "hnsw_build_s": round(hnsw_s, 2),
        "flat_ms": _figures(flat_samples),
        "hnsw_ms": _figures(hnsw_samples),
        "recall@10": recall(exact_ids, approx_ids, min(10, k)),
        f"recall@{k}": recall(exact_ids, approx_ids, k),
        "tie_recall@10": tie_recall(vectors, queries, exact_ids, approx_ids, min(10, k)),
        "_hnsw": hnsw,
        "_exact_ids": exact_ids,
    }


def ef_sweep(
    hnsw: Any, vectors: np.ndarray, exact_ids: np.ndarray, queries: np.ndarray, k: int = CANDIDATES, repeat: int = 3
) -> list[dict[str, Any]]:
    """Latency and recall of one HNSW index at each efSearch of ``EF_SWEEP``. FAISS searches with
    max(efSearch, k), so at k=100 an efSearch of 64 behaves as 100; recall@10 of a k=10 search
    (where efSearch counts in full) is given beside it."""
    from assistant.indexing.vectors import EF_SEARCH

    rows = []
    for ef in EF_SWEEP:
        hnsw.ef_search = ef
        ids, samples = _timed_search(hnsw, queries, k, repeat)
        ids10, samples10 = _timed_search(hnsw, queries, 10, 1)
        rows.append(
            {
                "ef_search": ef,
                "effective_ef": max(ef, k),
                "ms": _figures(samples),
                "recall@10": recall(exact_ids, ids, 10),
                f"recall@{k}": recall(exact_ids, ids, k),
                "tie_recall@10": tie_recall(vectors, queries, exact_ids, ids, 10),
                "k10_ms": _figures(samples10),
                "k10_recall@10": recall(exact_ids, ids10, 10),
            }
        )
    hnsw.ef_search = EF_SEARCH
    return rows


def switch_point(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The smallest size whose exact p50 exceeds ``FLOOR_SHARE_MS`` while HNSW keeps recall@10."""
    for row in rows:
        if row["flat_ms"]["p50"] > FLOOR_SHARE_MS and row["recall@10"] >= MIN_RECALL_AT_10:
            return row
    return None


# ---------------------------------------------------------------- subprocess parts


def _child_env() -> dict[str, str]:
    import os

    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TQDM_MININTERVAL": "30"}


def _run_child(args: list[str], timeout: float) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "assistant.evaluation.scale", *args],
        stdout=subprocess.PIPE,
        stderr=None,  # progress goes straight to our stderr (the log)
        text=True,
        timeout=timeout,
        env=_child_env(),
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"scale child {args[0]} failed with exit code {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _child_build(corpus_dir: str, index_dir: str, model: str) -> dict[str, Any]:
    """In the build subprocess: the real build, with a progress bar on stderr."""
    from assistant.indexing.build import build_index

    settings = Settings.from_env(corpus_dir=Path(corpus_dir), index_dir=Path(index_dir), model=model or None)
    report = build_index(settings, progress=True, on_stage=_say)
    extra = {name: getattr(report, name) for name in ("embedded", "sentences_embedded") if hasattr(report, name)}
    return {
        "chunks": report.chunks,
        "cases": report.cases,
        "build_s": round(report.seconds, 2),
        "path": str(report.path),
        **extra,
        "self_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _current_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _child_search(corpus_dir: str, index_dir: str, model: str, queries_file: str, repeat: int) -> dict[str, Any]:
    """In the search subprocess: load the assistant, then time ``search`` over the dev queries."""
    from assistant.api import Assistant

    settings = Settings.from_env(corpus_dir=Path(corpus_dir), index_dir=Path(index_dir), model=model or None)
    questions = load_questions(Path(queries_file))
    started = time.perf_counter()
    assistant = Assistant.load(settings=settings)
    load_s = time.perf_counter() - started
    rss_loaded = _current_rss_mb()
    assistant.search("warm up the model and the indexes")
    rss_warm = _current_rss_mb()
    for q in questions[:5]:
        assistant.search(q)
    samples = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            assistant.search(q)
            samples.append(time.perf_counter() - started)
    embed, dense = [], []
    for q in questions:
        started = time.perf_counter()
        vector = assistant.embedder.embed([q])[0]
        embed.append(time.perf_counter() - started)
        started = time.perf_counter()
        assistant.index.chunk_vectors.search(vector, assistant.settings.candidates)
        dense.append(time.perf_counter() - started)
    units = assistant.index.sentence_vectors
    unit_scan = []
    for _ in range(50):
        started = time.perf_counter()
        units.scores(vector)
        unit_scan.append(time.perf_counter() - started)
    return {
        "load_s": round(load_s, 2),
        "rss_after_load_mb": rss_loaded,
        "rss_after_first_search_mb": rss_warm,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "search_ms": _figures(samples),
        "queries": len(questions),
        "repeat": repeat,
        "units": len(units),
        "unit_scan_ms": _figures(unit_scan),
        "query_embed_ms": _figures(embed),
        "vector_index_ms": _figures(dense),
        "index_kind": assistant.index.chunk_vectors.kind,
        "load_average": _load(),
    }


def load_questions(path: Path) -> list[str]:
    """The ``query`` field of every line of a JSON-lines file."""
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- the whole benchmark


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _disk(index_dir: Path) -> dict[str, Any]:
    from assistant.indexing.store import live_build_dir

    build = live_build_dir(index_dir)
    parts: dict[str, int] = {}
    for path in build.iterdir():
        parts[path.name] = _folder_size(path) if path.is_dir() else path.stat().st_size
    total = sum(parts.values())
    return {
        "build_folder": build.name,
        "bytes": total,
        "mb": round(total / 1e6, 1),
        "parts_mb": {name: round(size / 1e6, 2) for name, size in sorted(parts.items(), key=lambda kv: -kv[1])},
    }


def _build(settings: Settings, reuse: bool, scale_dir: Path) -> dict[str, Any]:
    """Build in a subprocess (or reuse an earlier build of the same corpus) and time it."""
    from assistant.indexing.store import corpus_fingerprint, read_index

    record_path = scale_dir / BUILD_RECORD
    corpus_hash = corpus_fingerprint(settings.corpus_dir)[0]
    if reuse and record_path.is_file():
        try:
            recorded = json.loads(record_path.read_text(encoding="utf-8"))
            manifest = read_index(settings.index_dir).manifest
        except Exception as exc:  # noqa: BLE001 - anything unreadable means: build again
            _say(f"cannot reuse the earlier build ({exc}); building")
        else:
            if recorded.get("corpus_hash") == corpus_hash == manifest.get("corpus_hash"):
                _say(f"reusing the build in {settings.index_dir} (same synthetic corpus)")
                return {**recorded, "reused": True}
            _say("the earlier build is of another corpus; building")
    if settings.index_dir.exists():
        shutil.rmtree(settings.index_dir)  # a full build: nothing reused from an earlier index
    _say(f"building {settings.corpus_dir} -> {settings.index_dir} in a subprocess")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    child = _run_child(["build", str(settings.corpus_dir), str(settings.index_dir), settings.model], timeout=6 * 3600)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        **child,
        "wall_s": round(wall, 1),
        "chunks_per_s": round(child["chunks"] / wall, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_rss_note": "RUSAGE_CHILDREN after the build subprocess" + ("" if before == 0 else " (max over children)"),
        "corpus_hash": corpus_hash,
        "built_on": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_after": _load(),
    }
    record_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return {**result, "reused": False}


def _load() -> list[float]:
    """This machine's 1, 5 and 15 minute load averages: other work competing for the CPUs."""
    import os

    return [round(x, 2) for x in os.getloadavg()]


def _bare_encode(texts: list[str], embedder: Any, batch_size: int) -> dict[str, Any]:
    from assistant.evaluation.bench import bare_encoder

    encode = bare_encoder(embedder)
    encode(texts[:64])  # warm-up
    started = time.perf_counter()
    encode(texts)
    seconds = time.perf_counter() - started
    return {
        "sample": len(texts),
        "seconds": round(seconds, 1),
        "chunks_per_s": round(len(texts) / seconds, 1),
        "load_average": _load(),
        "note": f"bare encode ({embedder.name}, batch_size={batch_size}) on a random {len(texts):,}-chunk "
        "sample of the same chunks",
    }


def run_scale(
    settings: Settings,
    target: int,
    scale_dir: Path,
    queries_file: Path,
    repeat: int = 3,
    reuse: bool = False,
    report_dir: Path | None = Path("eval"),
    sizes: Sequence[int] = SIZES,
) -> dict[str, Any]:
    """The whole scale benchmark; writes ``scale.json`` and ``SCALE.md`` to ``report_dir`` (unless None)."""
    from assistant.indexing.embed import load_embedder
    from assistant.indexing.store import read_index
    from assistant.indexing.vectors import APPROXIMATE_FROM, EF_CONSTRUCTION, EF_SEARCH, HNSW_M

    source_dir = settings.corpus_dir
    scale_dir = scale_dir.resolve()
    scaled = settings.replace(corpus_dir=scale_dir / "corpus", index_dir=scale_dir / "index")
    embedder = load_embedder(settings)
    _say(f"generating about {target:,} chunks of synthetic cases in {scaled.corpus_dir}")
    started = time.perf_counter()
    generated = generate_corpus(scaled.corpus_dir, target, embedder.count_tokens, settings, source_dir)
    generated["seconds"] = round(time.perf_counter() - started, 1)
    _say(f"generated {generated['cases']:,} cases in {generated['files']} files ({generated['seconds']} s)")

    build = _build(scaled, reuse, scale_dir)
    _say(f"build: {build['chunks']:,} chunks in {build['wall_s']} s ({build['chunks_per_s']} chunks/s)")
    disk = _disk(scaled.index_dir)

    _say("timing search in a fresh subprocess")
    search = _run_child(
        ["search", str(scaled.corpus_dir), str(scaled.index_dir), settings.model, str(queries_file), str(repeat)],
        timeout=3 * 3600,
    )
    _say(f"search p50 {search['search_ms']['p50']} ms, p95 {search['search_ms']['p95']} ms")

    stored = read_index(scaled.index_dir)
    case_chunks = [c for c in stored.chunks if c.kind == "case"]
    shipped = chunk_records(load_source(source_dir).cases, embedder.count_tokens, settings)
    rng = random.Random(SEED + 4)
    sample = [c.embed_text for c in rng.sample(case_chunks, min(ENCODE_SAMPLE, len(case_chunks)))]
    lengths = {
        "shipped_cases": length_profile([embedder.count_tokens(c.embed_text) for c in shipped]),
        "synthetic_sample": length_profile([embedder.count_tokens(t) for t in sample]),
    }
    _say(f"bare encode of {len(sample):,} sampled chunks")
    encode = _bare_encode(sample, embedder, settings.batch_size)
    _say(f"bare encode: {encode['chunks_per_s']} chunks/s")

    vectors = stored.chunk_vectors.vectors()
    questions = load_questions(queries_file)
    held_out = held_out_texts(HELD_OUT_QUERIES, embedder.count_tokens, settings, source_dir)
    queries = embedder.embed([*questions, *held_out])
    rows = []
    last = None
    for size in sorted({min(size, len(vectors)) for size in sizes}):  # the largest is the whole index
        _say(f"exact against HNSW at {size:,} vectors")
        row = compare_exact_hnsw(vectors[:size], queries, CANDIDATES, repeat)
        last = row
        rows.append({k: v for k, v in row.items() if not k.startswith("_")})
        _say(f"  {json.dumps(rows[-1])}")
    sweep = ef_sweep(last["_hnsw"], vectors[: last["vectors"]], last["_exact_ids"], queries, CANDIDATES, repeat)
    chosen = switch_point(rows)
    del vectors, last

    result: dict[str, Any] = {
        "target_chunks": target,
        "generated": generated,
        "chunk_tokens": lengths,
        "build": {k: v for k, v in build.items() if k != "corpus_hash"},
        "index": {"chunks": len(stored.chunks), "units": len(stored.units), "kind": search["index_kind"]},
        "encode": encode,
        "disk": disk,
        "memory": {
            "build_peak_rss_mb": build["peak_rss_mb"],
            "search_rss_after_load_mb": search["rss_after_load_mb"],
            "search_peak_rss_mb": search["peak_rss_mb"],
        },
        "search": search,
        "vectors": {
            "queries": {"dev": len(questions), "held_out_chunks": len(held_out), "k": CANDIDATES, "repeat": repeat},
            "hnsw": {"M": HNSW_M, "efConstruction": EF_CONSTRUCTION, "efSearch": EF_SEARCH},
            "by_size": rows,
            "ef_sweep": {"vectors": rows[-1]["vectors"] if rows else 0, "rows": sweep},
            "rule": f"smallest size with exact p50 > {FLOOR_SHARE_MS} ms and HNSW recall@10 >= {MIN_RECALL_AT_10}",
            "switch_point": chosen["vectors"] if chosen else None,
            "switch_recall@10": chosen["recall@10"] if chosen else None,
            "approximate_from": APPROXIMATE_FROM,
            "load_average": _load(),
        },
        "machine": _machine(),
        "command": f"scr-assistant bench --scale {target} --scale-dir {scale_dir} --json",
    }
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "scale.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (report_dir / "SCALE.md").write_text(markdown(result), encoding="utf-8")
        _say(f"wrote {report_dir / 'scale.json'} and {report_dir / 'SCALE.md'}")
    return result


def _machine() -> dict[str, Any]:
    import os
    import platform

    from assistant.indexing.vectors import library_info

    return {"cpus": os.cpu_count(), "python": platform.python_version(), **library_info()}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the build and search subprocesses (``python -m assistant.evaluation.scale build|search ...``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "build":
        result = _child_build(*args[1:4])
    elif args and args[0] == "search":
        result = _child_search(args[1], args[2], args[3], args[4], int(args[5]))
    else:
        print(
            "usage: python -m assistant.evaluation.scale build CORPUS INDEX MODEL"
            " | search CORPUS INDEX MODEL QUERIES REPEAT"
        )
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
