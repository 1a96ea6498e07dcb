"""Experiment behind eval/DECISIONS.md, "Sentence vectors: encoded on their own". Against the index as
built (A), it scores sentence vectors mean-pooled from the chunk pass's token vectors (B) and chunk
vectors made as the mean of their sentences' vectors (C), each of which would embed the text once.

Run: .venv/bin/python eval/experiments/late_pooling.py [INDEX_DIR]


Written against the flat layout of assistant/ before the regroup of 2026-12-01: it reaches into FAISS objects
that StoredIndex no longer holds. Run it from a checkout of commit 8c23227 to reproduce the figures in
eval/DECISIONS.md.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import faiss
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.api import Assistant  # noqa: E402
from assistant.embed import load_embedder  # noqa: E402
from assistant.evaluate import evaluate, load_queries  # noqa: E402
from assistant.settings import Settings  # noqa: E402

settings = Settings(corpus_dir=ROOT / "corpus", index_dir=Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "index")
embedder = load_embedder(settings)
index = Assistant.load(settings=settings, embedder=embedder).index
dev = load_queries(ROOT / "eval" / "queries.jsonl")
vocabulary = load_queries(ROOT / "eval" / "vocabulary_queries.jsonl")


def score(variant: object, label: str) -> None:
    """Hybrid and dense nDCG@10 on the dev set, hybrid on the vocabulary set."""
    assistant = Assistant(variant, embedder, settings)
    on_dev = evaluate(assistant, dev, ("hybrid", "dense"), k=10)["retrievers"]
    on_vocabulary = evaluate(assistant, vocabulary, ("hybrid",), k=10)["retrievers"]
    figures = (
        on_dev["hybrid"]["ndcg@10"],
        on_dev["dense"]["ndcg@10"],
        on_vocabulary["hybrid"]["ndcg@10"],
    )
    print(label, "dev hybrid {:.4f}, dev dense {:.4f}, vocabulary hybrid {:.4f}".format(*figures))


score(index, "A encoded:")

# B: each sentence's vector pooled from the token vectors of the chunk that holds it
model = embedder.model
chunks = index.chunks
tokens = model.tokenizer(
    [c.embed_text for c in chunks],
    return_offsets_mapping=True,
    truncation=True,
    max_length=256,
    padding=True,
    return_tensors="pt",
)
with torch.no_grad():
    hidden = (
        model[0]
        .auto_model(
            input_ids=tokens["input_ids"],
            attention_mask=tokens["attention_mask"],
            token_type_ids=tokens["token_type_ids"],
        )
        .last_hidden_state.numpy()
    )
offsets = tokens["offset_mapping"].numpy()
pooled = index.unit_vectors.copy()
for unit in index.units:
    for i, chunk in enumerate(chunks):
        at = chunk.text.find(unit.text) if (chunk.case_id, chunk.section) == (unit.case_id, unit.section) else -1
        if at < 0:
            continue
        start = len(chunk.header) + 1 + at
        end = start + len(unit.text)
        inside = [j for j, (s, e) in enumerate(offsets[i]) if e > s and s >= start and e <= end]
        if inside:
            vector = hidden[i, inside].mean(axis=0)
            pooled[unit.unit_id] = vector / np.linalg.norm(vector)
        break
print(f"B agreement with encoded sentence vectors: mean cosine {(pooled * index.unit_vectors).sum(1).mean():.3f}")
score(dataclasses.replace(index, unit_vectors=pooled), "B pooled sentences:")

# C: each chunk's vector as the mean of the vectors of the sentences it holds
encoded = faiss.rev_swig_ptr(index.faiss_index.get_xb(), index.faiss_index.ntotal * index.faiss_index.d)
encoded = np.array(encoded).reshape(index.faiss_index.ntotal, -1)
averaged = encoded.copy()
for i, chunk in enumerate(chunks):
    members = [
        u.unit_id
        for u in index.units
        if (u.case_id, u.section) == (chunk.case_id, chunk.section) and u.text in chunk.text
    ]
    if members:
        vector = index.unit_vectors[members].mean(axis=0)
        averaged[i] = vector / np.linalg.norm(vector)
flat = faiss.IndexFlatIP(encoded.shape[1])
flat.add(averaged)
print(f"C agreement with encoded chunk vectors: mean cosine {(averaged * encoded).sum(1).mean():.3f}")
score(dataclasses.replace(index, faiss_index=flat), "C chunks from sentences:")
