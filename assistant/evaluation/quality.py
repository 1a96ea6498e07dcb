"""What users meet, measured: answers to practitioners' questions scored against judged gold data.

A question file (JSON lines) holds, per question, ``qid``, ``query``, ``kind``, ``persona`` and ``relevant``
(every case id judged relevant), plus fields per kind: ``history`` (earlier turns of a follow-up),
``role`` (the role a role question is about), ``expected_count``/``expected_table`` and ``criterion``
(count and overview questions), ``nearest`` (for questions the collection cannot answer), ``concepts``
(words or word starts, lower case, that show the question's concept in a quote) and ``split`` (dev or
holdout: holdout questions are never looked at while tuning).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.records import Answer

QUESTION_KINDS = ("find", "role", "theme", "keyword", "everyday", "followup", "count", "overview", "none")
RETRIEVAL_KINDS = ("find", "role", "theme", "keyword", "everyday")  # ranked by `search` as typed
SPLITS = ("dev", "holdout")
MIN_PER_KIND = {"find": 15, "role": 15, "theme": 15, "keyword": 15, "everyday": 15, "followup": 15, "none": 20}
MIN_COUNT_OVERVIEW = 25
MIN_QUESTIONS = 180
_WORD_NUMBERS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_FIRST_NUMBER = re.compile(r"\b(\d+|no|none|one|two|three|four|five|six|seven)\b", re.I)
_MARKER = re.compile(r"\[(\d+)\]")
ROW_MATCH = 0.25  # a gold row and an answer's row are the same row when they share this share of their words
_ROW_STOP = frozenset({"and", "or", "the", "of", "a", "in", "incl", "includ", "etc", "e", "g", "with"})


@dataclass(frozen=True)
class Question:
    """One judged question as a practitioner would type it."""

    qid: str
    query: str
    kind: str
    persona: str
    relevant: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    role: str | None = None
    expected_count: int | None = None
    expected_table: dict[str, int] = field(default_factory=dict)
    criterion: str = ""
    nearest: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    split: str = "dev"
    line: int = 0


def _strings(path: Path, n: int, row: dict[str, Any], key: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParseError(path, n, f'"{key}" must be a list of non-empty strings')
    return tuple(value)


def _question(path: Path, n: int, row: Any, judged: bool = True) -> Question:
    if not isinstance(row, dict):
        raise ParseError(path, n, "each line must be a JSON object")
    for key in ("qid", "query", "kind", "persona"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise ParseError(path, n, f'"{key}" must be a non-empty string')
    kind = row["kind"]
    if kind not in QUESTION_KINDS:
        raise ParseError(path, n, f"unknown kind {kind!r} (use {', '.join(QUESTION_KINDS)})")
    split = row.get("split", "dev")
    if split not in SPLITS:
        raise ParseError(path, n, f"unknown split {split!r} (use {', '.join(SPLITS)})")
    relevant = _strings(path, n, row, "relevant")
    if judged and kind != "none" and not relevant and kind not in ("count", "overview"):
        raise ParseError(path, n, f'a {kind} question needs at least one "relevant" id')
    if kind == "none" and relevant:
        raise ParseError(path, n, 'a "none" question has no relevant ids (put the closest ones in "nearest")')
    count = row.get("expected_count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise ParseError(path, n, '"expected_count" must be a whole number')
    table = row.get("expected_table", {})
    if not isinstance(table, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in table.values()):
        raise ParseError(path, n, '"expected_table" must map row names to whole numbers')
    if judged and kind in ("count", "overview") and count is None and not table:
        raise ParseError(path, n, f'a {kind} question needs "expected_count" or "expected_table"')
    if judged and kind in ("count", "overview") and not str(row.get("criterion", "")).strip():
        raise ParseError(path, n, f'a {kind} question needs its "criterion"')
    history = _strings(path, n, row, "history")
    if kind == "followup" and not history:
        raise ParseError(path, n, 'a followup question needs its "history" (the earlier questions)')
    role = row.get("role")
    if kind == "role" and not (isinstance(role, str) and role.strip()):
        raise ParseError(path, n, 'a role question needs its "role"')
    return Question(
        qid=row["qid"],
        query=row["query"],
        kind=kind,
        persona=row["persona"],
        relevant=relevant,
        history=history,
        role=role if isinstance(role, str) else None,
        expected_count=count,
        expected_table={str(k): v for k, v in table.items()},
        criterion=str(row.get("criterion", "")),
        nearest=_strings(path, n, row, "nearest"),
        concepts=tuple(c.lower() for c in _strings(path, n, row, "concepts")),
        split=split,
        line=n,
    )


def load_questions(path: Path, judged: bool = True) -> list[Question]:
    """Read a question file; a malformed line raises ParseError naming the file and line. ``judged=False``
    reads a panel's questions, which carry no relevance judgments."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ParseError(path, 0, "questions file not found") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ParseError(path, line, "not UTF-8 text") from None
    questions: list[Question] = []
    seen: set[str] = set()
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(path, n, f"not valid JSON ({exc.msg})") from None
        question = _question(path, n, row, judged)
        if question.qid in seen:
            raise ParseError(path, n, f"duplicate qid {question.qid!r}")
        seen.add(question.qid)
        questions.append(question)
    if not questions:
        raise ParseError(path, 1, "no questions in the file")
    return questions


