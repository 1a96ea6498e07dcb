"""Counts and overviews from the whole collection, under a stated criterion (hand-made cases, checked by hand)."""

from __future__ import annotations

from assistant.answer.counting import _one_group, compose_count, is_national, load_taxonomy, tally, themes_named
from assistant.answer.question import interpret
from assistant.records import Case, Document, Section

CASES = [
    Case(
        "2009-01-a-one",
        2009,
        1,
        "Area A",
        "One",
        summary="Death of a 3-month-old boy.",
        key_issues="domestic abuse in the home; poor information sharing",
        keywords=("infants",),
    ),
    Case(
        "2010-02-b-two",
        2010,
        2,
        "Area B",
        "Two",
        summary="Serious injury of a 14-year-old girl.",
        background="Mother's partner had convictions for violence.",
        keywords=("adolescents", "neglect"),
    ),
    Case(
        "2015-03-c-three",
        2015,
        3,
        "Area C",
        "Three",
        summary="Neglect of a 2-year-old.",
        keywords=("child neglect", "home conditions"),
        model="Significant Incident Learning Process (SILP)",
    ),
    Case(
        "2021-04-d-four",
        2021,
        4,
        "Area A",
        "Four",
        summary="Death of a 16-year-old boy by suicide.",
        key_issues="family violence was not recognised",
        learning="ask about domestic abuse",
    ),
    Case("2022-05-national-five", 2022, 5, "National", "Five", summary="A national review of neglect and abuse."),
]
RECORDS = [*CASES, Document("a-study", "A study", (Section("Introduction", "neglect and domestic abuse"),))]


def _tally(question: str) -> object:
    return tally(RECORDS, interpret(question, ["Area A", "Area B", "Area C"]))


def test_a_theme_count_merges_its_wordings_and_leaves_national_reviews_apart() -> None:
    t = _tally("how many reviews involve domestic abuse?")
    assert t.count == 2 and t.matching == ("2009-01-a-one", "2021-04-d-four") and t.total == 4
    assert "domestic abuse" in t.criterion and "1 national reviews and reports are not counted" in t.criterion
    assert t.evidence["2021-04-d-four"].quote == "family violence was not recognised"  # learning alone does not count
    neglect = _tally("how many are neglect cases")
    assert neglect.matching == ("2010-02-b-two", "2015-03-c-three")  # keyword "neglect", "child neglect"


def test_facet_counts_and_breakdowns() -> None:
    assert _tally("how many reviews are about teenagers").matching == ("2010-02-b-two", "2021-04-d-four")
    assert _tally("how many SILP reviews are there?").matching == ("2015-03-c-three",)
    assert _tally("how many reviews are from Area A").count == 2
    died = _tally("number of reviews where the child died")
    assert died.matching == ("2009-01-a-one", "2021-04-d-four") and "died" in died.criterion
    by_year = _tally("how many reviews per year mention neglect?")
    assert by_year.breakdown == {"2009": 0, "2010": 1, "2015": 1, "2021": 0} and by_year.per_year_total["2009"] == 1
    by_age = _tally("break down the neglect reviews by age")
    assert by_age.breakdown == {"1-4": 1, "12-17": 1}


def test_the_answer_opens_with_the_number_and_cites_each_match_verbatim() -> None:
    interp = interpret("how many reviews involve domestic abuse?")
    answer = compose_count("q", interp, tally(RECORDS, interp), {r.case_id: r for r in RECORDS}, "q")
    assert answer.text.startswith("**2 of the 4 local case reviews** in this collection meet the criterion")
    assert answer.count == 2 and answer.criterion and answer.cases == ("2009-01-a-one", "2021-04-d-four")
    by_id = {c.case_id: c for c in CASES}
    for citation in answer.citations:
        section = {s.name: s.text for s in by_id[citation.case_id].sections()}[citation.section]
        assert citation.quote in section
    data = answer.to_dict()
    assert data["count"] == 2 and data["matching"] == list(answer.cases) and data["interpretation"]["mode"] == "count"


def test_taxonomy_themes_are_distinct_and_named_by_their_wordings() -> None:
    keys = [t.key for t in load_taxonomy()]
    assert len(keys) == len(set(keys))
    assert [t.key for t in themes_named("co-sleeping")] == ["unsafe-sleep"]
    assert [t.key for t in themes_named("SIDS")] == ["sudi"]
    assert is_national(CASES[-1]) and not is_national(CASES[0])


