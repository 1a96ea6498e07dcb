"""The learning cycle in a real browser: a note added, found from the chat labelled as a local note, and an action
that shows as overdue once its date has passed. The clock is fixed by SCR_TODAY, the date the Actions page measures
due dates against (the documented test seam); the date 'passes' by serving the same database with a later SCR_TODAY."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from docx import Document as WordDocument

from .test_browser import _browser, _outside, _serve

pytestmark = [pytest.mark.model, pytest.mark.browser]
NOTE_TITLE = "Referral from reception not passed to the duty team"
QUESTION = "referral from reception not passed to the duty team"
RECOMMENDATION = "Reception staff pass every safeguarding referral to the duty team the same day"


def _open_as(page: object, url: str, name: str) -> None:
    page.goto(url)
    box = page.get_by_label("Your name, recorded with your notes and actions")
    box.wait_for(timeout=90_000)
    box.fill(name)
    box.press("Enter")
    page.wait_for_timeout(500)


def _go(page: object, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role(
        "heading", name=title if title != "Learning notes" else "Learning notes from practice"
    ).first.wait_for(timeout=60_000)


def test_a_note_found_from_the_chat_and_an_action_that_becomes_overdue(real_index: Path, tmp_path: Path) -> None:
    requests: list[str] = []
    data = tmp_path / "data"
    shots = Path(os.environ.get("SCR_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with _browser() as browser:
        with _serve(real_index, tmp_path, data, today="2025-03-01") as (url, _log):
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.on("request", lambda r: requests.append(r.url))
            _open_as(page, url, "Amy Trainer")

            _go(page, "Learning notes")
            page.get_by_label("Title").fill(NOTE_TITLE)
            page.get_by_label("What happened (short, de-identified)").fill(
                "A safeguarding referral taken at reception waited two days before the duty team saw it."
            )
            page.get_by_label("What was learned").fill("Reception needs a same-day route to the duty team.")
            page.get_by_role("button", name="Save note").click()
            page.get_by_text("saved as a local learning note").wait_for(timeout=30_000)

            _go(page, "Ask")
            page.get_by_placeholder("Ask about the case reviews…").fill(QUESTION)
            page.keyboard.press("Enter")
            page.get_by_text("From your local learning notes").wait_for(timeout=90_000)
            note_card = page.get_by_text(f"Local learning note (not a published review): {NOTE_TITLE}")
            note_card.wait_for(timeout=10_000)
            chat = page.inner_text("body")
            page.screenshot(path=str(shots / "chat-local-note.png"))

            _go(page, "Actions")
            page.get_by_label("Recommendation (as the review words it)").fill(RECOMMENDATION)
            page.get_by_label("Owner agency").fill("Health")
            page.get_by_role("spinbutton", name="day, Due").click()  # the date field starts at today, 2025-03-01
            page.keyboard.type("10")
            page.get_by_role("button", name="Add action").click()
            page.get_by_text("Action 1 added.").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            before = page.inner_text("body")
        with _serve(real_index, tmp_path, data, today="2025-03-20") as (url, _log):  # ten days after it was due
            _open_as(page, url, "Bea Manager")
            _go(page, "Actions")
            page.get_by_text("Overdue (1)").wait_for(timeout=30_000)
            after = page.inner_text("body")
            with page.expect_download() as download:
                page.get_by_role("button", name="Board report (Word)").click()
            report = WordDocument(io.BytesIO(Path(download.value.path()).read_bytes()))
            page.screenshot(path=str(shots / "actions-overdue.png"))

    assert NOTE_TITLE in chat and "Local learning note (not a published review)" in chat
    answer_at = chat.index(QUESTION, chat.index(QUESTION) + 1) if chat.count(QUESTION) > 1 else chat.index(QUESTION)
    assert chat.index("From your local learning notes") > answer_at  # below the answer, apart from it
    assert "No review in this collection is about" in chat  # the reviews hold nothing on it; the local note does
    assert "As at 2025-03-01" in before and "Overdue (0)" in before and "Due soon, still open (1)" in before
    assert "As at 2025-03-20" in after and "Overdue (1)" in after
    overdue = after.split("Overdue (1)")[1].split("Due soon, still open")[0]
    assert RECOMMENDATION in overdue and "due 2025-03-10" in overdue
    lines = [p.text for p in report.paragraphs]
    assert any(RECOMMENDATION in line for line in lines) and "Needs attention: overdue" in lines
    assert any(line.startswith("Source: ") for line in lines)
    assert _outside(requests) == []
