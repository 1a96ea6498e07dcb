"""Typed errors raised by the library; only the CLI and UI turn them into messages."""

from __future__ import annotations

from pathlib import Path


class ScrError(Exception):
    """Base class for every error a user can cause and fix."""


class SettingsError(ScrError):
    """A setting (environment variable or argument) has an invalid value."""


class ParseError(ScrError):
    """A corpus file could not be read; names the file and the line."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}" if line > 0 else f"{self.path}: {reason}")


class DamagedLineError(ParseError):
    """One line of a JSON-lines file that cannot be used; the file's other lines are still read.

    ``unfinished`` marks a last line without its newline: a write cut off, or still under way.
    """

    def __init__(self, path: Path | str, line: int, reason: str, unfinished: bool = False) -> None:
        self.unfinished = unfinished
        super().__init__(path, line, reason)


class IndexNotBuiltError(ScrError):
    """No usable index at the given folder; says the command that builds one."""

    def __init__(self, index_dir: Path | str, detail: str = "no index found") -> None:
        self.index_dir = Path(index_dir)
        self.command = build_command(self.index_dir)
        super().__init__(f"{detail} in {self.index_dir}: run `{self.command}` to build it")


class IndexMismatchError(ScrError):
    """The index on disk does not match what is asked of it (model, dimension, files)."""

    def __init__(self, index_dir: Path | str, what: str) -> None:
        self.index_dir = Path(index_dir)
        self.what = what
        super().__init__(
            f"the index in {self.index_dir} does not match: {what}; rebuild it with `{build_command(self.index_dir)}`"
        )


def build_command(index_dir: Path) -> str:
    """The CLI command that (re)builds the index at ``index_dir``."""
    if index_dir == Path("index"):
        return "scr-assistant build"
    return f"scr-assistant build --index {index_dir}"


class SourceError(ScrError):
    """A citation's source cannot be shown: no such section or page, or the original file cannot be rendered."""
