"""The Lessons page through AppTest, and a briefing and a board report downloaded from the app and opened with
python-docx, every item carrying its source (an index of the shipped corpus built with the real model)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from docx import Document as WordDocument
from streamlit.testing.v1 import AppTest

from assistant.indexing.store import read_index
from assistant.library import actions as act
from assistant.library import notes
from assistant.library.key_lessons import get_key_lesson, list_key_lessons
from assistant.library.lessons import LessonStock
from assistant.library.storage import Store
from assistant.reference import decode_quote
from assistant.settings import Settings

from .conftest import start_app

pytestmark = pytest.mark.model


@pytest.fixture
def app(real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(real_index, tmp_path / "data", monkeypatch, user="Amy Trainer", today="2025-03-01")
    at.switch_page("lessons.py").run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What the app hands its download buttons, by file name: the bytes a browser would download."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    files: dict[str, bytes] = {}
    original = MediaFileManager.add

    def add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):  # noqa: ANN001, ANN202
        if file_name:
            data = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
            files[file_name] = bytes(data)
        return original(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    return files


def test_the_lessons_page_lists_recurring_lessons_first_with_linked_sources(app: AppTest, real_index: Path) -> None:
    stock = LessonStock(read_index(real_index), Settings().lesson_similarity)
    recurring = [g for g in stock.groups if g.reviews >= 2]
    assert recurring, "the shipped corpus should hold some recurring lesson"
    shown = _markdown(app)
    first = recurring[0]
    assert f"**{first.recurs.capitalize()}**" in shown
    positions = [shown.find(f"**{g.recurs.capitalize()}**") for g in recurring[:5]]
    assert positions == sorted(positions)  # most recurrent first
    assert f"{len(recurring)} lessons, most recurrent first" in "\n".join(s.value for s in app.subheader)
    links = app.get("page_link")
    assert len(links) == sum(len(g.lessons) for g in recurring[:20])  # every quote shown links to its source
    lessons = {m.key: m for g in recurring for m in g.lessons}
    for link in links:
        params = dict(parse_qsl(link.proto.query_string))
        assert link.proto.page == "source" and params["source"] in {m.source.case_id for m in lessons.values()}
        assert decode_quote(params["q"]) in shown  # the quote shown is the quote the source view marks


def test_browsing_by_theme_profession_and_words(app: AppTest) -> None:
    app.checkbox(key="lessons_recurring").uncheck().run()
    everything = len(app.session_state["lesson_stock"]().groups)
    assert f"{everything} lessons, most recurrent first" in "\n".join(s.value for s in app.subheader)
    app.selectbox(key="lessons_theme").set_value("domestic-abuse").run()
    assert not app.exception, app.exception
    assert "7-minute briefing on domestic abuse" in _markdown(app)
    by_theme = int(re.search(r"(\d+) lessons?,", app.subheader[0].value).group(1))
    assert 0 < by_theme < everything
    app.selectbox(key="lessons_role").set_value("midwife").run()
    both = int(re.search(r"(\d+) lessons?,", app.subheader[0].value).group(1))
    assert 0 < both <= by_theme
    app.text_input(key="lessons_search").set_value("zebra crossings").run()
    assert "0 lessons" in app.subheader[0].value and app.info
    app.selectbox(key="lessons_theme").set_value("Every theme").run()
    app.selectbox(key="lessons_role").set_value("Everyone").run()
    app.text_input(key="lessons_search").set_value("written agreements").run()
    assert "written agreements" in _markdown(app)


def test_a_key_lesson_in_a_trainers_words_keeps_its_sources(app: AppTest, tmp_path: Path) -> None:
    app.text_input(key="key_title").set_value("Plan the birth together")
    app.text_area(key="key_text").set_value("Midwives and health visitors should plan as one team.")
    options = app.multiselect(key="key_sources").options
    app.multiselect(key="key_sources").set_value([options[0]])
    next(b for b in app.button if b.label == "Save key lesson").click().run()
    assert not app.exception, app.exception
    assert "Key lesson 1 saved." in "\n".join(s.value for s in app.success)
    assert "Midwives and health visitors should plan as one team." in _markdown(app)
    store = Store.open(url=f"sqlite:///{tmp_path / 'data' / 'learning.db'}")
    saved = get_key_lesson(store, 1)
    assert saved.created_by == "Amy Trainer" and len(saved.sources) == 1 and saved.lesson_key
    app.multiselect(key="key_sources").set_value([])  # no source quote: refused in one line, nothing saved
    next(b for b in app.button if b.label == "Save key lesson").click().run()
    assert [e.value for e in app.error] == [
        "a key lesson needs at least one source quote (a case id and the quoted words)"
    ]
    assert len(list_key_lessons(store)) == 1


def test_a_broken_link_is_shown_on_the_lessons_page(app: AppTest, tmp_path: Path) -> None:
    store = Store.open(url=f"sqlite:///{tmp_path / 'data' / 'learning.db'}")
    note = notes.add_note(store, notes.NoteDraft("Near miss", "A referral was not passed on."), "Amy")
    notes.link_note(store, note.id, "2015-00-gone-review#0123456789abcdef", "Amy")
    app.run()
    warned = "\n".join(w.value for w in app.warning)
    assert "1 of 1 link no longer resolves" in warned and "2015-00-gone-review" in warned


def test_a_briefing_and_a_board_report_downloaded_from_the_app_carry_every_source(
    served: dict[str, bytes], app: AppTest, tmp_path: Path
) -> None:
    assert any(d.proto.label == "Briefing (Word)" for d in app.get("download_button"))
    data = served["briefing.docx"]
    doc = WordDocument(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    sources = [p for p in paragraphs if re.match(r"^\[\d+\] ", p)]
    assert bullets and sources
    for bullet in bullets:
        n = re.search(r"\[(\d+)\]$", bullet).group(1)
        cited = next(p for p in sources if p.startswith(f"[{n}] "))
        assert re.search(r"(?:LSCB|Partnership) \(\d{4}\) .+\. In the app: /\?source=", cited)
    markdown = served["briefing.md"].decode("utf-8")
    assert markdown.count("- ") >= len(bullets) and "## Sources" in markdown

    store = Store.open(url=f"sqlite:///{tmp_path / 'data' / 'learning.db'}")
    for n, source in enumerate(("2015-03-blackpool-baby-q", "2015-01-oldham-child-d")):
        act.add_action(store, source, f"Recommendation {n}", "Health", dt.date(2025, 1, n + 1), "Amy")
    app.switch_page("actions.py").run()
    report = WordDocument(io.BytesIO(served["board-report.docx"]))
    lines = [p.text for p in report.paragraphs]
    headings = [p.text for p in report.paragraphs if p.text.startswith("Action ")]
    assert len(headings) == 2
    for source in ("2015-03-blackpool-baby-q", "2015-01-oldham-child-d"):
        assert any(line.startswith(f"Source: {source} (quote ") for line in lines)
