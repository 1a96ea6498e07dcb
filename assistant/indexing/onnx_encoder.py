"""An ONNX Runtime encoder: the same model exported to ONNX from its local weights (no download),
optionally int8-quantised, run without torch at query time. The default on a CPU (``SCR_ENCODER=auto``);
``SCR_ENCODER=onnx|onnx-int8`` chooses it anywhere.

sentence-transformers' own ONNX backend needs optimum, whose releases pin an older transformers
than sentence-transformers 6 requires, so the export here uses ``torch.onnx`` and the encoding
reproduces the model's mean pooling and normalisation (fp32 vectors agree with torch's to 1e-6).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
import uuid
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import SettingsError

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
EXPORT_VERSION = 1  # raise when export() changes what it writes, so that cached exports are made again


def export_path(model_path: Path, cache_dir: Path, quantized: bool) -> Path:
    """Where the export of ``model_path`` lives (made on first use, then reused). The name carries the
    folder and the size and time of its weights, so new weights in the same folder get a new export."""
    weights = sorted(p for p in model_path.iterdir() if p.suffix in (".safetensors", ".bin") and p.is_file())
    identity = [str(model_path.resolve()), f"export {EXPORT_VERSION}", *_tool_versions()]
    identity += [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in weights]
    where = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:8]
    stem = f"{model_path.resolve().name}-{where}"
    return cache_dir / f"{stem}{'-int8' if quantized else ''}.onnx"


def _tool_versions() -> list[str]:
    """The versions of the packages that make the export (a new one may export differently)."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for package in ("torch", "onnx", "onnxruntime"):
        try:
            out.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            out.append(f"{package} -")
    return out


def cores() -> int:
    """The CPUs this process may run on (its affinity, not every CPU of the host)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def export(model_path: Path, target: Path, quantized: bool) -> Path:
    """Export the model's transformer to ONNX (and quantise its weights to int8), atomically."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        full = export(model_path, target.with_name(target.name.replace("-int8.onnx", ".onnx")), False)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic advises pre-processing on the root logger
        try:
            quantize_dynamic(str(full), str(temporary), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        os.replace(temporary, target)
        return target
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    transformer = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:  # noqa: ANN401
            out = self.transformer(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    sample = model.tokenizer(["an example", "a second, longer example"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it fixes; the vectors are tested
        torch.onnx.export(
            Hidden(),
            tuple(sample[name] for name in INPUTS),
            str(temporary),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    os.replace(temporary, target)
    return target


class OnnxEmbedder:
    """Mean-pooled, normalised sentence vectors from an ONNX export of a local model.

    Two sessions, each made on first use: one on every core for batches (a build), and one on
    ``query_threads`` threads for a single question, so that concurrent sessions of the app do not
    fight over the cores (eval/ENCODERS.md, "Threads and batch size").
    """

    def __init__(
        self,
        path: Path,
        name: str,
        cache_dir: Path,
        quantized: bool = False,
        batch_size: int = 8,
        query_threads: int = 1,
    ) -> None:
        missing = [m for m in ("onnxruntime", "onnx") if importlib.util.find_spec(m) is None]
        if missing:
            raise SettingsError(
                f"the ONNX encoder needs {' and '.join(missing)}: pip install -e . (or set SCR_ENCODER=torch)"
            )
        pooling = path / "1_Pooling" / "config.json"
        if pooling.is_file() and not json.loads(pooling.read_text(encoding="utf-8")).get("pooling_mode_mean_tokens"):
            raise SettingsError(f"the ONNX encoder reproduces mean pooling only; {path} pools otherwise")
        self.path = path
        self.name = f"{name}+onnx{'-int8' if quantized else ''}"
        self.quantized = quantized
        self.batch_size = batch_size
        self.query_threads = max(1, query_threads)
        self.cache_dir = cache_dir
        self._lock = threading.Lock()

    @property
    def session(self):  # noqa: ANN201 - an onnxruntime.InferenceSession
        """The session for batches, on every core (the export is made on first use)."""
        return self._session("session", cores())

    @property
    def query_session(self):  # noqa: ANN201 - an onnxruntime.InferenceSession
        """The session for one question at a time, on ``query_threads`` threads (the batch session
        itself when that has as many)."""
        threads = min(self.query_threads, cores())
        if threads == cores():
            return self.session
        return self._session("query_session", threads)

    def _session(self, attribute: str, threads: int):  # noqa: ANN202 - an onnxruntime.InferenceSession
        """The session kept under ``attribute``, made once even when threads ask for it together."""
        with self._lock:
            existing = self.__dict__.get(f"_made_{attribute}")
            if existing is not None:
                return existing
            import onnxruntime as ort

            model = export(self.path, export_path(self.path, self.cache_dir, self.quantized), self.quantized)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            made = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            self.__dict__[f"_made_{attribute}"] = made
            return made

    @property
    def exported(self) -> bool:
        """True when the ONNX export is already on disk (else the first embedding makes it)."""
        return export_path(self.path, self.cache_dir, self.quantized).is_file()

    @property
    def loaded(self) -> bool:
        """True once a session is in memory."""
        return "_made_session" in self.__dict__ or "_made_query_session" in self.__dict__

    @cached_property
    def _tokenizer(self):  # noqa: ANN202 - a tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer

    @cached_property
    def max_tokens(self) -> int:
        """Longest input the model reads, special tokens included."""
        return int(json.loads((self.path / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"])

    @cached_property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(json.loads((self.path / "config.json").read_text(encoding="utf-8"))["hidden_size"])

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text``, special tokens excluded."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text (longest first in batches, as sentence-transformers does);
        a single text (a question) runs on the query session."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if len(texts) == 1:
            out[:] = self._encode(list(texts), self.query_session)
            return out
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._encode([texts[i] for i in batch], self.session)
        return out

    def _encode(self, texts: list[str], session: Any) -> np.ndarray:  # noqa: ANN401 - an InferenceSession
        encodings = [self._tokenizer.encode(t) for t in texts]
        width = min(max(len(e.ids) for e in encodings), self.max_tokens)
        feeds = {name: np.zeros((len(texts), width), dtype=np.int64) for name in INPUTS}
        for row, encoding in enumerate(encodings):
            ids = encoding.ids[:width]
            if len(encoding.ids) > width:  # truncated: keep the closing [SEP]
                ids = ids[:-1] + [encoding.ids[-1]]
            feeds["input_ids"][row, : len(ids)] = ids
            feeds["attention_mask"][row, : len(ids)] = 1
        hidden = session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
