"""Reading a question before searching it: mode, role, facets and a topic free of persona and framing words."""

from __future__ import annotations

import pytest

from assistant.answer.conversation import age_bands_named
from assistant.answer.question import interpret, roles_named, topic_of

AREAS = ["Leeds", "Croydon", "City and Hackney"]


@pytest.mark.parametrize(
    ("question", "mode", "topic", "roles"),
    [
        ("I'm a health visitor in Leeds, what should I learn about dads?", "role", "dads", ("health-visitor",)),
        ("what should GPs learn from these reviews?", "role", "", ("gp",)),
        ("lessons for paediatricians on the ward", "role", "", ("hospital",)),
        ("as a DSL what do these reviews say about attendance", "role", "attendance", ("school",)),
        ("what do nursery staff need to take from these?", "role", "", ("early-years",)),
        (
            "Hi, I'm a newly qualified social worker. Any cases where the parents had learning difficulties?",
            "find",
            "parents had learning difficulties",
            ("social-worker",),
        ),
        ("any cases where a baby was shaken", "find", "baby was shaken", ()),
        ("men in the household that no agency ever met", "find", "men in the household that no agency ever met", ()),
        ("what do the reviews say about listening to the child?", "theme", "listening to the child", ()),
        ("how many reviews involve domestic abuse?", "count", "domestic abuse", ()),
        ("how many reviews per year mention substance misuse?", "overview", "substance misuse", ()),
        ("which themes come up most often in reviews about babies", "overview", "babies", ()),
        (
            "when should CAMHS involve children's social care for a young person",
            "role",
            "CAMHS involve children's social care for a young person",
            ("mental-health",),  # children's social care is whom CAMHS involve, not a second lens
        ),
    ],
)
def test_mode_topic_and_role(question: str, mode: str, topic: str, roles: tuple[str, ...]) -> None:
    interp = interpret(question, AREAS)
    assert (interp.mode, interp.topic, interp.roles) == (mode, topic, roles)


def test_persona_words_never_reach_the_topic() -> None:
    assert topic_of("what should I learn from these reviews about re-referrals") == "re-referrals"
    assert "learn" not in topic_of("I'm running a training session on neglect for school staff", ["school"])
    assert topic_of("designated safeguarding lead here - online grooming", ["school"]) == "online grooming"


def test_a_role_named_as_the_subject_is_not_a_lens() -> None:
    assert roles_named("what did the police do when the children went missing") == ()
    assert roles_named("I work in A&E: bruising in babies") == ("hospital",)
    assert roles_named("as a school nurse what about self harm") == ("school-nurse",)


def test_facets_from_the_question() -> None:
    interp = interpret("how many Croydon reviews since 2020 are about teenagers?", AREAS)
    assert (interp.area, interp.year_from, interp.year_to, interp.age_bands) == ("Croydon", 2020, None, ("12-17",))
    assert interpret("cases in City and Hackney between 2020 and 2022", AREAS).filters_dict() == {
        "year": "2020-2022",
        "area": "City and Hackney",
    }
    assert interpret("how many reviews involve young or teenage parents?").age_bands == ()


@pytest.mark.parametrize(
    ("question", "breakdown"),
    [
        ("break down the neglect reviews by age of child", "age"),
        ("domestic abuse reviews - what ages are the kids", "age"),
        ("are there more exploitation reviews in recent years?", "year"),
        ("which areas have the most reviews", "area"),
        ("which review methods get used most?", "model"),
        ("what comes up most in reviews about babies?", "theme"),
    ],
)
def test_breakdown_asked_for(question: str, breakdown: str) -> None:
    interp = interpret(question)
    assert interp.mode == "overview" and interp.breakdown == breakdown


def test_the_interpretation_line_and_json() -> None:
    interp = interpret("I work in A&E - what do these reviews say about head injuries in babies?")
    assert interp.line() == (
        "Looking for: head injuries in babies · infant (under 1) · "
        "lens: hospital and emergency doctors (from your question)"
    )
    assert interp.to_dict() == {
        "mode": "role",
        "topic": "head injuries in babies",
        "role": "hospital",
        "role_from": "question",
        "filters": {"age_band": "infant"},
        "breakdown": None,
    }
    chosen = interpret("what are the lessons about neglect?", role_setting="police")
    assert (chosen.role, chosen.role_from) == ("police", "setting")


