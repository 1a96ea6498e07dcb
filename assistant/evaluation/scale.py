"""The scale benchmark (``scr-assistant bench --scale N``): a synthetic corpus of about N chunks
recombined from the shipped cases, built with the real pipeline, then build throughput against bare
encoding, size on disk, memory, search latency, and exact against approximate (HNSW) vector search
by corpus size. Nothing is downloaded: every sentence comes from the shipped digest."""

from __future__ import annotations

import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.bench import _figures
from assistant.indexing.chunk import MONTH_NAMES, chunk_records
from assistant.ingest.parse import corpus_files, is_digest, parse_digest, read_text
from assistant.records import Case
from assistant.settings import Settings

SEED = 0
CASES_PER_FILE = 200
CALIBRATION_CASES = 300
SIZES = (5_000, 10_000, 20_000, 50_000, 100_000)
EF_SWEEP = (64, 128, 256)
CANDIDATES = 100  # what the retriever fetches from the vector index (Settings.candidates)
FLOOR_SHARE_MS = 2.0  # half of the ~4 ms query embedding (ONNX), a quarter of torch's ~8 ms
MIN_RECALL_AT_10 = 0.95
ENCODE_SAMPLE = 5_000
HELD_OUT_QUERIES = 200
BUILD_RECORD = "scale-build.json"

# Fields of a digest entry in the order they are written, with their labels (the summary has none).
_FIELDS = (
    ("summary", ""),
    ("background", "Background"),
    ("key_issues", "Key issues"),
    ("findings", "Findings"),
    ("learning", "Learning"),
    ("recommendations", "Recommendations"),
    ("model", "Model"),
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
_CLAUSE_END = re.compile(r"(?<=[;,])\s+")
_AGE = re.compile(r"\b\d{1,2}-(?P<unit>(?:year|month|week)s?-old)\b")
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December) (?:19|20)\d\d\b"
)
MIX_SHARE = 0.7  # share of generated sentences that join clauses of two shipped sentences
_MONTHS = MONTH_NAMES[1:]  # January .. December
# English local areas, added to the shipped ones so that area facets and filters see many values.
_AREAS = (
    "Barnsley",
    "Bath and North East Somerset",
    "Birmingham",
    "Bolton",
    "Bradford",
    "Brighton and Hove",
    "Bristol",
    "Bromley",
    "Bury",
    "Calderdale",
    "Cambridgeshire",
    "Camden",
    "Cheshire East",
    "Cornwall",
    "Cumbria",
    "Derby",
    "Devon",
    "Doncaster",
    "Durham",
    "Ealing",
    "East Sussex",
    "Essex",
    "Gateshead",
    "Gloucestershire",
    "Hackney",
    "Hampshire",
    "Hull",
    "Kent",
    "Lancashire",
    "Leicester",
    "Lewisham",
    "Lincolnshire",
    "Manchester",
    "Medway",
    "Newcastle",
    "Newham",
    "Norfolk",
    "North Yorkshire",
    "Northumberland",
    "Peterborough",
    "Plymouth",
    "Portsmouth",
    "Reading",
    "Rochdale",
    "Rotherham",
    "Salford",
    "Sandwell",
    "Sheffield",
    "Shropshire",
    "Somerset",
    "Stockport",
    "Stoke-on-Trent",
    "Suffolk",
    "Sunderland",
    "Surrey",
    "Swindon",
    "Torbay",
    "Wakefield",
    "Warrington",
    "Wigan",
    "Wiltshire",
    "Wirral",
    "Wolverhampton",
    "Worcestershire",
    "York",
)


