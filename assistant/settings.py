"""One place for settings: defaults, overridable by ``SCR_*`` environment variables and flags."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.errors import SettingsError

ENV_PREFIX = "SCR_"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the assistant, with its default.

    Each field can be set by the environment variable ``SCR_<FIELD>`` (upper case) or by
    passing it to :meth:`from_env`; unknown fields and unknown ``SCR_*`` variables are errors.
    """

    corpus_dir: Path = field(default=Path("corpus"), metadata={"help": "folder of review texts"})
    index_dir: Path = field(default=Path("index"), metadata={"help": "folder of the built index"})
    data_dir: Path = field(default=Path("data"), metadata={"help": "folder for local feedback (never sent anywhere)"})
    model: str = field(
        default="",
        metadata={"help": "sentence-transformers model folder; empty means the bundled all-MiniLM-L6-v2"},
    )
    encoder: str = field(
        default="auto",
        metadata={
            "help": "how the model runs: onnx or onnx-int8 (ONNX Runtime, exported locally), torch, or auto"
            " (torch on an NVIDIA GPU, else onnx)"
        },
    )
    encoder_cache: str = field(
        default="", metadata={"help": "folder for the local ONNX export; empty means ~/.cache/scr-assistant/encoders"}
    )
    chunk_tokens: int = field(default=200, metadata={"help": "target word pieces per chunk, header included"})
    chunk_overlap: int = field(default=30, metadata={"help": "word pieces shared by neighbouring chunks"})
    k: int = field(default=5, metadata={"help": "results returned by search"})
    candidates: int = field(default=100, metadata={"help": "chunks fetched from the index before grouping by case"})
    batch_size: int = field(
        default=8, metadata={"help": "texts embedded per model call at build time (8: fastest, or near it, on 2 cores)"}
    )
    query_threads: int = field(
        default=1, metadata={"help": "threads that embed one question (ONNX); 1 serves concurrent sessions best"}
    )
    max_file_mb: float = field(default=50.0, metadata={"help": "largest review file that add and build accept, in MB"})
    read_seconds: float = field(default=60.0, metadata={"help": "seconds one file may take to read, else refused"})
    read_memory_mb: float = field(default=2048.0, metadata={"help": "memory one file's reader may use, in MB"})
    approximate_from: int = field(
        default=50_000, metadata={"help": "chunk count from which the index is approximate (HNSW) instead of exact"}
    )
    retriever: str = field(default="hybrid", metadata={"help": "hybrid, dense or bm25"})
    fusion: str = field(default="weighted", metadata={"help": "how hybrid fuses its two rankings: rrf or weighted"})
    rrf_k: int = field(default=60, metadata={"help": "the k of reciprocal rank fusion"})
    dense_weight: float = field(default=0.6, metadata={"help": "weight of the dense side in weighted fusion"})
    min_relevance: float = field(
        default=0.208, metadata={"help": "cosine similarity below which ask says nothing relevant was found"}
    )
    llm_url: str = field(
        default="", metadata={"help": "optional local OpenAI-compatible chat server, http://127.0.0.1:PORT"}
    )
    llm_model: str = field(default="", metadata={"help": "model name to ask the chat server for"})
    llm_timeout: float = field(default=60.0, metadata={"help": "seconds to wait for the chat server"})
    expand_synonyms: bool = field(
        default=True, metadata={"help": "expand lexical queries with the safeguarding vocabulary"}
    )

    def __post_init__(self) -> None:
        for name in ("corpus_dir", "index_dir", "data_dir"):
            object.__setattr__(self, name, Path(getattr(self, name)))
        for name in ("chunk_tokens", "k", "candidates", "batch_size", "rrf_k", "approximate_from", "query_threads"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise SettingsError("chunk_overlap must be at least 0 and less than chunk_tokens")
        if self.encoder not in ("auto", "torch", "onnx", "onnx-int8"):
            raise SettingsError(f"encoder must be auto, torch, onnx or onnx-int8, not {self.encoder!r}")
        if self.retriever not in ("hybrid", "dense", "bm25"):
            raise SettingsError(f"retriever must be hybrid, dense or bm25, not {self.retriever!r}")
        if self.fusion not in ("rrf", "weighted"):
            raise SettingsError(f"fusion must be rrf or weighted, not {self.fusion!r}")
        if self.max_file_mb <= 0:
            raise SettingsError("max_file_mb must be more than 0")
        for name in ("read_seconds", "read_memory_mb"):  # the budgets a hostile file must not escape
            if not 0 < getattr(self, name) < 1e9:
                raise SettingsError(f"{name} must be a number more than 0, got {getattr(self, name)}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise SettingsError("dense_weight must be between 0 and 1")
        if self.chunk_tokens > 250:
            raise SettingsError("chunk_tokens must be at most 250 (the model reads 256 word pieces)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``SCR_*`` variables from ``env`` (default: os.environ), then overrides."""
        env = os.environ if env is None else env
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in env.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX) :].lower()
            if name not in known:
                valid = ", ".join(ENV_PREFIX + n.upper() for n in known)
                raise SettingsError(f"unknown setting {key}; valid ones are {valid}")
            values[name] = _convert(known[name], key, raw)
        for name, value in overrides.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = _convert(known[name], name, value)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _convert(f: dataclasses.Field, source: str, raw: Any) -> Any:
    default = f.default
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{source} must be true or false, got {raw!r}")
    try:
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise SettingsError(f"{source} must be {kind}, got {raw!r}") from None
    return str(raw)


def resolve(settings: Settings | None) -> Settings:
    """The given settings, or the defaults read from the environment."""
    return settings if settings is not None else Settings.from_env()