def test_reviewer_findings_on_reading_a_question() -> None:
    assert interpret("what are the lessons for GPs on domestic abuse").topic == "domestic abuse"
    assert interpret("what can we learn about children who missed school?").roles == ()  # a place, not a lens
    assert interpret("what should housing officers look out for").roles == ("housing",)  # not the police too
    assert (interpret("how many reviews up to 2015").year_to, interpret("reviews from 2015").year_from) == (2015, 2015)


@pytest.mark.parametrize(
    "question",
    [
        "kids living with domestic violence, what do professionals keep missing",
        "what keeps going wrong at the front door",
    ],
)
def test_what_keeps_being_missed_is_a_theme_question(question: str) -> None:
    assert interpret(question).mode == "theme"


@pytest.mark.parametrize(
    ("question", "band", "age"),
    [
        ("how many reviews are about seventeen year olds", "12-17", "17"),
        ("how many reviews involve 17-year-olds?", "12-17", "17"),
        ("how many reviews are about children aged 7", "5-11", "7"),
        ("how many reviews are about a 3 month old", "infant", "3 months"),
    ],
)
def test_an_exact_age_is_an_age_criterion_not_a_topic(question: str, band: str, age: str) -> None:
    interp = interpret(question)
    assert (interp.mode, interp.topic, interp.age_bands, interp.exact_age) == ("count", "", (band,), age)


def test_nations_and_their_demonyms_are_a_place_and_national_reports_are_the_national_reviews() -> None:
    areas = ["National", "Mid and West Wales", "Croydon"]
    for question in ("how many welsh reviews are there", "how many reviews are from Wales"):
        interp = interpret(question, areas)
        assert (interp.mode, interp.topic, interp.place, interp.area) == ("count", "", "Wales", None)
    assert interpret("how many reviews mention English as an additional language").place is None
    assert interpret("how many reviews are from Mid and West Wales", areas).area == "Mid and West Wales"
    panel = interpret("what do the national panel reports say about neglect compared with 2008-11", areas)
    assert (panel.area, panel.national, panel.topic) == (None, True, "neglect")


@pytest.mark.parametrize(
    "question",
    [
        "break the reviews down by type of harm - neglect, physical abuse, sexual abuse, exploitation, suicide - "
        "roughly how many of each",
        "how many reviews by type of harm?",
        "what kinds of abuse come up in the reviews",
    ],
)
def test_a_breakdown_by_harm_is_an_overview_whose_harms_are_rows_not_a_topic(question: str) -> None:
    interp = interpret(question)
    assert (interp.mode, interp.breakdown, interp.topic) == ("overview", "harm", "")


def test_a_year_before_reviews_is_a_year_criterion_not_topic() -> None:
    read = interpret("how many of the 2023 reviews were about a baby who died co-sleeping")
    assert (read.year_from, read.year_to) == (2023, 2023) and "2023" not in read.topic
    assert interpret("what did the 2020 national reviews say about exploitation").year_from == 2020


@pytest.mark.parametrize(
    ("question", "role", "topic"),
    [
        (
            "putting together a session for paramedics - what learning is there for them from the case reviews",
            "ambulance",
            "",
        ),
        ("gp here. what do the reviews say gps keep getting wrong or should do differently", "gp", ""),
        ("housing lessons scrs", "housing", ""),
        ("what are the key safeguarding lessons for hospital doctors from these reviews", "hospital", ""),
        ("what do social workers keep getting wrong with neglect", "social-worker", "neglect"),
    ],
)
def test_the_asking_and_the_role_leave_no_topic_behind(question: str, role: str, topic: str) -> None:
    read = interpret(question)
    assert read.mode == "role" and read.roles == (role,) and read.topic == topic


def test_publication_words_and_a_scope_aside_are_not_a_count_topic() -> None:
    read = interpret("how many local reviews (not the national panel ones) came out in 2023")
    assert read.mode == "count" and read.topic == "" and read.year_from == 2023
    assert interpret("how many reviews where the child was not seen by a GP").topic == "child was not seen by a GP"


def test_every_age_a_question_names_counts() -> None:
    from assistant.answer.conversation import age_bands_named

    assert age_bands_named("babies or toddlers with fractures") == ("infant", "1-4")
    assert age_bands_named("a baby") == ("infant",)
    assert age_bands_named("what about older children?") == ("5-11", "12-17")


