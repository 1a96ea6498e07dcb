"""The import contract: data flows one way through the package, and the UI talks only to the front.

Layers, lowest first; a module may import its own layer and those below it, never one above:

    errors, settings, records, reference  <  ingest  <  indexing  <  search  <  answer  <  library
    <  api (and the package's __init__)  <  cli, cli_learning, cli_lessons, __main__, evaluation

``ui/`` may import only ``assistant``, ``assistant.api``, ``assistant.settings`` and ``assistant.errors``.
Every import counts, including one inside a function (a lazy import is still a dependency).

A small ``ast`` walk rather than import-linter: ``ui/`` is a folder of Streamlit scripts, not a package,
so import-linter cannot see it, and the checker has to take a module's source text so that a test can
prove it reports an upward import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
UI = ROOT / "ui"

# Each layer's members, lowest first (a member names a module or a subpackage).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("assistant.errors", "assistant.settings", "assistant.records", "assistant.reference"),
    ("assistant.ingest",),
    ("assistant.indexing",),
    ("assistant.search",),
    ("assistant.answer",),
    ("assistant.library",),
    ("assistant.api", "assistant"),  # "assistant": the package's __init__, which re-exports the front
    ("assistant.cli", "assistant.cli_learning", "assistant.cli_lessons", "assistant.__main__", "assistant.evaluation"),
)
UI_MAY_IMPORT = frozenset({"assistant", "assistant.api", "assistant.settings", "assistant.errors"})
EVALUATION = "assistant.evaluation"
RUN_TIME_TOP = len(LAYERS) - 2  # the api layer: everything up to it runs when the product runs


@dataclass(frozen=True)
class Offence:
    """One import that breaks the contract."""

    where: str  # file:line
    importer: str
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.importer} imports {self.imported} ({self.why})"


def layer_of(module: str) -> int | None:
    """The layer of an ``assistant`` module (its longest listed prefix), None for one outside the package."""
    if module != "assistant" and not module.startswith("assistant."):
        return None
    best: tuple[int, int] | None = None  # (length of the member, layer)
    for rank, members in enumerate(LAYERS):
        for member in members:
            exact_only = member == "assistant"  # the package itself, not everything under it
            if module == member or (not exact_only and module.startswith(member + ".")):
                if best is None or len(member) > best[0]:
                    best = (len(member), rank)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")
    return best[1]


def module_name(path: Path) -> str:
    """``assistant/search/fusion.py`` -> ``assistant.search.fusion``; a package's __init__ is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module ``source`` imports, at any depth (functions, branches), with its line; relative
    imports resolved against ``module``. ``from a.b import c`` counts as ``a.b.c`` when that names a module."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                found.append((node.lineno, _submodule(base, alias.name)))
    return sorted(set(found))


def _submodule(base: str, name: str) -> str:
    """``base.name`` when it is a module or package of the source tree, else ``base``."""
    candidate = f"{base}.{name}"
    path = ROOT.joinpath(*candidate.split("."))
    return candidate if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file() else base


def check_module(source: str, module: str, where: str, is_package: bool = False) -> list[Offence]:
    """The upward imports of one ``assistant`` module."""
    rank = layer_of(module)
    offences = []
    for line, imported in imports_of(source, module, is_package):
        target = layer_of(imported)
        if target is not None and rank is not None and target > rank:
            offences.append(Offence(f"{where}:{line}", module, imported, f"layer {target} above layer {rank}"))
    return offences


def check_ui(source: str, where: str) -> list[Offence]:
    """The imports of one ``ui/`` script that reach past the front object."""
    return [
        Offence(f"{where}:{line}", "ui", imported, "ui/ may import only assistant, .api, .settings, .errors")
        for line, imported in imports_of(source, "ui.page")
        if layer_of(imported) is not None and imported not in UI_MAY_IMPORT
    ]


def _package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.relative_to(PACKAGE).parts)


def _report(offences: list[Offence]) -> str:
    return "upward imports:\n" + "\n".join(f"  {o}" for o in offences)


