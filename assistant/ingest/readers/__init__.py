"""Read a review file of any supported format into plain text the parser understands.

Every format is one module of this package declaring a ``READER`` (its suffixes, the kind of content
it expects, its read function and the library it uses); the registry below finds them by itself, so
``SUPPORTED_SUFFIXES``, the command line's help, the upload page and an index's recorded library
versions all follow from the modules present. Every reader gives the same shape: paragraphs separated
by blank lines and headings written as markdown ``#`` lines (a PDF also gives the page of every
line). Every way a file can be unreadable raises ParseError naming the file (and the line, where
there is one).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from pathlib import Path

from assistant.errors import ParseError
from assistant.ingest.readers.common import (
    DEFAULT_MAX_MB,
    MAX_YEAR,
    MIN_YEAR,
    Extracted,
    Reader,
    check_text,
    decode_text,
    describe,
    read_regular,
    sniff,
)

__all__ = [
    "DEFAULT_MAX_MB",
    "MAX_YEAR",
    "MIN_YEAR",
    "READERS",
    "REGISTRY",
    "SUPPORTED_SUFFIXES",
    "Extracted",
    "Reader",
    "decode_text",
    "extract",
    "format_names",
    "read_regular",
    "reader_libraries",
    "sniff",
    "supported",
]

_NOT_READERS = {"common"}
_OFFICE_SUFFIXES = (".doc", ".rtf", ".pages")  # formats worth a hint when no reader takes them


def _discover(where: Iterable[str] = __path__, package: str = __name__) -> tuple[Reader, ...]:
    """The ``READER`` of every module in this package (or ``package`` at ``where``), by module name."""
    readers = []
    for module in pkgutil.iter_modules(where, f"{package}."):
        if module.name.rpartition(".")[2] in _NOT_READERS:
            continue
        reader = getattr(importlib.import_module(module.name), "READER", None)
        if not isinstance(reader, Reader):
            raise TypeError(f"{module.name} declares no READER = Reader(...)")
        readers.append(reader)
    return tuple(readers)


READERS = _discover()
REGISTRY: dict[str, Reader] = {}  # suffix -> its reader; tests swap one in with monkeypatch.setitem
for _reader in READERS:
    for _suffix in _reader.suffixes:
        if _suffix in REGISTRY:
            raise TypeError(f"two readers claim {_suffix}: {REGISTRY[_suffix].name} and {_reader.name}")
        REGISTRY[_suffix] = _reader
SUPPORTED_SUFFIXES = tuple(REGISTRY)


def supported(path: Path) -> bool:
    """True when the file's extension is one ``extract`` reads."""
    return path.suffix.lower() in REGISTRY


def format_names() -> str:
    """The formats read, for people: 'Word .docx, HTML, PDF, text or markdown'."""
    return ", ".join(reader.name for reader in READERS)


def reader_libraries() -> tuple[str, ...]:
    """The distributions the readers use, whose versions an index records."""
    return tuple(reader.library for reader in READERS if reader.library)


def extract(path: Path, max_mb: float = DEFAULT_MAX_MB) -> Extracted:
    """The text of one file; raises ParseError with one clear line when it cannot be read."""
    suffix = path.suffix.lower()
    reader = REGISTRY.get(suffix)
    if reader is None:
        hint = " (save it as .docx or PDF)" if suffix in _OFFICE_SUFFIXES else ""
        listed = ", ".join(SUPPORTED_SUFFIXES)
        raise ParseError(path, 0, f"unsupported file type {suffix or '(none)'}{hint}; supported: {listed}")
    data = read_regular(path, max_mb)
    if not data.strip():
        raise ParseError(path, 1, "the file is empty")
    if not reader.accepts(data):
        raise ParseError(path, 0, f"is not {reader.noun}: its content is {describe(data)}")
    extracted = reader.read(path, data)
    check_text(path, extracted)
    return extracted