def test_local_reviews_named_apart_from_the_national_ones_are_the_local_ones() -> None:
    assert not interpret("how many local reviews (not the national panel ones) came out in 2023").national
    assert interpret("how many national panel reports are there").national


def test_swapped_letters_in_a_framing_word_leave_it_out_of_the_topic() -> None:
    read = interpret("yot case manager here, anything in the reveiws specifically for youth offending teams?")
    assert read.role == "youth-justice" and "reveiws" not in read.topic and read.topic == ""
    assert interpret("lessosn on neglect").topic == "neglect"
    assert interpret("reviews about a review officer").topic != ""  # real words stay


def test_from_a_year_to_now_is_every_year_since() -> None:
    read = interpret("has the way reviews talk about teenagers changed over the years, from 2008 to now?")
    assert (read.year_from, read.year_to, read.topic, read.breakdown) == (2008, None, "teenagers", "year")
    assert interpret("cases from 2020 onwards about exploitation").year_from == 2020


def test_an_iro_or_conference_chair_is_read_as_the_social_work_lens() -> None:
    assert roles_named("as an IRO / CP conference chair what lessons are there for plans") == ("social-worker",)


def test_from_a_year_on_a_topic_is_that_year_and_row_themes_keep_the_topic() -> None:
    read = interpret("how many reviews from 2019 on neglect")
    assert (read.year_from, read.year_to) == (2019, 2019)
    assert interpret("neglect reviews from 2015 on?").year_to is None
    read = interpret("break the domestic abuse reviews down by age and the key concerns in each group")
    assert (read.breakdown, read.row_themes, read.topic) == ("age", True, "domestic abuse")
    assert interpret("how many reviews on child protection plans, by age of the child").topic.startswith("child prot")


def test_scr_words_are_never_a_count_topic_and_iro_is_only_the_acronym() -> None:
    assert interpret("how many SCRs on home schooling").topic == "home schooling"
    assert interpret("how many reviews are CSPRs").topic == ""
    assert roles_named("any learning iro neglect for schools") == ("school",)


def test_a_role_named_as_a_subject_is_no_lens_and_changing_ones_mind_is_no_trend() -> None:
    read = interpret("the consultant has changed their mind and thinks it is medical, and social care want to close")
    assert (read.roles, read.mode) == ((), "find")
    assert interpret("what do social workers keep getting wrong with neglect").roles == ("social-worker",)
    assert interpret("what do teachers need to know about disclosures").roles == ("school",)


def test_a_persona_the_lens_does_not_know_is_not_the_topic_and_a_keyworker_is_drug_and_alcohol_services() -> None:
    assert interpret("I'm a youth worker - what do reviews say about knife crime").topic == "knife crime"
    assert interpret("im a foster carer, what should i look out for with teenagers going missing").topic == (
        "teenagers going missing"
    )
    read = interpret("i'm a drug and alcohol keyworker for adults. what should we do when clients have a baby")
    assert read.role == "substance-misuse" and "keyworker" not in read.topic
    assert "worried" in interpret("I'm a bit worried about a child who keeps missing school, any cases?").topic


def test_what_workers_should_take_from_reviews_is_the_asking_not_the_topic() -> None:
    read = interpret("for our drug and alcohol service - what should workers take from reviews where parents drank")
    assert read.topic == "parents drank"
    assert interpret("what should teachers know about online grooming").topic == "online grooming"


def test_an_age_breakdown_leaves_its_age_words_out_of_the_topic_and_one_age_named_filters() -> None:
    assert interpret("domestic abuse reviews - what ages are the kids").topic == "domestic abuse"
    read = interpret("how old were the babies in the neglect reviews")
    assert (read.topic, read.age_bands) == ("neglect", ("infant",))


def test_the_reviews_themselves_are_a_subject() -> None:
    assert "serious case reviews themselves" in interpret("criticisms of the serious case reviews themselves").topic


def test_asides_and_was_there_a_review_are_not_the_topic_and_a_ppu_is_police() -> None:
    assert interpret("any examples of good practice? tired of only reading about what went wrong").topic == (
        "good practice"
    )
    assert interpret("wasnt there a review about a lad at risk of CCE who died").topic.startswith("lad at risk")
    assert interpret("DI in a PPU - what do reviews say about investigations").role == "police"


