"""The index on disk: a folder of plain files (no pickle), written atomically.

Layout of an index folder::

    CURRENT                  name of the live build folder, swapped atomically
    build-<time>-<id>/
        index.faiss          the chunks' vectors (FAISS inner product): exact, or HNSW past a size
        bm25/                BM25 index over the same chunks (bm25s: JSON and .npy files)
        chunks.jsonl         one chunk's metadata per line, in vector order
        records.jsonl        every case and document, with all its sections
        units.jsonl          quotable sentences of every section, and units.npy their vectors
        manifest.json        model, dimension, counts, corpus hash, versions, checksums

A build writes a new build folder beside the live one and only then points CURRENT at it,
so a build that fails or is killed at any moment leaves the previous index as it was. Every folder
a build makes is first recorded in ``.builds.json``; only folders recorded there are ever removed,
so a user's own ``build-notes/`` in the index folder is left alone. CURRENT must name a folder
directly inside the index folder, and a manifest may only name files inside its build. A reader
that loses its build to a concurrent build (removed as it read) reads the new live build instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexMismatchError, IndexNotBuiltError
from assistant.indexing import vectors
from assistant.indexing.lexical import load_bm25, save_bm25
from assistant.indexing.sentences import Unit
from assistant.ingest.parse import corpus_files
from assistant.records import Chunk, Record, record_from_dict

FORMAT_VERSION = 2  # 2: units.jsonl and units.npy (quotable sentences)
POINTER = "CURRENT"
LEDGER = ".builds.json"  # the folders builds made here: the only ones a build may remove
_POINTER_BYTES = 256  # a pointer names one folder; anything longer is not a pointer
_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,200}")
_OWN_NAME_RE = re.compile(r"build-\d{8}T\d{6}-[0-9a-f]{8}")  # what _write_locked names a build
_READ_ATTEMPTS = 8  # loads retried when a concurrent build swapped the index mid-read
FILES = ("index.faiss", "chunks.jsonl", "records.jsonl", "units.jsonl", "units.npy")  # required, beside bm25/


@dataclass(frozen=True)
class StoredIndex:
    """An index as loaded from disk: the chunks' and the quotable sentences' vectors each behind
    the :class:`~assistant.indexing.vectors.VectorIndex` interface, in chunk and unit order."""

    path: Path
    chunk_vectors: vectors.VectorIndex
    bm25: Any
    chunks: tuple[Chunk, ...]
    records: tuple[Record, ...]
    manifest: dict[str, Any]
    units: tuple[Unit, ...]
    sentence_vectors: vectors.VectorIndex


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
    name = read_pointer(index_dir)
    if name is None:
        raise IndexNotBuiltError(index_dir)
    build = _confined(index_dir, name)
    if build is None:
        raise IndexNotBuiltError(index_dir, f"the index pointer {POINTER} names {name!r}, not a folder of the index")
    if not (build / "manifest.json").is_file():
        raise IndexNotBuiltError(index_dir, f"the index pointer names a missing build {name!r}")
    return build


def read_pointer(index_dir: Path) -> str | None:
    """The name CURRENT holds (None when there is no pointer); raises if it is not a readable name."""
    pointer = index_dir / POINTER
    if not pointer.is_file():
        return None
    try:
        with pointer.open("rb") as handle:
            raw = handle.read(_POINTER_BYTES + 1)
        name = raw.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = "is not text" if isinstance(exc, UnicodeDecodeError) else f"cannot be read ({exc.strerror or exc})"
        raise IndexNotBuiltError(index_dir, f"the index pointer {POINTER} {reason}") from None
    if len(raw) > _POINTER_BYTES or not name.isprintable():
        raise IndexNotBuiltError(index_dir, f"the index pointer {POINTER} does not hold a build name")
    return name


def _confined(index_dir: Path, name: str) -> Path | None:
    """``index_dir / name`` when ``name`` is one plain folder name that stays inside ``index_dir``
    (no ``..``, no absolute path, no symlink out); None otherwise."""
    if not _NAME_RE.fullmatch(name) or name == "." or ".." in name:
        return None
    build = index_dir / name
    if build.is_symlink() or build.resolve().parent != index_dir.resolve():
        return None
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
    _record(index_dir, add=[staging.name, name])  # before it exists, so a killed build's folder is known
    staging.mkdir()
    try:
        index = vectors.make_index(new.vectors, int(new.manifest.get("approximate_from", vectors.APPROXIMATE_FROM)))
        index.save(staging / "index.faiss")
        _write_lines(staging / "chunks.jsonl", (asdict(c) for c in new.chunks))
        _write_lines(staging / "records.jsonl", (r.to_dict() for r in new.records))
        save_bm25(new.bm25, staging / "bm25")
        _write_lines(staging / "units.jsonl", (asdict(u) for u in new.units))
        vectors.MatrixIndex(new.unit_vectors).save(staging / "units.npy")
        manifest = {
            **new.manifest,
            "format": FORMAT_VERSION,
            "dimension": int(new.vectors.shape[1]),
            "chunk_count": len(new.chunks),
            "vector_index": index.kind,
            "record_count": len(new.records),
            "checksums": {_rel(staging, p): sha256_file(p) for p in _data_files(staging)},
        }
        _write_text(staging / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        for path in _data_files(staging):
            fsync_path(path)
        fsync_path(staging / "bm25")
        fsync_path(staging)
        final = index_dir / name
        os.rename(staging, final)
        _point_to(index_dir, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _record(index_dir, remove=[staging.name])
    _remove_stale(index_dir)
    return final


def read_index(index_dir: Path) -> StoredIndex:
    """Load and verify the live index; raises if it is missing or damaged.

    A build that makes a new index live while this reads removes the one being read; the load then
    starts again on the new live build, so it sees one complete index, the old or the new.
    """
    for _ in range(_READ_ATTEMPTS - 1):
        build = live_build_dir(index_dir)
        try:
            return _read_build(index_dir, build)
        except (IndexMismatchError, IndexNotBuiltError, OSError):
            if _still_live(index_dir, build):
                raise  # the index itself is damaged, not swapped under us
    return _read_build(index_dir, live_build_dir(index_dir))


def _still_live(index_dir: Path, build: Path) -> bool:
    try:
        return live_build_dir(index_dir) == build and build.is_dir()
    except IndexNotBuiltError:
        return False


def _read_build(index_dir: Path, build: Path) -> StoredIndex:
    """Load and verify one build folder."""
    manifest = _read_manifest(index_dir, build)
    checksums = manifest["checksums"]
    for name in sorted(set(checksums) | set(FILES)):
        if not _inside(build, name):
            raise IndexMismatchError(index_dir, f"the manifest names {name!r}, a file outside its build")
        path = build / name
        if not path.is_file():
            raise IndexMismatchError(index_dir, f"{name} is missing")
        if sha256_file(path) != checksums.get(name):
            raise IndexMismatchError(index_dir, f"{name} has changed since the build (checksum differs)")
    try:
        chunk_vectors = vectors.FaissIndex.load(build / "index.faiss")
    except ValueError as exc:
        raise IndexMismatchError(index_dir, f"index.faiss cannot be read ({exc})") from None
    chunks = tuple(_read_lines(index_dir, build / "chunks.jsonl", Chunk.from_dict))
    records = tuple(_read_lines(index_dir, build / "records.jsonl", record_from_dict))
    if not len(chunk_vectors) == len(chunks) == manifest.get("chunk_count"):
        raise IndexMismatchError(
            index_dir,
            f"{len(chunk_vectors)} vectors, {len(chunks)} chunks, manifest says {manifest.get('chunk_count')}",
        )
    dimension = chunk_vectors.dimension
    if dimension != manifest.get("dimension"):
        raise IndexMismatchError(
            index_dir, f"vectors of {dimension} dimensions, manifest says {manifest.get('dimension')}"
        )
    try:
        bm25 = load_bm25(build / "bm25")
    except (OSError, ValueError, KeyError) as exc:
        raise IndexMismatchError(index_dir, f"the BM25 index cannot be read ({exc})") from None
    units = tuple(_read_lines(index_dir, build / "units.jsonl", lambda row: Unit(**row)))
    try:
        sentence_vectors = vectors.MatrixIndex.load(build / "units.npy")
    except ValueError as exc:
        raise IndexMismatchError(index_dir, f"units.npy cannot be read ({exc})") from None
    found = (len(sentence_vectors), sentence_vectors.dimension)
    if found != (len(units), dimension):
        raise IndexMismatchError(index_dir, f"units.npy holds {found}, expected ({len(units)}, {dimension})")
    return StoredIndex(build, chunk_vectors, bm25, chunks, records, manifest, units, sentence_vectors)


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")


def _rel(folder: Path, path: Path) -> str:
    return path.relative_to(folder).as_posix()


def _inside(build: Path, name: object) -> bool:
    """Whether a file name from a manifest is a relative path that stays inside ``build``."""
    if not isinstance(name, str) or not name or "\0" in name:
        return False
    path = Path(name)
    if path.is_absolute() or ".." in path.parts:
        return False
    return (build / path).resolve().is_relative_to(build.resolve())


_STR_MAP = "an object of file names and SHA-256 strings"
# manifest field -> (required, a check of its value, what it must be)
_MANIFEST_FIELDS: dict[str, tuple[bool, Any, str]] = {
    "dimension": (True, lambda v: _is_int(v) and v > 0, "a positive whole number"),
    "chunk_count": (True, lambda v: _is_int(v) and v >= 0, "a whole number"),
    "record_count": (True, lambda v: _is_int(v) and v >= 0, "a whole number"),
    "checksums": (True, lambda v: _str_map(v), _STR_MAP),
    "model": (True, lambda v: isinstance(v, str), "a string"),
    "files": (False, lambda v: _str_map(v), _STR_MAP),
    "skipped": (
        False,
        lambda v: (
            isinstance(v, dict) and all(isinstance(r, dict) and isinstance(r.get("reason"), str) for r in v.values())
        ),
        "an object of file names and reasons",
    ),
    "corpus_dir": (False, lambda v: isinstance(v, str), "a string"),
    "corpus_hash": (False, lambda v: isinstance(v, str), "a string"),
    "chunking": (False, lambda v: isinstance(v, dict), "an object"),
    "embedded": (False, lambda v: isinstance(v, dict), "an object"),
    "versions": (False, lambda v: isinstance(v, dict), "an object"),
    "approximate_from": (False, lambda v: _is_int(v), "a whole number"),
    "built_at": (False, lambda v: isinstance(v, str), "a string"),
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _read_manifest(index_dir: Path, build: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexMismatchError(index_dir, f"manifest.json cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(index_dir, f"the index format is not version {FORMAT_VERSION}")
    for name, (required, valid, expected) in _MANIFEST_FIELDS.items():
        if name not in manifest:
            if required:
                raise IndexMismatchError(index_dir, f"manifest.json has no {name!r}")
        elif not valid(manifest[name]):
            found = type(manifest[name]).__name__
            raise IndexMismatchError(index_dir, f"manifest.json's {name!r} is a {found}, not {expected}")
    return manifest


def _read_lines(index_dir: Path, path: Path, make: Any) -> list[Any]:
    """Each line of a JSON-lines file made into an object by ``make``; raises naming the line."""
    rows = []
    with path.open("rb") as handle:
        for n, line in enumerate(handle, start=1):
            try:
                row = json.loads(line.decode("utf-8"))
                if not isinstance(row, dict):
                    raise TypeError("not an object")
                rows.append(make(row))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise IndexMismatchError(index_dir, f"{path.name} line {n} is not valid JSON") from None
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise IndexMismatchError(index_dir, f"{path.name} line {n} is not a valid entry ({exc})") from None
    return rows


def _write_lines(path: Path, rows: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_text(path: Path, text: str) -> None:
    path.write_text(text + "\n", encoding="utf-8")


def fsync_path(path: Path) -> None:
    """Flush a file or folder to disk (so a rename that follows survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _point_to(index_dir: Path, name: str) -> None:
    """Atomically make ``name`` the live build."""
    tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex[:8]}"
    _write_text(tmp, name)
    fsync_path(tmp)
    os.replace(tmp, index_dir / POINTER)
    fsync_path(index_dir)


