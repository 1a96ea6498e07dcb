"""Bring your own reviews: PDF, Word, HTML, text and digests added to a live index, incrementally and
safely. Uses real files made by ``fixtures_files`` and the fake embedder (a marked test uses the model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import assistant.indexing.build
from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import ParseError, ScrError
from assistant.indexing.build import build_index
from assistant.indexing.embed import use_embedder
from assistant.indexing.intake import add_files
from assistant.indexing.store import live_build_dir, read_index
from assistant.ingest.parse import parse_file
from assistant.ingest.readers import extract
from assistant.settings import Settings

from . import fixtures_files as fx
from .conftest import HashEmbedder


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    fx.make_all(folder, large_size=300_000)
    (folder / "huge.txt").unlink()  # the size limit has its own test
    return folder


def _snapshot(settings: Settings) -> tuple[str, int, frozenset[str]]:
    stored = read_index(settings.index_dir)  # verifies every checksum
    return stored.path.name, len(stored.chunks), frozenset(r.case_id for r in stored.records)


# ---------------------------------------------------------------- formats


def test_pdf_report_sections_pages_metadata_and_no_running_lines(files: Path) -> None:
    (report,) = parse_file(files / fx.PDF_NAME)
    assert report.kind == "report"
    assert (report.title, report.year, report.area, report.name) == (fx.PDF_TITLE, 2019, "Northshire", "Child R")
    sections = {s.name: s for s in report.sections()}
    for name, page in fx.PDF_SECTION_PAGES.items():
        assert sections[name].pages[0] == (0, page), name
    everything = " ".join(s.text for s in report.sections())
    assert "Overview Report" not in everything  # the running header
    assert not re.search(r"Page \d of 4", everything)  # the running footer
    assert not re.search(r"(^|\n)\d(\n|$)", everything)  # bare page numbers
    assert fx.PDF_FINDING in " ".join(sections["4. Findings"].text.split())


def test_docx_html_markdown_and_windows_text(files: Path) -> None:
    (docx,) = parse_file(files / fx.DOCX_NAME)
    assert (docx.title, docx.year, docx.area, docx.name, docx.kind) == (
        fx.DOCX_TITLE,
        2021,
        "Eastborough",
        "Sam",
        "report",
    )
    names = [s.name for s in docx.sections()]
    assert "Findings" in names and "Recommendations" in names
    assert not any("|" in n for n in names)  # table rows are text, not headings
    assert fx.DOCX_FINDING in next(s.text for s in docx.sections() if s.name == "Findings")

    (html,) = parse_file(files / fx.HTML_NAME)
    text = " ".join(s.text for s in html.sections())
    assert fx.HTML_SCRIPT_MARKER not in text and "document.write" not in text and "STYLEMARKER456" not in text
    assert "Home | About" not in text and "©" not in text  # navigation and footer dropped
    assert fx.HTML_FINDING in text and "£" in text  # entities decoded
    assert (html.year, html.area, html.name) == (2017, "Westshire", "Baby T")

    (brief,) = parse_file(files / fx.BRIEF_NAME)
    facts = (brief.title, brief.year, brief.area, brief.name)
    assert facts == ("Learning brief: Child H", 2020, "Southvale", "Child H")
    assert "title:" not in " ".join(s.text for s in brief.sections())  # front matter is metadata, not text

    (windows,) = parse_file(files / "windows-brief.txt")
    assert "£300" in " ".join(s.text for s in windows.sections())
    assert extract(files / "windows-brief.txt").note == "decoded as Windows-1252"


def test_digest_of_a_new_year_is_cases(files: Path) -> None:
    cases = parse_file(files / fx.DIGEST_NAME)
    assert len(cases) == 3 and {c.year for c in cases} == {2019} and all(c.kind == "case" for c in cases)


# ---------------------------------------------------------------- add: searchable at once, with citations


def test_added_files_are_searchable_with_section_and_page(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    good = [files / n for n in (fx.PDF_NAME, fx.DOCX_NAME, fx.HTML_NAME, fx.DIGEST_NAME, fx.BRIEF_NAME)]
    report = add_files(good, fake_index, embedder=fake_embedder, progress=False)
    assert not report.refused and len(report.added) == 5
    # the fake embedder's similarities are low: let every match be answered
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    expectations = [
        ("button battery swallowed remote control", "northshire-child-r"),
        ("county lines exploitation return home interview", "eastborough-learning-review"),
        ("fabricated or induced illness paediatrician", "westshire-baby-t"),
        ("online grooming gaming platform", "2019-02-riverford-child-m"),
        ("father's hoarding, clutter image rating scale", "learning-brief-hoarding"),
    ]
    for query, case_id in expectations:
        assert assistant.search(query)[0].case_id == case_id, query
    hit = assistant.search("records did not follow the family when they moved local authority areas")[0]
    assert (hit.case_id, hit.page) == ("northshire-child-r", 3)
    answer = assistant.ask("button batteries guidance for health visitors")
    cited = [c for c in answer.citations if c.case_id == "northshire-child-r"]
    assert cited and all(c.page in (1, 2, 3, 4) and c.section for c in cited)
    assert any(c.section == "5. Recommendations" and c.page == 4 for c in cited)


def test_search_and_ask_json_carry_page(
    files: Path,
    fake_index: Settings,
    use_fake_embedder: HashEmbedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")  # the fake embedder's similarities are low

    index = ["--index", str(fake_index.index_dir), "--corpus", str(fake_index.corpus_dir)]
    assert main(["add", str(files / fx.PDF_NAME), *index]) == 0
    capsys.readouterr()
    assert main(["search", "button battery", "--json", "--index", str(fake_index.index_dir)]) == 0
    first = json.loads(capsys.readouterr().out)["results"][0]
    assert first["case_id"] == "northshire-child-r" and first["page"] in (1, 2, 3, 4)
    assert main(["ask", "button battery", "--json", "--index", str(fake_index.index_dir)]) == 0
    citations = json.loads(capsys.readouterr().out)["citations"]
    assert citations and all("page" in c for c in citations)
    assert any(c["page"] for c in citations if c["case_id"] == "northshire-child-r")


# ---------------------------------------------------------------- incremental


class _UnusedModel:
    """Stands in for the model through the factory's seam: its name matches the index, and any use fails."""

    name = HashEmbedder.name

    def __getattr__(self, attr: str) -> object:
        raise AssertionError(f"the model was used ({attr})")


