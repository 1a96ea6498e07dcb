"""One crafted review (title, area, name, keywords, every section, the file name: images, links, HTML,
mailto:, javascript:, bare addresses) through every page, download and CLI output: shown as text, never
live, and nothing asks the loopback listener that stands in for an outside host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.answer.present import escape_markdown, record_markdown
from assistant.api import Assistant
from assistant.indexing.build import build_index
from assistant.library.pack import pack_docx, pack_markdown
from assistant.settings import Settings

from .conftest import ROOT, HashEmbedder
from .crafted import file_name, inline, listener, live_markup, payload, write_crafted_corpus

APP = str(ROOT / "ui" / "app.py")
UNKNOWN = "what happened to Bartholomew Zzyzx"  # names no review mentions: the "nothing found" answer


@pytest.fixture
def crafted(tmp_path: Path, fake_embedder: HashEmbedder) -> Iterator[tuple[Settings, int, list[str]]]:
    """An index (built with the fake embedder) of the crafted corpus, and the listener its markup points at."""
    with listener() as (port, seen):
        folders = {"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index", "data_dir": tmp_path / "data"}
        settings = Settings(**folders, min_relevance=0.0)  # the fake embedder's similarities are low
        write_crafted_corpus(settings.corpus_dir, port)
        build_index(settings, embedder=fake_embedder, progress=False)
        yield settings, port, seen


@pytest.mark.parametrize(
    "text",
    [
        payload("http://127.0.0.1:9", "t"),
        "_http://127.0.0.1:9/x.png *www.evil.example.org* __a@example.org__ ~mailto:b@example.org~",
        "http://127.0.0.1:9/a`b` ``http://127.0.0.1:9/c`` <http://127.0.0.1:9/d>",
        "Contact MAILTO:Someone@Example.ORG or xmpp:chat@example.org, or see WWW.Example.org.",
        "a\\![x](http://127.0.0.1:9/e.png) \\\\[y](http://127.0.0.1:9/f) [z]\n\n[z]: http://127.0.0.1:9/g",
    ],
    ids=["all", "after-punctuation", "backticks", "case-and-xmpp", "backslashes"],
)
def test_escaped_text_has_no_live_markup(text: str) -> None:
    assert live_markup(text)  # the check sees the markup when it is not escaped...
    assert live_markup(escape_markdown(text)) == []  # ...and none once it is
    assert "127.0.0.1:9" in escape_markdown(text) or "example.org" in escape_markdown(text).lower()


def test_escaping_a_long_word_or_address_takes_linear_time() -> None:
    import time

    started = time.perf_counter()
    for text in ("A" * 300_000, "a" * 300_000 + "@", "http://" + "a" * 300_000, "x@" * 100_000):
        escape_markdown(text)
    assert time.perf_counter() - started < 2


def test_library_markdown_and_downloads_are_inert(crafted: tuple[Settings, int, list[str]], fake_embedder) -> None:
    settings, port, seen = crafted
    assistant = Assistant.load(settings=settings, embedder=fake_embedder)
    records = assistant.records()
    assert {r.kind for r in records} == {"case", "report"} or len(records) == 2
    outputs = {f"record {r.case_id}": record_markdown(r) for r in records}
    outputs["pack"] = pack_markdown(records)
    answers = [assistant.ask(q) for q in ("mother's partner was not assessed", "lessons on the health visitor")]
    assert all(a.cases and not a.no_answer for a in answers)
    outputs.update({f"answer {n}": a.text for n, a in enumerate(answers)})
    nothing = assistant.ask(UNKNOWN)
    assert nothing.no_answer and "kwlink" in nothing.text  # the crafted keywords are listed...
    outputs["nothing found"] = nothing.text
    for name, text in outputs.items():
        assert live_markup(text) == [], name  # ...as text, like everything else
    assert "127.0.0.1" in outputs["pack"] and "fn@example.org" in outputs["pack"]
    word = pack_docx(records)
    assert b"hyperlink" not in word.lower() and seen == []


def _shown(at: AppTest) -> list[str]:
    """Every string the page renders as markdown."""
    kinds = ("markdown", "caption", "info", "error", "success", "warning", "title", "subheader", "header")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def test_every_page_shows_the_crafted_review_as_text(
    crafted: tuple[Settings, int, list[str]], use_fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, port, seen = crafted
    monkeypatch.setenv("SCR_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("SCR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")
    st.cache_resource.clear()  # the app's shared embedder and assistants: this test's, not another test's
    try:
        shown = _visit_every_page(port)
    finally:
        st.cache_resource.clear()
    text = "\n".join(shown)
    for crafted_text in ("kwlink", "summary link", "heading link", "title link", "fn@example.org", "Not added"):
        assert crafted_text in text, crafted_text  # shown...
    problems = {value[:80]: live_markup(value) for value in shown if live_markup(value)}
    assert problems == {}  # ...but never as live markup
    assert seen == []


def _visit_every_page(port: int) -> list[str]:
    shown: list[str] = []
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for question in ("mother's partner was not assessed", "health visitor did not see the father", UNKNOWN):
        at.chat_input[0].set_value(question).run()
        assert not at.exception, at.exception
    answers = [m["answer"] for m in at.session_state["messages"] if m["role"] == "assistant"]
    assert answers[-1].no_answer and not answers[0].no_answer
    shown += _shown(at)
    at.switch_page("library.py").run()
    for case_id in [r.case_id for r in at.session_state["assistant"].records()]:
        at.selectbox(key="library_case").set_value(case_id).run()
        shown += _shown(at)
    base = f"http://127.0.0.1:{port}"
    uploads = [
        (file_name(port, " empty.txt"), b"", "text/plain"),
        (file_name(port, " again.txt"), (Path(at.session_state["assistant"].corpus_dir) / file_name(port, ".txt"))
         .read_bytes(), "text/plain"),  # fmt: skip
        (file_name(port, " new.md"), f"# Learning brief {inline(base, 'brief')}\n\n{payload(base, 'b')}\n".encode(),
         "text/markdown"),  # fmt: skip
    ]
    at.file_uploader[0].set_value(uploads).run()
    at.button(key="add_uploads").click().run()
    assert not at.exception, at.exception
    shown += _shown(at)
    at.switch_page("themes.py").run()
    for theme in at.selectbox(key="theme_choice").options:
        at.selectbox(key="theme_choice").set_value(re.sub(r" \(\d+\)$", "", theme)).run()
        assert not at.exception, at.exception
        shown += _shown(at)
    at.session_state["pack"] = [r.case_id for r in at.session_state["assistant"].records()]
    at.switch_page("pack.py").run()
    assert not at.exception, at.exception
    shown += _shown(at)
    assert [b.label for b in at.download_button] == ["Download as Markdown", "Download as Word"]  # pack_markdown
    return shown


def test_cli_text_outputs_show_the_crafted_review_as_text(
    crafted: tuple[Settings, int, list[str]],
    use_fake_embedder: HashEmbedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.cli import main

    settings, port, seen = crafted
    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")
    index = ["--index", str(settings.index_dir)]
    again = settings.corpus_dir.parent / file_name(port, " again.txt")
    again.write_bytes((settings.corpus_dir / file_name(port, ".txt")).read_bytes())  # refused: its cases are in
    outputs = {}
    for name, args in {
        "ask": ["ask", "mother's partner was not assessed", *index],
        "nothing found": ["ask", UNKNOWN, *index],
        "search": ["search", "health visitor", *index],
        "cases": ["cases", *index],
        "add": ["add", str(again), "--corpus", str(settings.corpus_dir), *index],
        "build": ["build", "--corpus", str(settings.corpus_dir), *index],
    }.items():
        main(args)
        captured = capsys.readouterr()
        outputs[name] = captured.out + captured.err
    for name, text in outputs.items():
        assert "\x1b" not in text and "\x07" not in text, name  # no terminal escapes (OSC 8 links, colours)
    assert "kwlink" in outputs["nothing found"] and "127.0.0.1" in outputs["ask"]
    for name in ("ask", "nothing found"):  # ask prints markdown: inert like the app's
        assert live_markup(outputs[name].split("\nSources:")[0]) == [], name
    assert file_name(port, " again.txt") in outputs["add"] and seen == []
