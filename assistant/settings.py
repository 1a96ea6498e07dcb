"""One place for settings: defaults, overridable by ``SCR_*`` environment variables and flags."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import SettingsError

ENV_PREFIX = "SCR_"
LOOPBACK = ("127.0.0.1", "localhost", "::1")  # the only hosts SCR_LLM_URL may name: nothing leaves the machine
# What a partnership records against a recommendation, in the order an action moves through.
ACTION_STATUSES = ("not-started", "in-progress", "done", "impact-evidenced")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")  # SCR_DATABASE_URL's accepted engines
# The choice lists: the only place each is written (settings' choices, CLI flags and messages use them).
RETRIEVERS = ("hybrid", "dense", "bm25")  # what search ranks by
FUSION_METHODS = ("rrf", "weighted")  # how hybrid fuses its two rankings
ENCODERS = ("torch", "onnx", "onnx-int8")  # how the model runs ("auto" picks one of them)


def either(choices: tuple[str, ...]) -> str:
    """The choices as a phrase: 'a, b or c'."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else "".join(choices)


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
            " (torch on an NVIDIA GPU, else onnx)",
            "choices": ("auto", *ENCODERS),
        },
    )
    encoder_cache: str = field(
        default="", metadata={"help": "folder for the local ONNX export; empty means ~/.cache/scr-assistant/encoders"}
    )
    chunk_tokens: int = field(
        default=200, metadata={"help": "target word pieces per chunk, header included", "range": (1, 250)}
    )
    chunk_overlap: int = field(
        default=30, metadata={"help": "word pieces shared by neighbouring chunks", "range": (0, 249)}
    )
    k: int = field(default=5, metadata={"help": "results returned by search", "range": (1, 1000)})
    candidates: int = field(
        default=100, metadata={"help": "chunks fetched from the index before grouping by case", "range": (1, 100_000)}
    )
    batch_size: int = field(
        default=8,
        metadata={
            "help": "texts embedded per model call at build time (8: fastest, or near it, on 2 cores)",
            "range": (1, 4096),
        },
    )
    query_threads: int = field(
        default=1,
        metadata={
            "help": "threads that embed one question (ONNX); 1 serves concurrent sessions best",
            "range": (1, 256),
        },
    )
    max_file_mb: float = field(
        default=50.0,
        metadata={"help": "largest review file that add and build accept, in MB", "range": (0.001, 10_000.0)},
    )
    read_seconds: float = field(
        default=60.0, metadata={"help": "seconds one file may take to read, else refused", "range": (0.1, 86_400.0)}
    )
    read_memory_mb: float = field(
        default=2048.0, metadata={"help": "memory one file's reader may use, in MB", "range": (16.0, 1_000_000.0)}
    )
    approximate_from: int = field(
        default=50_000,
        metadata={
            "help": "chunk count from which the index is approximate (HNSW) instead of exact",
            "range": (1, 1_000_000_000),
        },
    )
    retriever: str = field(default="hybrid", metadata={"help": either(RETRIEVERS), "choices": RETRIEVERS})
    fusion: str = field(
        default="weighted",
        metadata={"help": f"how hybrid fuses its two rankings: {either(FUSION_METHODS)}", "choices": FUSION_METHODS},
    )
    rrf_k: int = field(default=60, metadata={"help": "the k of reciprocal rank fusion", "range": (1, 1_000_000)})
    dense_weight: float = field(
        default=0.6, metadata={"help": "weight of the dense side in weighted fusion", "range": (0.0, 1.0)}
    )
    min_relevance: float = field(
        default=0.208,
        metadata={
            "help": "cosine similarity below which ask says nothing relevant was found (above 1: never answer)",
            "range": (-1.0, 2.0),
        },
    )
    llm_url: str = field(
        default="", metadata={"help": "optional local OpenAI-compatible chat server, http://127.0.0.1:PORT"}
    )
    llm_model: str = field(default="", metadata={"help": "model name to ask the chat server for"})
    llm_timeout: float = field(
        default=60.0, metadata={"help": "seconds a whole request to the chat server may take", "range": (0.1, 3600.0)}
    )
    page_scale: float = field(
        default=1.5,
        metadata={
            "help": "pixels per PDF point when a report's page is shown (1.5: an A4 page 893 pixels wide)",
            "range": (0.25, 4.0),
        },
    )
    page_cache_mb: float = field(
        default=64.0,
        metadata={"help": "memory for rendered PDF pages kept for reuse, in MB (PNG bytes)", "range": (1.0, 4096.0)},
    )
    expand_synonyms: bool = field(
        default=True, metadata={"help": "expand lexical queries with the safeguarding vocabulary"}
    )

    llm_support: float = field(
        default=0.5,
        metadata={
            "help": "share of a generated sentence's content words (stop words aside) that must be in the passages"
            " it cites, or the sentence is dropped",
            "range": (0.0, 1.0),
        },
    )

    database_url: str = field(
        default="",
        metadata={
            "help": "where lessons, notes and actions are kept: sqlite:///FILE or postgresql://USER:PASS@HOST/DB;"
            " empty means SQLite in SCR_DATA_DIR/learning.db"
        },
    )
    user_header: str = field(
        default="",
        metadata={
            "help": "HTTP header set by the organisation's sign-in proxy that names who made a change (attribution,"
            " not access control); empty: the app asks for a name once per session"
        },
    )
    user: str = field(
        default="", metadata={"help": "name recorded for changes made from the command line; empty: the login name"}
    )
    today: str = field(
        default="", metadata={"help": "the date taken as today for due dates, YYYY-MM-DD; empty: the system clock"}
    )
    slipping_days: int = field(
        default=14,
        metadata={"help": "an open action due within this many days is shown as slipping", "range": (0, 3650)},
    )
    lesson_similarity: float = field(
        default=0.575,
        metadata={
            "help": "lessons of different reviews are grouped as one recurring lesson while their average sentence"
            " similarity is at least this (tuned on the dev collection: eval/RECURRING_LESSONS.md)",
            "range": (0.0, 1.0),
        },
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _checked(f, getattr(self, f.name)))
        if self.chunk_overlap >= self.chunk_tokens:
            raise SettingsError(
                f"SCR_CHUNK_OVERLAP must be less than SCR_CHUNK_TOKENS ({self.chunk_tokens}), got {self.chunk_overlap}"
            )
        if self.llm_url:
            check_llm_url(self.llm_url)
        if self.database_url:
            check_database_url(self.database_url)
        if self.today:
            check_today(self.today)

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
    """``raw`` (text from the environment, or a value from a flag) as the field's type; checked later."""
    default = f.default
    if not isinstance(raw, str) or isinstance(default, (str, Path)):
        return raw
    if isinstance(default, bool):
        text = raw.strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{source} must be true or false, got {_shown(raw)}")
    whole = isinstance(default, int)
    try:
        return int(raw) if whole else float(raw)
    except ValueError:
        low, high = f.metadata["range"]
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"{source} must be {kind} from {low} to {high}, got {_shown(raw)}") from None


