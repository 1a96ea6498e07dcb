"""Facets derived from case text at build time."""

from __future__ import annotations

import pytest

from assistant.ingest.facets import age_band, derive_facets
from assistant.ingest.parse import parse_file
from assistant.records import Case, Document

from .conftest import DATA


def _case(summary: str, keywords: tuple[str, ...] = (), **fields: str) -> Case:
    return Case("c", 2015, 1, "Area", "Child", summary=summary, keywords=keywords, **fields)


@pytest.mark.parametrize(
    ("amount", "unit", "band"),
    [
        (3, "week", "infant"),
        (11, "month", "infant"),
        (20, "month", "1-4"),
        (4, "year", "1-4"),
        (7, "year", "5-11"),
        (12, "year", "12-17"),
        (17, "year", "12-17"),
        (19, "year", None),
    ],
)
def test_age_bands(amount: int, unit: str, band: str | None) -> None:
    assert age_band(amount, unit) == band


def test_explicit_ages_win_over_words() -> None:
    facets = derive_facets(_case("Death of a 7-week-old baby boy.", ("adolescents",)))
    assert facets.age_bands == ("infant",)
    assert derive_facets(_case("Sexual exploitation of girls aged 12-16.")).age_bands == ("12-17",)
    assert derive_facets(_case("Death of an adolescent girl.")).age_bands == ("12-17",)
    assert derive_facets(_case("Death of a child.")).age_bands == ()
    assert derive_facets(_case("Neglect of a child aged 6 months.")).age_bands == ("infant",)
    assert derive_facets(_case("The children, aged 3 and 9, were neglected.")).age_bands == ("1-4", "5-11")
    assert derive_facets(_case("Sexual abuse of a 9 year old girl.")).age_bands == ("5-11",)


def test_harm_types() -> None:
    assert derive_facets(_case("Death by drowning of a 10-month-old.")).harms == ("death",)
    injury = derive_facets(_case("Serious injury of an 11-week-old baby.", key_issues="neglect of the home"))
    assert injury.harms == ("serious-injury", "neglect")
    attempt = derive_facets(_case("Attempted suicide of an adolescent boy."))
    assert attempt.harms == ("suicide-self-harm",)
    suicide = derive_facets(_case("Suicide of a 17-year-old girl."))
    assert suicide.harms == ("death", "suicide-self-harm")
    assert derive_facets(_case("Sexual exploitation of 6 girls.")).harms == ("sexual-abuse",)


def test_review_model_families() -> None:
    assert derive_facets(_case("x", model="review was undertaken using SILP.")).review_model == "silp"
    assert derive_facets(_case("x", model="SCIE Learning Together model")).review_model == "scie-learning-together"
    assert derive_facets(_case("x", model="uses a systems approach.")).review_model == "systems"
    assert derive_facets(_case("x", model="an appreciative inquiry")).review_model == "other"
    assert derive_facets(_case("x")).review_model == ""


def test_fixture_digest_facets_and_documents_have_none() -> None:
    cases = {c.case_id: c for c in parse_file(DATA / "digest_irregular.txt")}
    c = derive_facets(cases["2017-09-eastport-young-person-c"])
    assert c.age_bands == ("12-17",) and c.harms == ("death", "suicide-self-harm")
    assert derive_facets(cases["2017-10-west-borough-sibling-group-b-and-c"]).review_model == "silp"
    assert derive_facets(Document("d", "Doc")).age_bands == ()
