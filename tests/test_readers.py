"""The reader registry: every format is one module declaring a READER, found without being listed, and
everything that names the formats (supported suffixes, the add help, the upload page, the manifest's
library versions) follows from it."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

import assistant.ingest.readers as readers
from assistant.errors import ParseError
from assistant.ingest.readers import READERS, REGISTRY, SUPPORTED_SUFFIXES, Extracted, Reader, extract

from .conftest import ROOT


def test_every_module_of_the_package_is_a_reader_with_its_own_suffixes() -> None:
    modules = sorted(p.stem for p in Path(readers.__file__).parent.glob("*.py") if p.stem not in ("__init__", "common"))
    assert len(READERS) == len(modules) >= 4
    claimed = [s for r in READERS for s in r.suffixes]
    assert len(claimed) == len(set(claimed)) and set(claimed) == set(SUPPORTED_SUFFIXES) == set(REGISTRY)
    assert all(s.startswith(".") and s == s.lower() for s in claimed)


def test_a_module_added_to_a_readers_package_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "morereaders"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "rtf.py").write_text(
        "from assistant.ingest.readers.common import Extracted, Reader\n"
        "READER = Reader(suffixes=('.rtf',), kind='text', read=lambda path, data: Extracted('x', 'rtf'),"
        " library=None, name='RTF', noun='an RTF file')\n"
    )
    (package / "common.py").write_text("")  # shared helpers are not readers
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        (found,) = readers._discover([str(package)], "morereaders")
        assert (found.suffixes, found.name) == ((".rtf",), "RTF")
        (package / "broken.py").write_text("X = 1\n")
        with pytest.raises(TypeError, match="morereaders.broken declares no READER"):
            readers._discover([str(package)], "morereaders")
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "morereaders"]:
            del sys.modules[name]


def test_the_formats_are_named_from_the_registry_everywhere() -> None:
    from assistant.cli import _parser
    from assistant.indexing.build import library_versions

    help_text = " ".join(_parser().format_help().split())
    versions = library_versions()
    for reader in READERS:
        assert reader.name in help_text
        assert reader.library is None or reader.library in versions
    assert "format_names()" in (ROOT / "ui" / "library.py").read_text()  # the upload caption


def test_a_file_whose_content_is_not_its_readers_kind_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(path: Path, data: bytes) -> Extracted:
        raise AssertionError("read")

    fake = Reader((".fake",), kind="pdf", read=never, library=None, name="Fake", noun="a fake file")
    monkeypatch.setitem(REGISTRY, ".fake", fake)
    path = tmp_path / "page.fake"
    path.write_text("<html><body><p>a page</p></body></html>")
    with pytest.raises(ParseError, match="is not a fake file: its content is an HTML page"):
        extract(path)
    checked = dataclasses.replace(
        fake, kind=lambda data: data.startswith(b"<html>"), read=lambda p, d: Extracted("ok", "x")
    )
    monkeypatch.setitem(REGISTRY, ".fake", checked)
    assert extract(path).text == "ok"  # a type check function instead of a sniffed kind
