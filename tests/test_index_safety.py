"""The index folder is safe: a malformed manifest or pointer is one line (and the next build repairs it),
the pointer cannot lead outside the folder, a build removes only what builds made, and a load
running beside builds always sees one complete index."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import IndexMismatchError, IndexNotBuiltError, ScrError
from assistant.indexing.build import build_index
from assistant.indexing.doctor import diagnose
from assistant.indexing.store import live_build_dir, read_index
from assistant.settings import Settings

from .conftest import HashEmbedder


@pytest.fixture
def index(fake_index: Settings, use_fake_embedder: HashEmbedder) -> Settings:
    return fake_index


def _manifest(settings: Settings, **changes: object) -> None:
    path = live_build_dir(settings.index_dir) / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _one_line_everywhere(settings: Settings, capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Load, doctor and search all say ``message`` in one line, with no traceback."""
    with pytest.raises(ScrError) as info:
        Assistant.load(settings=settings, embedder=HashEmbedder())
    assert message in str(info.value) and "\n" not in str(info.value)
    problems = [f for f in diagnose(settings) if not f.ok]
    assert len(problems) == 1 and message in problems[0].message
    capsys.readouterr()
    assert main(["doctor", "--index", str(settings.index_dir)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and message in out
    assert main(["search", "neglect", "--index", str(settings.index_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def _repaired_by_build(settings: Settings) -> None:
    report = build_index(settings, progress=False)
    assert report.full_rebuild.startswith("the previous index cannot be used")
    assert read_index(settings.index_dir).manifest["record_count"] == 20
    assert all(f.ok for f in diagnose(settings))


MANIFESTS = [
    ({"checksums": ["index.faiss", "chunks.jsonl"]}, "manifest.json's 'checksums' is a list"),
    ({"checksums": "index.faiss"}, "manifest.json's 'checksums' is a str"),
    ({"files": ["case-reviews-2015.txt"]}, "manifest.json's 'files' is a list"),
    ({"files": {"case-reviews-2015.txt": 7}}, "manifest.json's 'files' is a dict"),
    ({"skipped": ["a.pdf"]}, "manifest.json's 'skipped' is a list"),
    ({"chunk_count": "40"}, "manifest.json's 'chunk_count' is a str"),
    ({"dimension": True}, "manifest.json's 'dimension' is a bool"),
    ({"model": None}, "manifest.json's 'model' is a NoneType"),
    ({"corpus_dir": ["corpus"]}, "manifest.json's 'corpus_dir' is a list"),
]


@pytest.mark.parametrize(("changes", "message"), MANIFESTS, ids=[m for _, m in MANIFESTS])
def test_a_manifest_field_of_the_wrong_type_is_one_line_and_build_repairs_it(
    index: Settings, capsys: pytest.CaptureFixture[str], changes: dict[str, object], message: str
) -> None:
    _manifest(index, **changes)
    _one_line_everywhere(index, capsys, message)
    _repaired_by_build(index)


def test_a_manifest_naming_a_file_outside_its_build_is_refused(index: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not the index's")
    checksums = json.loads((live_build_dir(index.index_dir) / "manifest.json").read_text())["checksums"]
    _manifest(index, checksums={**checksums, "../../secret.txt": "0" * 64})
    with pytest.raises(IndexMismatchError, match="names '../../secret.txt', a file outside its build"):
        read_index(index.index_dir)
    _repaired_by_build(index)


@pytest.mark.parametrize("garbage", [bytes(range(256)) * 4, b"\xff\xfe\x00b\x00u", b"build-\x00x", b"x" * 5000])
def test_a_pointer_of_binary_garbage_is_one_line_and_build_repairs_it(
    index: Settings, capsys: pytest.CaptureFixture[str], garbage: bytes
) -> None:
    (index.index_dir / "CURRENT").write_bytes(garbage)
    _one_line_everywhere(index, capsys, "the index pointer CURRENT")
    _repaired_by_build(index)


def _outside_build(index: Settings, folder: Path) -> Path:
    """A complete copy of the live build outside the index folder, its records renamed."""
    shutil.copytree(live_build_dir(index.index_dir), folder)
    return folder


def test_a_pointer_cannot_load_an_index_from_outside_the_index_folder(index: Settings, tmp_path: Path) -> None:
    outside = _outside_build(index, tmp_path / "elsewhere" / "build-x")
    pointer = index.index_dir / "CURRENT"
    for name in (str(outside), "../elsewhere/build-x", "build-x/..", "."):
        pointer.write_text(name + "\n")
        with pytest.raises(IndexNotBuiltError, match="not a folder of the index"):
            read_index(index.index_dir)
    (index.index_dir / "build-link").symlink_to(outside, target_is_directory=True)  # a symlink out of the folder
    pointer.write_text("build-link\n")
    with pytest.raises(IndexNotBuiltError, match="not a folder of the index"):
        read_index(index.index_dir)


def test_a_pointer_of_dot_dot_does_not_load_the_folder_around_the_index(index: Settings, tmp_path: Path) -> None:
    around = _outside_build(index, tmp_path / "around")  # a build folder that holds the index folder
    inner = around / "index"
    inner.mkdir()
    (inner / "CURRENT").write_text("..\n")
    with pytest.raises(IndexNotBuiltError, match="not a folder of the index"):
        read_index(inner)


def test_a_build_removes_only_the_folders_builds_made(index: Settings) -> None:
    notes = index.index_dir / "build-2023-notes"
    scratch = index.index_dir / ".tmp-build-x"
    for folder in (notes, scratch):
        folder.mkdir()
        (folder / "mine.txt").write_text("a user's own file")
    first = live_build_dir(index.index_dir)
    build_index(index, progress=False, full=True)  # a new build: the old one goes
    build_index(index, progress=False)  # up to date: tidies
    assert not first.exists()
    assert (notes / "mine.txt").is_file() and (scratch / "mine.txt").is_file()
    ours = [p.name for p in index.index_dir.iterdir() if p.is_dir()]
    assert sorted(ours) == sorted([".tmp-build-x", "build-2023-notes", live_build_dir(index.index_dir).name])


def test_an_index_built_before_the_ledger_still_clears_its_old_builds(index: Settings) -> None:
    first = live_build_dir(index.index_dir)
    (index.index_dir / ".builds.json").unlink()  # as an index built by an earlier version
    (index.index_dir / "build-2023-notes").mkdir()
    build_index(index, progress=False, full=True)
    assert not first.exists() and (index.index_dir / "build-2023-notes").is_dir()


def _load_while(
    index: Settings, work: Callable[[], None], readers: int = 3, records: int | None = 20
) -> tuple[int, list[str]]:
    """Load the index over and over in ``readers`` threads while ``work`` runs (each load holding
    ``records`` records, when given); (loads, errors)."""
    done = threading.Event()
    loads = [0]
    errors: list[str] = []

    def read() -> None:
        while not done.is_set():
            try:
                stored = read_index(index.index_dir)
                assert stored.manifest["record_count"] == len(stored.records) == (records or len(stored.records))
                Assistant.load(settings=index, embedder=HashEmbedder())
                loads[0] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is collected and asserted on
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        work()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    return loads[0], errors


def test_loads_beside_builds_always_see_one_complete_index(index: Settings) -> None:
    def builds() -> None:
        for _ in range(12):
            build_index(index, progress=False, full=True)
            time.sleep(0.01)

    loads, errors = _load_while(index, builds)
    assert errors == [] and loads >= 12
