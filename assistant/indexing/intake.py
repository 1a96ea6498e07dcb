"""Adding review files to the corpus: check each file, copy the good ones in, bring the index up to date.

A file that cannot be read is refused with one line naming it; the other files are still added.
Files are copied into the corpus folder under their own names (a different file of the same name
is refused unless replacing is asked for), each by a write to a temporary name and a rename,
and the index is rebuilt incrementally, so only the new text is embedded. An add is all or nothing:
the copies are journalled first (``journal``), so one that fails or is killed is undone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ParseError, ScrError
from assistant.indexing import journal
from assistant.indexing.build import BuildReport, ParsedFile, PreviousIndex, Progress, build_index, read_previous
from assistant.indexing.embed import Embedder
from assistant.indexing.store import building, sha256_file
from assistant.ingest.parse import SKIP_NAMES, parse_file
from assistant.ingest.readers import SUPPORTED_SUFFIXES
from assistant.records import Record
from assistant.settings import Settings, resolve


@dataclass(frozen=True)
class Refused:
    """A file that was not added, and why (one line naming the file)."""

    path: str
    reason: str


@dataclass(frozen=True)
class AddReport:
    """What ``add`` did: the files copied into the corpus, those refused, and the build that followed."""

    added: tuple[str, ...]
    refused: tuple[Refused, ...]
    build: BuildReport | None
    replaced: tuple[str, ...] = ()  # added files that replaced a different file of the same name

    def summary(self) -> str:
        """Lines for people: one per refused file, then the build's summary."""
        lines = [f"refused {r.reason}" for r in self.refused]
        lines.append(f"added {len(self.added)} file(s) to the corpus: {', '.join(self.added) or 'none'}")
        if self.replaced:
            lines.append(f"replaced the corpus's earlier {', '.join(self.replaced)}")
        if self.build is not None:
            lines.append(self.build.summary())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``add --json``."""
        return {
            "added": list(self.added),
            "refused": [r.__dict__ for r in self.refused],
            "replaced": list(self.replaced),
            "build": self.build.to_dict() if self.build is not None else None,
        }


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the review files inside the folders named (recursively, hidden ones skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and p.name.lower() not in SKIP_NAMES
                and not p.name.endswith(".meta.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def add_files(
    paths: Iterable[Path],
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Progress | None = None,
    names: dict[Path, str] | None = None,
    replace: bool = False,
) -> AddReport:
    """Check and copy each file into ``settings.corpus_dir``, then update the index, all under the
    index's build lock. A file whose name is taken in the corpus by different content is refused
    unless ``replace``; ``names`` gives how the user knows a file (browser uploads). Each file is
    parsed once and the index read once: the build is handed both.
    """
    settings = resolve(settings)
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise ParseError(corpus, 0, "corpus folder not found")
    with building(settings.index_dir):
        journal.settle(settings.index_dir)  # an earlier add that was killed: undone, unless it was indexed
        live = read_previous(settings)
        owners = {r.case_id: r.source for r in live.index.records} if live.index is not None else {}
        added: list[str] = []
        replaced: list[str] = []
        refused: list[Refused] = []
        copies: list[tuple[Path, Path]] = []
        known: dict[str, ParsedFile] = {}
        for path in expand(paths):
            name = path.name
            label = (names or {}).get(path, str(path))
            target = corpus / name
            taken = path.is_file() and target.is_file() and not _same_bytes(path, target)
            parsed: ParsedFile | None = None
            if name in added:
                problem = f"{label}: another file named {name} is already being added"
            elif taken and not replace:
                problem = f"{label}: the corpus already holds a different {name} (use --replace to replace it)"
            else:
                problem, parsed = _check(path, name, label, settings, owners)
            if problem or parsed is None:
                refused.append(Refused(name, problem))
                continue
            if taken:
                replaced.append(name)
            copies.append((path, target))
            sidecar = path.with_name(path.stem + ".meta.json")
            if sidecar.is_file():
                copies.append((sidecar, corpus / (Path(name).stem + ".meta.json")))
            known[name] = parsed
            added.append(name)
        if not added:
            return AddReport((), tuple(refused), None, ())
        build = _copy_and_index(copies, added, settings, (live, known), embedder, progress, on_stage, on_progress)
    return AddReport(tuple(added), tuple(refused), build, tuple(replaced))


def _copy_and_index(
    copies: list[tuple[Path, Path]],
    added: list[str],
    settings: Settings,
    read: tuple[PreviousIndex, dict[str, ParsedFile]],
    embedder: Embedder | None,
    progress: bool | None,
    on_stage: Callable[[str], None] | None,
    on_progress: Progress | None,
) -> BuildReport:
    """Copy the files into the corpus and build on what was ``read`` (the live index, the files' records),
    all or nothing: the copies are journalled first, and a failure (a full disk, a build error) undoes
    them before it is reported, in one line."""
    loaded, known = read
    try:
        journal.begin(settings.index_dir, settings.corpus_dir, copies)
        for source, target in copies:
            _copy_in(source, target)
        build = build_index(
            settings, embedder, progress, on_stage, on_progress, locked=True, loaded=loaded, known=known
        )
    except BaseException as exc:
        kept = journal.settle(settings.index_dir) is None  # None: the live index already holds the files
        if not isinstance(exc, (ScrError, OSError)):
            raise
        what = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
        if kept:
            raise ScrError(f"{', '.join(added)} added and indexed, but then: {what}") from exc
        raise ScrError(f"nothing was added ({', '.join(added)}): {what}") from exc
    journal.finish(settings.index_dir)
    return build


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and sha256_file(a) == sha256_file(b)


def _check(
    path: Path, name: str, label: str, settings: Settings, owners: dict[str, str]
) -> tuple[str, ParsedFile | None]:
    """The file's records, parsed once for the build, when it can be added (and ''); else one line
    naming it (as ``label``) and saying why not."""
    if not path.exists():
        return f"{label}: no such file", None
    if name.lower() in SKIP_NAMES or name.startswith(".") or name.endswith(".meta.json"):
        return f"{label}: {name!r} is not a name a review file can have in the corpus", None
    try:
        digests = _digests(path)  # before parsing: a file changed meanwhile no longer matches, and is parsed again
        records = parse_file(path, name, settings.max_file_mb, settings.read_seconds, settings.read_memory_mb)
    except ParseError as exc:
        return (f"{label}:{exc.line}: {exc.reason}" if exc.line > 0 else f"{label}: {exc.reason}"), None
    except OSError as exc:
        return f"{label}: cannot be read ({exc.strerror or exc})", None
    except Exception as exc:  # noqa: BLE001 - a reader library failing on one file must not stop the others
        return f"{label}: could not be read ({type(exc).__name__}: {str(exc)[:120]})", None
    problem = _clash(records, name, label, owners)
    if problem:
        return problem, None
    for record in records:
        owners[record.case_id] = name
    return "", ParsedFile(tuple(records), *digests)


def _digests(path: Path) -> tuple[str, str | None]:
    """The SHA-256 of a file and of its sidecar (None when it has none), '' for one that is not a regular
    file (it never matches, so the build reads it again)."""
    sidecar = path.with_name(path.stem + ".meta.json")
    return _regular_sha256(path) or "", _regular_sha256(sidecar)


def _regular_sha256(path: Path) -> str | None:
    """Hex SHA-256 of a regular file; '' for anything else (a FIFO is not waited on), None when absent."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return ""
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _clash(records: list[Record], name: str, label: str, owners: dict[str, str]) -> str:
    """One line when a record's case id is already in the corpus in another file, or twice in this one."""
    ids = [r.case_id for r in records]
    for i, record in enumerate(records):
        owner = owners.get(record.case_id)
        if owner is not None and owner != name:
            return f"{label}:{record.line}: case id {record.case_id} is already in the corpus, in {owner}"
        if record.case_id in ids[:i]:
            return f"{label}:{record.line}: case id {record.case_id} appears twice in this file"
    return ""


def _copy_in(source: Path, target: Path) -> None:
    """Copy a file into the corpus whole or not at all (temporary name, then rename). The temporary name
    is short and hidden, whatever the file's own name: a 244-byte name plus a suffix went over the
    file system's 255-byte limit."""
    temporary = target.with_name(f".{uuid.uuid4().hex}.part")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


MAX_NAME_BYTES = 255  # a file name's limit on Linux, macOS and Windows file systems


def add_uploads(uploads: Iterable[tuple[str, bytes]], settings: Settings | None = None, **options: Any) -> AddReport:
    """``add_files`` for files received as (name, bytes), e.g. browser uploads: each is written under
    its own name (never a path) in a temporary folder of its own, and named as the user knows it; a
    name no file system can hold is refused in one line, and the other files are still added."""
    with tempfile.TemporaryDirectory(prefix="scr-upload-") as tmp:
        names: dict[Path, str] = {}
        refused: list[Refused] = []
        for number, (name, data) in enumerate(uploads):
            problem = _upload_name_problem(name)
            if problem:
                refused.append(Refused(name, problem))
                continue
            path = Path(tmp) / str(number) / Path(name).name
            path.parent.mkdir()
            path.write_bytes(data)
            names[path] = path.name
        report = add_files(list(names), settings, names=names, **options)
    return dataclasses.replace(report, refused=(*refused, *report.refused)) if refused else report


def _upload_name_problem(name: str) -> str:
    """'' when an uploaded file's name can be a file's name in the corpus; else one line saying why not."""
    base = Path(name.replace("\x00", "")).name
    shown = base if len(base) <= 60 else f"{base[:40]}...{base[-12:]}"
    if "\x00" in name or base in ("", ".", ".."):
        return f"{shown or '(no name)'}: not a name a review file can have"
    size = len(base.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        return f"{shown}: the file name is {size} bytes long, over the {MAX_NAME_BYTES} a file system holds: shorten it"
    return ""
