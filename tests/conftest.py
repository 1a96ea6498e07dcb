"""Shared fixtures: a deterministic fake embedder, and corpora/indexes built with it."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.indexing.build import build_index
from assistant.indexing.embed import use_embedder
from assistant.settings import Settings
from tests.learning_db import db_url, store  # noqa: F401  (the learning database on SQLite and PostgreSQL)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
DATA = Path(__file__).resolve().parent / "data"
# A fixed copy of the shipped texts: tests never read the live corpus/, which `scr-assistant add` writes into.
SHIPPED_CORPUS = DATA / "corpus"
# The shipped 2015 cases about a child under one, checked by hand against their summaries.
INFANT_CASES = frozenset(
    {
        "2015-03-blackpool-baby-q",
        "2015-03-coventry-child-t",
        "2015-03-haringey-child-d",
        "2015-03-nottingham-city-child-g",
        "2015-01-leeds-child-y",
        "2015-01-liverpool-maisie",
        "2015-01-liverpool-mary",
        "2015-01-oldham-child-d",
    }
)


class HashEmbedder:
    """Bag of words hashed into a small vector: trivially computable, deterministic."""

    name = "fake-hash-embedder"
    dimension = 512
    max_tokens = 256

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest(), 16)
                out[row, h % self.dimension] += 1.0 if (h >> 8) % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target


@pytest.fixture
def fake_index(tmp_path: Path, corpus_copy: Path, fake_embedder: HashEmbedder) -> Settings:
    """Settings whose index folder holds an index of the shipped corpus built with the fake."""
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings, embedder=fake_embedder, progress=False)
    return settings


@pytest.fixture
def use_fake_embedder(fake_embedder: HashEmbedder) -> Iterator[HashEmbedder]:
    """Every part of the library that loads the model (CLI, UI, build, doctor) gets the fake instead,
    through the factory's own seam: ``load_embedder`` returns it and ``model_name`` gives its name."""
    with use_embedder(fake_embedder):
        yield fake_embedder


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped corpus built once per session with the real bundled model."""
    from assistant.indexing.embed import load_embedder

    index_dir = tmp_path_factory.mktemp("real") / "index"
    settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index_dir)
    build_index(settings, embedder=load_embedder(settings), progress=False)
    return index_dir


def start_app(index: Path, data: Path, monkeypatch: pytest.MonkeyPatch, user: str = "", today: str = "") -> object:
    """The real app under AppTest over ``index``, run once, and signed in as ``user`` when one is given."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SCR_INDEX_DIR", str(index))
    monkeypatch.setenv("SCR_DATA_DIR", str(data))
    if today:
        monkeypatch.setenv("SCR_TODAY", today)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if user:
        at.text_input(key="user_name_input").set_value(user).run()
    return at
