"""The identifying-details check of learning notes on a seeded set: every identifier found, few clean notes flagged."""

from __future__ import annotations

import json

import pytest

from assistant.library.identifiers import KINDS, find_identifiers

from .conftest import ROOT

NOTES = ROOT / "tests" / "data" / "notes"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (NOTES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_seeded_identifier_is_found() -> None:
    seeded = _rows("seeded.jsonl")
    assert len(seeded) >= 40
    missed = []
    for note in seeded:
        found = find_identifiers(note["text"])
        for ident in note["identifiers"]:
            start = note["text"].index(ident)
            end = start + len(ident)
            if not any(f.start < end and start < f.end for f in found):
                missed.append((ident, note["text"]))
    assert missed == []


def test_at_most_one_clean_note_in_ten_is_flagged() -> None:
    clean = _rows("clean.jsonl")
    assert len(clean) >= 30
    flagged = [(n["text"], find_identifiers(n["text"])) for n in clean if find_identifiers(n["text"])]
    assert len(flagged) <= len(clean) // 10, flagged


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("NHS number 943 476 5919", "nhs-number"),
        ("call 07700 900123", "phone"),
        ("postcode OL1 3HP", "postcode"),
        ("DOB 14/02/2021", "date"),
        ("lived at 27 Elm Grove Road", "address"),
        ("Mrs Kowalski said", "name"),
        ("mail a.b@example.org", "email"),
    ],
)
def test_each_kind_is_named(text: str, kind: str) -> None:
    found = find_identifiers(text)
    assert [f.kind for f in found] == [kind] and found[0].what == KINDS[kind]


def test_month_and_year_pseudonyms_and_role_words_are_not_identifiers() -> None:
    text = "In May 2024 Child D's health visitor and the GP (Early Help) met; Will the plan hold?"
    assert find_identifiers(text) == []