def _checked(f: dataclasses.Field, value: Any) -> Any:
    """``value`` for field ``f`` if it has the field's type and lies in its range or choices, else SettingsError."""
    name = ENV_PREFIX + f.name.upper()
    default = f.default
    if isinstance(default, Path):
        if not isinstance(value, (str, Path)):
            raise SettingsError(f"{name} must be a folder path, got {_shown(value)}")
        return Path(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{name} must be true or false, got {_shown(value)}")
        return value
    if isinstance(default, (int, float)):
        whole = isinstance(default, int)
        low, high = f.metadata["range"]
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            raise SettingsError(f"{name} must be {kind} from {low} to {high}, got {_shown(value)}")
        if not (math.isfinite(value) and low <= value <= high):
            extra = " (the model reads 256 word pieces)" if f.name == "chunk_tokens" else ""
            raise SettingsError(f"{name} must be {kind} from {low} to {high}{extra}, got {_shown(value)}")
        return value if whole else float(value)
    if not isinstance(value, str):
        raise SettingsError(f"{name} must be text, got {_shown(value)}")
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {_shown(value)}")
    return value


def check_llm_url(url: str) -> str:
    """The chat server's base URL if ``url`` is a well-formed http(s) address on this machine, else SettingsError."""
    why = ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        parts, port, why = None, None, str(exc)
    if parts is not None:
        if any(ch.isspace() or not ch.isprintable() for ch in url):
            why = "it holds a space or a control character"
        elif parts.scheme not in ("http", "https"):
            why = "it must start with http:// or https://"
        elif parts.hostname not in LOOPBACK:
            why = "only a server on this machine is allowed: questions and review text never leave the machine"
        elif (port is not None and not 1 <= port <= 65535) or parts.netloc.endswith(":"):
            why = "the port must be a number from 1 to 65535"
        elif parts.query or parts.fragment or parts.username or parts.password:
            why = "it must be a plain address, without a user, a query or a fragment"
    if why:
        shown = _shown(url)
        raise SettingsError(f"SCR_LLM_URL must be a server on this machine, http://127.0.0.1:PORT, not {shown}: {why}")
    return url.rstrip("/")


def check_database_url(url: str) -> str:
    """``url`` if it names a SQLite file or a PostgreSQL database, else SettingsError."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower() if ":" in url else ""
    if scheme not in DATABASE_SCHEMES or "://" not in url:
        raise SettingsError(
            f"SCR_DATABASE_URL must be sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DATABASE, got {_shown(url)}"
        )
    return url


def check_today(text: str) -> str:
    """``text`` if it is a date written YYYY-MM-DD, else SettingsError."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"SCR_TODAY must be a date written YYYY-MM-DD, got {_shown(text)}") from None
    return text


def _shown(value: Any) -> str:
    """``value`` as it appears in an error message: its repr, cut short when it is long."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(str(value))} characters)"


def resolve(settings: Settings | None) -> Settings:
    """The given settings, or the defaults read from the environment."""
    return settings if settings is not None else Settings.from_env()