def check_questions(questions: Sequence[Question], known_ids: Iterable[str], path: Path) -> list[str]:
    """Problems with a question set: ids not in the collection, kinds below their minimum size."""
    known = set(known_ids)
    problems = []
    for q in questions:
        for case_id in (*q.relevant, *q.nearest):
            if case_id not in known:
                problems.append(f"{path}:{q.line}: {q.qid}: no case {case_id!r} in the collection")
        if q.expected_count is not None and q.kind == "count" and q.relevant and len(q.relevant) != q.expected_count:
            problems.append(
                f"{path}:{q.line}: {q.qid}: expected_count {q.expected_count} but {len(q.relevant)} relevant ids"
            )
    kinds = Counter(q.kind for q in questions)
    for kind, least in MIN_PER_KIND.items():
        if kinds[kind] < least:
            problems.append(f"{path}: only {kinds[kind]} {kind} questions (at least {least})")
    if kinds["count"] + kinds["overview"] < MIN_COUNT_OVERVIEW:
        problems.append(f"{path}: only {kinds['count'] + kinds['overview']} count+overview questions")
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"{path}: only {len(questions)} questions (at least {MIN_QUESTIONS})")
    return problems


def combined_corpus(folders: Sequence[Path], cache: Path) -> Path:
    """One corpus folder holding a copy of every review file of ``folders`` (kept under ``cache``, reused)."""
    from assistant.ingest.parse import corpus_files

    digest = hashlib.sha256()
    files: list[tuple[Path, str]] = []
    for i, folder in enumerate(folders):
        if not folder.is_dir():
            raise ParseError(folder, 0, "corpus folder not found")
        for path in corpus_files(folder):
            name = f"{i}-{folder.name}/{path.relative_to(folder)}"
            files.append((path, name))
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    target = cache / digest.hexdigest()[:16] / "corpus"
    if not target.is_dir():
        staging = target.with_name("corpus.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        for path, name in files:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, staging / name)
        staging.rename(target)
    return target


# ---------------------------------------------------------------- scoring one answer


def answer_count(answer: Answer) -> int | None:
    """The number an answer gives as its count: its structured ``count``, else the first number it opens with."""
    count = getattr(answer, "count", None)
    if isinstance(count, int):
        return count
    first_line = answer.text.strip().split("\n", 1)[0]
    match = _FIRST_NUMBER.search(first_line)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _WORD_NUMBERS[word]


def evidence_citations(answer: Answer) -> list[int]:
    """Marker numbers of the quotes an answer offers as evidence: "why it matches" lines and learning bullets."""
    numbers: list[int] = []
    for line in answer.text.split("\n"):
        stripped = line.strip()
        learning_bullet = answer.mode.startswith("learning") and stripped.startswith("- ")
        if stripped.startswith("- Why it matches") or learning_bullet:
            numbers.extend(int(n) for n in _MARKER.findall(stripped))
    return list(dict.fromkeys(numbers))


def point_citations(answer: Answer) -> list[int]:
    """Marker numbers of the answer's points: its learning bullets, or each case's learning line."""
    numbers: list[int] = []
    for line in answer.text.split("\n"):
        stripped = line.strip()
        is_point = stripped.startswith(("- Learning", "- Recommendation")) or (
            not stripped.startswith("- Why it matches") and stripped.startswith("- ")
        )
        if is_point:
            marks = _MARKER.findall(stripped)
            if marks:
                numbers.append(int(marks[0]))
    return numbers


def carries(quote: str, concepts: Sequence[str]) -> bool:
    """True when the quote contains one of the concept words (matched at a word start, case-insensitive)."""
    text = quote.lower()
    return any(re.search(r"(?<![a-z])" + re.escape(c), text) for c in concepts)


def score_answer(q: Question, answer: Answer, role_terms: dict[str, list[str]]) -> dict[str, Any]:
    """The per-question figures: refusal, cited cases against the judged ones, evidence, role, count."""
    cited = list(dict.fromkeys(answer.cases))
    relevant = set(q.relevant)
    hits = [c for c in cited if c in relevant]
    row: dict[str, Any] = {
        "qid": q.qid,
        "kind": q.kind,
        "persona": q.persona,
        "split": q.split,
        "refused": bool(answer.no_answer),
        "cited": cited,
        "mode": answer.mode,
    }
    if q.kind != "none":
        row["precision"] = round(len(hits) / len(cited), 4) if cited else None
        row["recall"] = round(len(hits) / len(relevant), 4) if relevant else None
        row["padding"] = len(cited) - len(hits)
    else:
        shown = [*cited, *getattr(answer, "nearest", ())]
        row["nearest_shown"] = [c for c in dict.fromkeys(shown) if c in set(q.nearest)]
    by_n = {c.n: c for c in answer.citations}
    if q.concepts:
        quotes = [by_n[n].quote for n in evidence_citations(answer) if n in by_n]
        row["evidence_quotes"] = len(quotes)
        row["evidence_on_concept"] = sum(carries(quote, q.concepts) for quote in quotes)
    if q.kind == "role" and q.role:
        terms = role_terms.get(q.role, [])
        points = [by_n[n].quote for n in point_citations(answer) if n in by_n]
        row["points"] = len(points)
        row["points_for_role"] = sum(carries(p, terms) for p in points) if terms else None
        # a role's point is of use only on the question's topic: the share of points that carry its concept
        row["points_on_topic"] = sum(carries(p, q.concepts) for p in points) if q.concepts else None
    if q.kind in ("count", "overview"):
        got = answer_count(answer)
        row["criterion_stated"] = bool(str(getattr(answer, "criterion", "") or "").strip())
        if q.expected_count is not None:
            row["count"] = got
            row["count_exact"] = got == q.expected_count
        if q.expected_table:
            table = getattr(answer, "breakdown", None) or {}
            table = {str(k): v for k, v in dict(table).items()}
            right = sum(_row_value(table, k) == v for k, v in q.expected_table.items())
            row["table_rows_exact"] = round(right / len(q.expected_table), 4)
    return row


def _row_words(name: str) -> set[str]:
    from assistant.search.vocabulary import stems

    return {w for w in stems(name) if w not in _ROW_STOP}


def _row_value(table: dict[str, Any], gold_row: str) -> Any:
    """The answer's value for a gold table row: the row of the same name, else the row sharing most words
    with it (gold rows name themes in the writer's words, answers in the taxonomy's)."""
    if gold_row in table:
        return table[gold_row]
    wanted = _row_words(gold_row)
    best, best_score = None, 0.0
    for name, value in table.items():
        words = _row_words(name)
        score = len(wanted & words) / len(wanted | words) if wanted | words else 0.0
        if score > best_score:
            best, best_score = value, score
    return best if best_score >= ROW_MATCH else None


# ---------------------------------------------------------------- the whole set


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate figures over per-question rows (the shape shown by ``eval --answers``)."""
    in_scope = [r for r in rows if r["kind"] != "none"]
    none = [r for r in rows if r["kind"] == "none"]
    counted = [r for r in rows if "count_exact" in r]
    tables = [r for r in rows if "table_rows_exact" in r]
    quotes = sum(r.get("evidence_quotes", 0) for r in rows)
    points = [r for r in rows if r.get("points_for_role") is not None]
    on_topic = [r for r in rows if r.get("points_on_topic") is not None]
    out: dict[str, Any] = {
        "questions": len(rows),
        "cited_relevant": _mean(r.get("precision") for r in in_scope),
        "relevant_cited": _mean(r.get("recall") for r in in_scope),
        "padding_per_answer": _mean(float(r["padding"]) for r in in_scope if not r["refused"]),
        "evidence_on_concept": round(sum(r.get("evidence_on_concept", 0) for r in rows) / quotes, 4)
        if quotes
        else None,
        "role_points_for_role": round(sum(r["points_for_role"] for r in points) / sum(r["points"] for r in points), 4)
        if points and sum(r["points"] for r in points)
        else None,
        "role_points_on_topic": round(
            sum(r["points_on_topic"] for r in on_topic) / sum(r["points"] for r in on_topic), 4
        )
        if on_topic and sum(r["points"] for r in on_topic)
        else None,
        "none_refused": round(sum(r["refused"] for r in none) / len(none), 4) if none else None,
        "in_scope_wrongly_refused": round(sum(r["refused"] for r in in_scope) / len(in_scope), 4) if in_scope else None,
        "count_exact": round(sum(r["count_exact"] for r in counted) / len(counted), 4) if counted else None,
        "table_rows_exact": _mean(r["table_rows_exact"] for r in tables),
        "criterion_stated": round(
            sum(r["criterion_stated"] for r in rows if "criterion_stated" in r)
            / max(1, sum("criterion_stated" in r for r in rows)),
            4,
        )
        if any("criterion_stated" in r for r in rows)
        else None,
    }
    return out


def score_answers(assistant: Any, questions: Sequence[Question], role_terms: dict[str, list[str]]) -> dict[str, Any]:
    """Ask every question as typed (follow-ups after their history) and score each answer."""
    rows = []
    for q in questions:
        history: list[Answer] = []
        for earlier in q.history:
            history.append(assistant.ask(earlier, history=history))
        answer = assistant.ask(q.query, history=history)
        rows.append(score_answer(q, answer, role_terms))
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_persona: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
        by_persona[row["persona"]].append(row)
        by_split[row["split"]].append(row)
    return {
        "overall": summarise(rows),
        "by_kind": {k: summarise(by_kind[k]) for k in QUESTION_KINDS if k in by_kind},
        "by_split": {s: summarise(by_split[s]) for s in SPLITS if s in by_split},
        "by_persona": {p: summarise(v) for p, v in sorted(by_persona.items())},
        "rows": rows,
    }


def load_role_terms(path: Path) -> dict[str, list[str]]:
    """The evaluation's own words for each role (``eval/role_terms.json``), independent of the product's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(path, getattr(exc, "lineno", 1), "not a valid JSON role-terms file") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in data.values()
    ):
        raise ParseError(path, 1, "role terms must map each role to a list of words")
    return {k: [t.lower() for t in v] for k, v in data.items()}


def panel_answers(assistant: Any, questions: Sequence[Question]) -> list[dict[str, Any]]:
    """Each panel question with the answer a user would read (text and its sources), for blind judges."""
    out = []
    for q in questions:
        history: list[Answer] = []
        for earlier in q.history:
            history.append(assistant.ask(earlier, history=history))
        answer = assistant.ask(q.query, history=history)
        sources = [f"[{c.n}] {c.title} ({c.case_id}), {c.section}: \u201c{c.quote}\u201d" for c in answer.citations]
        out.append(
            {
                "qid": q.qid,
                "kind": q.kind,
                "persona": q.persona,
                "history": list(q.history),
                "question": q.query,
                "answer": answer.text,
                "sources": sources,
            }
        )
    return out
