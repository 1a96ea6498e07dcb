"""A damaged or stale index is found before it can give wrong answers: one line, and the fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import IndexMismatchError, IndexNotBuiltError
from assistant.indexing.doctor import diagnose
from assistant.indexing.store import live_build_dir
from assistant.settings import Settings

from .conftest import HashEmbedder


@pytest.fixture
def index(fake_index: Settings, use_fake_embedder: HashEmbedder) -> Settings:
    assert all(f.ok for f in diagnose(fake_index))  # sound before each damage
    return fake_index


def _truncate(build: Path) -> None:
    path = build / "index.faiss"
    path.write_bytes(path.read_bytes()[:1000])


def _flip_a_bit(build: Path) -> None:
    path = build / "index.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _break_json(build: Path) -> None:
    path = build / "chunks.jsonl"
    path.write_text(path.read_text().replace("}\n", "\n", 1))


def _edit_manifest(**changes: object) -> Callable[[Path], None]:
    def edit(build: Path) -> None:
        path = build / "manifest.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))

    return edit


DAMAGES = [
    (_truncate, "index.faiss has changed since the build (checksum differs)"),
    (_flip_a_bit, "index.faiss has changed since the build (checksum differs)"),
    (_break_json, "chunks.jsonl has changed since the build"),
    (_edit_manifest(chunk_count=5), "manifest says 5"),
    (_edit_manifest(dimension=384), "vectors of 512 dimensions, manifest says 384"),
    (_edit_manifest(format=1), "the index format is not version 2"),
]


@pytest.mark.parametrize(("damage", "message"), DAMAGES, ids=lambda v: getattr(v, "__name__", str(v))[:30])
def test_damage_is_one_line_with_the_fix_everywhere(
    index: Settings,
    fake_embedder: HashEmbedder,
    capsys: pytest.CaptureFixture[str],
    damage: Callable,
    message: str,
) -> None:
    damage(live_build_dir(index.index_dir))
    with pytest.raises(IndexMismatchError) as info:
        Assistant.load(settings=index, embedder=fake_embedder)
    assert message in str(info.value) and f"scr-assistant build --index {index.index_dir}" in str(info.value)
    [finding] = [f for f in diagnose(index) if not f.ok]
    assert message in finding.message
    assert main(["doctor", "--index", str(index.index_dir)]) == 1
    assert main(["search", "neglect", "--index", str(index.index_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_index_and_dangling_pointer(index: Settings, tmp_path: Path) -> None:
    assert "no index found" in diagnose(Settings(index_dir=tmp_path / "none"))[0].message
    (index.index_dir / "CURRENT").write_text("build-that-was-deleted\n")
    with pytest.raises(IndexNotBuiltError, match="names a missing build 'build-that-was-deleted'"):
        Assistant.load(settings=index)


def test_index_of_another_model(index: Settings, fake_embedder: HashEmbedder) -> None:
    _edit_manifest(model="some-other-model")(live_build_dir(index.index_dir))
    with pytest.raises(IndexMismatchError, match="built with model 'some-other-model'"):
        Assistant.load(settings=index, embedder=fake_embedder)
    assert any("built with model 'some-other-model'" in f.message for f in diagnose(index) if not f.ok)


def test_index_older_than_the_corpus(index: Settings, fake_embedder: HashEmbedder) -> None:
    digest = index.corpus_dir / "case-reviews-2015.txt"
    digest.write_text(digest.read_text().replace("Oldham", "Oldhamshire"))
    (index.corpus_dir / "new-digest.txt").write_text("x")
    with pytest.raises(IndexMismatchError) as info:
        Assistant.load(settings=index, embedder=fake_embedder)
    assert "the corpus has changed since the build (changed: case-reviews-2015.txt; added: new-digest.txt)" in str(
        info.value
    )
    assert main(["doctor", "--index", str(index.index_dir)]) == 1
