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


# ---------------------------------------------------------------- values out of range, names, months


@pytest.mark.parametrize("year", ["1" + "0" * 23, "1" + "0" * 5000, "0", "3000"])
def test_a_front_matter_year_out_of_range_is_refused_naming_file_and_line(tmp_path: Path, year: str) -> None:
    from assistant.errors import ParseError
    from assistant.parse import parse_file

    path = tmp_path / "brief.md"
    path.write_text(f"---\ntitle: Child Q\nyear: {year}\n---\n\n# Child Q\n\nWhat happened.\n")
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: front matter year must be between 1900 and 2100") and "\n" not in message
    assert len(message) < 200


@pytest.mark.parametrize("year", ["100000000000000000000000", "true", "-5"])
def test_a_sidecar_year_out_of_range_is_refused_naming_file_and_line(tmp_path: Path, year: str) -> None:
    from assistant.errors import ParseError
    from assistant.parse import parse_file

    path = tmp_path / "report.txt"
    path.write_text("Serious case review: Child Q\n\nWhat happened to Child Q.\n")
    sidecar = tmp_path / "report.meta.json"
    sidecar.write_text(f'{{\n  "title": "Child Q",\n  "year": {year}\n}}\n')
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    assert str(caught.value).startswith(str(sidecar)) and "\n" not in str(caught.value)
    assert caught.value.line in (1, 3)


def test_an_out_of_range_year_is_refused_by_add_and_the_index_is_untouched(
    tmp_path: Path, fake_index, fake_embedder  # noqa: ANN001 - fixtures
) -> None:
    from assistant.intake import add_files
    from assistant.store import read_index

    before = read_index(fake_index.index_dir).path
    path = tmp_path / "brief.md"
    path.write_text("---\nyear: 100000000000000000000000\n---\n\n# Child Q\n\nWhat happened.\n")
    report = add_files([path], fake_index, embedder=fake_embedder, progress=False)
    assert report.added == () and len(report.refused) == 1
    assert report.refused[0].reason.startswith(f"{path}:2: front matter year must be between")
    assert read_index(fake_index.index_dir).path == before and not (fake_index.corpus_dir / "brief.md").exists()


def test_file_names_in_another_script_give_distinct_case_ids(
    tmp_path: Path, fake_index, fake_embedder  # noqa: ANN001 - fixtures
) -> None:
    from assistant.intake import add_files
    from assistant.store import read_index

    first, second = tmp_path / "報告.txt", tmp_path / "記録.txt"
    first.write_text("A learning brief\n\nWhat the partnership learnt about neglect.\n")
    second.write_text("Another brief\n\nWhat the partnership learnt about bruising.\n")
    report = add_files([first, second], fake_index, embedder=fake_embedder, progress=False)
    assert report.refused == () and report.added == ("報告.txt", "記録.txt")
    ids = {r.source: r.case_id for r in read_index(fake_index.index_dir).records}
    assert ids["報告.txt"] and ids["記録.txt"] and ids["報告.txt"] != ids["記録.txt"]


def test_a_heading_shaped_line_with_a_long_area_is_not_taken_for_a_misspelt_month(tmp_path: Path) -> None:
    from assistant.parse import parse_file

    path = tmp_path / "digest.txt"
    path.write_text(
        "January 2015 - Oldham - Child D\n\nSummary: a baby was hurt.\n\n"
        "March 2015 - the family moved to a flat on the other side of the city - Child D\n\n"
        "Learning: share information.\n\n"
        "February 2015 - Leeds - Child Y\n\nSummary: a toddler was neglected.\n"
    )
    records = parse_file(path)  # was: "case heading has an unknown month 'March'"
    assert [r.case_id for r in records] == ["2015-01-oldham-child-d", "2015-02-leeds-child-y"]
    assert "moved to a flat" in records[0].summary


def test_a_misspelt_month_is_still_refused(tmp_path: Path) -> None:
    from assistant.errors import ParseError
    from assistant.parse import parse_file

    path = tmp_path / "digest.txt"
    path.write_text("Janaury 2015 - Oldham - Child D\n\nSummary: x.\n\nMarch 2015 - Leeds - Child Y\n\nSummary: y.\n")
    with pytest.raises(ParseError, match="unknown month 'Janaury'"):
        parse_file(path)