def test_a_count_of_a_kind_of_national_report_keeps_its_kind() -> None:
    read = interpret("how many national panel annual reports have you got")
    assert read.national and read.topic == "annual"
    assert interpret("how many of ofsteds evaluation reports on scrs are in the collection").topic.lower() == "ofsted"
    learning = interpret("what did the national panel annual reports say about babies")
    assert learning.national and learning.topic == "babies"


def test_an_area_of_several_places_is_named_by_one_of_them_and_a_question_can_name_several_areas() -> None:
    areas = ["Derby", "Derby and Derbyshire", "City and Hackney", "Croydon"]
    both = interpret("how many reviews from derby or derbyshire", areas)
    assert (both.areas, both.area, both.topic) == (("Derby", "Derby and Derbyshire"), None, "")
    assert "in Derby or Derby and Derbyshire" in both.line() and both.filters_dict()["area"] == both.areas_text
    assert interpret("how many reviews from derby", areas).areas == ("Derby",)  # not also Derby and Derbyshire
    hackney = interpret("neglect cases from hackney", areas)
    assert (hackney.area, hackney.topic) == ("City and Hackney", "neglect")
    assert interpret("reviews about the city and its schools", areas).areas == ()  # "City" alone names no area


def test_police_ranks_and_the_control_room_are_the_police_lens() -> None:
    for question in (
        "sgt in the force control room. when someone makes a threat to hurt a kid how should we grade it",
        "im a call handler in the force control room, what should we learn",
        "as a PC what should i look for",
    ):
        assert roles_named(question) == ("police",), question
    assert roles_named("pc world laptops in the home") == ()


def test_a_baby_or_child_is_any_age() -> None:
    assert age_bands_named("how many of the reviews involve a baby or child with broken bones?") == ()
    assert age_bands_named("babies or toddlers with fractures") == ("infant", "1-4")
    assert interpret("how many reviews involve a baby or child with fractures").age_bands == ()


def test_an_area_with_a_word_such_as_city_is_named_by_its_place() -> None:
    areas = ["Nottingham City", "Nottinghamshire", "North Tyneside"]
    assert interpret("how many cases from nottingham or nottinghamshire", areas).areas == (
        "Nottinghamshire",
        "Nottingham City",
    )
    assert interpret("neglect in london").place == "London"


def test_the_part_of_a_story_question_that_asks() -> None:
    from assistant.answer.question import asked_part

    story = "a girl hinted something was going on then clammed up. what do reviews say about partial disclosures"
    assert asked_part(story) == "what do reviews say about partial disclosures"
    assert asked_part("what do reviews say about partial disclosures") is None  # one sentence: nothing to split
    assert asked_part("mum was drunk. baby in the bed. any reviews?") is None  # the asking part has no topic


def test_died_versus_seriously_harmed_is_a_breakdown_by_harm_and_how_many_died_a_count() -> None:
    split = interpret("what split of the reviews are about a child who died versus one who was seriously harmed")
    assert (split.mode, split.breakdown, split.topic) == ("overview", "harm", "")
    assert (interpret("how many children died").mode, interpret("how many children died").breakdown) == ("count", None)


def test_where_the_asker_works_is_no_place_filter_and_a_region_word_names_no_single_area() -> None:
    assert interpret("I'm a health visitor in London, what are the lessons on unsafe sleep").place is None
    assert interpret("neglect cases in london").place == "London"
    areas = ["Bath and North East Somerset", "Barking and Dagenham", "North Wales"]
    assert interpret("how many babies drowned in the bath", areas).areas == ()
    assert interpret("how many reviews in Wales mention neglect", areas).areas == ()
    assert interpret("reviews from dagenham", areas).areas == ("Barking and Dagenham",)


