"""OpenDocument text (.odt, as LibreOffice saves it): sections from its headings, lists and tables kept,
notes and comments left out, and every damaged or hostile package refused in one line naming the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.errors import ParseError
from assistant.indexing.intake import add_files
from assistant.ingest.parse import parse_file
from assistant.ingest.readers import extract
from assistant.settings import Settings

from .conftest import HashEmbedder

TITLE = "Local Child Safeguarding Practice Review: Child J"
FINDING = "The health visitor did not know that the family had moved to a refuge."
RECOMMENDATION = "Health visiting records should follow a family that moves between areas within five days."
FOOTNOTE = "FOOTNOTEMARKER123"
COMMENT = "COMMENTMARKER456"


def _odt(folder: Path, name: str = "westshire-review-child-j.odt") -> Path:
    """A small LibreOffice-like text: a Title paragraph (an automatic style on Title), headings of two
    levels, one inside a section, a list, a table, a footnote and a reviewer's comment."""
    from odf import dc
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.style import Style
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, Note, NoteBody, NoteCitation, P, S, Section, Span

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=TITLE))
    document.styles.addElement(Style(name="Title", family="paragraph"))
    cover = Style(name="P1", family="paragraph", parentstylename="Title")
    document.automaticstyles.addElement(cover)
    body = document.text
    body.addElement(P(stylename=cover, text=TITLE))
    body.addElement(P(text="Westshire Safeguarding Children Partnership, 2022"))
    body.addElement(H(outlinelevel=1, text="Introduction"))
    intro = P(text="Child J was")
    intro.addElement(S(c=3))
    intro.addElement(Span(text="eight months old"))
    intro.addText(" when she was admitted to hospital with a fractured skull.")
    note = Note(noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    note_body = NoteBody()
    note_body.addElement(P(text=FOOTNOTE))
    note.addElement(note_body)
    intro.addElement(note)
    body.addElement(intro)
    body.addElement(H(outlinelevel=1, text="Findings"))
    finding = P(text=FINDING)
    comment = Annotation()
    comment.addElement(P(text=COMMENT))
    finding.addElement(comment)
    body.addElement(finding)
    body.addElement(H(outlinelevel=2, text="Agencies involved"))
    table = Table(name="Agencies")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for agency, involvement in (("Health visiting", "New birth visit"), ("Police", "Two domestic abuse calls")):
        row = TableRow()
        for text in (agency, involvement):
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    body.addElement(table)
    items = List()
    for text in ("the move to the refuge was not shared;", "the father's history was not checked."):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    body.addElement(items)
    section = Section(name="Section1")
    section.addElement(H(outlinelevel=1, text="Recommendations"))
    section.addElement(P(text=RECOMMENDATION))
    body.addElement(section)
    path = folder / name
    document.save(str(path))
    return path


def _rewrite(source: Path, target: Path, part: str, data: bytes) -> Path:
    """A copy of the package ``source`` with its member ``part`` replaced by ``data``."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, data if item.filename == part else src.read(item.filename))
    target.write_bytes(out.getvalue())
    return target


def test_an_odt_review_reads_into_sections_with_its_title(tmp_path: Path) -> None:
    (review,) = parse_file(_odt(tmp_path))
    assert (review.title, review.area, review.year) == (TITLE, "Westshire", 2022)
    names = [s.name for s in review.sections()]
    assert {"Introduction", "Findings", "Findings / Agencies involved", "Recommendations"} <= set(names)
    assert not any("|" in n for n in names)  # table rows are text, not headings
    text = {s.name: s.text for s in review.sections()}
    assert FINDING in text["Findings"]
    assert "Child J was eight months old when she was admitted" in text["Introduction"]
    assert "Police | Two domestic abuse calls" in text["Findings / Agencies involved"]  # a level 2 heading
    assert "- the move to the refuge was not shared;" in text["Findings / Agencies involved"]
    assert RECOMMENDATION in text["Recommendations"]  # a heading inside a section is found too
    everything = " ".join(text.values())
    assert FOOTNOTE not in everything and COMMENT not in everything


def test_odt_is_offered_wherever_the_formats_are_listed() -> None:
    from assistant.cli import _parser
    from assistant.indexing.build import library_versions
    from assistant.ingest.readers import SUPPORTED_SUFFIXES

    assert ".odt" in SUPPORTED_SUFFIXES
    assert "OpenDocument .odt" in " ".join(_parser().format_help().split())
    assert "odfpy" in library_versions()


def test_an_odt_is_added_and_indexed(tmp_path: Path, fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    report = add_files([_odt(tmp_path)], fake_index, embedder=fake_embedder, progress=False)
    assert report.added == ("westshire-review-child-j.odt",) and not report.refused
    assert report.build is not None and report.build.count("added") == 1


def _refused(path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


def test_a_damaged_odt_is_refused_in_one_line(tmp_path: Path) -> None:
    whole = _odt(tmp_path).read_bytes()
    cut = tmp_path / "cut.odt"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "is not a readable OpenDocument .odt file: damaged or incomplete ZIP" in _refused(cut)


def test_an_odt_with_broken_xml_is_refused_not_read_in_part(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = _odt(tmp_path)
    with zipfile.ZipFile(source) as archive:
        content = archive.read("content.xml")
    broken = _rewrite(source, tmp_path / "broken.odt", "content.xml", content[: len(content) * 2 // 3])
    with pytest.raises(ParseError, match="is not a readable OpenDocument .odt file: a damaged XML part"):
        extract(broken)  # in this process, so what odfpy prints would show here
    assert capsys.readouterr().out == ""  # odfpy prints a part it cannot parse; none of it reaches stdout


def test_an_odt_declaring_entities_is_refused(tmp_path: Path) -> None:
    source = _odt(tmp_path)
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><d>&b;</d>'
    path = _rewrite(source, tmp_path / "entities.odt", "content.xml", bomb)
    assert "is not a readable OpenDocument .odt file (EntitiesForbidden)" in _refused(path)  # defusedxml


def test_an_odt_that_unpacks_to_far_more_than_a_review_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.ingest.readers.common

    path = _odt(tmp_path)
    assert extract(path).text  # read as usual under the real limits
    monkeypatch.setattr(assistant.ingest.readers.common, "MAX_XML_PART_MB", 0.0001)  # about 100 bytes
    assert "has a text part (content.xml) of 0 MB, over 0.0001 MB" in _refused(path)
    monkeypatch.setattr(assistant.ingest.readers.common, "MAX_UNPACKED_MB", 0.001)
    assert "unpacks to 0 MB, over 0.001 MB: not a normal OpenDocument text" in _refused(path)


def test_other_files_named_odt_are_refused_saying_what_they_are(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    sheet = tmp_path / "figures.odt"
    OpenDocumentSpreadsheet().save(str(sheet))
    assert "is not an OpenDocument text (.odt) file: it holds an OpenDocument spreadsheet" in _refused(sheet)
    page = tmp_path / "page.odt"
    page.write_text("<html><body><p>A review saved as a web page.</p></body></html>")
    assert "is not an OpenDocument .odt file: its content is an HTML page" in _refused(page)
    plain = tmp_path / "plain.odt"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "is not an OpenDocument .odt file: a ZIP archive without content.xml" in _refused(plain)