def test_a_harm_and_a_theme_are_both_required_and_unreadable_words_count_nothing() -> None:
    both = _tally("how many children died from neglect")
    assert both.matching == () and "died" in both.criterion  # the two neglect cases are an injury and a neglect
    assert _tally("how many reviews mention 日本").count == 0


def test_an_exact_age_counts_by_the_band_that_holds_it_and_says_so() -> None:
    t = _tally("how many reviews are about seventeen year olds")
    assert t.matching == ("2010-02-b-two", "2021-04-d-four")
    assert "a child aged 12 to 17 (the reviews' age bands; 17 falls in it)" in t.criterion


def test_a_place_counts_reviews_naming_it_and_lists_national_reviews_about_it_apart() -> None:
    welsh = Case("2024-03-mid-and-west-wales-a", 2024, 3, "Mid and West Wales", "Child A", summary="Neglect.")
    monmouth = Case("2011-05-monmouthshire-a", 2011, 5, "Monmouthshire", "Child A", keywords=("Wales",))
    rapid = Case("2023-06-national-wales", 2023, 6, "National", "Rapid review of child protection in Wales")
    records = [*RECORDS, welsh, monmouth, rapid]
    interp = interpret("how many welsh reviews are there", ["Area A", "National", "Mid and West Wales"])
    t = tally(records, interp)
    assert t.matching == ("2024-03-mid-and-west-wales-a", "2011-05-monmouthshire-a") and "Wales" in t.criterion
    assert t.national_matching == ("2023-06-national-wales",)
    answer = compose_count("q", interp, t, {r.case_id: r for r in records}, "q")
    assert "National reviews and reports about the same place" in answer.text


def test_national_reports_are_counted_as_the_national_reviews_and_no_count_is_over_nothing() -> None:
    interp = interpret("how many national reviews mention neglect", ["Area A", "National"])
    t = tally(RECORDS, interp)
    assert (t.count, t.total, t.matching) == (1, 1, ("2022-05-national-five",)) and "national" in t.criterion
    local = interpret("how many reviews are from Area A", ["Area A"])
    answer = compose_count("q", local, tally([CASES[-1]], local), {}, "q")
    assert "None of the 0" not in answer.text and "No local case reviews" in answer.text
    assert "are from Area A" in answer.text


def test_a_harm_breakdown_tabulates_each_review_under_every_harm_it_shows() -> None:
    interp = interpret("break the reviews down by type of harm - neglect, sexual abuse, suicide - how many of each")
    t = tally(RECORDS, interp)
    assert t.breakdown == {"death": 2, "serious injury": 1, "neglect": 2, "suicide or self-harm": 1}
    answer = compose_count("q", interp, t, {r.case_id: r for r in RECORDS}, "q")
    assert "| Type of harm | Reviews |" in answer.text and "| neglect | 2 |" in answer.text


def test_a_place_with_no_local_review_reads_plainly() -> None:
    interp = interpret("how many scottish reviews are there", ["Area A"])
    answer = compose_count("q", interp, tally(RECORDS, interp), {r.case_id: r for r in RECORDS}, "q")
    assert "**None of the 4 local case reviews** in this collection have Scotland in their area" in answer.text
    assert "taxonomy" not in answer.text  # no theme was counted


def test_england_narrows_nothing_the_local_reviews_are_english() -> None:
    read = interpret("how many reviews in England involve neglect")
    assert read.place is None and "England" not in read.topic and read.topic == "neglect"


def test_a_breakdown_by_named_ages_with_the_issues_of_each_group_has_no_topic_and_each_rows_themes() -> None:
    question = "break the reviews down by age - babies, toddlers, teenagers - and the main issues for each group"
    interp = interpret(question)
    assert (interp.mode, interp.breakdown, interp.topic, interp.age_bands, interp.row_themes) == (
        "overview",
        "age",
        "",
        (),
        True,
    )
    t = tally(RECORDS, interp)
    assert t.breakdown == {"under 1": 1, "1-4": 1, "12-17": 2} and t.count == 4
    assert t.row_themes is not None and dict(t.row_themes["under 1"])["domestic abuse"] == 1
    assert dict(t.row_themes["12-17"])["domestic abuse"] == 1  # Four names family violence; Two does not
    text = compose_count(question, interp, t, {r.case_id: r for r in RECORDS}, question).text
    assert "- **12-17**: " in text and "The main themes in each age group" in text
    one_band = interpret("how old were the babies in the neglect reviews")
    assert one_band.age_bands == ("infant",) and not one_band.row_themes  # one age named is a filter, not the rows


