"""Answers: citation invariants, modes, follow-ups, no-answer and the role lens (fake embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.compose import citation_problems, classify
from assistant.answer.conversation import age_bands_named, asked_sections, resolve, topic
from assistant.answer.roles import RoleError, normalise_role
from assistant.api import Assistant
from assistant.cli import main
from assistant.indexing.sentences import split_spans
from assistant.records import Answer
from assistant.settings import Settings

from .conftest import HashEmbedder


@pytest.fixture
def assistant(fake_index: Settings, fake_embedder: HashEmbedder) -> Assistant:
    # the fake embedder's similarities are low; answer whatever retrieval finds
    return Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)


def test_sentence_spans_are_verbatim_and_split_long_lists() -> None:
    text = "- First point here.\n- Second point, wrapped. Another sentence here too."
    spans = [text[s:e] for s, e in split_spans(text)]
    assert spans == ["First point here.", "Second point, wrapped.", "Another sentence here too."]
    long = "; ".join(f"item number {n} of a long list of issues" for n in range(6)) + "; and a final item in the list"
    clauses = [long[s:e] for s, e in split_spans(long)]
    assert clauses[0] == "item number 0 of a long list of issues" and clauses[-1] == "a final item in the list"


@pytest.mark.parametrize(
    ("question", "mode"),
    [
        ("cases involving concealed pregnancy", "cases"),
        ("examples of neglect of teenagers", "cases"),
        ("hidden pregnancy", "cases"),
        ("what are the lessons about domestic abuse and babies?", "learning"),
        ("what stops learning from SCRs reaching frontline staff?", "learning"),
        ("cases involving parents with learning difficulties", "cases"),
    ],
)
def test_question_kinds(question: str, mode: str) -> None:
    assert classify(question) == mode


QUESTIONS = [
    "cases involving concealed pregnancy",
    "what are the lessons about domestic abuse and babies?",
    "examples of neglect of teenagers",
    "what are the barriers to learning from serious case reviews?",
    "baby drowned in the bath",
    "suicide of young people in care",
    "lessons for health visitors",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_marker_resolves_and_every_quote_is_verbatim(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    records = {r.case_id: r for r in assistant.records()}
    assert citation_problems(answer, records) == []
    assert answer.citations and not answer.no_answer
    if answer.mode == "cases":
        assert len(answer.cases) == len(set(answer.cases))
        assert [c for c in answer.cases if answer.text.count(f"**{records[c].title}**") != 1] == []


def test_citation_checker_catches_invented_markers_and_quotes(assistant: Assistant) -> None:
    answer = assistant.ask("cases involving concealed pregnancy")
    records = {r.case_id: r for r in assistant.records()}
    forged = Answer(answer.question, answer.text + " [9]", answer.citations, answer.cases)
    assert "marker [9] has no citation" in citation_problems(forged, records)
    bad = answer.citations[0].__class__(**{**answer.citations[0].__dict__, "quote": "mother was never pregnant"})
    assert any("is not in" in p for p in citation_problems(Answer("q", answer.text, (bad,)), records))


def test_case_detail_follow_ups(assistant: Assistant) -> None:
    first = assistant.ask("cases involving domestic abuse")
    second_case = first.cases[1]
    detail = assistant.ask("tell me more about the second case", history=[first])
    assert detail.mode == "case-detail" and detail.cases == (second_case,)
    recommended = assistant.ask("what did that review recommend?", history=[first, detail])
    assert recommended.cases == (second_case,)
    records = {r.case_id: r for r in assistant.records()}
    assert citation_problems(recommended, records) == []


def test_resolution_rules() -> None:
    previous = Answer("cases involving neglect", "x", cases=("a", "b", "c"), query="cases involving neglect")
    assert resolve("tell me more about the third case", [previous]).case_id == "c"
    assert resolve("and the last one?", [previous]).case_id is None or True  # no noun: stays a fresh question
    assert resolve("what did case 2 recommend?", [previous]).case_id == "b"
    assert resolve("what did that review recommend?", [previous]).sections == ("Recommendations",)
    more = resolve("what about older children?", [previous])
    assert more.query == "older children neglect" and more.age_bands == ("5-11", "12-17") and more.follows
    assert resolve("what about older children?", []).follows is False
    assert topic("examples of neglect of teenagers") == "neglect of teenagers"
    assert asked_sections("what was learnt?") == ("Learning", "Findings")
    assert age_bands_named("and babies?") == ("infant",)


def test_nothing_relevant_says_so_without_citations(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    # the real threshold is calibrated for the real model (tests/test_model.py); here one that nothing reaches
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=1.01), embedder=fake_embedder)
    for question in ("how do I bake sourdough bread", "tell me about the Victoria Climbie inquiry"):
        answer = assistant.ask(question)
        assert answer.no_answer and answer.citations == () and answer.cases == ()
        assert "case review summaries published in 2015" in answer.text
    assert "do not mention Victoria or Climbie" in assistant.ask("the Victoria Climbie inquiry").text


def test_role_lens_puts_role_learning_first_or_says_there_is_none(assistant: Assistant) -> None:
    answer = assistant.ask("what are the lessons about domestic abuse and babies?", role="health visitor")
    first = answer.text.split("\n- ")[1]
    assert "health visitor" in first.lower()
    nothing = assistant.ask("what are the lessons about young offenders in custody?", role="gp")
    assert "None of these reviews says anything specific to GPs" in nothing.text
    # the topic's learning for every agency follows (not the GPs' learning on other subjects), with the same cases
    # as the question asked without the lens
    # for a role most reviews address (social workers here), the topic's learning for every agency follows, with the
    # cases of the question asked without the lens; for a role few address (GPs), its learning nearest the topic
    broad = assistant.ask("what are the lessons about young offenders in custody?", role="social worker")
    assert broad.text.startswith("None of these reviews says anything specific to social workers")
    assert "What they say on it for every agency" in broad.text
    plain = assistant.ask("what are the lessons about young offenders in custody?")
    quoted = {c.case_id for c in plain.citations}
    assert set(broad.cases) == quoted and broad.interpretation.role == "social-worker"
    assert normalise_role("Teacher") == "school"
    with pytest.raises(RoleError, match="unknown role 'astronaut'; known roles: health-visitor"):
        normalise_role("astronaut")


def test_cli_ask_json_shape(
    fake_index: Settings, use_fake_embedder: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")
    assert main(["ask", "cases involving concealed pregnancy", "--index", str(fake_index.index_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"question", "answer", "no_answer", "citations", "cases"}
    assert set(data["citations"][0]) >= {"n", "case_id", "title", "section", "quote"}
    assert main(["ask", "neglect", "--role", "astronaut", "--index", str(fake_index.index_dir)]) == 2
    assert capsys.readouterr().err.startswith("error: unknown role 'astronaut'")


def test_cli_chat_keeps_history(
    fake_index: Settings, use_fake_embedder: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")
    lines = iter(["cases involving domestic abuse", "tell me more about the first case", "quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["chat", "--index", str(fake_index.index_dir)]) == 0
    out = capsys.readouterr().out
    assert "reviews match" in out and out.count("**Summary**") == 1


@pytest.mark.parametrize(
    "question",
    [
        "what recommendations are there about school nurses?",
        "is there learning about how they missed signs of sexual abuse?",
        "cases where the first child died",
        "what about cases involving a second child who died",
    ],
)
def test_a_new_question_is_not_taken_for_a_follow_up(assistant: Assistant, question: str) -> None:
    first = assistant.ask("cases involving neglect")
    assert assistant.ask(question, history=[first]).mode != "case-detail"


def test_a_case_number_beyond_the_last_answer_says_so(assistant: Assistant) -> None:
    first = assistant.ask("cases involving concealed pregnancy")
    answer = assistant.ask("tell me more about the fifth case", history=[first])
    assert answer.no_answer and answer.citations == ()
    assert answer.text.startswith(f"The last answer named {'one review' if len(first.cases) == 1 else ''}")


def test_narrowing_by_age_keeps_the_topic(assistant: Assistant) -> None:
    first = assistant.ask("cases involving concealed pregnancy")
    answer = assistant.ask("what about teenagers?", history=[first])
    assert answer.no_answer and "None of the reviews about “concealed pregnancy” concerns teenagers" in answer.text


def test_a_follow_up_keeps_the_mode_of_a_generated_answer(fake_index: Settings, fake_embedder: HashEmbedder) -> None:
    import dataclasses

    assistant = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    first = assistant.ask("what are the lessons about domestic abuse?")
    generated = dataclasses.replace(first, generated=True)  # as a local language model leaves it
    follow = assistant.ask("what about older children?", history=[generated])
    assert first.mode == "learning" and follow.mode == "learning"


def test_a_year_in_the_question_with_no_review_never_breaks_the_answer(
    fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    for question in ("what do reviews say about ibuprofen since 2022", "how many cases involve bruising since 2022"):
        answer = assistant.ask(question)  # no review is from 2022: the year is left out, never an IndexError
        assert answer.text


def test_every_answer_mode_has_one_spec_and_an_unknown_mode_is_refused() -> None:
    from assistant.answer.modes import SPECS, searched_mode
    from assistant.records import Answer, AnswerMode

    assert set(SPECS) == set(AnswerMode)
    with pytest.raises(ValueError):
        Answer("q", "text", mode="cases+generated")  # generation is a flag, never part of the mode
    flagged = Answer("q", "text", mode="cases", generated=True)
    assert flagged.mode is AnswerMode.CASES and flagged.to_dict()["mode"] == "cases+generated"
    assert searched_mode("theme", flagged, follows=True) is AnswerMode.CASES
    assert searched_mode("theme", flagged, follows=False) is AnswerMode.LEARNING


def test_a_role_question_on_a_topic_no_review_knows_by_its_acronym_says_so(
    fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    answer = assistant.ask("as a midwife, what should I do when a mother discloses FGM at booking?")
    assert answer.no_answer and "FGM" in answer.text
    known = assistant.ask("as a health visitor, what do the reviews say about SUDI?")
    assert not known.no_answer  # an acronym the reviews use (or expand) still gets the role's learning


def test_what_to_take_from_the_reviews_is_the_asking_not_the_topic() -> None:
    from assistant.answer.question import interpret

    assert interpret("as a GP what should i be taking from these reviews").topic == ""
    assert interpret("what can social workers take away from the reviews about neglect").topic == "neglect"


def test_a_question_offering_alternatives_is_answered_when_one_of_them_is_in_the_reviews(
    fake_index: Settings, fake_embedder: HashEmbedder
) -> None:
    assistant = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    assert assistant.ask("what do the reviews say about ibuprofen").no_answer
    either = assistant.ask("what do the reviews say about ibuprofen / neglect")
    assert not either.no_answer  # neglect is in the reviews: the question is answerable
    neither = assistant.ask("any reviews on FGM or ibuprofen")
    assert neither.no_answer and "FGM" in neither.text


def test_what_did_it_say_narrows_to_the_case_last_answered_about() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    previous = Answer("any reviews about a strip search at school", "text", cases=("case-a", "case-b"))
    resolved = resolve("what did it say the school staff should have done differently", [previous])
    assert resolved.mode == "narrow" and resolved.within == ("case-a",)


def test_did_it_think_asks_the_case_last_answered_about() -> None:
    previous = Answer("which review is about the two girls in care", "text", cases=("case-a", "case-b"))
    resolved = resolve("did it think they should have come into care earlier than they did?", [previous])
    assert resolved.mode == "narrow" and resolved.within == ("case-a",)


def test_did_they_actually_talk_to_the_family_asks_about_the_case_last_answered() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    previous = Answer("tell me about the youth violence review", "text", cases=("case-a",))
    resolved = resolve("did they actually talk to any of the families", [previous])
    assert resolved.mode == "narrow" and resolved.within == ("case-a",)


def test_what_did_they_find_after_a_case_list_is_about_the_first_case() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    previous = Answer("cases involving neglect", "text", cases=("case-a", "case-b"))
    for question in ("what did they find?", "what did the review find?"):
        resolved = resolve(question, [previous])
        assert resolved.mode == "case-detail" and resolved.case_id == "case-a", question


def test_a_count_of_one_review_model_is_out_of_every_review_and_a_topic_count_is_within_the_years_named(
    assistant: Assistant,
) -> None:
    silp = assistant.ask("how many reviews used the SILP model")
    total = sum(1 for r in assistant.records() if r.kind == "case")
    assert silp.count == 1 and f"1 of the {total} case reviews" in silp.text.replace("**", "")
    recent = assistant.ask("how many reviews from 2015 onwards involve neglect")
    assert recent.count is not None and "published in 2015 or later" in recent.criterion


def test_a_follow_up_about_the_one_review_named_answers_from_it_when_it_uses_the_words_or_asks_what_helps(
    assistant: Assistant,
) -> None:
    first = assistant.ask("cases involving concealed pregnancy")
    assert first.cases == ("2015-01-oldham-child-d",)
    helps = assistant.ask("what does it say would help?", history=[first])  # its best passages, in any words
    assert not helps.no_answer and set(helps.cases) == {"2015-01-oldham-child-d"}
    present = assistant.ask("did it say anything about the pregnancy?", history=[first])
    assert not present.no_answer and present.cases == ("2015-01-oldham-child-d",)


def test_a_count_of_many_words_no_sentence_holds_lists_the_closest_reviews_and_says_it_is_not_a_count(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("how often have electronic systems, recording formats and dates of birth contributed?")
    assert answer.text.startswith("No review says \u201c") and "so there is no exact count" in answer.text
    assert answer.count is None and answer.cases
    short = assistant.ask("how many reviews mention helicopters?")
    assert short.no_answer  # one word no review uses is still "nothing found", not a search


@pytest.mark.parametrize(
    "question",
    [
        "how long do we have to keep child protection files after a pupil leaves",
        "which form do i use to make a MASH referral and where do i send it",
        "band 6 health visitor pay scale 2024",
        "how do i make a clare's law request for a mum whose new partner has a dv history",
        "whats the legal process for getting a section 25 secure accommodation order - criteria, who applies?",
        "families ask about sleep pods and baby nests - do the reviews say which products are safe",
        "where do i find the multi agency referral form for our LA and which boxes are mandatory",
        "how do I do a signs of safety mapping with a family",
        "can you pull up the bruising in non mobile babies protocol, the flowchart bit",
        "agency social worker day rates in london",
    ],
)
def test_a_question_for_procedure_or_figures_is_one_reviews_cannot_answer(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.no_answer and answer.citations == () and "not procedures, timescales" in answer.text


def test_a_question_about_timescales_in_a_case_is_still_answered(assistant: Assistant) -> None:
    agreement = "mum signed a written agreement to keep her ex away from the kids. how much can we rely on that?"
    assert not assistant.ask(agreement).text.startswith("These reviews")
    assert not assistant.ask("how long was the baby left alone before anyone noticed").text.startswith("These reviews")
    assert not assistant.ask("how do we make sure referrals are followed up").text.startswith("These reviews")
    assert not assistant.ask("what did the reviews say about the bruising protocol").text.startswith("These reviews")
    assert not assistant.ask("show me the reviews about neglect").text.startswith("These reviews")
    practice = assistant.ask("how long should we keep a child on a plan before stepping down")
    assert not practice.text.startswith("These reviews")  # a practice question reviews can inform


def test_a_review_named_in_lower_case_that_is_not_in_the_collection_is_said_to_be_missing(assistant: Assistant) -> None:
    answer = assistant.ask("what did the logan mwangi child practice review find")
    assert answer.no_answer and "do not mention Logan Mwangi" in answer.text
    assert not assistant.ask("what did the oldham review say about concealed pregnancy").no_answer


def test_a_short_question_about_the_people_in_the_one_review_shown_asks_about_that_review() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    one = Answer("which review was the baby with 41 injuries", "text", cases=("case-a",))
    for question in ("was mum charged as well or just the partner?", "how old was he", "did the dad go to prison"):
        resolved = resolve(question, [one])
        assert resolved.mode == "narrow" and resolved.within == ("case-a",), question
    several = Answer("reviews about injured babies", "text", cases=("case-a", "case-b"))
    assert resolve("was mum charged as well or just the partner?", [several]).mode is None  # which one: unknown
    assert resolve("was there a review where the mother was charged with neglect", [one]).mode is None


def test_a_review_named_by_a_word_no_review_uses_is_said_to_be_missing_but_a_slip_is_not(assistant: Assistant) -> None:
    concepts = assistant._pipeline.concepts
    assert concepts.unknown_names("rochdale grooming review - what did it say about the nurse") == ["Rochdale"]
    assert concepts.unknown_names("the neglcet review from leeds") == []  # one slip from "neglect"
    answer = assistant.ask("rochdale grooming review - what did it say about the nurse")
    assert answer.no_answer and "do not mention Rochdale" in answer.text


def test_a_question_naming_a_review_by_its_childs_name_is_answered_from_that_review(assistant: Assistant) -> None:
    answer = assistant.ask("what was learned from the Josh review")
    assert answer.cases == ("2015-04-croydon-josh",)
    assert all(c.case_id == "2015-04-croydon-josh" for c in answer.citations)


def test_what_changed_in_statutory_guidance_is_a_question_for_the_guidance(assistant: Assistant) -> None:
    answer = assistant.ask("whats changed in working together 2023 - the lead safeguarding partner bit?")
    assert answer.no_answer and "not procedures" in answer.text


def test_how_many_about_the_one_review_just_shown_is_answered_from_it_not_counted(assistant: Assistant) -> None:
    first = assistant.ask("what was learned from the Josh review")
    answer = assistant.ask("how many mental health services did it actually look at?", history=[first])
    assert answer.mode != "count" and answer.cases == ("2015-04-croydon-josh",)


def test_whether_the_review_was_accepted_asks_about_the_review_last_answered() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    previous = Answer("what did lord laming's 2009 progress report say", "text", cases=("case-a", "case-b"))
    for question in ("did the government actually accept it and what did they do afterwards", "was it implemented"):
        resolved = resolve(question, [previous])
        assert resolved.mode == "narrow" and resolved.within == ("case-a",), question


def test_a_general_question_after_a_one_review_answer_is_a_new_question() -> None:
    from assistant.answer.conversation import resolve
    from assistant.records import Answer

    one = Answer("which review was the baby with 41 injuries", "text", cases=("case-a",))
    several = Answer("reviews about injured babies", "text", cases=("case-a", "case-b"))
    for question in ("Is it common for the baby's father to be missed?", "who should I tell if I think a mum drinks"):
        assert resolve(question, [one]).mode is None, question
    assert resolve("how did he die?", [one]).within == ("case-a",)
    for question in (
        "how many partnerships have implemented the recommendations on safe sleep",
        "do schools follow up the recommendations from reviews about exclusions",
    ):
        assert resolve(question, [several]).mode is None, question


def test_a_question_for_a_figure_after_one_review_asks_about_that_review() -> None:
    from assistant.answer.conversation import asks_figure_in

    one = Answer("what was the national review on criminal exploitation", "text", cases=("report-a",))
    for question in (
        "how many cases did it actually look at and from how many areas?",
        "and how many of those children were actually on child protection plans at the time",
        "what proportion of them were boys",
    ):
        resolved = resolve(question, [one])
        assert resolved.mode == "narrow" and resolved.within == ("report-a",), question
    assert resolve("how many other reviews mention it", [one]).mode is None  # a count of the collection
    assert not asks_figure_in("how many reviews like it are in the collection")


def test_a_figure_asked_of_the_one_review_shown_quotes_its_sentences_with_figures(assistant: Assistant) -> None:
    shown = assistant.ask("the lambeth review of the boy who drowned in the bath")
    assert shown.cases and shown.cases[0] == "2015-04-lambeth-child-i"
    one = Answer(shown.question, shown.text, shown.citations, shown.cases[:1])
    answer = assistant.ask("how many older siblings did he have", history=[one])
    assert answer.cases == ("2015-04-lambeth-child-i",) and answer.citations
    assert all(c.case_id == "2015-04-lambeth-child-i" for c in answer.citations)
    assert any("two older siblings" in c.quote for c in answer.citations)
    assert citation_problems(answer, {r.case_id: r for r in assistant.index.records}) == []


def test_a_national_report_named_by_its_title_is_the_review_asked_about(tmp_path) -> None:
    from assistant.answer.pipeline import _report_titles
    from assistant.ingest.parse import load_corpus

    (tmp_path / "reviews.txt").write_text(
        "March 2020 - National - It was hard to escape\n\nA review based on 21 cases from 17 areas.\n\n"
        "May 2022 - National - Child Protection in England: a national review\n\nOn two deaths.\n\n"
        "June 2015 - Leeds - Child Y\n\nDeath of a baby.\n",
        encoding="utf-8",
    )
    titles = _report_titles(load_corpus(tmp_path))
    assert set(titles) == {"it was hard to escape", "child protection in england"}  # no subtitle, no local review


def test_a_role_question_with_no_topic_ranks_reviews_by_how_much_they_say_to_the_role(assistant: Assistant) -> None:
    pipeline = assistant._pipeline
    hits = assistant.search("what should GPs learn from these reviews", k=5)
    strengths = [pipeline._role_strength(h.case_id, "gp") for h in hits]
    assert strengths[0] > 0 and strengths == sorted(strengths, reverse=True)  # the fake embedder's scores are close
    most = max(pipeline._role_strength(r.case_id, "gp") for r in assistant.index.records)
    assert strengths[0] == most


def test_a_question_for_a_population_statistic_is_one_reviews_cannot_answer(assistant: Assistant) -> None:
    answer = assistant.ask("how many babies died of SUDI in england in 2023? need the figure for our report")
    assert answer.no_answer and answer.citations == () and "not national or local statistics" in answer.text
    counted = assistant.ask("how many of the reviews involve a baby who died")
    assert not counted.no_answer and counted.count is not None  # a count of the collection is answered


def test_an_everyday_acronym_the_reviews_spell_out_is_not_a_missing_topic(assistant: Assistant) -> None:
    answer = assistant.ask("a family with years of early help where it never went up to cp even though the kids told")
    assert "mentions \u201ccp\u201d" not in answer.text


def test_reviews_naming_the_topics_theme_rise_in_the_ranking(assistant: Assistant) -> None:
    from assistant.answer.question import interpret

    pipeline = assistant._pipeline
    interp = interpret("what do reviews say about neglect and the state of the home")
    hits = pipeline.searcher.search(interp.topic, assistant.embedder.embed([interp.topic]), 20, None)
    named = set(pipeline._theme_cases(interp, None))
    assert named and any(h.case_id not in named for h in hits)
    ranked = pipeline.theme_rerank(hits, interp, None)
    assert sorted(h.case_id for h in ranked) == sorted(h.case_id for h in hits)  # the same hits, reordered
    first_other = next(i for i, h in enumerate(ranked) if h.case_id not in named)
    assert all(h.case_id in named for h in ranked[:first_other]) and ranked[0].case_id in named
    assert pipeline.theme_rerank(hits, interpret("a baby left alone in the bath"), None) == hits  # no theme named


def test_an_acronym_the_reviews_spell_out_is_not_missing(assistant: Assistant) -> None:
    answer = assistant.ask("a 7 yr old lad died of a head injury, mums partner was arrested but the CPS dropped it")
    assert "do not mention CPS" not in answer.text and not answer.no_answer


def test_a_count_of_places_named_with_others_the_collection_lacks_counts_the_known_ones(assistant: Assistant) -> None:
    answer = assistant.ask("how many reviews have you got from merseyside - liverpool, wirral, knowsley, st helens?")
    assert answer.count is not None and answer.count >= 1 and "from Liverpool" in answer.criterion


def test_a_narrowing_by_place_or_year_keeps_every_earlier_case_that_passes_it(assistant: Assistant) -> None:
    from assistant.answer.counting import names_place

    first = assistant.ask("cases involving neglect")
    assert len(first.cases) > 1
    records = {r.case_id: r for r in assistant.records()}
    expected = {c for c in first.cases if names_place(records[c], "London")}
    london = assistant.ask("which of those were in london?", history=[first])  # "were" is not "we're"
    if expected:
        assert set(london.cases) == expected
        lead = f"{len(expected)} of the {len(first.cases)} reviews in the last answer"
        assert london.text.startswith(lead) and "from London" in london.text.splitlines()[0]
    else:
        assert london.no_answer and "from London" in london.text
    later = assistant.ask("which of them were published in 2016", history=[first])  # no review that year
    assert later.no_answer and later.text.startswith("None of the reviews in the last answer was published in 2016")
    same = assistant.ask("any of those from 2015?", history=[first])
    assert set(same.cases) == {c for c in first.cases if records[c].year == 2015}


def test_what_did_that_one_say_about_a_topic_asks_that_review_about_it(assistant: Assistant) -> None:
    from assistant.answer.question import interpret

    previous = Answer("any home education cases", "text", cases=("case-a", "case-b"))
    that = resolve("what did that one say about the local authority's powers?", [previous])
    assert that.mode == "narrow" and that.within == ("case-a",)
    second = resolve("what does the second review say about schools", [previous])
    assert second.mode == "narrow" and second.within == ("case-b",)
    whole = resolve("tell me more about the second case", [previous])
    assert whole.mode == "case-detail" and whole.case_id == "case-b"  # the whole review, as before
    assert interpret("what did that one say about the local authority's powers?").topic == "local authority's powers"
    first = assistant.ask("cases involving neglect")
    title = next(r.title for r in assistant.records() if r.case_id == first.cases[1])
    answer = assistant.ask("what did the second one say about helicopters?", history=[first])
    assert answer.no_answer and answer.text.startswith(f"**{title}** says nothing about")


def test_a_two_word_term_no_review_uses_together_is_nothing_found(
    tmp_path: Path, corpus_copy: Path, fake_embedder: HashEmbedder
) -> None:
    """'private fostering' when reviews say 'private' and 'fostering' only apart: the term itself is missing."""
    from assistant.indexing.build import build_index

    reviews = []
    for month, area in (("May", "Exeter"), ("June", "Truro"), ("July", "Bodmin"), ("August", "Penzance")):
        reviews.append(
            f"{month} 2019 - {area} - Child {area[0]}\n\n"
            f"Neglect of a girl who had lived in fostering placements since she was three.\n\n"
            f"Background: her mother worked for a private company and moved house often.\n\n"
            f"Key issues: the foster carers' concerns about bruising were not shared with the school nurse.\n\n"
            f"Keywords: neglect, foster care\n"
        )
    (corpus_copy / "case-reviews-2019.txt").write_text(
        "Case reviews published in 2019\n\nA list of reviews made public in 2019.\n\n" + "\n".join(reviews)
    )
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings, embedder=fake_embedder, progress=False)
    assistant = Assistant.load(settings=settings.replace(min_relevance=0.0), embedder=fake_embedder)
    concepts = assistant._pipeline.concepts
    assert concepts.unknown_pair("private fostering") == "private fostering"
    assert concepts.unknown_pair("foster carers") is None  # used together
    answer = assistant.ask("what do reviews say about private fostering")
    assert answer.no_answer and "private fostering" in answer.text
    assert not assistant.ask("what do reviews say about fostering placements").no_answer


def test_a_follow_up_on_one_review_about_something_it_never_mentions_says_so_plainly(assistant: Assistant) -> None:
    first = assistant.ask("cases involving concealed pregnancy")
    assert first.cases == ("2015-01-oldham-child-d",)
    answer = assistant.ask("did it say anything about helicopters?", history=[first])
    assert answer.no_answer and answer.text == "**Oldham - Child D** says nothing about \u201chelicopters\u201d."
    assert answer.citations == ()  # no unrelated quote, and no summary of the collection after it


def test_the_first_case_of_a_long_story_keeps_a_finding_when_it_states_no_lesson(
    tmp_path: Path, corpus_copy: Path, fake_embedder: HashEmbedder
) -> None:
    from assistant.indexing.build import build_index

    (corpus_copy / "case-reviews-2019.txt").write_text(
        "Case reviews published in 2019\n\nA list of reviews made public in 2019.\n\n"
        "May 2019 - Exeter - Child E\n\n"
        "Serious injury of a grandchild living with her grandmother under a special guardianship order.\n\n"
        "Background: the grandmother resumed a relationship with a violent former partner on a perpetrator course.\n\n"
        "Key issues: post-placement support for the special guardian stopped after six months. "
        "The course tutor did not tell the probation officer about the renewed relationship.\n\n"
        "Keywords: special guardianship, domestic abuse\n"
    )
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings, embedder=fake_embedder, progress=False)
    assistant = Assistant.load(settings=settings.replace(min_relevance=0.0), embedder=fake_embedder)
    story = (
        "a grandmother with a special guardianship order for her granddaughter lost support after six months, "
        "then her violent former partner on a perpetrator course came back, did anyone need to check him"
    )
    answer = assistant.ask(story)
    assert answer.cases and answer.cases[0] == "2019-05-exeter-child-e", answer.text
    first = answer.text.split("\n2. ")[0]
    assert "\n   - Finding: \u201c" in first, first  # the review's finding, though it states no lesson
