"""Filters through the library and the CLI, on the shipped corpus with the fake embedder."""

from __future__ import annotations

import json

import pytest

from assistant.api import Assistant
from assistant.cli import main
from assistant.search.filters import FilterError, Filters
from assistant.settings import Settings

from .conftest import INFANT_CASES, HashEmbedder


@pytest.fixture
def assistant(fake_index: Settings, fake_embedder: HashEmbedder) -> Assistant:
    return Assistant.load(settings=fake_index, embedder=fake_embedder)


def test_age_band_and_year_keep_only_matching_cases(assistant: Assistant) -> None:
    hits = assistant.search("baby death", k=20, filters=Filters.from_strings(year="2015", age_band="infant"))
    assert hits and all(h.kind == "case" and h.year == 2015 for h in hits)
    records = {r.case_id: r for r in assistant.records()}
    assert {h.case_id for h in hits} == INFANT_CASES
    assert all(records[h.case_id].kind == "case" for h in hits)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(area="oldham"), {"2015-01-oldham-child-d"}),
        (Filters(review_model="SILP"), {"2015-04-croydon-josh"}),
        (Filters(keyword="grooming"), {"2015-03-dorset-family-s15", "2015-03-oxfordshire-children-a-b-c-d-e-and-f"}),
        (
            Filters(harm="suicide"),
            {
                "2015-04-croydon-josh",
                "2015-03-kirklees-a-young-person",
                "2015-03-leeds-child-v",
                "2015-02-hertfordshire-young-person-b",
            },
        ),
        (Filters(age_band="5-11"), {"2015-02-southampton-child-k"}),
    ],
)
def test_each_filter(assistant: Assistant, filters: Filters, expected: set[str]) -> None:
    assert {h.case_id for h in assistant.search("child", k=20, filters=filters)} == expected


def test_keyword_filter_matches_word_forms(assistant: Assistant) -> None:
    hits = assistant.search("death", k=20, filters=Filters(keyword="neglect"))
    assert {"2015-01-leeds-child-y", "2015-01-liverpool-mary", "2015-04-lambeth-child-i"} <= {h.case_id for h in hits}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (Filters(age_band="elderly"), "unknown age band 'elderly'; valid values: 1-4, 12-17, 5-11, infant"),
        (Filters(harm="fraud"), "unknown harm type 'fraud'; valid values: death, neglect"),
        (Filters(area="Atlantis"), "unknown area 'Atlantis'; valid values: Blackpool, Coventry"),
        (Filters(keyword="zzz"), "unknown keyword 'zzz'; valid values: adolescent boys"),
        (
            Filters(review_model="magic"),
            "unknown review model 'magic'; valid values: partnership-learning-review, scie-learning-together, silp",
        ),
        (Filters.from_strings(year="2016"), "no case from 2016 in the index; years held: 2015"),
    ],
)
def test_unknown_values_list_the_valid_ones(assistant: Assistant, filters: Filters, message: str) -> None:
    with pytest.raises(FilterError) as info:
        assistant.search("neglect", filters=filters)
    assert str(info.value).startswith(message)


def test_bad_year_format() -> None:
    with pytest.raises(FilterError, match="a range such as 2014-2016"):
        Filters.from_strings(year="last year")
    assert (Filters.from_strings(year="2016-2014").year_from, Filters.from_strings(year="2016-2014").year_to) == (
        2014,
        2016,
    )


def test_cli_filters_and_unknown_value(
    fake_index: Settings, use_fake_embedder: object, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(fake_index.index_dir)
    assert main(["search", "baby death", "--age-band", "infant", "--year", "2015", "--json", "--index", index]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results and all(r["year"] == 2015 for r in results)
    assert main(["search", "baby", "--age-band", "elderly", "--index", index]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown age band 'elderly'; valid values:") and err.count("\n") == 1


def test_filters_say_what_they_restrict_to_in_words() -> None:
    assert Filters().scope() == ""
    both = Filters.from_strings(year="2014-2016", area="Croydon", age_band="infant", review_model="silp")
    assert both.scope() == (
        "from Croydon, published 2014\u20132016, about a child aged infant (under 1), "
        "using the Significant Incident Learning Process (SILP) model"
    )


def test_nothing_found_under_filters_names_them(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=1.01), embedder=fake_embedder)
    answer = assistant.ask("neglect and domestic abuse", filters=Filters(year_from=2015, year_to=2015))
    assert answer.no_answer and "No review in this collection (published 2015) is about" in answer.text