def package_offences() -> list[Offence]:
    offences = []
    for path in _package_files():
        where = str(path.relative_to(ROOT))
        offences += check_module(path.read_text(encoding="utf-8"), module_name(path), where, path.stem == "__init__")
    return offences


def ui_offences() -> list[Offence]:
    offences = []
    for path in sorted(UI.rglob("*.py")):
        offences += check_ui(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    return offences


def test_the_package_imports_only_downward() -> None:
    offences = package_offences()
    assert not offences, _report(offences)


def test_ui_imports_only_the_front_object() -> None:
    offences = ui_offences()
    assert not offences, _report(offences)


def check_evaluation(source: str, module: str, where: str, is_package: bool = False) -> list[str]:
    """Imports of evaluation by a run-time module (up to the front object, or ui/), or at the top of the CLI."""
    if module.startswith(EVALUATION):
        return []
    run_time = module.startswith("ui.") or layer_of(module) <= RUN_TIME_TOP
    top_level = {n.lineno for n in ast.parse(source).body if isinstance(n, ast.Import | ast.ImportFrom)}
    return [
        f"{where}:{line}: {imported}"
        for line, imported in imports_of(source, module, is_package)
        if imported.startswith(EVALUATION) and (run_time or line in top_level)
    ]


def test_evaluation_is_never_imported_at_run_time() -> None:
    """Nothing that runs when the product runs (up to the front object, and ui/) imports evaluation;
    the CLI's ``eval`` and ``bench`` commands may, inside their functions, so other commands never load it."""
    offenders = []
    for path in _package_files():
        source, where = path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        offenders += check_evaluation(source, module_name(path), where, path.stem == "__init__")
    for path in sorted(UI.rglob("*.py")):
        offenders += check_evaluation(path.read_text(encoding="utf-8"), "ui.page", str(path.relative_to(ROOT)))
    assert offenders == []
    lazy = "def run(args):\n    from assistant.evaluation.bench import run_bench\n"
    assert check_evaluation(lazy, "assistant.cli", "cli.py") == []  # the CLI's commands may, lazily
    assert check_evaluation(lazy, "assistant.api", "api.py") == ["api.py:2: assistant.evaluation.bench"]
    eager = "from assistant.evaluation import scale\n"
    assert check_evaluation(eager, "assistant.cli", "cli.py") == ["cli.py:1: assistant.evaluation.scale"]
    assert check_evaluation(eager, "ui.page", "ui/app.py") == ["ui/app.py:1: assistant.evaluation.scale"]


# ---------------------------------------------------------------- the checker can fail


def test_the_checker_reports_an_upward_import_with_its_file_and_line() -> None:
    source = '"""A reader."""\n\nimport json\n\nfrom assistant.errors import ParseError\n\n\ndef read(path):\n'
    source += "    from assistant.api import Assistant  # the front object, from the bottom of the flow\n"
    source += "    from ..search import fusion\n    from . import facets\n"
    offences = check_module(source, "assistant.ingest.docx", "assistant/ingest/docx.py")
    assert [(o.where, o.imported) for o in offences] == [
        ("assistant/ingest/docx.py:9", "assistant.api"),
        ("assistant/ingest/docx.py:10", "assistant.search.fusion"),
    ]
    assert "assistant/ingest/docx.py:9: assistant.ingest.docx imports assistant.api" in _report(offences)


def test_the_checker_reports_a_ui_import_past_the_front_and_a_module_in_no_layer() -> None:
    source = "import streamlit as st\nfrom assistant import Assistant\nfrom assistant.search.filters import Filters\n"
    assert [o.where for o in check_ui(source, "ui/app.py")] == ["ui/app.py:3"]
    assert check_ui("from assistant.errors import ScrError\nfrom assistant.api import Assistant\n", "ui/x.py") == []
    with pytest.raises(AssertionError, match="in no layer"):
        layer_of("assistant.plugins")
    assert layer_of("assistant") == layer_of("assistant.api") > layer_of("assistant.library.storage")
    assert layer_of("assistant.evaluation.scale") == len(LAYERS) - 1 and layer_of("numpy") is None
