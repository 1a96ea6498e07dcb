"""Run the command line on the fixed test corpus and print (or record) its normalised --json output.

`python tests/golden/record.py --write` records `tests/golden/outputs.json`; tests/test_golden.py runs the
same commands and compares key for key (floats to 4 decimals, timings and temporary paths left out).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
OUTPUTS = Path(__file__).resolve().parent / "outputs.json"
# Keys whose values are timings, dates or machine facts: they differ on every run.
VOLATILE = re.compile(r"(seconds|_s$|_ms$|elapsed|built_at|created|timestamp|^when$|duration|took|threads|cpu)")

SEARCHES = [
    ["search", "baby bed sharing with parents who drank", "--json"],
    ["search", "neglect", "--json", "--keyword", "neglect"],
    ["search", "SILP review", "--json", "--k", "3"],
]
ASKS = [
    ["ask", "cases involving concealed pregnancy", "--json"],
    ["ask", "what can health visitors learn about neglect?", "--json"],
    ["ask", "how many reviews involved a baby?", "--json"],
    ["ask", "what went wrong with information sharing between agencies", "--json"],
    ["ask", "cases about cryptocurrency fraud", "--json"],
]
OTHERS = [
    ["cases", "--json"],
    ["doctor"],
    ["eval", "--queries", str(ROOT / "eval" / "queries.jsonl"), "--json", "--retriever", "hybrid"],
]


def normalise(value: Any, tmp: str) -> Any:
    """Floats to 4 decimals, temporary paths replaced, volatile keys dropped."""
    if isinstance(value, dict):
        return {k: normalise(v, tmp) for k, v in value.items() if not VOLATILE.search(str(k))}
    if isinstance(value, list):
        return [normalise(v, tmp) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str):
        value = value.replace(tmp, "<TMP>")
        value = re.sub(r"build-\d{8}T\d{6}-[0-9a-f]+", "build-<STAMP>", value)
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+\d{4}|Z|[+-]\d\d:\d\d)?", "<DATETIME>", value)
    return value


def _run(argv: list[str], env: dict[str, str], tmp: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *argv], capture_output=True, text=True, env=env, cwd=tmp, timeout=600
    )
    out: Any
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError:
        out = [line for line in proc.stdout.splitlines() if line.strip()]
    return {"exit": proc.returncode, "out": normalise(out, tmp)}


def record(index_dir: Path | None = None) -> dict[str, Any]:
    """Build (unless `index_dir` is given) and run every command; the normalised results by command line."""
    with tempfile.TemporaryDirectory() as tmp:
        index = index_dir or Path(tmp) / "index"
        env = {
            **os.environ,
            "SCR_CORPUS_DIR": str(CORPUS),
            "SCR_INDEX_DIR": str(index),
            "SCR_DATA_DIR": str(Path(tmp) / "data"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
        }
        results: dict[str, Any] = {}
        if index_dir is None:
            results["build --json"] = _run(["build", "--json"], env, tmp)
        for argv in [*SEARCHES, *ASKS, *OTHERS]:
            results[" ".join(a.replace(str(ROOT), "<ROOT>") for a in argv)] = _run(argv, env, tmp)
        return results


if __name__ == "__main__":
    got = record(Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--index" else None)
    if "--write" in sys.argv:
        OUTPUTS.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    else:
        print(json.dumps(got, indent=1, sort_keys=True))
