"""The digest and document parsers, on fixture files with the irregularities of real digests."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ParseError
from assistant.ingest.parse import load_corpus, parse_file, split_keywords
from assistant.records import Case, Document, slug

from .conftest import DATA, SHIPPED_CORPUS


@pytest.fixture(scope="module")
def irregular() -> dict[str, Case]:
    cases = parse_file(DATA / "digest_irregular.txt")
    return {c.case_id: c for c in cases}


def test_slug_rule() -> None:
    assert slug("Children A, B, C, D, E and F") == "children-a-b-c-d-e-and-f"
    assert slug("  Isle of Wight ") == "isle-of-wight"
    assert slug("W4") == "w4"


def test_irregular_digest_ids_cover_dashes_bold_and_missing_month(irregular: dict[str, Case]) -> None:
    assert list(irregular) == [
        "2017-11-northshire-child-a",
        "2017-10-west-borough-sibling-group-b-and-c",
        "2017-00-anonymous-child-ab",
        "2017-09-eastport-young-person-c",
    ]
    ab = irregular["2017-00-anonymous-child-ab"]
    assert (ab.year, ab.month, ab.area, ab.name) == (2017, 0, "Anonymous", "Child AB")


def test_title_and_description_lines_are_not_a_case(irregular: dict[str, Case]) -> None:
    for case in irregular.values():
        assert "A chronological list" not in case.summary


def test_bold_labels_and_labels_mid_paragraph(irregular: dict[str, Case]) -> None:
    a = irregular["2017-11-northshire-child-a"]
    assert a.summary == "Death of a 4-month-old baby boy in March 2016."
    assert a.background.startswith("Baby A lived with his mother")
    assert a.key_issues == "late booking for antenatal care; professionals did not ask about the partner."
    assert a.learning == "the need to identify fathers and male partners early; and professional curiosity."
    assert a.recommendations == "all agencies to record the details of men in the household."
    assert "**" not in a.background + a.key_issues
    ab = irregular["2017-00-anonymous-child-ab"]
    assert ab.key_issues == "missing episodes were not linked to exploitation"
    assert ab.recommendations == "a single multi-agency missing and exploitation panel."


def test_wrapped_lines_are_joined(irregular: dict[str, Case]) -> None:
    a = irregular["2017-11-northshire-child-a"]
    assert "moved three times in the year" in a.background
    c = irregular["2017-09-eastport-young-person-c"]
    assert c.background == "C had experienced several placement moves and had been excluded from school."


def test_sentence_broken_by_stray_blank_line_is_rejoined(irregular: dict[str, Case]) -> None:
    b = irregular["2017-10-west-borough-sibling-group-b-and-c"]
    assert b.background.endswith("raised by the nursery about the children's weight and hygiene.")
    assert b.findings.startswith("agencies did not share information")
    assert b.model == "SILP."


def test_missing_labels_leave_fields_empty(irregular: dict[str, Case]) -> None:
    c = irregular["2017-09-eastport-young-person-c"]
    assert (c.key_issues, c.learning, c.recommendations, c.findings, c.model) == ("", "", "", "", "")
    assert [s.name for s in c.sections()] == ["Summary", "Background", "Keywords"]


def test_unlabelled_paragraph_after_labels_stays_with_the_case(irregular: dict[str, Case]) -> None:
    ab = irregular["2017-00-anonymous-child-ab"]
    assert ab.learning.endswith("The young person's views were sought throughout the review.")
    b = irregular["2017-10-west-borough-sibling-group-b-and-c"]
    assert b.notes == "This review was published with a response from the local safeguarding children board."
    assert b.keywords == ("neglect", "alcohol misuse", "early years")


def test_keywords_commas_semicolons_and_final_full_stop(irregular: dict[str, Case]) -> None:
    assert irregular["2017-11-northshire-child-a"].keywords == ("fathers", "hidden men", "infants")
    assert irregular["2017-09-eastport-young-person-c"].keywords == (
        "suicide",
        "looked after children",
        "school exclusion",
    )
    known = {"neglect"}  # "neglect" is a keyword of other cases in the same digest
    assert split_keywords("adults with learning difficulties, neglect and interagency cooperation", known) == (
        "adults with learning difficulties",
        "neglect",
        "interagency cooperation",
    )
    assert split_keywords("neglect, drug and alcohol misuse", known) == ("neglect", "drug and alcohol misuse")
    assert split_keywords("domestic abuse; parental mental health and substance misuse.", known) == (
        "domestic abuse",
        "parental mental health and substance misuse",
    )
    assert split_keywords("") == ()


def test_each_case_keeps_its_file_and_line(irregular: dict[str, Case]) -> None:
    lines = (DATA / "digest_irregular.txt").read_text().split("\n")
    for case in irregular.values():
        assert case.source == "digest_irregular.txt"
        assert case.name in lines[case.line - 1]


def test_shipped_digest_has_19_cases_with_rule_ids() -> None:
    records = load_corpus(SHIPPED_CORPUS)
    cases = [r for r in records if isinstance(r, Case)]
    assert len(cases) == 19
    ids = {c.case_id for c in cases}
    assert "2015-01-oldham-child-d" in ids
    assert "2015-03-oxfordshire-children-a-b-c-d-e-and-f" in ids
    assert "2015-03-isle-of-wight-q-family" in ids
    oldham = next(c for c in cases if c.case_id == "2015-01-oldham-child-d")
    assert "concealment or denial of mother's pregnancy" in oldham.learning
    assert oldham.keywords == ("professional curiosity", "concealed pregnancy", "domestic abuse")
    lambeth = next(c for c in cases if c.case_id == "2015-04-lambeth-child-i")
    assert lambeth.model.startswith("Social Care Institute for Excellence")
    assert lambeth.keywords == ("adults with learning difficulties", "neglect", "interagency cooperation")
    maisie = next(c for c in cases if c.case_id == "2015-01-liverpool-maisie")
    assert maisie.background.startswith("Family were known to children's services")
    assert maisie.summary.endswith("Sudden Infant Death Syndrome")


def test_study_becomes_a_document_with_nested_sections() -> None:
    documents = [r for r in load_corpus(SHIPPED_CORPUS) if isinstance(r, Document)]
    assert len(documents) == 1
    study = documents[0]
    names = [s.name for s in study.sections()]
    assert "Barriers to Learning from SCRs / Learning Culture and Training" in names
    assert "Enablers to Learning from SCRs / Policy and Procedures" in names
    barriers = study.sections()[names.index("Barriers to Learning from SCRs / Learning Culture and Training")]
    assert barriers.text.startswith("- There is insufficient regular, appropriate and purposeful training")
    assert "Enablers" not in barriers.text


def test_markdown_document_headings() -> None:
    [doc] = parse_file(DATA / "study.md")
    assert doc.title == "Learning from reviews: a short study"
    assert [s.name for s in doc.sections()] == [
        "Introduction",
        "Barriers / Training",
        "Barriers / Publications",
        "Enablers",
    ]
    assert doc.sections()[1].text == (
        "- Training is not regular enough.\n- Training is not tailored to different roles."
    )


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"Title\n\nJanuary 2015 - A - B\n\nText.\n\nJanaury 2015 - C - D\n\nText.\n", 7, "unknown month"),
        (b"Title\n\nJanuary 2015 - A - B\n\n\nMay 2015 - C - D\n\nText.\n", 3, "no text under it"),
        (b"Fine text\n\nmore \x81\x00 text\n", 3, "UTF-8"),
        (b"   \n\n", 1, "empty"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, content: bytes, line: int, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.line == line
    assert reason in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:")


def test_duplicate_case_ids_across_files_are_an_error(tmp_path: Path) -> None:
    text = "Title\n\nJanuary 2015 - Oldham - Child D\n\nDeath of a child.\n\nKeywords: neglect\n"
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    with pytest.raises(ParseError, match="duplicate case id 2015-01-oldham-child-d"):
        load_corpus(tmp_path)


def test_other_years_layouts_bold_dates_long_labels_and_wrapped_dashes() -> None:
    cases = {c.case_id: c for c in parse_file(DATA / "digest_2016.txt")}
    assert list(cases) == [
        "2016-12-kent-child-e",
        "2016-11-stoke-on-trent-child-f",
        "2016-10-bath-and-north-east-somerset-child-g",
        "2016-00-wales-child-h",
    ]
    kent = cases["2016-12-kent-child-e"]
    assert "until 2012 – she was 17 – and had no support" in kent.summary  # a wrapped line is not a heading
    assert kent.key_issues == "poor information sharing between health and police."
    assert kent.learning == "professional curiosity; the voice of the child."
    assert kent.keywords == ("neglect", "drug and alcohol misuse")
    assert cases["2016-11-stoke-on-trent-child-f"].keywords == ("physical abuse", "toddlers")
    bath = cases["2016-10-bath-and-north-east-somerset-child-g"]
    assert bath.model == "" and "Learning Together Model: a systems approach" in bath.background
    assert bath.keywords == ("neglect", "parental mental health and substance misuse")
    assert cases["2016-00-wales-child-h"].findings == "agencies should share information."


def test_compact_layout_without_blank_lines_numbered_and_markdown_headings() -> None:
    cases = {c.case_id: c for c in parse_file(DATA / "digest_2018_compact.txt")}
    assert list(cases) == [
        "2018-12-kent-child-e",
        "2018-09-devon-children-j-and-k",
        "2018-07-surrey-baby-l",
        "2018-06-norfolk-child-m",
        "2018-05-leicester-child-n",
    ]
    kent = cases["2018-12-kent-child-e"]
    assert (kent.background, kent.key_issues, kent.recommendations) == (
        "Mother had depression.",
        "missed appointments.",
        "GP to follow up.",
    )
    devon = cases["2018-09-devon-children-j-and-k"]
    assert devon.model == "SILP." and devon.keywords == ("neglect", "home conditions")
    surrey = cases["2018-07-surrey-baby-l"]
    assert surrey.summary == "Serious injury of a newborn baby."
    assert surrey.learning == "health visitors should ask about men in the household."
    assert cases["2018-06-norfolk-child-m"].keywords == ("suicide", "self-harm", "knife crime")
    leicester = cases["2018-05-leicester-child-n"]
    assert leicester.summary.endswith("Learning from the review was published as a briefing.")
    assert leicester.learning.startswith("mothers' partners must be engaged.")


def test_one_dated_line_does_not_make_a_document_a_digest() -> None:
    [doc] = parse_file(DATA / "briefing_with_dated_line.txt")
    assert isinstance(doc, Document)
    assert [s.name for s in doc.sections()] == ["Introduction", "Barriers"]


def test_a_broken_sentence_inside_keywords_is_rejoined(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(
        "T\n\nMay 2015 - Area - Child\n\nDeath.\n\nKeywords: neglect, alcohol\n\nmisuse, fathers\n\n"
        "June 2015 - B - C\n\nX.\n"
    )
    [first, _] = parse_file(path)
    assert first.keywords == ("neglect", "alcohol misuse", "fathers") and first.notes == ""