def test_second_build_embeds_nothing_and_never_loads_the_model(fake_index: Settings) -> None:
    before = _snapshot(fake_index)
    with use_embedder(_UnusedModel()):
        report = build_index(fake_index, progress=False)
    assert report.up_to_date and report.embedded == 0 and not report.model_loaded
    assert "0 chunks embedded" in report.summary()
    assert _snapshot(fake_index) == before


def test_adding_one_document_embeds_only_its_chunks(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    before = len(read_index(fake_index.index_dir).chunks)
    report = add_files([files / fx.DOCX_NAME], fake_index, embedder=fake_embedder, progress=False)
    assert report.build is not None
    after = read_index(fake_index.index_dir)
    own = [c for c in after.chunks if c.case_id == "eastborough-learning-review"]
    assert report.build.embedded == len(own) == len(after.chunks) - before > 0
    assert report.build.reused == before
    assert f"{len(own)} embedded" in report.summary()
    assert [f.status for f in report.build.files if f.name == fx.DOCX_NAME] == ["added"]


def test_changed_and_removed_files(files: Path, fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    add_files([files / fx.BRIEF_NAME], fake_index, embedder=fake_embedder, progress=False)
    brief = fake_index.corpus_dir / fx.BRIEF_NAME
    brief.write_text(brief.read_text() + "\n- Record who you saw in the home and where the child sleeps.\n")
    changed = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert [f.status for f in changed.files if f.name == fx.BRIEF_NAME] == ["changed"]
    assert 0 < changed.embedded < 5  # only the chunk(s) whose text changed
    brief.unlink()
    removed = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert [f.status for f in removed.files if f.name == fx.BRIEF_NAME] == ["removed"]
    assert removed.embedded == 0
    assert "learning-brief-hoarding" not in {r.case_id for r in read_index(fake_index.index_dir).records}


def test_model_change_rebuilds_everything_and_says_so(fake_index: Settings) -> None:
    class OtherModel(HashEmbedder):
        name = "another-model"

    messages: list[str] = []
    report = build_index(fake_index, embedder=OtherModel(), progress=False, on_stage=messages.append)
    assert report.reused == 0 and report.embedded == report.chunks
    assert "model changed from fake-hash-embedder to another-model" in report.full_rebuild
    assert any("full rebuild" in m for m in messages) and "full rebuild" in report.summary()
    assert read_index(fake_index.index_dir).manifest["embedded"]["model"] == "another-model"


# ---------------------------------------------------------------- bad input


BAD_INPUTS = [
    ("empty.txt", "the file is empty"),
    ("scanned-report.pdf", "no extractable text: scanned PDF? run OCR first"),
    ("encrypted-report.pdf", "is an encrypted PDF"),
    ("corrupt-report.pdf", "is not a readable PDF"),
    ("actually-text.pdf", "is not a PDF: its content is plain text"),
    ("actually-html.docx", "is not a Word .docx file: its content is an HTML page"),
    ("junk.txt", "not valid UTF-8 text, nor Windows-1252"),
]


@pytest.mark.parametrize(("name", "message"), BAD_INPUTS, ids=[n for n, _ in BAD_INPUTS])
def test_bad_file_is_refused_in_one_line_and_the_rest_are_added(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder, name: str, message: str
) -> None:
    before = _snapshot(fake_index)
    report = add_files([files / name, files / fx.HTML_NAME], fake_index, embedder=fake_embedder, progress=False)
    (refused,) = report.refused
    assert refused.path == name and message in refused.reason and str(files / name) in refused.reason
    assert "\n" not in refused.reason
    assert report.added == (fx.HTML_NAME,)
    assert not (fake_index.corpus_dir / name).exists()
    stored = read_index(fake_index.index_dir)
    assert {r.case_id for r in stored.records} == before[2] | {"westshire-baby-t"}


def test_file_over_the_size_limit(files: Path, fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    big = fx.make_large_text(files, 300_000)
    settings = fake_index.replace(max_file_mb=0.1)
    before = _snapshot(fake_index)
    report = add_files([big], settings, embedder=fake_embedder, progress=False)
    assert report.added == () and report.build is None
    assert "over the 0.1 MB limit" in report.refused[0].reason and "huge.txt" in report.refused[0].reason
    assert _snapshot(fake_index) == before


def test_unsupported_type_and_missing_file(tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    old = tmp_path / "old-review.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    report = add_files([old, tmp_path / "nope.pdf"], fake_index, embedder=fake_embedder, progress=False)
    reasons = [r.reason for r in report.refused]
    assert "unsupported file type .doc (save it as .docx or PDF)" in reasons[0]
    assert "no such file" in reasons[1]


def test_cli_add_names_each_refused_file_and_exits_1(
    files: Path, fake_index: Settings, use_fake_embedder: HashEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["add", str(files), "--index", str(fake_index.index_dir), "--corpus", str(fake_index.corpus_dir)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    refused = [line for line in err.splitlines() if line.startswith("refused ")]
    assert len(refused) == len(BAD_INPUTS)
    assert "Traceback" not in err
    assert "added 6 file(s)" in out and "0 removed" in out


def test_bad_file_already_in_the_corpus_is_skipped_by_build(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    (fake_index.corpus_dir / "scanned-report.pdf").write_bytes((files / "scanned-report.pdf").read_bytes())
    (fake_index.corpus_dir / "new.html").write_bytes((files / fx.HTML_NAME).read_bytes())
    report = build_index(fake_index, embedder=fake_embedder, progress=False)
    (skipped,) = report.skipped()
    assert skipped.name == "scanned-report.pdf" and "run OCR first" in skipped.reason
    assert "skipped scanned-report.pdf" in report.summary()
    assert "new" in {r.case_id for r in read_index(fake_index.index_dir).records}
    again = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert again.up_to_date and [f.name for f in again.skipped()] == ["scanned-report.pdf"]


def test_build_interrupted_while_adding_leaves_previous_index(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(fake_index)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("assistant.indexing.store.save_bm25", broken)
    with pytest.raises(ScrError, match=r"nothing was added \(northshire-child-r.pdf\): .*No space left on device"):
        add_files([files / fx.PDF_NAME], fake_index, embedder=fake_embedder, progress=False)
    assert _snapshot(fake_index) == before
    assert not (fake_index.corpus_dir / fx.PDF_NAME).exists()  # the failed add is undone: corpus and index agree
    assert live_build_dir(fake_index.index_dir).name == before[0]


def test_parse_errors_without_a_line_do_not_say_line_zero(files: Path) -> None:
    with pytest.raises(ParseError) as info:
        parse_file(files / "scanned-report.pdf")
    assert str(info.value) == f"{files / 'scanned-report.pdf'}: no extractable text: scanned PDF? run OCR first"


@pytest.mark.model
def test_real_model_cites_pdf_page(files: Path, real_index: Path, tmp_path: Path) -> None:
    import shutil

    from tests.conftest import SHIPPED_CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    settings = Settings(corpus_dir=corpus, index_dir=index)
    report = add_files([files / fx.PDF_NAME], settings, progress=False)
    assert report.build is not None and 0 < report.build.embedded < 20
    answer = Assistant.load(settings=settings).ask("what should health visitors know about button batteries?")
    cited = [c for c in answer.citations if c.case_id == "northshire-child-r"]
    assert cited and any(c.page == 4 for c in cited)


@pytest.mark.model
def test_unchanged_build_does_not_even_import_the_model(real_index: Path, tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT, SHIPPED_CORPUS

    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    code = (
        "import sys; from pathlib import Path; from assistant.indexing.build import build_index; "
        "from assistant.settings import Settings; "
        f"r = build_index(Settings(corpus_dir=Path({str(SHIPPED_CORPUS)!r}), index_dir=Path({str(index)!r}))); "
        "print(r.up_to_date, r.embedded, 'sentence_transformers' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "0", "False", "False"]


def test_a_report_groups_as_one_case_on_both_sides(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    from assistant.search.retrieve import group_key, sentence_groups

    add_files([files / fx.PDF_NAME], fake_index, embedder=fake_embedder, progress=False)
    stored = read_index(fake_index.index_dir)
    chunk_keys = {group_key(c) for c in stored.chunks}
    assert ("northshire-child-r", "") in chunk_keys
    assert set(sentence_groups(stored).keys) <= chunk_keys  # every sentence scores a group that exists
    hits = Assistant.load(settings=fake_index, embedder=fake_embedder).search("button battery", k=10)
    assert [h.case_id for h in hits].count("northshire-child-r") == 1


# ---------------------------------------------------------------- found in review


def test_a_duplicate_skip_is_lifted_when_the_other_file_goes(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    brief = "# Learning brief: Child Q\n\n## What happened\n\nThe school nurse saw bruising and told no one.\n"
    (fake_index.corpus_dir / "a.md").write_text(brief)
    (fake_index.corpus_dir / "A.md").write_text(brief.replace("school nurse", "youth worker"))
    first = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert [f.name for f in first.skipped()] == ["a.md"] and "duplicate case id a" in first.skipped()[0].reason
    (fake_index.corpus_dir / "A.md").unlink()
    second = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert second.skipped() == [] and "a" in {r.case_id for r in read_index(fake_index.index_dir).records}


def test_a_size_skip_is_lifted_when_the_limit_is_raised(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    big = fx.make_large_text(fake_index.corpus_dir, 300_000)
    small_limit = build_index(fake_index.replace(max_file_mb=0.1), embedder=fake_embedder, progress=False)
    assert [f.name for f in small_limit.skipped()] == [big.name]
    raised = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert raised.skipped() == [] and "huge" in {r.case_id for r in read_index(fake_index.index_dir).records}


def test_duplicate_ids_inside_one_file_are_refused(tmp_path: Path, fake_index: Settings) -> None:
    digest = tmp_path / "twice.txt"
    entry = "January 2019 - Leeds - Child A\n\nSummary: A baby was shaken.\n\nKeywords: infant\n\n"
    digest.write_text("Digest\n\n" + entry + entry)
    report = add_files([digest], fake_index, progress=False)
    assert "case id 2019-01-leeds-child-a appears twice in this file" in report.refused[0].reason


def test_same_name_needs_replace_and_a_batch_cannot_hold_one_name_twice(
    tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    batch = tmp_path / "batch"
    for folder, worker in (("a", "school nurse"), ("b", "youth worker")):
        (batch / folder).mkdir(parents=True)
        (batch / folder / "brief.md").write_text(f"# Learning brief: Child Q\n\n## What happened\n\nThe {worker}.\n")
    both = add_files([batch], fake_index, embedder=fake_embedder, progress=False)
    assert both.added == ("brief.md",) and "another file named brief.md" in both.refused[0].reason
    other = batch / "b" / "brief.md"
    kept = add_files([other], fake_index, embedder=fake_embedder, progress=False)
    assert kept.added == () and "already holds a different brief.md" in kept.refused[0].reason
    assert "school nurse" in (fake_index.corpus_dir / "brief.md").read_text()
    newer = add_files([other], fake_index, embedder=fake_embedder, progress=False, replace=True)
    assert newer.added == ("brief.md",) and newer.replaced == ("brief.md",)
    assert "youth worker" in (fake_index.corpus_dir / "brief.md").read_text()


def test_an_upload_named_like_an_indexed_review_is_refused(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    add_files([files / fx.DOCX_NAME], fake_index, embedder=fake_embedder, progress=False)
    upload = tmp_path / "0" / "Eastborough Learning Review.docx"  # how the library page saves an upload
    upload.parent.mkdir()
    upload.write_bytes((files / fx.DOCX_NAME).read_bytes())
    report = add_files([upload], fake_index, embedder=fake_embedder, names={upload: upload.name})
    (refused,) = report.refused
    assert refused.reason.startswith("Eastborough Learning Review.docx:")
    assert "already in the corpus, in eastborough-learning-review.docx" in refused.reason


def test_a_reader_crash_is_one_line_for_add_and_a_skip_for_build(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from assistant.ingest.readers import REGISTRY

    real = REGISTRY[".docx"]

    def crash(path: Path, data: bytes) -> object:
        if "bad" in path.name:
            raise RuntimeError("a reader library bug")
        return real.read(path, data)

    monkeypatch.setitem(REGISTRY, ".docx", dataclasses.replace(real, read=crash))  # through the registry's seam
    bad = files / "bad.docx"
    bad.write_bytes((files / fx.DOCX_NAME).read_bytes())
    report = add_files([bad, files / fx.HTML_NAME], fake_index, embedder=fake_embedder, progress=False)
    assert "could not be read (RuntimeError: a reader library bug)" in report.refused[0].reason
    assert report.added == (fx.HTML_NAME,)
    (fake_index.corpus_dir / "bad.docx").write_bytes(bad.read_bytes())
    built = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert [f.name for f in built.skipped()] == ["bad.docx"]


def test_two_adds_at_once_both_end_up_in_the_index(
    files: Path, fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    import threading

    threads = [
        threading.Thread(target=add_files, args=([files / name], fake_index), kwargs={"embedder": fake_embedder})
        for name in (fx.PDF_NAME, fx.HTML_NAME)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = {r.case_id for r in read_index(fake_index.index_dir).records}
    assert {"northshire-child-r", "westshire-baby-t"} <= ids


def test_new_parser_version_reparses_but_reuses_vectors(
    fake_index: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assistant.indexing.build, "PARSER_VERSION", assistant.indexing.build.PARSER_VERSION + 1)
    report = build_index(fake_index, embedder=fake_embedder, progress=False)
    assert not report.up_to_date and report.embedded == 0 and report.reused == report.chunks


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("4. Findings", 1),
        ("4.2 Health services", 2),
        ("KEY PRACTICE EPISODES", 1),
        ("Recommendations", 1),
        ("12 March 2016 Home visit by the health visitor", 0),
        ("CAMHS", 0),
        ("The health visitor saw the baby at home and", 0),
    ],
)
def test_pdf_heading_lines(line: str, level: int) -> None:
    from assistant.ingest.readers.pdf import heading_level

    assert heading_level(line, short=True) == level


def test_pages_inside_a_section_despite_doubled_spaces() -> None:
    from assistant.ingest.reports import page_at, with_pages
    from assistant.records import Document, Section

    lines = ["# 4. Findings", "", "The first  page holds", "this text.", "The second page  holds", "more text."]
    pages = [1, 1, 1, 1, 2, 2]
    text = "The first  page holds this text.\nThe second page  holds more text."
    document = Document("d", "T", (Section("4. Findings", text, 3),))
    (section,) = with_pages(document, lines, pages).sections()
    assert section.pages[0] == (0, 1) and section.pages[1][1] == 2
    assert text[section.pages[1][0] :].startswith("The second")
    assert page_at(section, text.index("more")) == 2 and page_at(section, 0) == 1


@pytest.mark.parametrize(
    ("title", "opening", "expected"),
    [
        (
            "Serious Case Review – Child A – Overview Report",
            "Bath and North East Somerset Safeguarding Children Partnership\nPublished December 2020",
            {"year": 2020, "area": "Bath and North East Somerset", "name": "Child A"},
        ),
        (
            "Local Child Safeguarding Practice Review: 'Ellie'",
            "Brighton & Hove Safeguarding Children Partnership",
            {"area": "Brighton & Hove", "name": "Ellie"},
        ),
        (
            "Serious Case Review - Overview report",
            "Isle of Wight Safeguarding Children Board",
            {"area": "Isle of Wight"},
        ),
        ("Serious Case Review Family T", "", {"name": "Family T"}),
    ],
)
def test_report_metadata_from_common_title_pages(title: str, opening: str, expected: dict[str, object]) -> None:
    from assistant.ingest.reports import infer_metadata

    assert infer_metadata(title, opening) == expected


def test_windows_text_with_non_breaking_spaces_and_html_in_a_form(tmp_path: Path) -> None:
    text = tmp_path / "word-export.txt"
    text.write_bytes(b"Learning brief\n\nChild\xa0A\x92s GP was not told \xababout the move\xbb.\n")
    assert "Child A\u2019s GP was not told \u00ababout the move\u00bb" in parse_file(text)[0].sections()[0].text
    page = tmp_path / "aspnet.html"
    page.write_text("<html><body><form><h1>Review: Child K</h1><p>The school saw bruises.</p></form></body></html>")
    assert "The school saw bruises." in parse_file(page)[0].sections()[0].text


@pytest.mark.parametrize("make", [fx.make_pdf_report, fx.make_docx_report])
def test_a_file_that_unpacks_to_far_more_than_a_review_is_refused(
    make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001 - a fixture maker
) -> None:
    import assistant.ingest.readers.common

    path = make(tmp_path)
    assert extract(path).text  # read as usual under the real limit
    # about 1,000 bytes: the fixtures unpack to more
    monkeypatch.setattr(assistant.ingest.readers.common, "MAX_UNPACKED_MB", 0.001)
    with pytest.raises(ParseError, match=r"unpacks to .*0\.001 MB") as caught:
        extract(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
