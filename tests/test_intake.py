"""``add`` parses each file once and reads the index once: the build is handed both, and takes a file's
records only while the corpus holds the very bytes they were parsed from."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import assistant.indexing.intake
import assistant.indexing.store
import assistant.ingest.parse
from assistant.indexing.intake import add_files
from assistant.indexing.store import read_index
from assistant.settings import Settings

from . import fixtures_files as fx
from .conftest import HashEmbedder


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], list[Path]]:
    """Parses by file name (every parse goes through ``run_bounded`` in ``parse``) and index loads (every
    module of the package that holds ``read_index`` gets the counting one)."""
    parses: Counter[str] = Counter()
    loads: list[Path] = []
    real_bounded = assistant.ingest.parse.run_bounded
    real_read = assistant.indexing.store.read_index

    def bounded(function: Callable[..., Any], args: tuple[Any, ...], path: Path, *rest: Any) -> Any:
        if function is assistant.ingest.parse._parse_file:
            parses[path.name] += 1
        return real_bounded(function, args, path, *rest)

    def read(index_dir: Path) -> Any:
        loads.append(index_dir)
        return real_read(index_dir)

    monkeypatch.setattr(assistant.ingest.parse, "run_bounded", bounded)
    for name, module in list(sys.modules.items()):
        if name.startswith("assistant.") and getattr(module, "read_index", None) is real_read:
            monkeypatch.setattr(module, "read_index", read)
    return parses, loads


def test_add_parses_each_file_once_and_reads_the_index_once(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder, counted: tuple[Counter[str], list[Path]]
) -> None:
    parses, loads = counted
    files = [fx.make_docx_report(tmp_path), fx.make_html_report(tmp_path), fx.make_markdown_brief(tmp_path)]
    report = add_files(files, fake_index, embedder=fake_embedder, progress=False)
    assert sorted(report.added) == sorted(p.name for p in files) and report.build is not None
    assert parses == Counter({p.name: 1 for p in files})
    assert len(loads) == 1
    sources = {r.source for r in read_index(fake_index.index_dir).records}
    assert {p.name for p in files} <= sources  # the handed-over records are the ones indexed


def test_a_file_changed_before_it_reaches_the_corpus_is_parsed_again(
    tmp_path: Path,
    fake_index: Settings,
    fake_embedder: HashEmbedder,
    counted: tuple[Counter[str], list[Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses, _ = counted
    brief = fx.make_markdown_brief(tmp_path)
    real_copy = assistant.indexing.intake._copy_in

    def copy_then_edit(source: Path, target: Path) -> None:  # the file changes between the check and the copy
        real_copy(source, target)
        target.write_text(target.read_text() + "\n## Changed after the check\n\nThis text came later.\n")

    monkeypatch.setattr(assistant.indexing.intake, "_copy_in", copy_then_edit)
    report = add_files([brief], fake_index, embedder=fake_embedder, progress=False)
    assert report.added == (brief.name,)
    assert parses[brief.name] == 2  # the records parsed from the old bytes were not used
    (record,) = [r for r in read_index(fake_index.index_dir).records if r.source == brief.name]
    assert "Changed after the check" in [s.name for s in record.sections()]


def test_a_build_outside_the_lock_refuses_handed_over_records(fake_index: Settings) -> None:
    from assistant.indexing.build import build_index, read_previous

    with pytest.raises(ValueError, match="under its lock"):
        build_index(fake_index, loaded=read_previous(fake_index))
