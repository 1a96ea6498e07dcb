"""Building, storing and loading the index, with the fake embedder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import assistant.indexing.store
from assistant.api import Assistant, QueryError
from assistant.errors import IndexMismatchError, IndexNotBuiltError
from assistant.indexing.build import build_index
from assistant.indexing.store import live_build_dir, read_index
from assistant.settings import Settings

from .conftest import ROOT, HashEmbedder


def test_index_is_a_folder_of_plain_files_with_a_manifest(fake_index: Settings) -> None:
    build = live_build_dir(fake_index.index_dir)
    assert sorted(p.name for p in build.iterdir()) == [
        "bm25",
        "chunks.jsonl",
        "index.faiss",
        "manifest.json",
        "records.jsonl",
        "units.jsonl",
        "units.npy",
    ]
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["model"] == "fake-hash-embedder"
    assert manifest["dimension"] == 512
    assert manifest["record_count"] == 20
    assert manifest["chunk_count"] == sum(1 for _ in (build / "chunks.jsonl").open())
    assert len(manifest["corpus_hash"]) == 64
    assert set(manifest["files"]) >= {"case-reviews-2015.txt", "dfe-barriers-to-learning-from-scrs.txt"}
    assert {"faiss-cpu", "numpy", "python"} <= set(manifest["versions"])


def test_search_returns_each_case_once_best_first(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    assistant = Assistant.load(settings=fake_index, embedder=fake_embedder)
    hits = assistant.search("concealed pregnancy professional curiosity", k=5)
    assert hits[0].case_id == "2015-01-oldham-child-d"
    assert len({h.case_id for h in hits if h.kind == "case"}) == len([h for h in hits if h.kind == "case"])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].passage in {p.text for p in hits[0].passages}
    assert len(assistant.search("neglect", k=3)) == 3


def test_empty_query_is_a_clear_error(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    assistant = Assistant.load(settings=fake_index, embedder=fake_embedder)
    with pytest.raises(QueryError, match="empty"):
        assistant.search(" \t\x00 ")


def test_missing_index_names_the_build_command(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    with pytest.raises(IndexNotBuiltError) as info:
        Assistant.load(tmp_path / "nowhere", embedder=fake_embedder)
    assert f"scr-assistant build --index {tmp_path / 'nowhere'}" in str(info.value)


def test_index_built_with_another_model_is_refused(fake_index: Settings) -> None:
    other = HashEmbedder()
    other.name = "another-model"
    with pytest.raises(IndexMismatchError, match="built with model 'fake-hash-embedder'"):
        Assistant.load(settings=fake_index, embedder=other)


def test_damaged_file_is_detected_by_checksum(fake_index: Settings) -> None:
    chunks = live_build_dir(fake_index.index_dir) / "chunks.jsonl"
    chunks.write_text(chunks.read_text().replace("Oldham", "Oldhan"))
    with pytest.raises(IndexMismatchError, match="chunks.jsonl has changed"):
        read_index(fake_index.index_dir)


def test_failed_build_leaves_previous_index_loadable(
    fake_index: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = live_build_dir(fake_index.index_dir)
    (fake_index.corpus_dir / "extra.txt").write_text(
        "Extra\n\nMay 2016 - Newtown - Child Z\n\nDeath of a baby.\n\nKeywords: infant\n"
    )

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(assistant.indexing.store, "_write_lines", crash)  # fails after index.faiss is written
    with pytest.raises(OSError, match="disk full"):
        build_index(fake_index, embedder=fake_embedder, progress=False)
    assert live_build_dir(fake_index.index_dir) == before
    stored = read_index(fake_index.index_dir)
    assert "2016-05-newtown-child-z" not in {r.case_id for r in stored.records}
    assert not [p for p in fake_index.index_dir.iterdir() if p.name.startswith(".tmp-")]


def test_rebuild_switches_to_the_new_index_and_removes_the_old(
    fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    before = live_build_dir(fake_index.index_dir)
    (fake_index.corpus_dir / "extra.txt").write_text(
        "Extra\n\nMay 2016 - Newtown - Child Z\n\nDeath of a baby.\n\nKeywords: infant\n"
    )
    report = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert report.cases == 20 and report.documents == 1
    after = live_build_dir(fake_index.index_dir)
    assert after != before and not before.exists()
    assert "2016-05-newtown-child-z" in {r.case_id for r in read_index(fake_index.index_dir).records}


KILLED_BUILD = """
import importlib, os, sys, time
sys.path.insert(0, {root!r})
from tests.conftest import HashEmbedder
from assistant.indexing.build import build_index
from assistant.settings import Settings
owner = importlib.import_module({module!r}) if {module!r} != "HashEmbedder" else HashEmbedder
real = getattr(owner, {attr!r})
def paused(*args, **kwargs):
    result = real(*args, **kwargs)
    print("paused after", {attr!r}, flush=True)
    time.sleep(60)
    return result
setattr(owner, {attr!r}, paused if {module!r} != "HashEmbedder" else lambda self, texts: paused(self, texts))
build_index(Settings(corpus_dir={corpus!r}, index_dir={index!r}), embedder=HashEmbedder(), progress=False)
"""

# Moments at which a build is killed: while chunking, while embedding, after the first data file,
# after the BM25 files, while syncing to disk, after the new folder is renamed into place (pointer
# still old), and after the pointer is swapped (old folder not yet removed).
KILL_POINTS = [
    ("assistant.indexing.build", "chunk_records"),
    ("HashEmbedder", "embed"),
    ("assistant.indexing.store", "_write_lines"),
    ("assistant.indexing.store", "save_bm25"),
    ("assistant.indexing.store", "fsync_path"),
    ("os", "rename"),
    ("assistant.indexing.store", "_point_to"),
]


@pytest.mark.parametrize(("module", "attr"), KILL_POINTS, ids=[a for _, a in KILL_POINTS])
def test_build_killed_at_any_moment_leaves_the_old_or_the_new_index(
    fake_index: Settings, fake_embedder: HashEmbedder, module: str, attr: str
) -> None:
    before = live_build_dir(fake_index.index_dir)
    (fake_index.corpus_dir / "extra.txt").write_text(
        "E\n\nMay 2016 - Newtown - Child Z\n\nDeath.\n\nKeywords: infant\n"
    )
    code = KILLED_BUILD.format(
        root=str(ROOT), corpus=str(fake_index.corpus_dir), index=str(fake_index.index_dir), module=module, attr=attr
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("paused after"), proc.stderr.read() if proc.stderr else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    live = live_build_dir(fake_index.index_dir)
    stored = read_index(fake_index.index_dir)  # complete: every checksum, count and dimension verified
    ids = {r.case_id for r in stored.records}
    if attr == "_point_to":
        assert live != before and "2016-05-newtown-child-z" in ids  # the new index, complete
    else:
        assert live == before and "2016-05-newtown-child-z" not in ids  # the old index, untouched

    # the next build clears whatever the killed one left behind
    build_index(fake_index, embedder=fake_embedder, progress=False)
    left = [p.name for p in fake_index.index_dir.iterdir() if p.name.startswith(("build-", ".tmp-"))]
    assert left == [live_build_dir(fake_index.index_dir).name]


def test_overlapping_builds_leave_one_complete_index(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    import threading

    errors: list[BaseException] = []

    def build() -> None:
        try:
            build_index(fake_index, embedder=fake_embedder, progress=False)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert read_index(fake_index.index_dir).manifest["record_count"] == 20
    builds = [p for p in fake_index.index_dir.iterdir() if p.name.startswith(("build-", ".tmp-"))]
    assert builds == [live_build_dir(fake_index.index_dir)]
