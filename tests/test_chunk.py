"""Section-aware chunking."""

from __future__ import annotations

from assistant.indexing.chunk import chunk_records
from assistant.ingest.parse import load_corpus, parse_file
from assistant.records import Case, Document, Section
from assistant.settings import Settings

from .conftest import DATA, SHIPPED_CORPUS, HashEmbedder


def test_chunks_stay_inside_one_section_of_one_case() -> None:
    records = load_corpus(SHIPPED_CORPUS)
    chunks = chunk_records(records, HashEmbedder().count_tokens)
    by_id = {r.case_id: r for r in records}
    for chunk in chunks:
        sections = {s.name: s.text for s in by_id[chunk.case_id].sections()}
        assert chunk.section in sections
        assert chunk.text in sections[chunk.section]
    assert [c.chunk_id for c in chunks] == list(range(len(chunks)))


def test_chunk_carries_case_metadata_and_a_readable_header() -> None:
    cases = parse_file(DATA / "digest_irregular.txt")
    chunks = chunk_records(cases, HashEmbedder().count_tokens)
    first = chunks[0]
    assert first.case_id == "2017-11-northshire-child-a"
    assert first.header == "Northshire - Child A (November 2017) — Summary"
    assert first.embed_text.startswith(first.header + "\n")
    assert (first.year, first.area, first.kind, first.source) == (2017, "Northshire", "case", "digest_irregular.txt")
    no_month = next(c for c in chunks if c.case_id == "2017-00-anonymous-child-ab")
    assert no_month.header.startswith("Anonymous - Child AB (2017) — ")


def test_long_section_is_split_within_budget_with_every_sentence_kept() -> None:
    sentences = [f"Sentence number {n} says the agency did not share what it knew." for n in range(60)]
    doc = Document(case_id="long", title="Long report", doc_sections=(Section("Findings", " ".join(sentences)),))
    counter = HashEmbedder().count_tokens
    settings = Settings(chunk_tokens=80, chunk_overlap=10)
    chunks = chunk_records([doc], counter, settings)
    assert len(chunks) > 5
    for chunk in chunks:
        assert counter(chunk.embed_text) + 2 <= 80
        assert chunk.section == "Findings"
    joined = " ".join(c.text for c in chunks)
    for sentence in sentences:
        assert sentence in joined


def test_empty_sections_make_no_chunks() -> None:
    case = Case(case_id="x", year=2015, month=1, area="A", name="B", summary="Only a summary.")
    chunks = chunk_records([case], HashEmbedder().count_tokens)
    assert [(c.section, c.text) for c in chunks] == [("Summary", "Only a summary.")]


def test_a_model_with_a_short_window_caps_the_chunks() -> None:
    counter = HashEmbedder().count_tokens
    records = load_corpus(SHIPPED_CORPUS)
    chunks = chunk_records(records, counter, Settings(chunk_tokens=200, chunk_overlap=10), max_tokens=40)
    assert max(counter(c.embed_text) + 2 for c in chunks) <= 40
    assert len(chunks) > len(chunk_records(records, counter, Settings()))
