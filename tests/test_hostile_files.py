"""Hostile and odd files: every reader works in bounded time and memory, refuses in one line naming the
file when a budget is spent, reads only regular files, and one user's file cannot stall the others."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.settings import Settings

from .conftest import ROOT, HashEmbedder

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
        from assistant.ingest.parse import parse_file
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
        from assistant.ingest.parse import parse_file
        print(len(parse_file(Path({str(path)!r}))))
        """
    )
    assert out.strip() == "1"


def test_the_linear_patterns_read_headings_and_labels_as_before() -> None:
    from assistant.ingest.parse import LABEL_RE, _heading_text, match_heading

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
    from assistant.ingest.parse import parse_file

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
    from assistant.ingest.parse import parse_file

    path = tmp_path / "report.txt"
    path.write_text("Serious case review: Child Q\n\nWhat happened to Child Q.\n")
    sidecar = tmp_path / "report.meta.json"
    sidecar.write_text(f'{{\n  "title": "Child Q",\n  "year": {year}\n}}\n')
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    assert str(caught.value).startswith(str(sidecar)) and "\n" not in str(caught.value)
    assert caught.value.line in (1, 3)


def test_an_out_of_range_year_is_refused_by_add_and_the_index_is_untouched(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    from assistant.indexing.intake import add_files
    from assistant.indexing.store import read_index

    before = read_index(fake_index.index_dir).path
    path = tmp_path / "brief.md"
    path.write_text("---\nyear: 100000000000000000000000\n---\n\n# Child Q\n\nWhat happened.\n")
    report = add_files([path], fake_index, embedder=fake_embedder, progress=False)
    assert report.added == () and len(report.refused) == 1
    assert report.refused[0].reason.startswith(f"{path}:2: front matter year must be between")
    assert read_index(fake_index.index_dir).path == before and not (fake_index.corpus_dir / "brief.md").exists()


def test_file_names_in_another_script_give_distinct_case_ids(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    from assistant.indexing.intake import add_files
    from assistant.indexing.store import read_index

    first, second = tmp_path / "報告.txt", tmp_path / "記録.txt"
    first.write_text("A learning brief\n\nWhat the partnership learnt about neglect.\n")
    second.write_text("Another brief\n\nWhat the partnership learnt about bruising.\n")
    report = add_files([first, second], fake_index, embedder=fake_embedder, progress=False)
    assert report.refused == () and report.added == ("報告.txt", "記録.txt")
    ids = {r.source: r.case_id for r in read_index(fake_index.index_dir).records}
    assert ids["報告.txt"] and ids["記録.txt"] and ids["報告.txt"] != ids["記録.txt"]


def test_a_heading_shaped_line_with_a_long_area_is_not_taken_for_a_misspelt_month(tmp_path: Path) -> None:
    from assistant.ingest.parse import parse_file

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
    from assistant.ingest.parse import parse_file

    path = tmp_path / "digest.txt"
    path.write_text("Janaury 2015 - Oldham - Child D\n\nSummary: x.\n\nMarch 2015 - Leeds - Child Y\n\nSummary: y.\n")
    with pytest.raises(ParseError, match="unknown month 'Janaury'"):
        parse_file(path)


# ---------------------------------------------------------------- a time and size budget per reader

READER_BUDGET = 10.0  # seconds, a fresh interpreter included, within which each hostile file is refused


def _refused(path: Path, budget: float = READER_BUDGET, **limits: float) -> str:
    """The one-line refusal that ``parse_file`` gives ``path``, in a child interpreter killed after ``budget``
    s and capped at 3 GB (the code before these fixes read such files for minutes or without end)."""
    out = _bounded(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, resource.RLIM_INFINITY))
        from pathlib import Path
        from assistant.errors import ParseError
        from assistant.ingest.parse import parse_file
        try:
            parse_file(Path({str(path)!r}), **{limits!r})
        except (ParseError, MemoryError) as exc:
            print(type(exc).__name__, exc)
        else:
            print("read")
        """,
        budget,
    )
    assert out.count("\n") == 1, out  # one line
    assert out.startswith("ParseError "), out
    message = out[len("ParseError ") :].strip()
    assert message.startswith(str(path)) and len(message) < 250
    return message


def _docx_with_text_part(folder: Path, megabytes: int) -> Path:
    """A real .docx whose word/document.xml is padded with paragraphs to about ``megabytes`` MB."""
    import io
    import zipfile

    from . import fixtures_files as fx

    source = fx.make_docx_report(folder)
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>Agencies did not share what they knew about the child.</w:t></w:r></w:p>" * 100
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != "word/document.xml":
                dst.writestr(item, data)
                continue
            head, tail = data.split(b"<w:sectPr", 1)
            with dst.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head)
                for _ in range(megabytes * 1024 * 1024 // len(paragraph)):
                    part.write(paragraph)
                part.write(b"<w:sectPr" + tail)
    path = folder / "bomb.docx"
    path.write_bytes(out.getvalue())
    source.unlink()
    return path


def test_deeply_nested_html_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text("<html><body>" + "<div>" * 30_000 + "Child R" + "</div>" * 30_000 + "</body></html>")
    assert "nests its elements 30,002 deep, over 500" in _refused(path)


def test_html_with_one_very_long_line_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "line.html"
    path.write_text("<html><body><p>" + "the child was seen " * 60_000 + "</p></body></html>")
    assert "over 500,000 characters without a line break" in _refused(path)


def test_a_text_with_one_very_long_word_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "word.txt"
    path.write_text("Serious case review\n\n" + "A" * 3_000_000 + " Safeguarding Children Board\n")
    assert _refused(path).startswith(f"{path}:3: has a line or paragraph over 500,000 characters")


def test_a_text_file_of_49_mb_is_refused_before_it_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    paragraph = "The health visitor saw the baby at home and noted that the flat was cold. " * 10 + "\n\n"
    path.write_text(paragraph * (49 * 1024 * 1024 // len(paragraph)))
    assert "million characters of text, over the 5 million a file may hold" in _refused(path)


def test_a_word_file_that_unpacks_to_400_mb_is_refused_in_one_line(tmp_path: Path) -> None:
    path = _docx_with_text_part(tmp_path, 400)  # about 1 MB on disk, under the 500 MB unpacked cap
    assert "has a text part (word/document.xml) of 400 MB, over 64 MB" in _refused(path)


def test_a_reader_over_its_memory_budget_is_refused_in_one_line(tmp_path: Path) -> None:
    path = _docx_with_text_part(tmp_path, 30)  # under every size cap; lxml needs far more than 100 MB for it
    assert "needs more than 100 MB of memory to read" in _refused(path, memory_mb=100)


def test_a_reader_over_its_time_budget_is_refused_in_one_line(tmp_path: Path) -> None:
    import time

    from assistant.errors import ParseError

    path = tmp_path / "slow.txt"
    path.write_text("x" * 30 + "\n")
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        _slow_parse(path, seconds=1)
    assert time.monotonic() - started < 5
    reason = "took more than 1 s to read: not a review this reads (setting SCR_READ_SECONDS)"
    assert str(caught.value) == f"{path}: {reason}"


def _slow_parse(path: Path, seconds: float) -> object:
    """``parse_file``'s bounded run of a reader that backtracks for minutes holding the GIL."""
    from assistant.ingest.bounded import run_bounded

    return run_bounded(_backtrack, (path,), path, seconds, 512)


def _backtrack(path: Path) -> object:
    import re

    return re.match(r"(x+x+)+y", path.read_text().strip())  # exponential: minutes for 30 characters


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.txt"
    if kind == "fifo":
        os.mkfifo(path)  # reading it waited for ever for a writer
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading it ended in MemoryError
    else:
        path.mkdir()
    name = {"fifo": "a FIFO (named pipe)", "device": "a character device", "folder": "a folder"}[kind]
    assert _refused(path) == f"{path}: is not a regular file but {name}: only files are read"


def test_add_refuses_a_fifo_without_waiting_and_adds_the_rest(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    import threading

    from assistant.indexing.intake import add_files

    fifo, good = tmp_path / "pipe.txt", tmp_path / "brief.txt"
    os.mkfifo(fifo)
    good.write_text("A learning brief\n\nWhat the partnership learnt about neglect.\n")
    reports = []
    worker = threading.Thread(
        target=lambda: reports.append(add_files([fifo, good], fake_index, embedder=fake_embedder, progress=False)),
        daemon=True,  # before the fix it waited for ever for a writer to the FIFO
    )
    worker.start()
    worker.join(READER_BUDGET)
    if worker.is_alive():
        with open(fifo, "wb"):  # let the stuck reader go, then fail
            pytest.fail(f"add did not finish within {READER_BUDGET} s")
    assert reports[0].added == ("brief.txt",)
    assert [r.reason for r in reports[0].refused] == [
        f"{fifo}: is not a regular file but a FIFO (named pipe): only files are read"
    ]


def test_a_corpus_symlink_to_a_file_outside_it_is_not_indexed(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    from assistant.indexing.build import build_index
    from assistant.indexing.store import read_index

    outside = tmp_path / "private.txt"
    outside.write_text("Private notes\n\nNot a review: notes about a colleague.\n")
    (fake_index.corpus_dir / "private.txt").symlink_to(outside)
    os.mkfifo(fake_index.corpus_dir / "pipe.txt")
    (fake_index.corpus_dir / "zero.txt").symlink_to("/dev/zero")
    inside = fake_index.corpus_dir / "sub"
    inside.mkdir()
    (inside / "brief.txt").write_text("A learning brief\n\nWhat the partnership learnt about neglect.\n")
    (fake_index.corpus_dir / "linked.txt").symlink_to(inside / "brief.txt")  # inside the folder: kept
    build_index(fake_index, embedder=fake_embedder, progress=False)
    sources = {r.source for r in read_index(fake_index.index_dir).records}
    assert "private.txt" not in sources and "pipe.txt" not in sources and "zero.txt" not in sources
    assert {"sub/brief.txt", "linked.txt"} <= sources


# ---------------------------------------------------------------- uploads: long names, and not blocking others


def test_an_upload_with_a_244_byte_name_is_added_and_indexed(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    from assistant.indexing.intake import add_uploads
    from assistant.indexing.store import read_index

    name = "learning-brief-" + "n" * 225 + ".txt"  # 244 bytes: the old ".NAME.xxxxxxxx.part" went over 255
    assert len(name.encode()) == 244
    text = b"A learning brief\n\nWhat the partnership learnt about neglect.\n"
    report = add_uploads([(name, text)], fake_index, embedder=fake_embedder, progress=False)
    assert report.added == (name,) and report.refused == ()
    assert (fake_index.corpus_dir / name).read_bytes() == text
    assert name in {r.source for r in read_index(fake_index.index_dir).records}
    assert not [p for p in fake_index.corpus_dir.iterdir() if p.name.endswith(".part")]


def test_an_upload_whose_name_no_file_system_holds_is_refused_and_the_rest_added(
    fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    from assistant.indexing.intake import add_uploads

    long_name = "r" * 300 + ".txt"
    text = b"A learning brief\n\nWhat the partnership learnt about neglect.\n"
    report = add_uploads(
        [(long_name, text), ("brief.txt", text), ("..", text)], fake_index, embedder=fake_embedder, progress=False
    )
    assert report.added == ("brief.txt",)
    reasons = [r.reason for r in report.refused]
    assert len(reasons) == 2 and all("\n" not in r for r in reasons)
    assert reasons[0].endswith("the file name is 304 bytes long, over the 255 a file system holds: shorten it")
    assert reasons[1] == "..: not a name a review file can have"


@pytest.mark.parametrize("slow", ["spaces", "backtracking reader"])
def test_a_second_sessions_question_is_answered_within_3_s_while_a_slow_upload_is_processed(
    fake_index: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch, slow: str
) -> None:
    # the browser app runs each session in a thread of one process: ui/library.py calls add_uploads in
    # one, a question comes in another. Before, parsing held the GIL (a 20 KB heading of spaces: 16-39 s)
    import dataclasses
    import threading
    import time

    from assistant.api import Assistant
    from assistant.indexing.intake import add_uploads

    app = Assistant.load(fake_index.index_dir, settings=fake_index, embedder=fake_embedder)
    app.ask("neglect of a baby")  # warm
    upload = ("January 2015 - Oldham" + " " * 20_000 + "x\n\nSummary: a case.\n").encode()
    if slow == "backtracking reader":  # a reader that backtracks for 10-30 s holding the GIL
        import re

        from assistant.ingest.readers import REGISTRY

        def backtracking(path: Path, data: bytes) -> object:
            return re.match(r"(x+x+)+y", "x" * 30)

        monkeypatch.setitem(REGISTRY, ".html", dataclasses.replace(REGISTRY[".html"], read=backtracking))
        upload, name = b"<html><body><p>a page</p></body></html>", "page.html"
    else:
        name = "digest.txt"
    settings = fake_index.replace(read_seconds=8) if slow == "backtracking reader" else fake_index
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(add_uploads([(name, upload)], settings, embedder=fake_embedder, progress=False)),
        daemon=True,
    )
    worker.start()
    time.sleep(0.5)  # the upload is being read
    started = time.monotonic()
    answer = app.ask("what did reviews learn about neglect?")
    took = time.monotonic() - started
    assert answer.text and took < 3, f"the question took {took:.1f} s while the upload was read"
    worker.join(60)
    assert outcome, "the upload did not finish"
    if slow == "backtracking reader":  # refused when its time was up, in one line
        assert [r.reason for r in outcome[0].refused] == [  # type: ignore[attr-defined]
            "page.html: took more than 8 s to read: not a review this reads (setting SCR_READ_SECONDS)"
        ]
