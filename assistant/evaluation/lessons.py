"""Tuning how lessons are grouped, and the recurring-lessons table (eval/RECURRING_LESSONS.md); evaluation only,
never imported at run time.

The grouping threshold is chosen on hand-labelled pairs of lessons from the dev collection (eval/lesson_pairs.jsonl:
two lessons from different reviews, and whether a trainer would call them the same lesson). Each candidate
threshold and linkage clusters the whole dev collection; a labelled pair counts as grouped when both lessons land
in one group; the threshold with the best F1 over the pairs (ties: the higher threshold, the stricter one) wins.

    python -m assistant.evaluation.lessons --dev DEV_INDEX --pairs eval/lesson_pairs.jsonl --table INDEX --out FILE.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import ScrError
from assistant.indexing.store import StoredIndex, read_index
from assistant.library.lessons import LessonStock, cluster, extract_lessons, lesson_vectors, theme_label

THRESHOLDS = tuple(round(0.50 + 0.025 * i, 3) for i in range(15))  # 0.50 ... 0.85
METHODS = ("average", "complete", "single")


@dataclass(frozen=True)
class PairScore:
    """How one grouping agrees with the labelled pairs."""

    method: str
    similarity: float
    precision: float
    recall: float
    f1: float
    grouped: int


def read_pairs(path: Path) -> list[tuple[str, str, bool]]:
    """(lesson key, lesson key, same lesson?) from a JSON-lines file."""
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
                pairs.append((row["a"], row["b"], bool(row["same"])))
            except (ValueError, KeyError, TypeError):
                raise ScrError(f"{path}:{n}: not a labelled pair (a, b, same)") from None
    return pairs


def score_grouping(
    index: StoredIndex, pairs: Sequence[tuple[str, str, bool]], method: str, similarity: float
) -> PairScore:
    """Pairwise precision, recall and F1 of one grouping of the index's lessons against the labels."""
    lessons = extract_lessons(index)
    grouped = cluster(lesson_vectors(index, lessons), similarity, method)
    labels = dict(zip((m.key for m in lessons), grouped, strict=True))
    missing = [k for a, b, _ in pairs for k in (a, b) if k not in labels]
    if missing:
        raise ScrError(f"{len(missing)} labelled lesson(s) are not in this index, e.g. {missing[0]}")
    tp = sum(1 for a, b, same in pairs if same and labels[a] == labels[b])
    fp = sum(1 for a, b, same in pairs if not same and labels[a] == labels[b])
    fn = sum(1 for a, b, same in pairs if same and labels[a] != labels[b])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(method, similarity, precision, recall, f1, tp + fp)


