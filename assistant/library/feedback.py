"""Feedback on answers, stored locally as JSON lines, and exported as evaluation queries."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from assistant.errors import DamagedLineError
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
        "mode": answer.mode_label,
        "cases": list(answer.cases),
        "helpful": helpful,
        "role": role,
    }
    with _lock:
        start = _open_line(path)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(start + json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _open_line(path: Path) -> str:
    """A newline when the file's last judgment was cut off mid-line, so the next one starts on its own line."""
    try:
        with path.open("rb") as handle:
            handle.seek(-1, 2)
            return "" if handle.read(1) == b"\n" else "\n"
    except OSError:  # missing or empty
        return ""


def read_feedback(data_dir: Path) -> tuple[list[dict[str, Any]], list[DamagedLineError]]:
    """Every stored judgment that can be used, and one error (naming the file and line) for each
    line that cannot: the other lines are still read."""
    path = data_dir / FEEDBACK_FILE
    if not path.is_file():
        return [], []
    data = path.read_bytes()
    lines = data.split(b"\n")
    rows: list[dict[str, Any]] = []
    problems: list[DamagedLineError] = []
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            rows.append(_judgment(raw))
        except ValueError as exc:
            unfinished = n == len(lines)  # no newline after it: cut off, or still being written
            reason = f"an unfinished last line ({exc})" if unfinished else str(exc)
            problems.append(DamagedLineError(path, n, reason, unfinished=unfinished))
    return rows, problems


def _judgment(raw: bytes) -> dict[str, Any]:
    """One stored line as a judgment; ValueError says what is wrong with it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    if not isinstance(row, dict):
        raise ValueError(f"a judgment must be a JSON object, not {_json_kind(row)}")
    if not isinstance(row.get("question"), str):
        raise ValueError('"question" must be text' if "question" in row else 'missing "question"')
    if not isinstance(row.get("helpful"), bool):
        raise ValueError('"helpful" must be true or false' if "helpful" in row else 'missing "helpful"')
    cases = row.get("cases")
    if not isinstance(cases, list) or not all(isinstance(c, str) for c in cases):
        raise ValueError('"cases" must be a list of case ids' if "cases" in row else 'missing "cases"')
    for name in ("query", "mode", "role", "time"):
        if row.get(name) is not None and not isinstance(row[name], str):
            raise ValueError(f'"{name}" must be text, not {_json_kind(row[name])}')
    return row


def _json_kind(value: Any) -> str:
    """How a JSON value is described in an error: 'a list', 'a number'..."""
    kinds = {list: "a list", dict: "an object", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")


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
            "kind": "role" if row.get("role") else ("theme" if _base_mode(row) == "learning" else "paraphrase"),
        }
        seen[query] = item
        queries.append(item)
    return queries, skipped


def _base_mode(row: dict[str, Any]) -> str:
    """An answer's mode without the flag a local language model adds ("learning+generated" -> "learning")."""
    return str(row.get("mode") or "").removesuffix("+generated")
