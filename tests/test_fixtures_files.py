"""Checks of the fixture file generator itself (tests/fixtures_files.py), not of the ingestion code."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.ingest.parse import parse_file

from . import fixtures_files as fx


def _flat(text: str) -> str:
    """Whitespace collapsed: PDF extraction wraps sentences over lines."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fixture-files")


@pytest.fixture(scope="module")
def pdf_pages(folder: Path) -> list[str]:
    reader = PdfReader(fx.make_pdf_report(folder))
    return [page.extract_text() for page in reader.pages]


def test_pdf_has_four_pages_with_header_and_footer_on_each(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) == fx.PDF_PAGES
    for number, text in enumerate(pdf_pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == fx.PDF_HEADER
        assert lines[-2] == fx.PDF_FOOTER.format(page=number, pages=fx.PDF_PAGES)
        assert lines[-1] == str(number)  # the bare page number, on its own line


def test_pdf_sections_start_on_their_pages(pdf_pages: list[str]) -> None:
    first_page = pdf_pages[0].splitlines()
    for line in (fx.PDF_TITLE, fx.PDF_PUBLISHER, fx.PDF_PUBLISHED):
        assert line in first_page
    for heading, page in fx.PDF_SECTION_PAGES.items():
        assert heading in pdf_pages[page - 1].splitlines(), heading
    assert "4. Findings" in pdf_pages[2].splitlines()
    assert fx.PDF_FINDING in _flat(pdf_pages[2])
    assert fx.PDF_RECOMMENDATION in _flat(pdf_pages[3])
    assert len(_flat(" ".join(pdf_pages)).split()) >= 250


def test_pdf_bytes_are_deterministic(folder: Path, tmp_path: Path) -> None:
    assert fx.make_pdf_report(tmp_path).read_bytes() == (folder / fx.PDF_NAME).read_bytes()


def test_docx_has_title_headings_list_and_table(folder: Path) -> None:
    import docx

    path = fx.make_docx_report(folder)
    document = docx.Document(str(path))
    assert document.core_properties.title == fx.DOCX_TITLE
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert styles[0] == ("Title", fx.DOCX_TITLE)
    headings_1 = [text for style, text in styles if style == "Heading 1"]
    assert headings_1 == ["Executive summary", "Findings", "Recommendations"]
    assert ("Heading 2", "Finding 1: Professional curiosity") in styles
    assert sum(style == "List Bullet" for style, _ in styles) == 3
    texts = [text for _, text in styles]
    findings, recommendations = texts.index("Findings"), texts.index("Recommendations")
    assert any(fx.DOCX_FINDING in t for t in texts[findings:recommendations])
    assert any(fx.DOCX_RECOMMENDATION in t for t in texts[recommendations:])
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 3 and len(document.tables[0].columns) == 2
    assert sum(len(t.split()) for t in texts) >= 250
    assert fx.make_docx_report(folder / "again").read_bytes() == path.read_bytes()


def test_html_holds_scripts_entities_and_sections(folder: Path) -> None:
    html = fx.make_html_report(folder).read_text(encoding="utf-8")
    assert f'var trackingCode = "{fx.HTML_SCRIPT_MARKER}";' in html
    assert 'document.write("INJECTED")' in html
    assert f"<title>{fx.HTML_TITLE}</title>" in html
    assert "&amp;" in html and "&pound;" in html and "\u00a9 Westshire Council" in html
    findings = html.index("<h2>Findings</h2>")
    assert findings < html.index(fx.HTML_FINDING) < html.index("<h2>Recommendations</h2>")


def test_digest_2019_parses_into_three_2019_cases(folder: Path) -> None:
    cases = parse_file(fx.make_digest_2019(folder))
    assert len(cases) == 3
    assert all(case.year == 2019 for case in cases)
    assert [case.case_id for case in cases] == [
        "2019-10-marshdale-baby-n",
        "2019-06-hillcaster-siblings-p-and-q",
        "2019-02-riverford-child-m",
    ]
    assert all(case.keywords for case in cases)


def test_markdown_brief_starts_with_front_matter(folder: Path) -> None:
    text = fx.make_markdown_brief(folder).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Learning brief: Child H\nyear: 2020\narea: Southvale\nname: Child H\n---\n")
    assert "\n# Learning brief: Child H\n" in text and "## Learning for practitioners" in text


def test_scanned_pdf_has_no_text_layer(folder: Path) -> None:
    reader = PdfReader(fx.make_scanned_pdf(folder))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert not page.extract_text().strip()
        assert page.images  # each page really holds a picture


def test_encrypted_pdf_needs_the_password(folder: Path) -> None:
    reader = PdfReader(fx.make_encrypted_pdf(folder))
    assert reader.is_encrypted
    assert reader.decrypt("secret")
    assert fx.PDF_FINDING in _flat(reader.pages[2].extract_text())


def test_corrupt_and_mislabelled_files(folder: Path) -> None:
    corrupt = fx.make_corrupt_pdf(folder).read_bytes()
    assert corrupt.startswith(b"%PDF-") and b"%%EOF" not in corrupt
    text_pdf, html_docx = fx.make_wrong_extension(folder)
    assert text_pdf.suffix == ".pdf" and not text_pdf.read_bytes().startswith(b"%PDF")
    assert html_docx.suffix == ".docx" and html_docx.read_bytes().startswith(b"<!DOCTYPE html>")
    assert not zipfile.is_zipfile(io.BytesIO(html_docx.read_bytes()))


def test_cp1252_text_is_not_utf8(folder: Path) -> None:
    data = fx.make_cp1252_text(folder).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert fx.CP1252_SENTENCE in text and "\u00a3" in text
    assert len(text.split()) >= 60


def test_empty_junk_and_large_files(folder: Path) -> None:
    assert fx.make_empty(folder).stat().st_size == 0
    junk = fx.make_binary_junk(folder).read_bytes()
    assert len(junk) == 4096
    with pytest.raises(UnicodeDecodeError):
        junk.decode("utf-8")
    huge = fx.make_large_text(folder, 200_000)
    assert huge.name == "huge.txt" and huge.stat().st_size >= 200_000
    huge.read_bytes().decode("utf-8")
