"""Feedback on answers, stored locally as JSON lines, and exported as evaluation queries."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.records import Answer

FEEDBACK_FILE = "feedback.jsonl"
_lock = threading.Lock()


def record_feedback(data_dir: Path, answer: Answer, helpful: bool, role: str | None = None) -> Path:
    """Append one judgment (thumbs up or down) of an answer to the local feedback file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FEEDBACK_FILE
    row = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "question": answer.question,
        "query": answer.query,
        "mode": answer.mode,
        "cases": list(answer.cases),
        "helpful": helpful,
        "role": role,
    }
    with _lock, path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def read_feedback(data_dir: Path) -> list[dict[str, Any]]:
    """Every stored judgment; a damaged line raises ParseError naming the file and line."""
    path = data_dir / FEEDBACK_FILE
    if not path.is_file():
        return []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                raise ParseError(path, n, "not valid JSON") from None
    return rows


def export_queries(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Helpful answers as gold queries (the cases they cited count as relevant), and how many
    judgments were left out (unhelpful ones, and answers that cited no case)."""
    queries: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    skipped = 0
    for row in rows:
        if not row.get("helpful") or not row.get("cases"):
            skipped += 1
            continue
        query = row.get("query") or row["question"]
        if query in seen:  # the same question judged twice: join the cases
            seen[query]["relevant"] = list(dict.fromkeys(seen[query]["relevant"] + row["cases"]))
            continue
        item = {
            "qid": f"f{len(queries) + 1:03d}",
            "query": query,
            "relevant": list(row["cases"]),
            "kind": "role" if row.get("role") else ("theme" if row.get("mode") == "learning" else "paraphrase"),
        }
        seen[query] = item
        queries.append(item)
    return queries, skipped
