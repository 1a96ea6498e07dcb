"""Tests with the real bundled all-MiniLM-L6-v2 model (marked ``model``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.build import build_index
from assistant.chunk import chunk_records
from assistant.embed import SentenceTransformerEmbedder, load_embedder
from assistant.parse import load_corpus, parse_file
from assistant.records import Document, Section
from assistant.settings import Settings

from .conftest import DATA, ROOT, SHIPPED_CORPUS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    return load_embedder(Settings())


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Path:
    index_dir = tmp_path_factory.mktemp("real") / "index"
    build_index(Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index_dir), embedder=embedder, progress=False)
    return index_dir


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_bundled_model_loads_offline_and_normalises(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed(["baby left alone in the bath", "hidden pregnancy"])
    assert vectors.shape == (2, 384) and vectors.dtype.name == "float32"
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert Path(embedder.path).is_relative_to(Path(sys.prefix)) or "site-packages" in str(embedder.path)


def test_no_chunk_exceeds_the_model_token_limit(embedder: SentenceTransformerEmbedder) -> None:
    long_doc = Document(
        case_id="long",
        title="A long overview report with a long title for testing",
        doc_sections=(
            Section(
                "4. Key practice episodes",
                " ".join(
                    f"On day {n} the health visitor recorded that the home was cold, the baby was unweighed and "
                    f"mother's partner refused entry; no referral followed (episode {n})."
                    for n in range(80)
                ),
            ),
        ),
    )
    records = [*load_corpus(SHIPPED_CORPUS), *parse_file(DATA / "digest_irregular.txt"), long_doc]
    chunks = chunk_records(records, embedder.count_tokens, Settings())
    tokenizer = embedder.model.tokenizer
    limit = embedder.max_tokens
    assert limit == 256
    longest = max(len(tokenizer(c.embed_text)["input_ids"]) for c in chunks)  # with [CLS] and [SEP]
    assert longest <= limit
    assert sum(c.case_id == "long" for c in chunks) > 3


def test_cli_concealed_pregnancy_ranks_oldham_first(real_index: Path) -> None:
    result = _cli("search", "cases involving concealed pregnancy", "--index", str(real_index), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["results"][0]["case_id"] == "2015-01-oldham-child-d"


def test_cli_bath_drownings_both_in_top_three(real_index: Path) -> None:
    result = _cli("search", "drowning in the bath", "--index", str(real_index), "--json")
    assert result.returncode == 0, result.stderr
    top3 = [r["case_id"] for r in json.loads(result.stdout)["results"][:3]]
    assert {"2015-04-lambeth-child-i", "2015-03-nottingham-city-child-g"} <= set(top3)


def test_cli_cases_lists_19_cases_and_the_study(real_index: Path) -> None:
    result = _cli("cases", "--index", str(real_index), "--json")
    rows = json.loads(result.stdout)
    ids = [r["case_id"] for r in rows]
    assert len([r for r in rows if r["kind"] == "case"]) == 19
    assert "dfe-barriers-to-learning-from-scrs" in ids
    assert "2015-03-oxfordshire-children-a-b-c-d-e-and-f" in ids


def test_paraphrased_queries_find_the_right_cases(real_index: Path, embedder: SentenceTransformerEmbedder) -> None:
    assistant = Assistant.load(real_index, embedder=embedder)
    top3 = lambda q: [h.case_id for h in assistant.search(q, k=3)]  # noqa: E731
    assert "2015-03-oxfordshire-children-a-b-c-d-e-and-f" in top3("grooming of teenage girls by groups of men")
    assert "2015-03-leeds-child-v" in top3("young man died in a young offender institution")
    study = assistant.search("why doesn't learning from case reviews reach frontline staff", k=3)
    assert any(h.kind == "document" for h in study)