def test_a_model_asked_about_is_the_criterion_over_every_review_and_a_years_total_is_every_review_that_year() -> None:
    interp = interpret("how many reviews used the SILP model")
    t = tally(RECORDS, interp)
    assert (t.count, t.total, interp.topic) == (1, 4, "")
    by_year = _tally("how many reviews about teenagers per year")
    assert by_year.breakdown == {"2009": 0, "2010": 1, "2015": 0, "2021": 1}
    assert by_year.per_year_total == {"2009": 1, "2010": 1, "2015": 1, "2021": 1}  # not only the teenagers' reviews


def test_a_trend_needs_a_share_to_compare_and_a_year_without_reviews_has_no_themes_line() -> None:
    interp = interpret("how many reviews each year since 2009, and the main themes in each year")
    t = tally(RECORDS, interp)
    assert t.breakdown == {"2009": 1, "2010": 1, "2015": 1, "2021": 1} and t.row_themes is not None
    text = compose_count("q", interp, t, {r.case_id: r for r in RECORDS}, "q").text
    assert "share in the later years" not in text  # every review of every year: 100% each side is no trend
    neglect = interpret("neglect reviews per year and the main issues for each year")
    text = compose_count("q", neglect, tally(RECORDS, neglect), {r.case_id: r for r in RECORDS}, "q").text
    assert "- **2009**" not in text and "- **2010**" in text  # 2009 has no neglect review


def test_a_topic_made_of_one_reviewed_term_counts_that_term_not_the_broad_theme_it_shares_a_word_with() -> None:
    records = [
        Case("2015-01-a-caf", 2015, 1, "Area A", "Caf", key_issues="confusion about when the CAF was open"),
        Case("2015-02-b-assess", 2015, 2, "Area B", "Assess", key_issues="poor assessments and drift"),
    ]
    t = tally(records, interpret("how many of the reviews mention the CAF (common assessment framework)"))
    assert t.matching == ("2015-01-a-caf",)
    assert "\u201cCAF\u201d or \u201cCommon Assessment Framework\u201d" in t.criterion
    violence = tally(RECORDS, interpret("how many reviews involve domestic violence"))
    assert "name domestic abuse" in violence.criterion  # the group names the theme: the theme's wordings count
    parents = interpret("how many reviews involve young or teenage parents")
    assert _one_group(parents.topic) is None  # "parents" is more than the teenager group


def test_anonymous_reviews_are_counted_as_naming_no_area() -> None:
    records = [*CASES, Case("2022-00-anonymous-x", 2022, 0, "Anonymous", "X", summary="Injuries to a baby.")]
    interp = interpret("how many of the reviews are anonymous with no LA named", ["Area A", "Anonymous"])
    t = tally(records, interp)
    assert (t.matching, interp.topic) == (("2022-00-anonymous-x",), "") and "name no local area" in t.criterion


WHOSE = [
    Case(
        "2015-01-e-six",
        2015,
        1,
        "Area A",
        "Six",
        summary="Death of a baby.",
        background="Both parents used cannabis and the mother drank heavily.",
        keywords=("bruising",),
    ),
    Case(
        "2016-02-f-seven",
        2016,
        2,
        "Area B",
        "Seven",
        summary="Serious injury of a 15-year-old boy.",
        background="He had started using cannabis and was excluded from school; he had a fractured wrist.",
    ),
    Case(
        "2017-03-g-eight",
        2017,
        3,
        "Area C",
        "Eight",
        summary="Abuse of two teenage girls.",
        key_issues="the girls were sexually exploited by a group of men",
    ),
]


def _whose_tally(question: str) -> object:
    return tally(WHOSE, interpret(question, ["Area A", "Area B", "Area C"]))


def test_a_theme_that_can_be_the_child_or_the_adults_counts_the_adults_when_the_question_names_parents() -> None:
    assert _whose_tally("how many reviews involve drugs").count == 2  # no one named: the young person's use counts
    parents = _whose_tally("how many reviews where parents were on drugs or drinking")
    assert parents.matching == ("2015-01-e-six",) and "in a sentence that also names a parent" in parents.criterion
    assert _whose_tally("how many reviews where dads were drinking").matching == ("2015-01-e-six",)


def test_bruising_and_fractures_are_counted_apart_and_exploitation_counts_as_sexual_abuse() -> None:
    assert _whose_tally("how many cases mention bruising?").matching == ("2015-01-e-six",)
    assert _whose_tally("how many reviews with broken bones").matching == ("2016-02-f-seven",)
    assert _whose_tally("how many reviews involve sexual abuse").matching == ("2017-03-g-eight",)
    exploitation = _whose_tally("how many cases of child sexual exploitation")
    assert exploitation.matching == ("2017-03-g-eight",) and "sexual abuse" not in exploitation.criterion
    assert [t.key for t in themes_named("sexual exploitation")] == ["sexual-exploitation"]


