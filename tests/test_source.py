"""The source view of a citation: its section with the quote marked, references, links, PDF pages."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from assistant.answer.source import find_quote, source_view
from assistant.cli import main
from assistant.errors import SourceError
from assistant.indexing.build import build_index
from assistant.ingest.pages import MAX_PIXELS, PageCache, PageImage, render_page
from assistant.ingest.parse import load_corpus
from assistant.records import Citation, Record
from assistant.reference import decode_quote, reference, source_link
from assistant.settings import Settings

from . import fixtures_files as fx
from .conftest import DATA

KENT_QUOTE = "poor information sharing between health and police."


class Corpus:
    """The two methods of the front object the source view uses, over a parsed fixture folder."""

    def __init__(self, folder: Path) -> None:
        self.corpus_dir = folder
        self._records = {r.case_id: r for r in load_corpus(folder)}

    def record(self, case_id: str) -> Record:
        return self._records[case_id]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    fx.make_pdf_report(folder)
    shutil.copy(DATA / "digest_2016.txt", folder)
    return folder


def test_reference_in_the_standard_form() -> None:
    assert (
        reference("case", "Oldham - Child D", "Oldham", 2015, "Key issues")
        == "Oldham LSCB (2015) Serious case review: Child D. Key issues."
    )
    report = reference("report", "Serious Case Review: Child R", "Northshire", 2019, "4. Findings", page=3)
    assert report == "Northshire (2019) Serious Case Review: Child R. 4. Findings, p. 3."
    assert reference("case", "Marshdale - Baby N", "Marshdale", 2019, "Learning").startswith(
        "Marshdale Safeguarding Children Partnership (2019) Child safeguarding practice review: Baby N."
    )


def test_citation_json_carries_its_reference_and_link() -> None:
    citation = Citation(
        1, "2015-01-oldham-child-d", "Oldham - Child D", "Key issues", "A quote.", "case", 2015, "Oldham"
    )
    data = citation.to_dict()
    assert data["reference"] == "Oldham LSCB (2015) Serious case review: Child D. Key issues."
    params = parse_qs(data["link"])
    assert params["source"] == ["2015-01-oldham-child-d"] and params["section"] == ["key-issues"]
    assert decode_quote(params["q"][0]) == "A quote."  # an opaque token: no file's text in an address
    assert decode_quote("not base64!") == ""
    assert "page=4" in source_link("northshire-child-r", "5. Recommendations", 4)


def test_digest_citation_is_marked_in_its_section_with_neighbours_and_facts(corpus: Path) -> None:
    view = source_view(Corpus(corpus), "2016-12-kent-child-e", "Key issues", quote=KENT_QUOTE)
    assert view.text[slice(*view.highlights[0])] == KENT_QUOTE
    assert f">>>{KENT_QUOTE}<<<" in view.marked()
    assert (view.previous, view.next) == ("Background", "Learning")
    facts = dict(view.facts)
    assert facts["Date"] == "December 2016" and facts["Area"] == "Kent"
    assert facts["Keywords"] == "neglect, drug and alcohol misuse"
    assert view.reference == "Kent LSCB (2016) Serious case review: Child E. Key issues."
    assert view.page is None and view.file is None


def test_report_citation_finds_its_page_and_original_file(corpus: Path) -> None:
    view = source_view(Corpus(corpus), "northshire-child-r", "4. Findings", quote=fx.PDF_FINDING)
    assert view.page == 3 and view.file == (corpus / fx.PDF_NAME).resolve()
    assert view.reference == "Northshire (2019) Serious Case Review: Child R. 4. Findings, p. 3."
    assert parse_qs(view.link)["page"] == ["3"]
    assert source_view(Corpus(corpus), "northshire-child-r", "4-findings").section == "4. Findings"  # by slug
    by_page = source_view(Corpus(corpus), "northshire-child-r", page=4)
    assert by_page.section == "5. Recommendations"


def test_unknown_section_or_page_is_a_source_error(corpus: Path) -> None:
    with pytest.raises(SourceError, match="no section 'Nope'; its sections are: Summary"):
        source_view(Corpus(corpus), "2016-12-kent-child-e", "Nope")
    with pytest.raises(SourceError, match="no text on page 9"):
        source_view(Corpus(corpus), "northshire-child-r", page=9)


def test_quote_found_across_line_breaks_and_not_invented() -> None:
    text = "First line of text.\nThe mother was not\nseen alone. End."
    assert find_quote(text, "The mother was not seen alone.") == ((20, 50),)
    assert find_quote(text, "The father was not seen alone.") == ()


def test_page_highlight_lies_over_the_quote_as_pdfium_reports_it(corpus: Path) -> None:
    import pypdfium2 as pdfium
    from PIL import Image, ImageStat

    path = corpus / fx.PDF_NAME
    image = render_page(path, 3, fx.PDF_FINDING, scale=2.0)
    plain = render_page(path, 3, "", scale=2.0)
    assert (image.page, image.page_count) == (3, fx.PDF_PAGES) and len(image.boxes) == 2  # the quote's two lines
    pdf = pdfium.PdfDocument(str(path))
    textpage = pdf[2].get_textpage()
    searcher = textpage.search("Records did not follow")
    start, _ = searcher.get_next()
    left, bottom, right, top = textpage.get_charbox(start)
    height = pdf[2].get_height()
    x, y = (left + right) / 2 * 2.0, (height - (top + bottom) / 2) * 2.0  # the quote's first letter, in pixels
    x0, y0, x1, y1 = image.boxes[0]
    assert x0 <= x <= x1 and y0 <= y <= y1
    for chars in ("Finding one", "Finding two"):  # text outside the quote is outside every box
        index, _ = textpage.search(chars).get_next()
        cl, cb, cr, ct = textpage.get_charbox(index)
        cx, cy = (cl + cr) / 2 * 2.0, (height - (ct + cb) / 2) * 2.0
        assert not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in image.boxes)
    pdf.close()
    marked, unmarked = (Image.open(io.BytesIO(i.png)).convert("RGB") for i in (image, plain))

    def mean(picture: Image.Image) -> tuple[float, ...]:
        return tuple(ImageStat.Stat(picture.crop((x0 + 2, y0 + 2, x1 - 2, y1 - 2))).mean)

    (r0, _, b0), (r1, _, b1) = mean(unmarked), mean(marked)  # inside the box: yellow only when highlighted
    assert abs(r0 - b0) < 5 and r1 - b1 > 60


def test_page_out_of_range_is_a_source_error(corpus: Path) -> None:
    with pytest.raises(SourceError, match="has pages 1 to 4, not 5"):
        render_page(corpus / fx.PDF_NAME, 5)


def test_page_cache_keeps_within_its_byte_cap_and_reuses_pages(corpus: Path) -> None:
    image = render_page(corpus / fx.PDF_NAME, 1)
    cache = PageCache(int(len(image.png) * 2.5))  # room for two pages of about this size
    first = render_page(corpus / fx.PDF_NAME, 1, cache=cache)
    assert render_page(corpus / fx.PDF_NAME, 1, cache=cache) is first
    for page in (2, 3, 4):
        render_page(corpus / fx.PDF_NAME, page, cache=cache)
        assert cache.size <= cache.max_bytes
    assert len(cache) < 4 and render_page(corpus / fx.PDF_NAME, 1, cache=cache) is not first  # page 1 went first
    big = PageImage(b"x" * (cache.max_bytes + 1), 1, 1, 1, 1)
    cache.put(("big",), big)
    assert cache.get(("big",)) is None and cache.size <= cache.max_bytes


def _pdf_of_size(path: Path, width: float, height: float, text: str) -> Path:
    """A one-page PDF with a ``width`` by ``height`` point media box and one line of Helvetica near its top."""
    stream = f"BT /F1 24 Tf 72 {max(height - 100, 15)} Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>".encode(),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


@pytest.mark.parametrize("width, height", [(14_400, 14_400), (200_000, 50)], ids=["largest-in-the-spec", "strip"])
def test_a_page_with_an_enormous_media_box_is_drawn_within_the_pixel_budget(
    tmp_path: Path, width: int, height: int
) -> None:
    from PIL import Image

    quote = "Records did not follow the family."
    path = _pdf_of_size(tmp_path / "huge.pdf", width, height, quote)
    image = render_page(path, 1, quote, scale=1.5)  # unbounded: 466 and 22 million pixels
    picture = Image.open(io.BytesIO(image.png))
    assert picture.size == (image.width, image.height) and image.width * image.height <= MAX_PIXELS
    assert image.scale < 1.5 and image.width >= width * image.scale - 1  # the whole page, drawn smaller
    assert len(image.boxes) == 1  # the quote is still found and marked at the smaller scale
    x0, y0, x1, y1 = image.boxes[0]
    assert 0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height
    assert abs(x0 - 72 * image.scale) <= 3  # where the line starts, at the scale it was drawn at


@pytest.fixture
def indexed(corpus: Path, tmp_path: Path, fake_embedder: object, use_fake_embedder: object) -> Path:
    index = tmp_path / "index"
    build_index(Settings(corpus_dir=corpus, index_dir=index), embedder=fake_embedder, progress=False)
    return index


def test_cli_source_prints_the_section_with_the_quote_marked(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["source", "2016-12-kent-child-e", "--section", "Key issues", "--quote", KENT_QUOTE, "--index", str(indexed)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f">>>{KENT_QUOTE}<<<" in out and "previous: Background; next: Learning" in out
    assert "Reference: Kent LSCB (2016) Serious case review: Child E. Key issues." in out
    assert "Link: /?source=2016-12-kent-child-e&section=key-issues&q=" in out


def test_cli_source_writes_the_pdf_page_as_png(
    indexed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "page.png"
    args = ["source", "northshire-child-r", "--section", "4. Findings", "--quote", fx.PDF_FINDING]
    assert main([*args, "--png", str(png), "--index", str(indexed)]) == 0
    out = capsys.readouterr().out
    assert "wrote page 3 of 4" in out and "(2 highlight(s))" in out
    assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["source", "northshire-child-r", "--page", "2", "--json", "--index", str(indexed)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["section"] == "3. Key practice episodes" and data["page"] == 2


def test_cli_source_errors_are_one_line(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["source", "2016-12-kent-child-e", "--section", "Nope", "--index", str(indexed)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: 2016-12-kent-child-e has no section 'Nope'") and "\n" not in err
    assert main(["source", "2016-12-kent-child-e", "--png", "x.png", "--index", str(indexed)]) == 2
    assert "not from a PDF file" in capsys.readouterr().err


def test_every_quote_in_the_exported_pack_carries_its_standard_reference(corpus: Path) -> None:
    import docx

    from assistant.answer.present import escape_markdown
    from assistant.answer.source import quote_reference, section_reference
    from assistant.library.pack import PACK_SECTIONS, discussion_questions, pack_docx, pack_markdown

    records = list(Corpus(corpus)._records.values())
    report = next(r for r in records if r.source == fx.PDF_NAME)
    questions = {r.case_id: discussion_questions(r) for r in records}
    asked = [q for qs in questions.values() for q in qs]
    assert len(asked) > len(records) and all(q.quote and f"“{q.quote}”" in q.text for q in asked)
    # a report's quotes name the page each is on (its first three sections are on page 1; its findings on page 3)
    assert [q.reference.rsplit(", p. ", 1)[-1] for q in questions[report.case_id]] == ["1.", "1.", "1."]
    findings = next(s for s in report.sections() if s.name == "4. Findings")
    assert quote_reference(report, findings, fx.PDF_FINDING).endswith("Child R. 4. Findings, p. 3.")
    markdown = pack_markdown(records)
    lines = markdown.splitlines()
    paragraphs = [p.text for p in docx.Document(io.BytesIO(pack_docx(records))).paragraphs]
    for record in records:
        for q in questions[record.case_id]:
            section = next(s for s in record.sections() if s.name == q.section)
            assert q.reference == quote_reference(record, section, q.quote)
            assert any(
                escape_markdown(q.text) in line and line.endswith(f"(source: {escape_markdown(q.reference)})")
                for line in lines
            ), q.text
            assert f"{q.text} (source: {q.reference})" in paragraphs, q.text
        for section in record.sections():
            if section.name in PACK_SECTIONS:  # a section quoted whole: its reference right by it
                cited = section_reference(record, section)
                assert f"**{escape_markdown(section.name)}** (source: {escape_markdown(cited)})" in lines
                at = paragraphs.index(section.text)
                assert paragraphs[at + 1] == f"Source: {cited}"
