"""Retrieval evaluation: gold queries, runs of each retriever, IR metrics (ranx), a report."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.api import Assistant
from assistant.errors import ParseError, ScrError
from assistant.search.vocabulary import acronyms_in
from assistant.settings import RETRIEVERS, Settings

KINDS = ("keyword", "paraphrase", "theme", "role")
ALL_RETRIEVERS = tuple(sorted(RETRIEVERS))  # every retriever, in the order reports list them


@dataclass(frozen=True)
class GoldQuery:
    """One evaluation query with every relevant case or document id."""

    qid: str
    query: str
    relevant: tuple[str, ...]
    kind: str


def load_queries(path: Path) -> list[GoldQuery]:
    """Read a JSON-lines gold set; a malformed line raises ParseError naming file and line."""
    queries: list[GoldQuery] = []
    seen: set[str] = set()
    for n, row in _json_lines(path):
        if not {"qid", "query", "relevant"} <= set(row):
            raise ParseError(path, n, 'each line needs "qid", "query" and "relevant"')
        qid, query = _qid(path, n, row["qid"]), _query(path, n, row["query"])
        relevant = row["relevant"]
        if not isinstance(relevant, list) or not relevant or not all(isinstance(r, str) for r in relevant):
            raise ParseError(path, n, '"relevant" must be a non-empty list of ids')
        kind = row.get("kind", "paraphrase")
        if not isinstance(kind, str) or kind not in KINDS:
            raise ParseError(path, n, f"unknown kind {_short(kind)} (use {', '.join(KINDS)})")
        if qid in seen:
            raise ParseError(path, n, f"duplicate qid {qid!r}")
        seen.add(qid)
        queries.append(GoldQuery(qid, query, tuple(relevant), kind))
    if not queries:
        raise ParseError(path, 1, "no queries in the file")
    return queries


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line of a JSON-lines file with its number, as an object; ParseError (file and line) if not."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError(path, 0, "queries file not found") from None
    except OSError as exc:
        raise ParseError(path, 0, f"cannot be read ({exc.strerror or exc})") from None
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
        except UnicodeDecodeError:
            raise ParseError(path, n, "not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise ParseError(path, n, f"not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise ParseError(path, n, "not valid JSON (nested too deeply)") from None
        if not isinstance(row, dict):
            raise ParseError(path, n, "each line must be a JSON object")
        yield n, row


def _qid(path: Path, n: int, qid: Any) -> str:
    """A query id as text; ids may be strings or whole numbers."""
    if isinstance(qid, bool) or not isinstance(qid, (str, int)):
        raise ParseError(path, n, f'"qid" must be a string or a number, not {_short(qid)}')
    return str(qid)


def _query(path: Path, n: int, query: Any) -> str:
    """A query's text, which must be a non-empty string."""
    if not isinstance(query, str) or not query.strip():
        raise ParseError(path, n, f'"query" must be non-empty text, not {_short(query)}')
    return query


