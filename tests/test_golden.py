"""Golden outputs, recorded before `assistant/` was regrouped (issue 13): the command line's --json must not change.

`tests/golden/outputs.json` was recorded at 8c23227 by `python tests/golden/record.py --write`; the index in
`tests/golden/index-8c23227/` was built by that same code, so an index built before the regroup must still load
and answer identically after it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.golden.record import OUTPUTS, record

pytestmark = pytest.mark.model

OLD_INDEX = Path(__file__).resolve().parent / "golden" / "index-8c23227"


def _diff(expected: dict, got: dict) -> list[str]:
    return [k for k in expected if got.get(k) != expected[k]] + [k for k in got if k not in expected]


def test_command_line_output_is_unchanged() -> None:
    expected = json.loads(OUTPUTS.read_text())
    got = record()
    changed = _diff(expected, got)
    assert not changed, f"--json output changed for: {changed}"


def test_an_index_built_before_the_regroup_answers_identically(tmp_path: Path) -> None:
    index = tmp_path / "old-index"
    shutil.copytree(OLD_INDEX, index)
    expected = {k: v for k, v in json.loads(OUTPUTS.read_text()).items() if k not in {"build --json", "doctor"}}
    got = {k: v for k, v in record(index).items() if k != "doctor"}
    changed = _diff(expected, got)
    assert not changed, f"the old index answers differently for: {changed}"


def test_the_comparison_can_fail() -> None:
    expected = json.loads(OUTPUTS.read_text())
    key = next(k for k in expected if k.startswith("ask "))
    tampered = {**expected, key: {**expected[key], "exit": 9}}
    assert _diff(expected, tampered) == [key]
