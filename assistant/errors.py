"""Typed errors raised by the library; only the CLI and UI turn them into messages."""

from __future__ import annotations

from pathlib import Path


class ScrError(Exception):
    """Base class for every error a user can cause and fix."""


class SettingsError(ScrError):
    """A setting (environment variable or argument) has an invalid value."""


class QueryError(ScrError):
    """A query that cannot be searched (empty, say)."""


class FilterError(ScrError):
    """A filter value that matches nothing the index knows; lists the valid values."""


class RoleError(ScrError):
    """A role the lens does not know; lists the known ones."""


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


class StorageError(ScrError):
    """The learning database cannot be opened, read or written as asked."""


class NotFoundError(StorageError):
    """No stored action, note or lesson has the given id."""

    def __init__(self, kind: str, ident: int | str) -> None:
        self.kind = kind
        self.ident = ident
        listing = {"action": "`scr-assistant actions list`", "note": "`scr-assistant notes list`"}.get(
            kind, "the Lessons page of the app"
        )
        super().__init__(f"no {kind} {ident}: {listing} shows the ids")


class ConflictError(StorageError):
    """Someone else saved the record since it was opened: the change is refused, never written over theirs."""

    def __init__(self, kind: str, ident: int, by: str, at: str, opened: int, now: int) -> None:
        self.kind, self.ident, self.by, self.at, self.opened, self.now = kind, ident, by, at, opened, now
        super().__init__(
            f"{kind} {ident} was changed by {by or 'someone'} at {at} since you opened it"
            f" (version {opened}, now {now}); reopen it to see their change, then make yours again"
        )


class DatabaseNotEmptyError(StorageError):
    """An import into a database that already holds records (it would mix two partnerships' records)."""


class IdentifyingDetailsError(ScrError):
    """A learning note holds what may identify a person; nothing is saved until the author confirms it is clean."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        shown = "; ".join(f"{f.what}: {f.text!r}" for f in findings)
        super().__init__(
            f"the note may identify someone ({shown}): take these out, or confirm that they identify no one"
        )


class SourceError(ScrError):
    """A citation's source cannot be shown: no such section or page, or the original file cannot be rendered."""


class LessonError(ScrError):
    """A theme, role or lesson key the stock of lessons does not know."""
