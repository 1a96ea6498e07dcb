"""The lexical side: a BM25 index (bm25s) over the chunks, with stemming and stop words."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread


def _english() -> Stemmer.Stemmer:
    if not hasattr(_local, "stemmer"):
        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer


# Irregular plurals the Snowball stemmer leaves apart from their singular ("midwives" stems to
# "midwiv", "midwife" to "midwif"); mapped first, on documents and queries alike.
IRREGULAR = {
    "midwives": "midwife",
    "wives": "wife",
    "lives": "life",
    "children": "child",
    "women": "woman",
    "men": "man",
    "people": "person",
    "feet": "foot",
    "teeth": "tooth",
    "knives": "knife",
}


class _Stemmer:
    """PyStemmer's English stemmer, irregular plurals first made singular."""

    def stemWords(self, words: list[str]) -> list[str]:  # noqa: N802 - the name bm25s looks for
        return _english().stemWords([IRREGULAR.get(w, w) for w in words])


_STEMMER = _Stemmer()


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed tokens of each text."""
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)


def build_bm25(texts: Sequence[str]) -> bm25s.BM25:
    """A BM25 index over ``texts`` (one document per chunk, in chunk order)."""
    retriever = bm25s.BM25()
    retriever.index(tokenize(texts), show_progress=False)
    return retriever


def save_bm25(retriever: bm25s.BM25, folder: Path) -> None:
    """Write the index as JSON and .npy files (no pickle)."""
    retriever.save(str(folder), allow_pickle=False, show_progress=False)


def load_bm25(folder: Path) -> bm25s.BM25:
    """Read an index written by :func:`save_bm25` (no pickle)."""
    return bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False)


def bm25_scores(retriever: bm25s.BM25, query: str, size: int) -> np.ndarray:
    """BM25 score of every chunk for ``query`` (zeros when no query word is indexed)."""
    tokens = list(dict.fromkeys(tokenize([query])[0]))
    known = [t for t in tokens if t in retriever.vocab_dict]
    if not known:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)
