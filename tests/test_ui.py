"""The Streamlit app through AppTest, on an index of the shipped corpus built with the real model."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from assistant.answer.present import escape_markdown
from assistant.ingest.parse import load_corpus
from assistant.library.pack import pack_docx, pack_markdown
from assistant.reference import decode_quote, encode_quote, slug, source_params

from .conftest import APP, SHIPPED_CORPUS, start_app

pytestmark = pytest.mark.model


@pytest.fixture
def app(real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(real_index, tmp_path / "data", monkeypatch)
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_chat_round_trip_shows_a_cited_answer(app: AppTest) -> None:
    _ask(app, "cases involving concealed pregnancy")
    text = _text(app)
    assert "Oldham - Child D" in text and "[1]" in text
    assert any(b.label == "Add to training pack" for b in app.button)
    assert any("insufficient professional curiosity" in m.value for m in app.markdown)


def test_follow_up_uses_the_history(app: AppTest) -> None:
    _ask(app, "cases involving domestic abuse")
    first_case = app.session_state["messages"][1]["answer"].cases[0]
    _ask(app, "tell me more about the first case")
    answer = app.session_state["messages"][3]["answer"]
    assert answer.mode == "case-detail" and answer.cases == (first_case,)
    assert "**Summary**" in _text(app)


def test_a_filter_changes_the_answer(app: AppTest) -> None:
    _ask(app, "child deaths")
    unfiltered = app.session_state["messages"][1]["answer"].cases
    app.selectbox(key="filter_age").set_value("12-17").run()
    app.button[0].click().run()  # New conversation
    _ask(app, "child deaths")
    filtered = app.session_state["messages"][1]["answer"].cases
    assert filtered and filtered != unfiltered
    teen_cases = {
        "2015-03-kirklees-a-young-person",
        "2015-03-leeds-child-v",
        "2015-02-hertfordshire-young-person-b",
        "2015-01-walsall-w4",
        "2015-03-dorset-family-s15",
        "2015-03-oxfordshire-children-a-b-c-d-e-and-f",
    }
    assert set(filtered) <= teen_cases


def test_library_and_themes_pages_render(app: AppTest) -> None:
    app.switch_page("library.py").run()
    assert not app.exception
    assert app.title[0].value == "Case library"
    assert "20 of 20 cases and documents" in "\n".join(c.value for c in app.caption)
    assert any("Oldham - Child D" in m.value for m in app.markdown) or app.selectbox(key="library_case")
    app.switch_page("themes.py").run()
    assert not app.exception
    assert app.title[0].value == "Themes across the reviews"
    choice = app.selectbox(key="theme_choice")
    assert choice.value == "suicide"  # the most frequent theme comes first
    assert sum("Add to training pack" == b.label for b in app.button) == 4


def test_adding_a_case_to_the_pack_and_its_download(app: AppTest) -> None:
    _ask(app, "cases involving concealed pregnancy")
    next(b for b in app.button if b.label == "Add to training pack").click().run()
    assert app.session_state["pack"] == ["2015-01-oldham-child-d"]
    app.switch_page("pack.py").run()
    assert not app.exception and app.title[0].value == "Training pack"
    assert any("What would you do differently" in m.value for m in app.markdown)
    oldham = [r for r in load_corpus(SHIPPED_CORPUS) if r.case_id == "2015-01-oldham-child-d"]
    markdown = pack_markdown(oldham)
    assert "## 1. Oldham - Child D" in markdown and "**Questions for discussion**" in markdown
    assert "(source: Oldham LSCB (2015) Serious case review: Child D. Learning.)" in markdown  # the citations' form
    assert pack_docx(oldham)[:2] == b"PK"  # a Word document is a zip archive


def test_missing_index_shows_the_sentence_instead_of_crashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCR_INDEX_DIR", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "scr-assistant build" in at.error[0].value


def test_crafted_corpus_text_renders_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder
    from assistant.settings import Settings

    from .conftest import DATA

    settings = Settings(corpus_dir=DATA / "injection", index_dir=tmp_path / "index")
    build_index(settings, embedder=load_embedder(settings), progress=False)
    monkeypatch.setenv("SCR_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _ask(at, "mother's partner was not assessed")
    answer = at.session_state["messages"][1]["answer"]
    assert answer.cases == ("2016-06-testshire-child-z",)
    rendered = _text(at)
    assert "onerror" in rendered  # the text is shown...
    for active in (r"<img", r"<script", r"!\[", r"\]\(http", r"<b>"):  # ...but never as live markup
        assert not re.search(r"(?<!\\)" + active, rendered), active
    assert "\\<img src=x onerror=alert(1)\\>" in rendered


def test_damaged_index_shows_the_same_sentence_on_the_page(
    real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from assistant.indexing.store import live_build_dir

    copy = tmp_path / "index"
    shutil.copytree(real_index, copy)
    faiss_file = live_build_dir(copy) / "index.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:500])
    monkeypatch.setenv("SCR_INDEX_DIR", str(copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # as the page shows it: the message is escaped, inert
    assert "index.faiss has changed since the build" in shown
    assert f"scr-assistant build --index {copy}" in shown


@pytest.mark.parametrize(
    "question",
    ["   ", "\x00\x1b[31m", "😢 " * 50_000, "?!?!...", "the and of"],
    ids=["blank", "control", "long", "punct", "stop"],
)
def test_bad_questions_on_the_chat_page(app: AppTest, question: str) -> None:
    app.chat_input[0].set_value(question).run()
    assert not app.exception
    messages = app.session_state["messages"]
    if question.strip(" \x00\x1b[31m") == "":
        assert "the query is empty" in app.error[0].value and messages == []
    else:
        assert messages[-1]["answer"].question  # answered (or a plain "nothing found"), never a crash
    if len(question) > 2000:
        assert "only its first 2,000 were used" in "\n".join(c.value for c in app.caption)


def test_a_count_answer_has_its_number_chart_and_library_link(app: AppTest) -> None:
    _ask(app, "how many reviews per year mention domestic abuse?")
    answer = app.session_state["messages"][1]["answer"]
    assert answer.mode == "overview" and answer.count == len(answer.cases) > 0
    assert "Comparing: domestic abuse" in "\n".join(c.value for c in app.caption)
    assert f"**{answer.count} of the 19 case reviews**" in _text(app)
    assert app.get("vega_lite_chart"), "the breakdown is drawn as a chart"
    link = next(b for b in app.button if b.label.startswith("See all"))
    link.click().run()
    assert app.session_state["library_ids"] == list(answer.cases)


def test_a_role_answer_shows_its_lens_and_can_drop_it(app: AppTest) -> None:
    _ask(app, "I'm a midwife, what should I learn about domestic abuse?")
    answer = app.session_state["messages"][1]["answer"]
    assert answer.interpretation.role == "midwife" and answer.interpretation.role_from == "question"
    assert "lens: midwives (from your question)" in "\n".join(c.value for c in app.caption)
    next(b for b in app.button if b.label.startswith("Answer without")).click().run()
    again = app.session_state["messages"][3]["answer"]
    assert again.interpretation.role is None


def test_nothing_found_lists_the_nearest_cases_apart(app: AppTest) -> None:
    _ask(app, "how much ibuprofen can a toddler have for a temperature")
    answer = app.session_state["messages"][1]["answer"]
    assert answer.no_answer and answer.citations == () and answer.nearest
    assert any("Nearest reviews" in i.value for i in app.info)


def test_a_source_address_opens_the_source_view_with_the_quote_marked(
    real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCR_INDEX_DIR", str(real_index))
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "data"))
    oldham = next(r for r in load_corpus(SHIPPED_CORPUS) if r.case_id == "2015-01-oldham-child-d")
    quote = oldham.key_issues.split(";")[0].strip()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"source": oldham.case_id, "section": "key-issues", "q": encode_quote(quote)})
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Oldham - Child D"
    assert any(f":orange-background[**{quote}**]" in m.value for m in at.markdown)
    codes = [c.value for c in at.code]
    assert "Oldham LSCB (2015) Serious case review: Child D. Key issues." in codes
    assert [b.label for b in at.button][:2] == ["← Background", "Learning →"]
    next(b for b in at.button if b.label == "Learning →").click().run()
    assert at.query_params["section"] == "learning" and "q" not in at.query_params
    assert "Oldham LSCB (2015) Serious case review: Child D. Learning." in [c.value for c in at.code]


def _link_params(at: AppTest) -> list[dict[str, str]]:
    """The query parameters of each source-view link on the page, in order."""
    return [{k: v[0] for k, v in parse_qs(link.proto.query_string).items()} for link in at.page_link]


def _open_source(params: dict[str, str], real_index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh app opened at a link's address, as a colleague pasting it would."""
    monkeypatch.setenv("SCR_INDEX_DIR", str(real_index))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_library_links_every_section_of_a_case_to_its_source_view(
    app: AppTest, real_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    oldham = next(r for r in load_corpus(SHIPPED_CORPUS) if r.case_id == "2015-01-oldham-child-d")
    app.switch_page("library.py").run()
    app.selectbox(key="library_case").set_value(oldham.case_id).run()
    assert not app.exception, app.exception
    assert [link.proto.label for link in app.page_link] == ["Open at the source"] * len(oldham.sections())
    assert _link_params(app) == [source_params(oldham.case_id, s.name) for s in oldham.sections()]
    opened = _open_source(_link_params(app)[2], real_index, monkeypatch)  # the third section: Key issues
    assert opened.title[0].value == "Oldham - Child D" and opened.subheader[0].value == "Key issues"
    assert "Oldham LSCB (2015) Serious case review: Child D. Key issues." in [c.value for c in opened.code]


def test_the_pack_links_every_quote_to_the_source_view_with_its_reference(
    app: AppTest, real_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.library.pack import discussion_questions

    oldham = next(r for r in load_corpus(SHIPPED_CORPUS) if r.case_id == "2015-01-oldham-child-d")
    questions = discussion_questions(oldham)
    app.session_state["pack"] = [oldham.case_id]
    app.switch_page("pack.py").run()
    assert not app.exception, app.exception
    shown = _text(app)
    assert all(f"*Source: {q.reference}*" in shown for q in questions)
    links = _link_params(app)
    assert [(p["source"], p["section"], decode_quote(p["q"])) for p in links] == [
        (oldham.case_id, slug(q.section), q.quote) for q in questions
    ]
    opened = _open_source(links[1], real_index, monkeypatch)  # the learning quoted by the second question
    assert any(f":orange-background[**{escape_markdown(questions[1].quote)}**]" in m.value for m in opened.markdown)
    assert questions[1].reference in [c.value for c in opened.code]
