"""The index on disk: a folder of plain files (no pickle), written atomically.

Layout of an index folder::

    CURRENT                  name of the live build folder, swapped atomically
    build-<time>-<id>/
        index.faiss          inner-product index over normalised vectors: exact, or HNSW past a size
        bm25/                BM25 index over the same chunks (bm25s: JSON and .npy files)
        chunks.jsonl         one chunk's metadata per line, in vector order
        records.jsonl        every case and document, with all its sections
        units.jsonl          quotable sentences of every section, and units.npy their vectors
        manifest.json        model, dimension, counts, corpus hash, versions, checksums

A build writes a new build folder beside the live one and only then points CURRENT at it,
so a build that fails or is killed at any moment leaves the previous index as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assistant import vectors
from assistant.errors import IndexMismatchError, IndexNotBuiltError
from assistant.lexical import load_bm25, save_bm25
from assistant.parse import corpus_files
from assistant.records import Chunk, Record, record_from_dict
from assistant.sentences import Unit

FORMAT_VERSION = 2  # 2: units.jsonl and units.npy (quotable sentences)
POINTER = "CURRENT"
FILES = ("index.faiss", "chunks.jsonl", "records.jsonl", "units.jsonl", "units.npy")  # required, beside bm25/


@dataclass(frozen=True)
class StoredIndex:
    """An index as loaded from disk."""

    path: Path
    faiss_index: Any
    bm25: Any
    chunks: tuple[Chunk, ...]
    records: tuple[Record, ...]
    manifest: dict[str, Any]
    units: tuple[Unit, ...] = ()
    unit_vectors: Any = None


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def live_build_dir(index_dir: Path) -> Path:
    """The build folder that holds the live index (raises if there is none)."""
    if (index_dir / "manifest.json").is_file():
        return index_dir  # a bare build folder given directly
    pointer = index_dir / POINTER
    if not pointer.is_file():
        raise IndexNotBuiltError(index_dir)
    name = pointer.read_text(encoding="utf-8").strip()
    build = index_dir / name
    if not name or "/" in name or not (build / "manifest.json").is_file():
        raise IndexNotBuiltError(index_dir, f"the index pointer names a missing build {name!r}")
    return build


@dataclass(frozen=True)
class NewIndex:
    """Everything one build writes: chunks and their vectors, records, BM25, quotable units, manifest."""

    chunks: list[Chunk]
    vectors: np.ndarray
    records: list[Record]
    manifest: dict[str, Any]
    bm25: Any
    units: list[Unit]
    unit_vectors: np.ndarray


def write_index(index_dir: Path, new: NewIndex) -> Path:
    """Write a complete new build and make it live; returns the build folder."""
    if new.vectors.shape[0] != len(new.chunks):
        raise ValueError(f"{new.vectors.shape[0]} vectors for {len(new.chunks)} chunks")
    index_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(index_dir):
        return _write_locked(index_dir, new)


@contextlib.contextmanager
def building(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock for a whole build (or an add and its build), so that two
    builds, e.g. two browser sessions adding files at once, run one after the other."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _flock(index_dir / ".build.lock"):
        yield


def tidy(index_dir: Path) -> None:
    """Remove what failed or killed builds left beside the live index (under the lock)."""
    with _exclusive(index_dir):
        _remove_stale(index_dir)


@contextlib.contextmanager
def _exclusive(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's lock, so that two builds never write or clean up at once."""
    with _flock(index_dir / ".lock"):
        yield


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` for the ``with`` block."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_locked(index_dir: Path, new: NewIndex) -> Path:
    _remove_stale(index_dir)  # staging folders of builds that died, and builds no longer live
    name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = index_dir / f".tmp-{name}"
    staging.mkdir()
    try:
        index = vectors.make_index(new.vectors, int(new.manifest.get("approximate_from", vectors.APPROXIMATE_FROM)))
        faiss.write_index(index, str(staging / "index.faiss"))
        _write_lines(staging / "chunks.jsonl", (asdict(c) for c in new.chunks))
        _write_lines(staging / "records.jsonl", (r.to_dict() for r in new.records))
        save_bm25(new.bm25, staging / "bm25")
        _write_lines(staging / "units.jsonl", (asdict(u) for u in new.units))
        np.save(staging / "units.npy", np.ascontiguousarray(new.unit_vectors, dtype=np.float32), allow_pickle=False)
        manifest = {
            **new.manifest,
            "format": FORMAT_VERSION,
            "dimension": int(new.vectors.shape[1]),
            "chunk_count": len(new.chunks),
            "vector_index": vectors.kind(index),
            "record_count": len(new.records),
            "checksums": {_rel(staging, p): sha256_file(p) for p in _data_files(staging)},
        }
        _write_text(staging / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        for path in _data_files(staging):
            _fsync(path)
        _fsync(staging / "bm25")
        _fsync(staging)
        final = index_dir / name
        os.rename(staging, final)
        _point_to(index_dir, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _remove_stale(index_dir)
    return final


def read_index(index_dir: Path) -> StoredIndex:
    """Load and verify the live index; raises if it is missing or damaged."""
    build = live_build_dir(index_dir)
    manifest = _read_manifest(index_dir, build)
    checksums = manifest.get("checksums", {})
    for name in sorted(set(checksums) | set(FILES)):
        path = build / name
        if not path.is_file():
            raise IndexMismatchError(index_dir, f"{name} is missing")
        if sha256_file(path) != checksums.get(name):
            raise IndexMismatchError(index_dir, f"{name} has changed since the build (checksum differs)")
    try:
        faiss_index = vectors.prepare(faiss.read_index(str(build / "index.faiss")))
    except RuntimeError as exc:
        raise IndexMismatchError(index_dir, f"index.faiss cannot be read ({exc})") from None
    chunks = tuple(Chunk.from_dict(row) for row in _read_lines(index_dir, build / "chunks.jsonl"))
    records = tuple(record_from_dict(row) for row in _read_lines(index_dir, build / "records.jsonl"))
    if not faiss_index.ntotal == len(chunks) == manifest.get("chunk_count"):
        raise IndexMismatchError(
            index_dir,
            f"{faiss_index.ntotal} vectors, {len(chunks)} chunks, manifest says {manifest.get('chunk_count')}",
        )
    if faiss_index.d != manifest.get("dimension"):
        raise IndexMismatchError(
            index_dir, f"vectors of {faiss_index.d} dimensions, manifest says {manifest.get('dimension')}"
        )
    try:
        bm25 = load_bm25(build / "bm25")
    except (OSError, ValueError, KeyError) as exc:
        raise IndexMismatchError(index_dir, f"the BM25 index cannot be read ({exc})") from None
    units = tuple(Unit(**row) for row in _read_lines(index_dir, build / "units.jsonl"))
    try:
        unit_vectors = np.load(build / "units.npy", allow_pickle=False)
    except ValueError as exc:
        raise IndexMismatchError(index_dir, f"units.npy cannot be read ({exc})") from None
    if unit_vectors.shape != (len(units), faiss_index.d):
        raise IndexMismatchError(
            index_dir, f"units.npy holds {unit_vectors.shape}, expected ({len(units)}, {faiss_index.d})"
        )
    return StoredIndex(build, faiss_index, bm25, chunks, records, manifest, units, unit_vectors)


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")


def _rel(folder: Path, path: Path) -> str:
    return path.relative_to(folder).as_posix()


def _read_manifest(index_dir: Path, build: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexMismatchError(index_dir, f"manifest.json cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(index_dir, f"the index format is not version {FORMAT_VERSION}")
    return manifest


def _read_lines(index_dir: Path, path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                raise IndexMismatchError(index_dir, f"{path.name} line {n} is not valid JSON") from None
    return rows


def _write_lines(path: Path, rows: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_text(path: Path, text: str) -> None:
    path.write_text(text + "\n", encoding="utf-8")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _point_to(index_dir: Path, name: str) -> None:
    """Atomically make ``name`` the live build."""
    tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex[:8]}"
    _write_text(tmp, name)
    _fsync(tmp)
    os.replace(tmp, index_dir / POINTER)
    _fsync(index_dir)


def _remove_stale(index_dir: Path) -> None:
    """Remove builds that are not live and staging folders of failed builds (only under the lock)."""
    pointer = index_dir / POINTER
    live = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else ""
    for path in index_dir.iterdir():
        if path.is_dir() and path.name != live and path.name.startswith(("build-", ".tmp-build-")):
            shutil.rmtree(path, ignore_errors=True)


def corpus_fingerprint(corpus_dir: Path) -> tuple[str, dict[str, str]]:
    """A hash of the whole corpus and the SHA-256 of each file that feeds the index."""
    files: dict[str, str] = {}
    for path in corpus_files(corpus_dir):
        files[str(path.relative_to(corpus_dir))] = sha256_file(path)
        sidecar = path.with_name(path.stem + ".meta.json")
        if sidecar.is_file():
            files[str(sidecar.relative_to(corpus_dir))] = sha256_file(sidecar)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]}\n".encode())
    return digest.hexdigest(), files


def corpus_changes(manifest: dict[str, Any]) -> str:
    """How the corpus folder recorded in the manifest differs from the files hashed at build time
    ('' when it does not, or when that folder is not on this machine)."""
    folder = Path(manifest.get("corpus_dir", ""))
    if not manifest.get("corpus_dir") or not folder.is_dir():
        return ""
    digest, files = corpus_fingerprint(folder)
    if digest == manifest.get("corpus_hash"):
        return ""
    built = manifest.get("files", {})
    changed = sorted(f for f in files.keys() & built.keys() if files[f] != built[f])
    added, removed = sorted(files.keys() - built.keys()), sorted(built.keys() - files.keys())
    parts = [
        f"{label}: {', '.join(names[:3])}{' ...' if len(names) > 3 else ''}"
        for label, names in (("changed", changed), ("added", added), ("removed", removed))
        if names
    ]
    return "; ".join(parts) or "files differ"
