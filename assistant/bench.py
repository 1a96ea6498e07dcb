"""Latency benchmark of the loaded assistant: search and ask, median and p95 after a warm-up."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.api import Assistant
from assistant.evaluate import load_queries
from assistant.settings import Settings


def _figures(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "p50": round(statistics.median(ms), 2),
        "p95": round(ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))], 2),
        "n": len(ms),
    }


def run_bench(settings: Settings, queries_file: Path, repeat: int = 3) -> dict[str, Any]:
    """Time the floor (bare query embedding + FAISS search), ``search`` and ``ask`` on each query."""
    started = time.perf_counter()
    assistant = Assistant.load(settings=settings)
    assistant.search("warm up the model and the indexes")
    load_s = time.perf_counter() - started
    questions = [q.query for q in load_queries(queries_file)]
    for q in questions[:5]:  # warm-up
        assistant.ask(q)
    floor, search, ask = [], [], []
    index = assistant.index.faiss_index
    k = min(assistant.settings.candidates, index.ntotal)
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            vector = assistant.embedder.embed([q])
            index.search(np.ascontiguousarray(vector, np.float32), k)
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.search(q)
            search.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.ask(q)
            ask.append(time.perf_counter() - t)
    return {
        "floor_ms": _figures(floor),
        "search_ms": _figures(search),
        "ask_ms": _figures(ask),
        "load_s": round(load_s, 2),
        "chunks": index.ntotal,
        "queries": len(questions),
    }