def test_boys_and_girls_make_a_breakdown_only_when_the_question_compares_them() -> None:
    assert interpret("what are the lessons on criminal exploitation of boys and girls").breakdown is None
    split = interpret("how many reviews of self-harm involve girls compared with boys")
    assert (split.breakdown, split.topic) == ("sex", "self-harm")


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("learning for probation officers", ("probation",)),
        (
            "i work in adult community mental health, what do the reviews say about patients who are parents",
            ("mental-health",),
        ),
        ("sw learning on closing cases or stepping down to early help too soon", ("social-worker",)),
        ("im a PO, what are the lessons for probation when a man on my caseload moves in with a mum", ("probation",)),
        (
            "yos case manager. a 15 yr old girl on our books committed a violent offence out of the blue",
            ("youth-justice",),
        ),
        ("head of year at a secondary. we're taking a pupil on a managed move - what should we know", ("school",)),
        # a role named in a story, away from who is asking, is its subject, not a lens
        ("im a kinship carer for my grandson. every time we get a new social worker we start again", ()),
        ("nursery worker abusing toddlers and sharing photos, ran out of a church hall. which review", ()),
        (
            "the review where a girl was strip searched by police at school - what was the learning for school staff",
            ("school",),
        ),
    ],
)
def test_roles_named_by_the_asker_or_as_the_lens(question: str, roles: tuple[str, ...]) -> None:
    assert interpret(question, AREAS).roles == roles


def test_anonymous_is_not_an_area_a_question_names() -> None:
    question = "shes had an anonymous call made about her to the nspcc and police came out, do reviews say anything"
    assert interpret(question, ["Anonymous", "Leeds"]).areas == ()
    assert interpret("neglect cases in leeds", ["Anonymous", "Leeds"]).areas == ("Leeds",)


def test_a_harm_breakdown_of_deaths_and_survivors_has_no_topic_left() -> None:
    question = "for the 2015 reviews, can you split them into deaths vs kids who survived, and what kind of harm"
    interp = interpret(question)
    assert (interp.mode, interp.breakdown, interp.year_from, interp.topic) == ("overview", "harm", 2015, "")


def test_an_article_is_taken_out_of_a_persona_as_a_whole_word() -> None:
    topic = interpret("I'm an ED registrar. whats the learning for hospital staff when a baby comes in injured").topic
    assert topic.startswith("ED registrar")  # not "n ED registrar"
    assert "being at conference" in interpret("have any reviews said gps not being at conference mattered").topic


def test_a_place_in_the_askers_own_opening_is_where_they_work() -> None:
    question = "ED nurse in a london trust. we get teenage lads in with stab wounds. do the reviews say anything"
    assert interpret(question).place is None
    assert interpret("neglect cases in london").place == "London"


def test_a_question_on_how_learning_changed_over_time_keeps_its_topic() -> None:
    from assistant.answer.question import asks_learning_trend

    question = "board paper on fathers - can you show how learning about dads has developed from the earliest to now"
    assert asks_learning_trend(question) and "fathers" in interpret(question).topic
    assert "developed" not in interpret(question).topic and "earliest" not in interpret(question).topic
    assert not asks_learning_trend("has neglect changed since 2015")  # a count over time, not its learning


def test_the_askers_own_service_in_their_opening_is_their_role() -> None:
    question = "missing persons coordinator in the police. what do reviews say about kids who keep going missing"
    assert interpret(question).roles == ("police",)
    assert interpret("a boy who got in trouble with the police - any reviews").roles == ()


def test_a_learning_question_about_unknown_causes_of_death_is_not_a_breakdown() -> None:
    question = "what do reviews do when the cause of death is never pinned down - SIDS vs something else? lessons?"
    assert interpret(question).mode == "theme"
    assert interpret("what were the causes of death of the babies").breakdown == "cause"
    assert interpret("drugs vs alcohol in the reviews").mode == "overview"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "as a police officer going out to domestics where there are kids, what do reviews say",
            "going out to domestics",
        ),
        ("as an A&E nurse dealing with teenagers who self harm, what should i look for", "dealing with teenagers"),
        ("I'm a health visitor working in Leeds, what about neglect", "neglect"),
        ("as a midwife seeing lots of young mums, what about concealed pregnancy", "concealed pregnancy"),
    ],
)
def test_a_persona_clause_ends_at_the_role_when_a_story_follows_it(question: str, topic: str) -> None:
    got = interpret(question).topic
    assert got.startswith(topic) or got.endswith(topic), got
    assert "what about" not in got and "nurse" not in got.split()


def test_were_is_not_we_are_so_a_place_after_it_is_asked_about() -> None:
    assert interpret("which of those were in london?").place == "London"
    assert interpret("we're in london, any neglect cases?").place is None  # where the asker works
