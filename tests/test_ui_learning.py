"""The Learning notes and Actions pages through AppTest, on the shipped corpus's index and a fixed clock."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document as WordDocument
from streamlit.testing.v1 import AppTest

from assistant.library import actions as act
from assistant.library.storage import Store

from .conftest import start_app

pytestmark = pytest.mark.model


@pytest.fixture
def app(real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(real_index, tmp_path / "data", monkeypatch, user="Amy Trainer", today="2025-03-01")
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_note_with_identifiers_is_held_back_then_a_clean_one_is_saved(app: AppTest) -> None:
    app.switch_page("notes.py").run()
    app.text_input(key="note_title").set_value("Near miss at the front desk")
    app.text_area(key="note_happened").set_value("Jayden lived at 9 Station Road, LS6 2AB.")
    _click(app, "Save note")
    assert "Not saved" in "\n".join(w.value for w in app.warning)
    shown = _text(app)
    assert "9 Station Road" in shown and "LS6 2AB" in shown and "Jayden" in shown
    assert "0 learning note(s)" in "\n".join(s.value for s in app.subheader)
    app.text_area(key="note_happened").set_value("A referral from reception was not passed to the duty team.")
    _click(app, "Save note")
    assert "1 learning note(s)" in "\n".join(s.value for s in app.subheader)
    assert any("Local learning note" in c.value and "Amy Trainer" in c.value for c in app.caption)


def test_an_action_past_its_date_is_overdue_and_a_stale_edit_is_refused(app: AppTest, tmp_path: Path) -> None:
    app.switch_page("actions.py").run()
    app.text_area(key="action_recommendation").set_value("Share information between health and social care")
    app.text_input(key="action_owner").set_value("Health")
    app.date_input(key="action_due").set_value(dt.date(2025, 2, 1))
    _click(app, "Add action")
    assert "Overdue (1)" in "\n".join(s.value for s in app.subheader)
    assert "Share information between health and social care" in _text(app)
    store = Store.open(url=f"sqlite:///{tmp_path / 'data' / 'learning.db'}")
    act.update_action(store, 1, "Bea Manager", status="in-progress")  # someone else, while the page is open
    app.selectbox(key="update_status").set_value("done")
    _click(app, "Save change")
    assert "changed by Bea Manager" in "\n".join(e.value for e in app.error)
    assert act.get_action(store, 1).status == "in-progress"
    docx = next(d for d in app.get("download_button") if "Word" in d.proto.label)
    assert docx.proto.label == "Board report (Word)"
    data = WordDocument(io.BytesIO(act_board(store)))
    assert "Source: " in "\n".join(p.text for p in data.paragraphs)


def act_board(store: Store) -> bytes:
    from assistant.library.board import board_docx

    return board_docx(act.list_actions(store), dt.date(2025, 3, 1), 14)


def test_a_note_is_linked_to_the_recurring_lesson_it_echoes(app: AppTest) -> None:
    app.switch_page("notes.py").run()
    app.text_input(key="note_title").set_value("Reception referral")
    app.text_area(key="note_happened").set_value("A referral from reception was not passed to the duty team.")
    _click(app, "Save note")
    picker = next(s for s in app.selectbox if s.label == "Echoes a recurring lesson")
    assert picker.options, "the shipped corpus holds recurring lessons to link to"
    first = picker.options[0]
    picker.select_index(0)
    _click(app, "Link the note to it")
    assert not app.error, [e.value for e in app.error]
    assert "This happened here too:" in _text(app)
    assert all(s.label != "Echoes a recurring lesson" or first not in s.options for s in app.selectbox)
