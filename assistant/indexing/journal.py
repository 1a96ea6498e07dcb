"""The journal of an add in progress, so that an add is all or nothing from the user's view.

Before ``add`` puts a file into the corpus it records, in ``<index>/.add-journal/``, each file it is
about to write (with the SHA-256 of its bytes) and a copy of any file it replaces. When the add's
build has made the new index live, the journal is removed. An add that fails is undone at once; an
add that was killed is settled by the next ``add`` or ``build`` (both under the build lock): if the
live index already holds the files, the add stands, otherwise each file it wrote is removed (or the
file it replaced put back), so the corpus and the index agree again. Only a file whose bytes are
still the ones the add wrote is touched.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.indexing.store import fsync_path, live_build_dir, sha256_file

FOLDER = ".add-journal"
JOURNAL = "journal.json"


@dataclass(frozen=True)
class Entry:
    """One file an add writes into the corpus."""

    name: str  # path relative to the corpus folder
    sha256: str  # of the bytes the add writes there
    backup: str = ""  # the copy, in the journal folder, of the file it replaces ('' when there was none)


def begin(index_dir: Path, corpus_dir: Path, copies: list[tuple[Path, Path]]) -> None:
    """Record the (source, target in the corpus) copies an add is about to make, keeping a copy of
    every target that exists, before any of them is made."""
    folder = index_dir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    entries = []
    for number, (source, target) in enumerate(copies):
        backup = ""
        if target.is_file():
            backup = f"backup-{number}"
            shutil.copyfile(target, folder / backup)
            fsync_path(folder / backup)
        entries.append(Entry(str(target.relative_to(corpus_dir)), sha256_file(source), backup))
    tmp = folder / f".{JOURNAL}.tmp"
    tmp.write_text(json.dumps({"corpus_dir": str(corpus_dir.resolve()), "entries": [asdict(e) for e in entries]}))
    fsync_path(tmp)
    os.replace(tmp, folder / JOURNAL)
    fsync_path(folder)


def finish(index_dir: Path) -> None:
    """The add is complete: forget its journal."""
    shutil.rmtree(index_dir / FOLDER, ignore_errors=True)


def pending(index_dir: Path) -> list[str]:
    """The corpus files of an add that is under way or was interrupted ([] when there is none)."""
    journal = _read(index_dir)
    return [e.name for e in journal[1]] if journal else []


def settle(index_dir: Path) -> list[str] | None:
    """Finish what an interrupted add left (call under the build lock): keep it when the live index
    holds its files (None), else undo it (the files undone; [] when there was nothing to undo)."""
    journal = _read(index_dir)
    if journal is None:
        finish(index_dir)  # nothing, or a journal never completed: no corpus file was written
        return []
    corpus_dir, entries = journal
    if _indexed(index_dir, corpus_dir, entries):
        finish(index_dir)
        return None
    undone = [e.name for e in entries if _undo(index_dir / FOLDER, corpus_dir, e)]
    finish(index_dir)
    return undone


def _read(index_dir: Path) -> tuple[Path, list[Entry]] | None:
    try:
        data: Any = json.loads((index_dir / FOLDER / JOURNAL).read_text(encoding="utf-8"))
        entries = [Entry(**e) for e in data["entries"]]
        return Path(data["corpus_dir"]), entries
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return None


def _indexed(index_dir: Path, corpus_dir: Path, entries: list[Entry]) -> bool:
    """Whether the live index was built from these very files."""
    try:
        manifest = json.loads((live_build_dir(index_dir) / "manifest.json").read_text(encoding="utf-8"))
        files = manifest["files"]
        return manifest["corpus_dir"] == str(corpus_dir) and all(files.get(e.name) == e.sha256 for e in entries)
    except Exception:  # noqa: BLE001 - no live index, or an unreadable one: the add did not reach it
        return False


def _undo(folder: Path, corpus_dir: Path, entry: Entry) -> bool:
    """Put one corpus file back as it was before the add; False when it is no longer the add's."""
    target = corpus_dir / entry.name
    for part in target.parent.glob(f".{target.name}.*.part"):  # a copy the add was making
        part.unlink(missing_ok=True)
    written = target.is_file() and sha256_file(target) == entry.sha256
    if not written and (target.exists() or not entry.backup):
        return False
    if entry.backup:
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        shutil.copyfile(folder / entry.backup, tmp)
        os.replace(tmp, target)
    else:
        target.unlink()
    return True