def _in_stock(index: StoredIndex, pairs: Sequence[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """The pairs whose two sentences are both lessons of the index's stock (the rules of what a lesson is may have
    changed since they were labelled); raises when most are missing, which means the wrong index."""
    keys = {m.key for m in extract_lessons(index)}
    kept = [p for p in pairs if p[0] in keys and p[1] in keys]
    if len(kept) < len(pairs) / 2:
        missing = len(pairs) - len(kept)
        raise ScrError(f"{missing} of {len(pairs)} labelled pairs are not in this index: the wrong index?")
    return kept


def tune(index: StoredIndex, pairs: Sequence[tuple[str, str, bool]]) -> list[PairScore]:
    """Every method and threshold scored, best first (F1, then the stricter threshold)."""
    scores = [score_grouping(index, pairs, m, t) for m in METHODS for t in THRESHOLDS]
    return sorted(scores, key=lambda s: (-round(s.f1, 6), -s.similarity, METHODS.index(s.method)))


def report(dev: StoredIndex, pairs: Sequence[tuple[str, str, bool]], table: StoredIndex, top: int = 15) -> str:
    """eval/RECURRING_LESSONS.md: how the grouping was tuned, and the top recurring lessons of ``table``."""
    labelled = len(pairs)
    pairs = _in_stock(dev, pairs)
    dropped = labelled - len(pairs)
    scores = tune(dev, pairs)
    best = scores[0]
    stock = LessonStock(table, best.similarity, best.method)
    recurring = [g for g in stock.groups if g.reviews >= 2]
    positives = sum(same for *_, same in pairs)
    lines = [
        "# Recurring lessons: the shipped corpus plus the dev collection",
        "",
        f"Made {date.today().isoformat()} at commit {_commit()} by `python -m assistant.evaluation.lessons`"
        " (its docstring says how to run it).",
        f"Index: {len(table.records)} records, {len(stock.lessons)} lessons (findings, learning points and",
        f"recommendations of {len({m.source.case_id for m in stock.lessons})} reviews), {len(recurring)} recurring",
        f"lessons (in two or more reviews). Grouping: {best.method} linkage of the stored sentence vectors",
        f"(all-MiniLM-L6-v2), joined while similarity >= {best.similarity:.3f}.",
        "",
        "## How the grouping was tuned",
        "",
        f"On the dev collection alone (eval/collection: {len(extract_lessons(dev))} lessons), {len(pairs)} pairs of",
        "lessons from different reviews were sampled at random within four similarity bands (0.35-0.45, 0.45-0.55,",
        "0.55-0.65, 0.65 and above: more from the upper bands, where the decision lies) and labelled by hand, by one",
        "engineer, 'same lesson' when a trainer would teach them as one point ('no agency had the full picture' and",
        f"'agencies did not pool what they knew'): {positives} same, {len(pairs) - positives} different",
        "(eval/lesson_pairs.jsonl). Each linkage and threshold below clusters the whole dev collection; a pair counts",
        "as grouped when both its lessons fall in one group. Best F1 wins, ties going to the stricter threshold.",
        *(
            [
                f"{dropped} of the {labelled} labelled pairs are left out: one of their sentences is no longer a",
                "lesson (a verdict on whether the death could have been foreseen, kept out of the stock since).",
            ]
            if dropped
            else []
        ),
        "",
        "| linkage | similarity | precision | recall | F1 | labelled pairs grouped |",
        "|---|---|---|---|---|---|",
    ]
    shown = sorted(
        (s for s in scores if s.method == best.method or abs(s.similarity - best.similarity) < 1e-9),
        key=lambda s: (METHODS.index(s.method), s.similarity),
    )
    for s in shown:
        mark = " **chosen**" if s == best else ""
        lines.append(
            f"| {s.method} | {s.similarity:.3f}{mark} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.grouped} |"
        )
    lines += [
        "",
        "The labels are one reader's judgement on a small sample: the figures say which threshold agrees best with",
        "that reader, not how a panel of trainers would group. The threshold is `SCR_LESSON_SIMILARITY`.",
        f"At the chosen threshold about {1 - best.precision:.0%} of the labelled pairs it groups are not the same",
        "lesson: long list-like sentences (key issues naming several factors) join a group on one shared factor, and",
        "facts about a family recorded as findings ('mother had spent time in care') group like lessons. Verdicts",
        "on whether the death could have been foreseen, which topped this table before, are no longer lessons.",
        "Read each group's sources before teaching it as one lesson.",
        "",
        f"## Top {top} recurring lessons",
        "",
        "| # | lesson (the one nearest the group's centre) | reviews | years | themes | reviews it recurs in |",
        "|---|---|---|---|---|---|",
    ]
    for n, g in enumerate(recurring[:top], 1):
        themes = ", ".join(theme_label(t) for t in g.themes[:3]) or "-"
        cases = "; ".join(g.case_ids)
        lines.append(f"| {n} | {_cell(g.text)} | {g.reviews} | {g.years_text} | {_cell(themes)} | {_cell(cases)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the report; one line on stderr for bad input."""
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.lessons", description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, required=True, help="index of the dev collection (eval/collection)")
    parser.add_argument("--pairs", type=Path, required=True, help="labelled pairs (eval/lesson_pairs.jsonl)")
    parser.add_argument("--table", type=Path, required=True, help="index the table is made from")
    parser.add_argument("--out", type=Path, help="write here instead of printing")
    args = parser.parse_args(argv)
    try:
        text = report(read_index(args.dev), read_pairs(args.pairs), read_index(args.table))
    except (ScrError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
