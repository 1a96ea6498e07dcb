"""Hostile and odd queries: a clear message or a normal answer, never a traceback, in bounded time."""

from __future__ import annotations

import time

import pytest

from assistant.answer.compose import citation_problems
from assistant.api import MAX_QUERY_CHARS, Assistant, QueryError
from assistant.cli import main
from assistant.settings import Settings

from .conftest import HashEmbedder

EMPTY = ["", "   ", "\t\n  \r", "\x00\x00", "\u200b\u200b", "\x07\x1b[31m"]
ODD = [
    "x" * 100_000,
    "neglect " * 20_000,
    "baby\x00 death\x1b in the\u0007 bath",
    "😢 baby 👶 drowned 🛁",
    "إهمال الأطفال",  # Arabic, right to left
    "\u202eneglect\u202c of a\u200f child",  # bidi overrides and marks
    "ne\u200bglect",  # zero-width space inside a word
    "negle\u0301ct of childre\u0308n",  # combining accents
    "the and of to a in",
    "?!?!...,,,;;",
    "<script>alert(1)</script> neglect",
    "' OR 1=1 --",
    "[1] [2] [99] citation markers",
]
BOUND_S = 5.0


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    import shutil

    from assistant.indexing.build import build_index

    from .conftest import SHIPPED_CORPUS

    corpus = tmp_path_factory.mktemp("c") / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=corpus.parent / "index", min_relevance=0.0)
    build_index(settings, embedder=HashEmbedder(), progress=False)
    return Assistant.load(settings=settings, embedder=HashEmbedder())


@pytest.mark.parametrize("query", EMPTY, ids=repr)
def test_empty_queries_are_a_clear_error(assistant: Assistant, query: str) -> None:
    with pytest.raises(QueryError, match="the query is empty"):
        assistant.search(query)
    with pytest.raises(QueryError, match="the query is empty"):
        assistant.ask(query)


@pytest.mark.parametrize("query", ODD, ids=lambda q: repr(q[:20]))
def test_odd_queries_get_a_normal_answer_in_bounded_time(assistant: Assistant, query: str) -> None:
    started = time.perf_counter()
    hits = assistant.search(query)
    answer = assistant.ask(query)
    assert time.perf_counter() - started < BOUND_S
    assert isinstance(hits, list)
    records = {r.case_id: r for r in assistant.records()}
    assert citation_problems(answer, records) == []
    assert answer.no_answer or answer.citations


def test_an_overlong_question_is_cut_with_a_notice(assistant: Assistant) -> None:
    answer = assistant.ask("neglect " * 20_000)
    assert f"only its first {MAX_QUERY_CHARS:,} were used" in answer.notice
    assert len(answer.question) <= MAX_QUERY_CHARS
    assert assistant.ask("neglect").notice == ""


@pytest.mark.parametrize("query", EMPTY[:3] + ODD, ids=lambda q: repr(q[:20]))
def test_cli_never_shows_a_traceback(
    assistant: Assistant,
    query: str,
    use_fake_embedder: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCR_MIN_RELEVANCE", "0")
    index = str(assistant.settings.index_dir)
    for command in (["search", query, "--index", index], ["ask", query, "--index", index, "--json"]):
        code = main(command)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        if query.strip():
            assert code == 0, captured.err
        else:
            assert code == 2 and captured.err.startswith("error: the query is empty")
