"""CI floor on what users meet: eval --answers on the shipped corpus plus the dev collection, real model.

The floors sit a little under the figures measured on 2026-12-01 at 9d5450c (eval/QUALITY.md), so a change that loses
quality fails CI rather than only moving a number in a report. Both the dev and the held-out questions count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main

from .conftest import ROOT, SHIPPED_CORPUS

pytestmark = pytest.mark.model

FLOORS = {  # measured on 2026-12-01 (all 181 questions) -> floor
    "ndcg@10": 0.73,  # 0.758 (0.732 before the theme boost)
    "cited_relevant": 0.76,  # 0.791 (0.744 before case lists kept 0.7 of the best score)
    "evidence_on_concept": 0.62,  # 0.652
    # 0.726: a role answer quotes further reviews on its topic, labelled as not addressed to the role
    # (0.739 before that; the panel's judges marked answers down for naming them unquoted)
    "role_points_for_role": 0.68,
    "role_points_on_topic": 0.61,  # 0.649: a role's points that carry the question's concept (0.637 before)
    "none_refused": 0.80,  # 0.84
    "count_exact": 0.45,  # 0.50
    "table_rows_exact": 0.57,  # 0.617
    "criterion_stated": 0.95,  # 1.0
}
CEILINGS = {"in_scope_wrongly_refused": 0.05, "padding_per_answer": 1.2}  # 0.019, 1.05


def test_answer_quality_stays_above_its_floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # a fresh index of the combined collection, as CI builds it
    out = tmp_path / "quality.json"
    corpora = [str(SHIPPED_CORPUS), str(ROOT / "eval" / "collection")]
    args = ["eval", "--answers", "--queries", str(ROOT / "eval" / "questions.jsonl"), "--corpus", *corpora]
    assert main([*args, "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    overall = {**result["answers"]["overall"], "ndcg@10": result["retrieval"]["retrievers"]["hybrid"]["ndcg@10"]}
    low = {k: overall[k] for k, floor in FLOORS.items() if overall[k] is None or overall[k] < floor}
    high = {k: overall[k] for k, ceiling in CEILINGS.items() if overall[k] is None or overall[k] > ceiling}
    assert not low and not high, (low, high, overall)
