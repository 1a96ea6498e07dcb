"""One loaded assistant shared by many threads gives exactly the serial results, and never changes."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.api import Assistant
from assistant.evaluation.evaluate import load_queries

from .conftest import ROOT

pytestmark = pytest.mark.model
THREADS, CALLS = 8, 50


def _fingerprint(assistant: Assistant) -> str:
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(assistant.index.chunk_vectors.vectors()).tobytes())
    for array in (assistant.index.bm25.scores["data"], assistant.index.bm25.scores["indices"]):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(np.ascontiguousarray(assistant.index.sentence_vectors.vectors()).tobytes())
    return digest.hexdigest()


def _call(assistant: Assistant, job: tuple[str, str]) -> object:
    kind, question = job
    if kind == "search":
        return [(h.case_id, h.section, round(h.score, 6)) for h in assistant.search(question, k=5)]
    answer = assistant.ask(question)
    return (answer.text, answer.cases, answer.no_answer)


def test_threads_get_exactly_the_serial_results(real_index: Path) -> None:
    assistant = Assistant.load(real_index)
    questions = [q.query for q in load_queries(ROOT / "eval" / "queries.jsonl")]
    jobs = [
        [("search" if (t + i) % 2 else "ask", questions[(t * CALLS + i) % len(questions)]) for i in range(CALLS)]
        for t in range(THREADS)
    ]
    before = _fingerprint(assistant)
    chunk_vectors, bm25 = assistant.index.chunk_vectors, assistant.index.bm25
    serial = [[_call(assistant, job) for job in thread_jobs] for thread_jobs in jobs]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        threaded = list(pool.map(lambda thread_jobs: [_call(assistant, job) for job in thread_jobs], jobs))
    assert threaded == serial
    assert sum(len(t) for t in threaded) == THREADS * CALLS
    assert assistant.index.chunk_vectors is chunk_vectors and assistant.index.bm25 is bm25  # never rebuilt
    assert _fingerprint(assistant) == before  # never mutated


def test_a_loaded_assistant_answers_without_opening_a_file(real_index: Path) -> None:
    # the lean query path: the index, BM25, vocabulary, encoder sessions and tokenizers are all loaded
    # once; answering a question opens nothing (checked with an audit hook on every open())
    import sys

    assistant = Assistant.load(real_index)
    assistant.ask("warm up: cases involving concealed pregnancy")
    questions = [q.query for q in load_queries(ROOT / "eval" / "queries.jsonl")[:20]]
    opened: list[str] = []
    watching = [True]

    def hook(event: str, args: tuple) -> None:
        if watching[0] and event == "open":
            opened.append(str(args[0]))

    sys.addaudithook(hook)  # cannot be removed; it goes quiet when the test ends
    try:
        for question in questions:
            assistant.search(question)
            assistant.ask(question)
        assistant.ask("what should a health visitor learn about bed sharing?", role="health-visitor")
        assistant.ask("learning about neglect of teenagers")
    finally:
        watching[0] = False
    assert opened == []