def test_a_person_theme_counts_only_where_the_sentence_says_they_did_harm_when_the_question_does() -> None:
    cases = [
        Case(
            "2018-01-h-nine",
            2018,
            1,
            "Area A",
            "Nine",
            summary="Death of a baby after injuries inflicted by her mother's partner.",
        ),
        Case(
            "2019-02-i-ten",
            2019,
            2,
            "Area B",
            "Ten",
            summary="Neglect of a toddler.",
            background="The mother's partner moved in; the home was dirty.",
        ),
    ]
    interp = interpret("how many cases where mums boyfriend hurt the child", ["Area A", "Area B"])
    hurt = tally(cases, interp)
    assert hurt.matching == ("2018-01-h-nine",) and "harm to a child" in hurt.criterion
    assert tally(cases, interpret("how many reviews mention mum's boyfriend", ["Area A", "Area B"])).count == 2


def test_a_narrower_theme_asked_alone_counts_alone_and_all_of_them_are_the_broader_theme() -> None:
    assert [t.key for t in themes_named("mum was drinking")] == ["alcohol-misuse"]
    assert [t.key for t in themes_named("drugs or drinking")] == ["substance-misuse"]
    assert [t.key for t in themes_named("substance misuse")] == ["substance-misuse"]
    drinking = _whose_tally("how many reviews where mum was drinking")
    assert drinking.matching == ("2015-01-e-six",) and "alcohol misuse" in drinking.criterion
    themes = _whose_tally("what themes come up most in reviews about teenagers").breakdown or {}
    assert "substance misuse (drugs or alcohol)" in themes and "drug misuse" not in themes


def test_how_the_children_died_is_a_breakdown_of_the_deaths_by_the_cause_the_summary_names() -> None:
    cases = [
        Case(
            "2018-01-j-a",
            2018,
            1,
            "Area A",
            "A",
            summary="Death of a 6-week-old boy while sharing a bed with his father.",
            background="Police had been called to an assault at the home.",
        ),
        Case(
            "2019-02-k-b",
            2019,
            2,
            "Area A",
            "B",
            summary="Death of a 4-month-old girl, recorded as sudden infant death.",
            keywords=("unsafe sleep",),
        ),
        Case(
            "2020-03-l-c",
            2020,
            3,
            "Area A",
            "C",
            summary="Death of a 2-month-old baby.",
            background="The baby drowned in the bath.",
        ),
        Case("2021-04-m-d", 2021, 4, "Area A", "D", summary="Death of a 15-year-old boy by suicide."),
        Case("2022-05-n-e", 2022, 5, "Area A", "E", summary="Serious injury of a 3-month-old baby."),
    ]
    interp = interpret("how did the babies die in these reviews")
    read = (interp.mode, interp.breakdown, interp.topic, interp.age_bands)
    assert read == ("overview", "cause", "babies", ("infant",))
    t = tally(cases, interp)
    assert t.matching == ("2018-01-j-a", "2019-02-k-b", "2020-03-l-c") and "the child died" in t.criterion
    # the summary's cause only (not the background's assault); the background where the summary names none
    assert t.breakdown == {
        "while sharing a bed or sleeping unsafely": 1,
        "sudden unexpected or unexplained death (SIDS, SUDI)": 1,
        "drowning": 1,
    }
    answer = compose_count("q", interp, t, {c.case_id: c for c in cases}, "q")
    assert "| How the child died | Reviews |" in answer.text and "more than one cause" in answer.text
    assert interpret("why did baby peter die").breakdown is None


def test_themes_named_to_compare_are_each_counted_and_ranked() -> None:
    interp = interpret("out of neglect, domestic abuse and parents drinking, which one comes up in the most reviews?")
    assert (interp.mode, interp.breakdown, interp.compare) == ("overview", "theme", True)
    t = tally(RECORDS, interp)
    assert t.breakdown_of == "compare" and list(t.breakdown.items())[:2] == [("domestic abuse", 2), ("neglect", 2)]
    assert "alcohol misuse by a parent or carer" in t.breakdown and t.count == 4
    answer = compose_count("q", interp, t, {r.case_id: r for r in RECORDS}, "q")
    assert answer.text.startswith("Ranked by how many of the 4 local case reviews in this collection name each")
    assert interpret("which themes come up most in reviews about babies").compare is False