def _short(value: Any) -> str:
    """A value as shown in an error message, cut short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def ranked_ids(assistant: Assistant, query: str, retriever: str, k: int) -> list[str]:
    """Distinct case or document ids for ``query``, best first (a document's sections count once)."""
    ids: list[str] = []
    for hit in assistant.search(query, k=k * 3, retriever=retriever):
        if hit.case_id not in ids:
            ids.append(hit.case_id)
    return ids[:k]


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def _metrics(k: int) -> list[str]:
    return list(dict.fromkeys([f"ndcg@{k}", "recall@5", f"recall@{k}", "mrr"]))


def evaluate(
    assistant: Assistant,
    queries: Sequence[GoldQuery],
    retrievers: Sequence[str] = ALL_RETRIEVERS,
    k: int = 10,
) -> dict[str, Any]:
    """Metrics of each retriever, overall and by query kind, in the ``eval --json`` shape."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "numba"))
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    metrics = _metrics(k)
    qrels_all = {q.qid: dict.fromkeys(q.relevant, 1) for q in queries}
    result: dict[str, Any] = {
        "retrievers": {},
        "queries": len(queries),
        "k": k,
        "kinds": dict(Counter(q.kind for q in queries)),
    }
    for retriever in retrievers:
        run_all = {}
        for q in queries:
            ids = ranked_ids(assistant, q.query, retriever, k)
            run_all[q.qid] = {doc: float(len(ids) - i) for i, doc in enumerate(ids)} or {"__none__": 0.0}

        def score(qids: list[str], run_all: dict[str, dict[str, float]] = run_all) -> dict[str, float]:
            qrels = Qrels({q: qrels_all[q] for q in qids})
            run = Run({q: run_all[q] for q in qids})
            values = ranx_evaluate(qrels, run, metrics, make_comparable=True)
            values = values if isinstance(values, dict) else {metrics[0]: values}
            return {m: round(float(values[m]), 4) for m in metrics}

        overall = score([q.qid for q in queries])
        by_kind = {
            kind: score([q.qid for q in queries if q.kind == kind])
            for kind in sorted({q.kind for q in queries}, key=_kind_order)
        }
        result["retrievers"][retriever] = {**overall, "by_kind": by_kind}
    return result


def calibrate_no_answer(
    assistant: Assistant, in_scope: Sequence[GoldQuery], out_of_scope: Sequence[str]
) -> dict[str, Any]:
    """Best cosine similarity of each query's hits, in scope and out of it, and a threshold.

    Queries that the similarity does not decide (those using a vocabulary acronym, which
    are always answered, and those naming something no review mentions, which never are) are
    left out; the suggested threshold lies half-way between the weakest in-scope query and the
    strongest out-of-scope one, or just under the weakest in-scope one when they overlap.
    """

    def decided(query: str) -> bool:
        return not acronyms_in(query) and not assistant.unknown_names(query)

    def best(query: str) -> float:
        return max((h.dense_score for h in assistant.search(query, k=10)), default=0.0)

    inside = sorted((round(best(q.query), 3), q.query) for q in in_scope if decided(q.query))
    outside = sorted((round(best(q), 3), q) for q in out_of_scope if decided(q))
    low_in, high_out = inside[0][0], outside[-1][0] if outside else 0.0
    threshold = round((low_in + high_out) / 2, 3) if low_in > high_out else round(low_in - 0.01, 2)
    return {
        "in_scope": {"count": len(in_scope), "decided_by_similarity": len(inside), "weakest": inside[:5]},
        "out_of_scope": {"count": len(out_of_scope), "decided_by_similarity": len(outside), "strongest": outside[-5:]},
        "suggested_threshold": threshold,
        "current_threshold": assistant.settings.min_relevance,
        "in_scope_refused": [q.query for q in in_scope if assistant.ask(q.query).no_answer],
        "out_of_scope_answered": [q for q in out_of_scope if not assistant.ask(q).no_answer],
    }


def load_lines(path: Path) -> list[str]:
    """The "query" of each line of a JSON-lines file (out-of-scope questions)."""
    return [q.query for q in load_queries_loose(path)]


def load_queries_loose(path: Path) -> list[GoldQuery]:
    """Like load_queries, but ``relevant`` may be missing (for questions with no answer)."""
    out = []
    for n, row in _json_lines(path):
        if "query" not in row:
            raise ParseError(path, n, 'each line needs a JSON object with a "query"')
        qid = _qid(path, n, row["qid"]) if "qid" in row else str(n)
        out.append(GoldQuery(qid, _query(path, n, row["query"]), (), "paraphrase"))
    return out


def index_matches_corpus(settings: Settings) -> bool:
    """True when ``settings.index_dir`` holds a readable index of exactly ``settings.corpus_dir``'s files."""
    from assistant.indexing.store import corpus_fingerprint, read_index

    try:
        manifest = read_index(settings.index_dir).manifest
    except ScrError:
        return False
    return manifest.get("corpus_hash") == corpus_fingerprint(settings.corpus_dir)[0]


def unknown_ids(assistant: Assistant, queries: Sequence[GoldQuery]) -> list[str]:
    """Relevant ids of the gold set that the index does not hold."""
    known = {r.case_id for r in assistant.records()}
    return sorted({r for q in queries for r in q.relevant if r not in known})


def write_report(result: dict[str, Any], folder: Path, title: str = "Retrieval evaluation") -> list[Path]:
    """A Markdown report and a PNG bar chart comparing the retrievers; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    retrievers = list(result["retrievers"])
    metrics = [m for m in result["retrievers"][retrievers[0]] if m != "by_kind"]
    kinds = list(result["retrievers"][retrievers[0]]["by_kind"])
    ndcg = next(m for m in metrics if m.startswith("ndcg"))

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(retrievers)
    for n, retriever in enumerate(retrievers):
        values = result["retrievers"][retriever]
        axes[0].bar([i + n * width for i in range(len(metrics))], [values[m] for m in metrics], width, label=retriever)
        axes[1].bar(
            [i + n * width for i in range(len(kinds))],
            [values["by_kind"][k][ndcg] for k in kinds],
            width,
            label=retriever,
        )
    axes[0].set_xticks([i + width * (len(retrievers) - 1) / 2 for i in range(len(metrics))], metrics)
    axes[0].set_title(f"Overall ({result['queries']} queries)")
    axes[1].set_xticks(
        [i + width * (len(retrievers) - 1) / 2 for i in range(len(kinds))],
        [f"{k} ({result['kinds'].get(k, 0)})" for k in kinds],
    )
    axes[1].set_title(f"{ndcg} by query kind")
    for ax in axes:
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    chart = folder / "retrievers.png"
    fig.savefig(chart, dpi=100)
    plt.close(fig)

    lines = [
        f"# {title}",
        "",
        f"{result['queries']} queries; kinds: " + ", ".join(f"{k} {v}" for k, v in result["kinds"].items()) + ".",
        "",
        "| retriever | " + " | ".join(metrics) + " |",
        "|---|" + "---|" * len(metrics),
    ]
    for retriever in retrievers:
        values = result["retrievers"][retriever]
        lines.append(f"| {retriever} | " + " | ".join(f"{values[m]:.3f}" for m in metrics) + " |")
    lines += [
        "",
        f"## {ndcg} by query kind",
        "",
        "| retriever | " + " | ".join(kinds) + " |",
        "|---|" + "---|" * len(kinds),
    ]
    for retriever in retrievers:
        by_kind = result["retrievers"][retriever]["by_kind"]
        lines.append(f"| {retriever} | " + " | ".join(f"{by_kind[k][ndcg]:.3f}" for k in kinds) + " |")
    lines += ["", f"![retrievers]({chart.name})", ""]
    report = folder / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    return [report, chart]
