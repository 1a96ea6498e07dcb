"""Experiment behind eval/DECISIONS.md, "Sentence vectors only": the dense side scores a chunk by the
best of the sentences it holds (a chunk without quotable sentences keeps its own vector), so a build
would embed each sentence and only those chunks. Against the index as built (A).

Run: .venv/bin/python eval/experiments/sentences_only.py [INDEX_DIR]


Written against the flat layout of assistant/ before the regroup of 2026-12-01: it reaches into FAISS objects
that StoredIndex no longer holds. Run it from a checkout of commit 8c23227 to reproduce the figures in
eval/DECISIONS.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant import retrieve, vectors  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.embed import load_embedder  # noqa: E402
from assistant.evaluate import evaluate, load_queries  # noqa: E402
from assistant.settings import Settings  # noqa: E402

settings = Settings(corpus_dir=ROOT / "corpus", index_dir=Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "index")
embedder = load_embedder(settings)
assistant = Assistant.load(settings=settings, embedder=embedder)
index = assistant.index
dev = load_queries(ROOT / "eval" / "queries.jsonl")
vocabulary = load_queries(ROOT / "eval" / "vocabulary_queries.jsonl")


def score(label: str) -> None:
    on_dev = evaluate(assistant, dev, ("hybrid", "dense"), k=10)["retrievers"]
    on_vocabulary = evaluate(assistant, vocabulary, ("hybrid", "dense"), k=10)["retrievers"]
    print(
        label,
        "dev hybrid {:.4f} R@5 {:.4f}, dev dense {:.4f}, vocabulary hybrid {:.4f}, vocabulary dense {:.4f}".format(
            on_dev["hybrid"]["ndcg@10"],
            on_dev["hybrid"]["recall@5"],
            on_dev["dense"]["ndcg@10"],
            on_vocabulary["hybrid"]["ndcg@10"],
            on_vocabulary["dense"]["ndcg@10"],
        ),
    )


score("A chunks and sentences encoded:")

chunks = index.chunks
members: list[list[int]] = []
for chunk in chunks:
    members.append(
        [u.unit_id for u in index.units if (u.case_id, u.section) == (chunk.case_id, chunk.section) and u.text in chunk.text]
    )
covered = sum(bool(m) for m in members)
tokens = embedder.count_tokens
uncovered_tokens = sum(tokens(c.embed_text) for c, m in zip(chunks, members) if not m)
print(f"chunks with sentences: {covered}/{len(chunks)}; tokens left to embed as chunks: {uncovered_tokens}")
encoded = faiss.rev_swig_ptr(index.faiss_index.get_xb(), index.faiss_index.ntotal * index.faiss_index.d)
encoded = np.array(encoded).reshape(index.faiss_index.ntotal, -1)
original_search = vectors.search


def by_sentences(faiss_index, query_vector, k, allowed=None):
    q = np.asarray(query_vector, np.float32).reshape(-1)
    unit_sims = index.unit_vectors @ q
    sims = np.array([unit_sims[m].max() if m else float(encoded[i] @ q) for i, m in enumerate(members)])
    ids = np.arange(len(chunks)) if allowed is None else np.asarray(allowed)
    order = ids[np.argsort(-sims[ids], kind="stable")[:k]]
    return sims[order][None, :], order[None, :]


retrieve.vectors.search = by_sentences
score("D chunk = its best sentence:")
retrieve.vectors.search = original_search