def _say(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the synthetic corpus


@dataclass(frozen=True)
class _Source:
    """What the generator draws from: the shipped cases and their sentences by field."""

    cases: tuple[Case, ...]
    sentences: dict[str, list[tuple[str, str]]]  # field -> (sentence, name of the case it came from)
    keywords: tuple[str, ...]
    areas: tuple[str, ...]


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def load_source(corpus_dir: Path) -> _Source:
    """The cases of every digest in the shipped corpus, and pools of their sentences by field."""
    cases: list[Case] = []
    for path in corpus_files(corpus_dir):
        text = read_text(path)
        if is_digest(text):
            cases.extend(parse_digest(text, path, path.name))
    if not cases:
        raise ValueError(f"no digest cases in {corpus_dir} to recombine")
    sentences: dict[str, list[tuple[str, str]]] = {name: [] for name, _ in _FIELDS}
    for case in cases:
        for name, _ in _FIELDS:
            sentences[name].extend((s, case.name) for s in _split_sentences(getattr(case, name)))
    keywords = tuple(dict.fromkeys(k for c in cases for k in c.keywords))
    areas = tuple(dict.fromkeys([*(c.area for c in cases), *_AREAS]))
    return _Source(tuple(cases), sentences, keywords, areas)


def _rename(sentence: str, old: str, new: str) -> str:
    """The sentence with the child's name of its own case replaced by the synthetic case's."""
    if len(old) < 2 or old.lower().startswith(("a ", "the ")):
        return sentence
    return re.sub(rf"\b{re.escape(old)}\b", new, sentence)


def _sentence(pool: Sequence[tuple[str, str]], rng: random.Random, name: str) -> str:
    """A sentence of one field: most often the opening clauses of one shipped sentence joined to the
    closing clauses of another of the same field, with ages and dates varied; else one as it is."""
    text, old = rng.choice(pool)
    text = _rename(text, old, name)
    if rng.random() < MIX_SHARE:
        other, other_old = rng.choice(pool)
        head, tail = _CLAUSE_END.split(text), _CLAUSE_END.split(_rename(other, other_old, name))
        if len(head) + len(tail) > 2:
            cut, start = rng.randint(1, len(head)), rng.randint(0, len(tail) - 1)
            if cut < len(head) or start > 0:
                left, right = " ".join(head[:cut]).rstrip(" .;,"), " ".join(tail[start:])
                text = f"{left[:1].upper()}{left[1:]}; {right}"
    text = _AGE.sub(lambda m: f"{rng.randint(1, 17 if m['unit'].startswith('year') else 11)}-{m['unit']}", text)
    return _DATE.sub(lambda m: f"{rng.choice(_MONTHS)} {rng.randint(2005, 2024)}", text)


def _case_text(source: _Source, rng: random.Random, serial: int) -> str:
    """One synthetic digest entry: a shipped case's shape (which sections, and about how long each is)
    filled with sentences drawn from the same section of any shipped case."""
    template = rng.choice(source.cases)
    name = f"Child {chr(ord('A') + serial % 26)}{serial:04d}"
    heading = f"{rng.choice(_MONTHS)} {rng.randint(2010, 2025)} - {rng.choice(source.areas)} - {name}"
    paragraphs = [heading]
    for field_name, label in _FIELDS:
        target = len(getattr(template, field_name))
        pool = source.sentences[field_name]
        if not target or not pool:
            continue
        sentences = [_sentence(pool, rng, name)]
        while True:  # about as many characters as the template's section: the same length distribution
            following = _sentence(pool, rng, name)
            if sum(len(s) + 1 for s in sentences) + len(following) / 2 > target:
                break
            sentences.append(following)
        text = " ".join(sentences)
        paragraphs.append(f"{label}: {text}" if label else text)
    count = min(len(template.keywords), len(source.keywords))
    if count:
        paragraphs.append("Keywords: " + ", ".join(rng.sample(source.keywords, count)))
    return "\n\n".join(paragraphs)


def _digest(cases: Sequence[str], number: int, total: int) -> str:
    head = (
        f"Synthetic case reviews for the scale benchmark (file {number} of {total})\n\n"
        "Recombined from the sentences of the shipped case reviews; not real cases."
    )
    return "\n\n".join([head, *cases]) + "\n"


def _chunk_lengths(cases: list[Case], count_tokens: Callable[[str], int], settings: Settings) -> list[int]:
    return [count_tokens(c.embed_text) for c in chunk_records(cases, count_tokens, settings)]


def calibrate(
    source: _Source, count_tokens: Callable[[str], int], settings: Settings, seed: int = SEED, cases: int = 0
) -> dict[str, Any]:
    """Chunks per synthetic case, measured by the real parser and chunker on a sample."""
    cases = cases or CALIBRATION_CASES
    rng = random.Random(seed + 1)
    text = _digest([_case_text(source, rng, 90_000 + n) for n in range(cases)], 1, 1)
    parsed = parse_digest(text, Path("calibration.txt"), "calibration.txt")
    lengths = _chunk_lengths(parsed, count_tokens, settings)
    return {"cases": len(parsed), "chunks": len(lengths), "chunks_per_case": len(lengths) / len(parsed)}


def generate_corpus(
    out_dir: Path,
    target_chunks: int,
    count_tokens: Callable[[str], int],
    settings: Settings | None = None,
    source_dir: Path = Path("corpus"),
    seed: int = SEED,
    cases_per_file: int = CASES_PER_FILE,
) -> dict[str, Any]:
    """Write digest files of synthetic cases to ``out_dir`` (emptied first), about ``target_chunks``
    chunks in all once the real chunker splits them; returns what was generated."""
    settings = settings or Settings()
    source = load_source(source_dir)
    calibration = calibrate(source, count_tokens, settings, seed)
    cases = max(2, round(target_chunks / calibration["chunks_per_case"]))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    rng = random.Random(seed)
    files = (cases + cases_per_file - 1) // cases_per_file
    for number in range(files):
        first = number * cases_per_file
        entries = [_case_text(source, rng, serial) for serial in range(first, min(cases, first + cases_per_file))]
        (out_dir / f"synthetic-{number + 1:04d}.txt").write_text(_digest(entries, number + 1, files), encoding="utf-8")
    return {
        "target_chunks": target_chunks,
        "cases": cases,
        "files": files,
        "cases_per_file": cases_per_file,
        "seed": seed,
        "source_cases": len(source.cases),
        "source_sentences": sum(len(pool) for pool in source.sentences.values()),
        "calibration": {k: round(v, 3) if isinstance(v, float) else v for k, v in calibration.items()},
        "expected_chunks": round(cases * calibration["chunks_per_case"]),
    }


def held_out_texts(
    count: int, count_tokens: Callable[[str], int], settings: Settings, source_dir: Path, seed: int = SEED
) -> list[str]:
    """Chunk texts of freshly generated cases that are not in the corpus (another seed), to use as queries."""
    source = load_source(source_dir)
    rng = random.Random(seed + 2)
    text = _digest([_case_text(source, rng, 95_000 + n) for n in range(count)], 1, 1)
    chunks = chunk_records(parse_digest(text, Path("held-out.txt"), "held-out.txt"), count_tokens, settings)
    return [c.embed_text for c in random.Random(seed + 3).sample(chunks, min(count, len(chunks)))]


def length_profile(lengths: Sequence[int]) -> dict[str, float]:
    """Percentiles of chunk lengths in word pieces (header included)."""
    values = np.asarray(lengths, dtype=np.float64)
    return {f"p{p}": round(float(np.percentile(values, p)), 1) for p in (10, 25, 50, 75, 90, 99)} | {
        "mean": round(float(values.mean()), 1)
    }


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


# ---------------------------------------------------------------- reports


def _ms(figures: dict[str, float]) -> str:
    return f"{figures['p50']:.2f} / {figures['p95']:.2f}"


def summary(result: dict[str, Any]) -> str:
    """A short human-readable account of a scale run."""
    g, b, e, d, m, s, v = (result[k] for k in ("generated", "build", "encode", "disk", "memory", "search", "vectors"))
    lines = [
        f"generated   {g['cases']:,} synthetic cases in {g['files']} files -> {result['index']['chunks']:,} chunks "
        f"(target {result['target_chunks']:,}), {result['index']['units']:,} sentence units",
        f"build       {b['chunks_per_s']} chunks/s ({b['wall_s']} s wall{', reused' if b.get('reused') else ''})",
        f"encode      {e['chunks_per_s']} chunks/s ({e['note']})",
        f"disk        {d['mb']} MB ({d['build_folder']})",
        f"memory      build peak {m['build_peak_rss_mb']} MB; search process {m['search_rss_after_load_mb']} MB "
        f"after load, peak {m['search_peak_rss_mb']} MB",
        f"search      p50 {s['search_ms']['p50']} ms, p95 {s['search_ms']['p95']} ms "
        f"({s['queries']} dev queries x {s['repeat']}, index {s['index_kind']}); of it, query embedding p50 "
        f"{s['query_embed_ms']['p50']} ms, vector index {s['vector_index_ms']['p50']} ms, "
        f"sentence-unit scan {s['unit_scan_ms']['p50']} ms",
        "vectors     size      flat p50/p95 ms   hnsw p50/p95 ms   recall@10  recall@100  hnsw build s",
    ]
    for row in v["by_size"]:
        lines.append(
            f"            {row['vectors']:<9,} {_ms(row['flat_ms']):<17} {_ms(row['hnsw_ms']):<17} "
            f"{row['recall@10']:<10} {row.get('recall@100', '-'):<11} {row['hnsw_build_s']}"
        )
    for row in v["ef_sweep"]["rows"]:
        lines.append(
            f"efSearch    {row['ef_search']:<4} p50/p95 {_ms(row['ms'])} ms  recall@10 {row['recall@10']}  "
            f"recall@100 {row.get('recall@100', '-')}  (k=10 search: recall@10 {row['k10_recall@10']})"
        )
    lines.append(
        f"switch      {v['switch_point'] or 'none within the sizes measured'} ({v['rule']}); "
        f"recall@10 there {v['switch_recall@10']}; APPROXIMATE_FROM = {v['approximate_from']:,}"
    )
    return "\n".join(lines)


def _below(v: dict[str, Any]) -> list[str]:
    """A line on the measured size just below the switch point, where exact search was still cheap."""
    sizes = [row["vectors"] for row in v["by_size"]]
    if not v["switch_point"] or sizes.index(v["switch_point"]) == 0:
        return []
    row = v["by_size"][sizes.index(v["switch_point"]) - 1]
    return [
        f"At {row['vectors']:,} vectors, the size measured below it, exact search took p50 {row['flat_ms']['p50']} ms."
    ]


def markdown(result: dict[str, Any]) -> str:
    """``eval/SCALE.md``: the scale run as tables."""
    g, b, e, d, m, s, v = (result[k] for k in ("generated", "build", "encode", "disk", "memory", "search", "vectors"))
    t = result["chunk_tokens"]
    out = [
        "# Scale benchmark",
        "",
        f"Measured on this machine ({result['machine']['cpus']} CPUs, CPU only, FAISS {result['machine']['faiss']}) "
        f"by `{result['command']}`.",
        "",
        "Load averages (1, 5, 15 min) when each part ended, as a check on other work competing for the CPUs "
        "(about 2 is this benchmark's own two threads): "
        + "; ".join(
            f"{name} {value}"
            for name, value in (
                ("build", b.get("load_average_after")),
                ("search", s.get("load_average")),
                ("encode", e.get("load_average")),
                ("exact/HNSW", v.get("load_average")),
            )
            if value
        )
        + ".",
        "",
        "## What was generated",
        "",
        f"{g['cases']:,} synthetic cases in {g['files']} digest files of {g['cases_per_file']} cases, recombined "
        f"(seed {g['seed']}) from the {g['source_sentences']} sentences of the {g['source_cases']} shipped cases: "
        "each case takes the shape of a shipped case (its sections, and about their length) and fills it with "
        "sentences drawn from the same section of any shipped case (70% of them joining the opening clauses of one "
        "shipped sentence to the closing clauses of another, with ages and dates varied), under a new heading "
        '(month, year 2010-2025, one of the shipped or other English areas, a child "Child A1234"). The real '
        "parser and chunker "
        f"made **{result['index']['chunks']:,} chunks** of them (target {result['target_chunks']:,}; calibrated "
        f"at {g['calibration']['chunks_per_case']} chunks per case on a {g['calibration']['cases']}-case sample) and "
        f"{result['index']['units']:,} quotable sentence units. Nothing was downloaded.",
        "",
        "Chunk length in word pieces (header included):",
        "",
        "| | p10 | p25 | p50 | p75 | p90 | p99 | mean |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, key in (("shipped cases", "shipped_cases"), ("synthetic (5,000 sample)", "synthetic_sample")):
        p = t[key]
        cells = " | ".join(str(p[name]) for name in ("p10", "p25", "p50", "p75", "p90", "p99", "mean"))
        out.append(f"| {label} | {cells} |")
    out += [
        "",
        "## Build, size and memory",
        "",
        "| | |",
        "|---|---|",
        f"| build (real pipeline, subprocess) | {b['wall_s']:,} s wall, **{b['chunks_per_s']} chunks/s** "
        f"(build_index's own clock: {b['build_s']:,} s) |",
        f"| bare encode | **{e['chunks_per_s']} chunks/s** ({e['note']}) |",
        f"| index on disk | **{d['mb']:,} MB** ({d['bytes']:,} bytes, live build folder) |",
        f"| peak RSS of the build | **{m['build_peak_rss_mb']:,} MB** |",
        f"| RSS after `Assistant.load` (search process) | {m['search_rss_after_load_mb']:,} MB "
        f"(load {s['load_s']} s; peak {m['search_peak_rss_mb']:,} MB) |",
        "",
        "The build embeds every chunk and every quotable sentence unit (about "
        f"{result['index']['units'] / max(1, result['index']['chunks']):.1f} per chunk), then writes BM25 and the "
        "files, so its chunks/s is well below the bare encode rate.",
        "",
        "Index on disk by part (MB): "
        + ", ".join(f"{name} {size}" for name, size in d["parts_mb"].items() if size >= 0.01)
        + ".",
        "",
        "## Search latency",
        "",
        f"`Assistant.search` (hybrid) over the {s['queries']} dev queries of `eval/queries.jsonl`, "
        f"{s['repeat']} passes after warm-up, in a fresh process, vector index {s['index_kind']}:",
        "",
        "| p50 ms | p95 ms |",
        "|---|---|",
        f"| **{s['search_ms']['p50']}** | **{s['search_ms']['p95']}** |",
        "",
        "Parts of it, timed on their own in the same process (p50 / p95 ms):",
        "",
        "| embedding the query | the vector index (k=100) | scan of the "
        f"{s['units']:,} sentence-unit vectors (plain matrix product) |",
        "|---|---|---|",
        f"| {_ms(s['query_embed_ms'])} | {_ms(s['vector_index_ms'])} | {_ms(s['unit_scan_ms'])} |",
        "",
        "The rest of a search (BM25 scoring of every chunk, the best sentence of every case and the fusion and "
        "grouping by case, in Python over all cases) grows with the corpus: at this size it, not the vector "
        "index, sets the search latency.",
        "",
        "## Exact against approximate (HNSW)",
        "",
        f"Prefixes of the built index's vectors; HNSW M={v['hnsw']['M']}, "
        f"efConstruction={v['hnsw']['efConstruction']}, "
        f"efSearch={v['hnsw']['efSearch']}. Queries: the {v['queries']['dev']} dev queries and "
        f"{v['queries']['held_out_chunks']} held-out chunk texts (generated with another seed, not in the index), "
        f"embedded; one query at a time, k={v['queries']['k']} (the retriever's `candidates`), "
        f"{v['queries']['repeat']} passes. Recall is against the exact index: the share of the exact top-k ids "
        'found in the HNSW top-k; "ties counted" also counts an HNSW hit that scores at least the exact 10th '
        "score (a recombined near-duplicate in place of its twin).",
        "",
        "| vectors | flat build s | HNSW build s | flat p50 / p95 ms | HNSW p50 / p95 ms | recall@10 | recall@100 "
        "| recall@10, ties counted |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in v["by_size"]:
        out.append(
            f"| {row['vectors']:,} | {row['flat_build_s']} | {row['hnsw_build_s']} | {_ms(row['flat_ms'])} | "
            f"{_ms(row['hnsw_ms'])} | {row['recall@10']} | {row.get('recall@100', '-')} | "
            f"{row.get('tie_recall@10', '-')} |"
        )
    sweep = v["ef_sweep"]
    if sweep["rows"]:
        out += [
            "",
            f"efSearch at {sweep['vectors']:,} vectors (FAISS searches with max(efSearch, k), so at k=100 an "
            "efSearch of 64 acts as 100; the last two columns are a k=10 search, where it counts in full):",
            "",
            "| efSearch | p50 / p95 ms (k=100) | recall@10 | recall@100 | recall@10, ties counted | "
            "k=10: p50 / p95 ms | k=10: recall@10 |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in sweep["rows"]:
            out.append(
                f"| {row['ef_search']} | {_ms(row['ms'])} | {row['recall@10']} | {row.get('recall@100', '-')} | "
                f"{row.get('tie_recall@10', '-')} | {_ms(row['k10_ms'])} | {row['k10_recall@10']} |"
            )
    out += [
        "",
        "## Switch point",
        "",
        f"Rule: the {v['rule']} (2 ms is half of the ~4 ms query embedding with ONNX, a quarter of torch's ~8 ms).",
        "",
        (
            f"**Switch point: {v['switch_point']:,} vectors**, HNSW recall@10 there {v['switch_recall@10']}."
            if v["switch_point"]
            else "**No switch point within the sizes measured**: exact search stays the better choice."
        ),
        *_below(v),
        f"`assistant/indexing/vectors.py` has `APPROXIMATE_FROM = {v['approximate_from']:,}` and `EF_SEARCH = "
        f"{v['hnsw']['efSearch']}` (the efSearch of the size table). HNSW keeps the vector index well under a "
        "millisecond of a search at every size measured.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "export HF_HUB_OFFLINE=1",
        f"scr-assistant bench --scale {result['target_chunks']} --scale-dir /tmp/scale{result['target_chunks']} --json",
        "# again, reusing that build (the corpus is regenerated identically and checked against the index):",
        f"scr-assistant bench --scale {result['target_chunks']} --scale-dir /tmp/scale{result['target_chunks']} "
        "--reuse --json",
        "```",
        "",
    ]
    return "\n".join(out)


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
