"""Tests with the real bundled all-MiniLM-L6-v2 model (marked ``model``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.indexing.chunk import chunk_records
from assistant.indexing.embed import Embedder, load_embedder
from assistant.ingest.parse import load_corpus, parse_file
from assistant.records import Document, Section
from assistant.settings import Settings

from .conftest import DATA, INFANT_CASES, ROOT, SHIPPED_CORPUS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(Settings())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_bundled_model_loads_offline_and_normalises(embedder: Embedder) -> None:
    vectors = embedder.embed(["baby left alone in the bath", "hidden pregnancy"])
    assert vectors.shape == (2, 384) and vectors.dtype.name == "float32"
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert Path(embedder.path).is_relative_to(Path(sys.prefix)) or "site-packages" in str(embedder.path)


def test_no_chunk_exceeds_the_model_token_limit(embedder: Embedder) -> None:
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
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(embedder.path) / "tokenizer.json"))
    tokenizer.no_truncation()
    limit = embedder.max_tokens
    assert limit == 256
    longest = max(len(tokenizer.encode(c.embed_text).ids) for c in chunks)  # with [CLS] and [SEP]
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


def test_paraphrased_queries_find_the_right_cases(real_index: Path, embedder: Embedder) -> None:
    assistant = Assistant.load(real_index, embedder=embedder)
    top3 = lambda q: [h.case_id for h in assistant.search(q, k=3)]  # noqa: E731
    assert "2015-03-oxfordshire-children-a-b-c-d-e-and-f" in top3("grooming of teenage girls by groups of men")
    assert "2015-03-leeds-child-v" in top3("young man died in a young offender institution")
    study = assistant.search("why doesn't learning from case reviews reach frontline staff", k=3)
    assert any(h.kind == "document" for h in study)


# Measured on the dev set with the current retriever (eval/dev/results.json): hybrid nDCG@10 0.912,
# BM25 0.850, dense 0.872. The floor sits just under the measurement, so a change that loses more than
# about two points of nDCG fails CI.
HYBRID_NDCG_FLOOR = 0.89


def test_hybrid_retrieval_quality_on_the_dev_set(real_index: Path, embedder: Embedder) -> None:
    from assistant.evaluation.evaluate import evaluate, load_queries

    assistant = Assistant.load(real_index, embedder=embedder)
    result = evaluate(assistant, load_queries(ROOT / "eval" / "queries.jsonl"), k=10)["retrievers"]
    hybrid = result["hybrid"]["ndcg@10"]
    assert hybrid >= HYBRID_NDCG_FLOOR, result
    assert hybrid > max(result["bm25"]["ndcg@10"], result["dense"]["ndcg@10"])
    for kind, values in result["hybrid"]["by_kind"].items():
        best_single = max(result[r]["by_kind"][kind]["ndcg@10"] for r in ("bm25", "dense"))
        assert values["ndcg@10"] >= best_single - 0.02, (kind, result)


def test_filters_with_the_real_model(real_index: Path) -> None:
    result = _cli(
        "search", "baby death", "--age-band", "infant", "--year", "2015", "--json", "--index", str(real_index)
    )
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["results"]
    assert hits and {h["case_id"] for h in hits} <= INFANT_CASES and all(h["year"] == 2015 for h in hits)
    bad = _cli("search", "baby death", "--harm", "fraud", "--index", str(real_index))
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown harm type 'fraud'; valid values:")
    assert "Traceback" not in bad.stderr


@pytest.fixture(scope="module")
def real_assistant(real_index: Path, embedder: Embedder) -> Assistant:
    return Assistant.load(real_index, embedder=embedder)


def test_answers_keep_the_citation_rules_on_every_dev_question(real_assistant: Assistant) -> None:
    from assistant.answer.compose import citation_problems
    from assistant.evaluation.evaluate import load_queries

    records = {r.case_id: r for r in real_assistant.records()}
    questions = [q.query for q in load_queries(ROOT / "eval" / "queries.jsonl")]
    questions += [q.query for q in load_queries(ROOT / "eval" / "vocabulary_queries.jsonl")]
    refused = []
    for question in questions:
        answer = real_assistant.ask(question)
        assert citation_problems(answer, records) == [], question
        if answer.no_answer:
            refused.append(question)
        elif answer.mode == "cases":
            assert len(answer.cases) == len(set(answer.cases)), question
    assert refused == []


def test_ask_concealed_pregnancy_quotes_oldham(real_index: Path) -> None:
    result = _cli("ask", "cases involving concealed pregnancy", "--index", str(real_index), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "2015-01-oldham-child-d" in data["cases"] and not data["no_answer"]
    oldham = [c["quote"] for c in data["citations"] if c["case_id"] == "2015-01-oldham-child-d"]
    assert any("pregnan" in quote for quote in oldham)


def test_barriers_answer_has_four_distinct_points_from_the_study(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("what are the barriers to learning from serious case reviews?")
    study = [c for c in answer.citations if c.case_id == "dfe-barriers-to-learning-from-scrs"]
    assert answer.mode == "learning" and len({c.quote for c in study}) >= 4
    assert sum(c.section.startswith("Barriers") for c in study) >= 3


def test_out_of_scope_questions_get_no_answer(real_assistant: Assistant) -> None:
    for line in (ROOT / "eval" / "out_of_scope.jsonl").read_text().splitlines():
        question = json.loads(line)["query"]
        answer = real_assistant.ask(question)
        assert answer.no_answer and answer.citations == (), question


def test_words_no_review_uses_decide_only_when_they_carry_the_question(real_assistant: Assistant) -> None:
    """'Football', 'coach' and 'club' carry the question together and no review uses them; 'workers', 'stopped' and
    'seeing' are missing from the shipped reviews too, but the question stands on its known words."""
    from assistant.answer.concepts import UNKNOWN_MEANING

    concepts = real_assistant._pipeline.concepts
    words, similarity = concepts.unknown_meaning("abuse by a football coach at a youth club")
    assert "coach" in words[:2] and similarity < UNKNOWN_MEANING
    topic = "workers got used to the violence and crime around the family and stopped seeing the risk"
    words, similarity = concepts.unknown_meaning(topic)
    assert "workers" in words and similarity >= UNKNOWN_MEANING


def test_three_turn_conversation_uses_the_history(real_assistant: Assistant) -> None:
    first = real_assistant.ask("cases involving domestic abuse")
    second = real_assistant.ask("what about older children?", history=[first])
    records = {r.case_id: r for r in real_assistant.records()}
    assert second.cases and second.cases != first.cases
    from assistant.ingest.facets import derive_facets

    for case_id in second.cases:  # narrowed to school-age children and teenagers, still about domestic abuse
        assert set(derive_facets(records[case_id]).age_bands) & {"5-11", "12-17"}
    assert "domestic abuse" in second.query
    third = real_assistant.ask("what did the first one recommend?", history=[first, second])
    assert third.mode == "case-detail" and third.cases == (second.cases[0],)
    assert all(c.case_id == second.cases[0] for c in third.citations)


def test_learning_over_the_years_is_quoted_earliest_first(real_assistant: Assistant) -> None:
    from assistant.answer.compose import citation_problems

    answer = real_assistant.ask("how has the learning on neglect changed over the years")
    head, _, rest = answer.text.partition("How the learning on this reads over the years")
    assert rest and answer.count is not None  # the count first, then each review's learning in the order published
    lines = [line for line in rest.split("Every review counted:")[0].splitlines() if line.startswith("- **")]
    years = [int(line[4:8]) for line in lines]
    assert len(lines) >= 2 and years == sorted(years)
    assert citation_problems(answer, {r.case_id: r for r in real_assistant.index.records}) == []
