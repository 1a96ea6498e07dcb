"""Hostile and odd files: every reader works in bounded time and memory, refuses in one line naming the
file when a budget is spent, reads only regular files, and one user's file cannot stall the others."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT

PATTERN_BUDGET = 5.0  # seconds for a child interpreter to import the parser and read a 20-200 KB line


def _bounded(code: str, budget: float = PATTERN_BUDGET) -> str:
    """Run ``code`` in a fresh interpreter, killed after ``budget`` s (a regex that backtracks holds
    the GIL and cannot be interrupted in this process); its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=budget, env=env
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {budget} s")
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---------------------------------------------------------------- patterns that backtracked


@pytest.mark.parametrize(
    "line",
    [
        "January 2015 - Oldham" + " " * 20_000 + "x",  # a digest heading then spaces: 16 s at 20 KB
        "# Heading" + " " * 20_000 + "x",  # a markdown heading then spaces: cubic, minutes at 5 KB
        "Key issues: neglect." + " " * 20_000 + "x",  # a digest paragraph with spaces: the label pattern
    ],
)
def test_a_line_of_thousands_of_spaces_is_parsed_in_linear_time(tmp_path: Path, line: str) -> None:
    path = tmp_path / "spaces.md"
    path.write_text(f"March 2015 - Leeds - Child A\n\nSummary: the case.\n\n{line}\n\nSome text under it.\n")
    out = _bounded(
        f"""
        from pathlib import Path
        from assistant.parse import parse_file
        print(len(parse_file(Path({str(path)!r}))))
        """
    )
    assert out.strip() == "1"


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_a_very_long_capitalised_word_is_read_in_linear_time(tmp_path: Path, suffix: str) -> None:
    # the report-area pattern tried every start inside the word: 0.9 s at 5 KB, quadratic
    word = "A" * 200_000
    body = f"Serious case review\n\n{word} Council\n\nWhat happened to the child.\n"
    if suffix == ".html":
        body = "<html><body>" + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</body></html>"
    path = tmp_path / f"word{suffix}"
    path.write_text(body)
    out = _bounded(
        f"""
        from pathlib import Path
        from assistant.parse import parse_file
        print(len(parse_file(Path({str(path)!r}))))
        """
    )
    assert out.strip() == "1"


def test_the_linear_patterns_read_headings_and_labels_as_before() -> None:
    from assistant.parse import LABEL_RE, _heading_text, match_heading

    heading = match_heading("**March 2015 - North  Tyneside -  Child C**")
    assert heading is not None and (heading["area"], heading["name"]) == ("North  Tyneside", "Child C")
    assert match_heading("2015 – Oldham– Child D")["area"] == "Oldham"  # type: ignore[index]
    assert match_heading("2015 - Oldham - Child D.") is None
    assert _heading_text("##  Findings  ##") == "Findings" and _heading_text("# C#") == "C"
    found = [m["label"] for m in LABEL_RE.finditer("Text. **Learning:** more. Key   issues : x")]
    assert found == ["Learning", "Key   issues"]
