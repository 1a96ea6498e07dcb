"""The ONNX encoder option: exported locally from the bundled weights, same vectors as torch (fp32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.build import build_index
from assistant.embed import load_embedder, model_name
from assistant.errors import SettingsError
from assistant.settings import Settings

from .conftest import SHIPPED_CORPUS

TEXTS = [
    "cases involving concealed pregnancy",
    "The health visitor did not know the mother was pregnant. " * 40,  # longer than the model reads
    "GP",
]


def test_encoder_setting_is_checked_and_named() -> None:
    with pytest.raises(SettingsError, match="encoder must be auto, torch, onnx or onnx-int8"):
        Settings(encoder="tensorrt")
    assert model_name(Settings(encoder="onnx-int8")) == "all-MiniLM-L6-v2+onnx-int8"
    assert model_name(Settings(encoder="torch")) == "all-MiniLM-L6-v2"


def test_auto_runs_onnx_on_a_cpu_and_torch_on_a_cuda_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.embed as embed
    from assistant.onnx_encoder import OnnxEmbedder

    monkeypatch.setattr(embed, "_cuda_torch", lambda: False)
    assert embed.encoder_choice(Settings()) == "onnx"
    chosen = load_embedder(Settings(query_threads=2, batch_size=4))
    assert isinstance(chosen, OnnxEmbedder) and chosen.name == "all-MiniLM-L6-v2+onnx"
    assert (chosen.query_threads, chosen.batch_size, chosen.loaded) == (2, 4, False)
    monkeypatch.setattr(embed, "_cuda_torch", lambda: True)
    assert embed.encoder_choice(Settings()) == "torch"
    assert isinstance(load_embedder(Settings()), embed.SentenceTransformerEmbedder)
    assert embed.encoder_choice(Settings(encoder="onnx-int8")) == "onnx-int8"


def test_encoder_cache_is_shared_by_indexes_unless_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.embed import encoder_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert encoder_cache(Settings(index_dir=tmp_path / "a")) == tmp_path / "cache" / "scr-assistant" / "encoders"
    assert encoder_cache(Settings(index_dir=tmp_path / "b")) == encoder_cache(Settings(index_dir=tmp_path / "a"))
    assert encoder_cache(Settings(encoder_cache=str(tmp_path / "mine"))) == tmp_path / "mine"
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert encoder_cache(Settings(index_dir=tmp_path / "a")) == tmp_path / "a" / ".encoders"


def test_new_weights_in_the_same_folder_get_a_new_export(tmp_path: Path) -> None:
    import os

    from assistant.onnx_encoder import export_path

    (tmp_path / "model.safetensors").write_bytes(b"weights")
    first = export_path(tmp_path, tmp_path / "cache", quantized=False)
    assert export_path(tmp_path, tmp_path / "cache", quantized=False) == first
    os.utime(tmp_path / "model.safetensors", ns=(1, 1))
    assert export_path(tmp_path, tmp_path / "cache", quantized=False) != first


@pytest.mark.model
def test_onnx_vectors_match_torch_and_int8_stays_close(tmp_path: Path) -> None:
    torch = load_embedder(Settings(encoder="torch"))
    reference = torch.embed(TEXTS)
    onnx = load_embedder(Settings(encoder="onnx", encoder_cache=str(tmp_path)))  # a fresh export
    int8 = load_embedder(Settings(encoder="onnx-int8", encoder_cache=str(tmp_path)))
    assert np.all((onnx.embed(TEXTS) * reference).sum(axis=1) > 0.9999)
    assert np.all((int8.embed(TEXTS) * reference).sum(axis=1) > 0.9)
    # one question runs on the query session, and gives the vector a batch gives it
    assert "query_session" not in onnx.__dict__
    assert float(onnx.embed(TEXTS[:1])[0] @ reference[0]) > 0.9999 and "query_session" in onnx.__dict__
    assert onnx.query_session.get_session_options().intra_op_num_threads == 1
    assert onnx.count_tokens("safeguarding") == torch.count_tokens("safeguarding")
    assert sorted(p.name.endswith("-int8.onnx") for p in tmp_path.glob("*.onnx")) == [False, True]


@pytest.mark.model
def test_switching_encoder_rebuilds_and_says_why(real_index: Path, tmp_path: Path) -> None:
    import shutil

    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index, encoder="torch")  # the index is ONNX's
    report = build_index(settings, progress=False)
    assert "model changed from all-MiniLM-L6-v2+onnx to all-MiniLM-L6-v2" in report.full_rebuild
    assert report.embedded == report.chunks
    from assistant.api import Assistant

    assert Assistant.load(settings=settings).search("hidden pregnancy")[0].case_id == "2015-01-oldham-child-d"