def test_london_is_its_boroughs_and_a_word_asked_about_is_counted_wherever_the_review_says_it() -> None:
    cases = [
        Case("2015-01-croydon-a", 2015, 1, "Croydon", "A", summary="Death of a boy.", learning="Cafcass should check"),
        Case("2016-02-city-and-hackney-b", 2016, 2, "City and Hackney", "B", summary="Injury of a girl."),
        Case("2017-03-kent-c", 2017, 3, "Kent", "C", summary="Neglect of a baby."),
    ]
    london = tally(cases, interpret("how many of the reviews are from london boroughs", ["Croydon", "Kent"]))
    assert london.matching == ("2015-01-croydon-a", "2016-02-city-and-hackney-b")
    assert "London borough" in london.criterion
    cafcass = tally(cases, interpret("how many reviews mention cafcass"))
    assert cafcass.matching == ("2015-01-croydon-a",) and "anywhere in their text" in cafcass.criterion
    assert cafcass.evidence["2015-01-croydon-a"].section == "Learning"


def test_local_and_national_are_counted_together_each_as_a_row_when_asked() -> None:
    interp = interpret("how many reviews came out in 2022? split local vs national panel if you can")
    assert (interp.both_scopes, interp.national, interp.topic, interp.year_from) == (True, False, "", 2022)
    t = tally(RECORDS, interpret("how many local and national reviews mention neglect"))
    assert t.breakdown_of == "scope" and t.breakdown == {"local case reviews": 2, "national reviews and reports": 1}
    assert t.total == 5 and "not counted" not in t.criterion


def test_boys_and_girls_are_the_rows_and_what_differs_is_each_rows_themes() -> None:
    interp = interpret("is there a difference between what happens to teenage boys and teenage girls in these reviews?")
    assert (interp.mode, interp.breakdown, interp.topic, interp.row_themes) == ("overview", "sex", "", True)
    t = tally(RECORDS, interp)
    assert t.breakdown == {"boys": 1, "girls": 1} and t.row_themes is not None
    assert [label for label, _ in t.row_themes["boys"]] == ["domestic abuse", "suicide and self-harm"]
    assert tally(RECORDS, interpret("how many reviews are about boys vs girls")).breakdown == {
        "boys": 2,
        "girls": 1,
        "sex not stated": 1,
    }


def test_the_childs_sex_is_not_an_adults_and_an_ordinary_drink_is_not_alcohol_misuse() -> None:
    from assistant.answer.counting import _sex

    assert (
        _sex(
            Case(
                "a",
                2020,
                1,
                "A",
                "A",
                summary="Death of a 2-month-old baby; her male partner was charged.",
                background="The girl had been seen by the GP.",
            )
        )
        == "girls"
    )
    drink = Case("b", 2020, 1, "A", "B", summary="Neglect.", background="Mother gave the baby a drink of milk.")
    assert tally([drink], interpret("how many reviews where parents were drinking")).count == 0


def test_two_narrower_themes_compared_are_each_a_row_not_their_broader_theme() -> None:
    t = tally(WHOSE, interpret("which is more common in the reviews, drugs or alcohol?"))
    assert t.breakdown_of == "compare" and set(t.breakdown) == {"drug misuse", "alcohol misuse"}


def test_a_comparison_naming_one_theme_is_a_count_not_a_table_of_other_themes() -> None:
    assert [t.key for t in themes_named("co-sleeping or shaking")] == ["head-injury", "unsafe-sleep"]
    t = tally(RECORDS, interpret("which is more common, neglect or cuckooing?"))
    assert t.breakdown is None and t.matching == ("2010-02-b-two", "2015-03-c-three")


def test_a_narrower_term_a_theme_also_counts_is_counted_as_itself() -> None:
    marac = Case(
        "2025-00-x-marac", 2025, 0, "X", "Baby", summary="Domestic abuse at home.", key_issues="MARAC was told."
    )
    other = Case("2025-00-y-dv", 2025, 0, "Y", "Child", summary="Domestic abuse at home.")
    records = [marac, other]
    t = tally(records, interpret("how many reviews mention MARAC?"))
    assert t.matching == ("2025-00-x-marac",) and "\u201cMARAC\u201d" in t.criterion
    whole = tally(records, interpret("how many reviews involve domestic violence"))
    assert set(whole.matching) == {"2025-00-x-marac", "2025-00-y-dv"} and "name domestic abuse" in whole.criterion