def _remove_stale(index_dir: Path) -> None:
    """Remove the folders builds recorded as their own that are not live: builds no longer live and
    staging folders of failed builds (only under the lock). Nothing else in the folder is touched."""
    try:
        live = read_pointer(index_dir)
    except IndexNotBuiltError:
        return  # an unreadable pointer: keep everything until a build replaces it
    gone = []
    for name in _owned(index_dir):
        path = _confined(index_dir, name)
        if name == live or path is None:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            gone.append(name)
    _record(index_dir, remove=gone)


def _owned(index_dir: Path) -> list[str]:
    """The folders builds made in ``index_dir``, from its ledger. An index made before the ledger
    existed has none: its live build and leftovers named exactly as builds name them are adopted."""
    ledger = index_dir / LEDGER
    if not ledger.exists():
        return sorted(
            p.name for p in index_dir.iterdir() if p.is_dir() and _OWN_NAME_RE.fullmatch(p.name.removeprefix(".tmp-"))
        )
    try:
        names = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []  # a damaged ledger: remove nothing (the next build writes a sound one)
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _record(index_dir: Path, add: tuple[str, ...] | list[str] = (), remove: tuple[str, ...] | list[str] = ()) -> None:
    """Add names to, or drop them from, the ledger of folders builds made (atomically, under the lock)."""
    names = [n for n in _owned(index_dir) if n not in remove]
    names += [n for n in add if n not in names]
    if not add and not remove and (index_dir / LEDGER).exists():
        return
    tmp = index_dir / f"{LEDGER}.tmp"
    _write_text(tmp, json.dumps(names, indent=1))
    fsync_path(tmp)
    os.replace(tmp, index_dir / LEDGER)


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


def corpus_diff(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """The files of the corpus folder recorded in the manifest that were changed, added or removed
    since the build (empty when none were, or when that folder is not on this machine)."""
    folder = Path(manifest.get("corpus_dir", ""))
    if not manifest.get("corpus_dir") or not folder.is_dir():
        return {}
    digest, files = corpus_fingerprint(folder)
    if digest == manifest.get("corpus_hash"):
        return {}
    built = manifest.get("files", {})
    diff = {
        "changed": sorted(f for f in files.keys() & built.keys() if files[f] != built[f]),
        "added": sorted(files.keys() - built.keys()),
        "removed": sorted(built.keys() - files.keys()),
    }
    return {label: names for label, names in diff.items() if names} or {"files differ": []}


def describe_diff(diff: dict[str, list[str]]) -> str:
    """One line naming up to three files of each kind of change."""
    return "; ".join(
        f"{label}: {', '.join(names[:3])}{' ...' if len(names) > 3 else ''}" if names else label
        for label, names in diff.items()
    )


def corpus_changes(manifest: dict[str, Any]) -> str:
    """How the corpus folder recorded in the manifest differs from the files hashed at build time
    ('' when it does not, or when that folder is not on this machine)."""
    return describe_diff(corpus_diff(manifest))
