"""The ONNX encoder option: exported locally from the bundled weights, same vectors as torch (fp32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexMismatchError, SettingsError
from assistant.indexing.build import build_index
from assistant.indexing.embed import load_embedder, model_name, use_embedder
from assistant.settings import Settings

from .conftest import SHIPPED_CORPUS, HashEmbedder

TEXTS = [
    "cases involving concealed pregnancy",
    "The health visitor did not know the mother was pregnant. " * 40,  # longer than the model reads
    "GP",
]


def test_encoder_setting_is_checked_and_named() -> None:
    with pytest.raises(SettingsError, match="SCR_ENCODER must be one of auto, torch, onnx, onnx-int8, got .tensorrt."):
        Settings(encoder="tensorrt")
    assert model_name(Settings(encoder="onnx-int8")) == "all-MiniLM-L6-v2+onnx-int8"
    assert model_name(Settings(encoder="torch")) == "all-MiniLM-L6-v2"


def test_an_embedder_put_in_place_is_what_the_factory_gives_everywhere(fake_index: Settings) -> None:
    from assistant.api import Assistant
    from assistant.indexing.doctor import diagnose

    outer, inner = HashEmbedder(), HashEmbedder()
    with use_embedder(outer):
        assert load_embedder(Settings(encoder="torch")) is outer and model_name(Settings()) == outer.name
        assert Assistant.load(settings=fake_index).embedder is outer  # the front object loads through the seam
        assert all(f.ok for f in diagnose(fake_index))  # doctor names the fake's model, which built the index
        with pytest.raises(RuntimeError), use_embedder(inner):
            assert load_embedder() is inner
            raise RuntimeError
        assert load_embedder() is outer  # the inner block ended, even on an error
    assert model_name(Settings(encoder="torch")) == "all-MiniLM-L6-v2"
    assert any(f"built with model {outer.name!r}" in f.message for f in diagnose(fake_index))  # and now it is not


def test_auto_runs_onnx_on_a_cpu_and_torch_on_a_cuda_gpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import assistant.indexing.embed as embed
    from assistant.indexing.onnx_encoder import OnnxEmbedder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    monkeypatch.setattr(embed, "_cuda_torch", lambda: False)
    assert embed.encoder_choice(Settings()) == "onnx"
    chosen = load_embedder(Settings(query_threads=2, batch_size=4))
    assert isinstance(chosen, OnnxEmbedder) and chosen.name == "all-MiniLM-L6-v2+onnx"
    assert (chosen.query_threads, chosen.batch_size, chosen.loaded) == (2, 4, False)
    monkeypatch.setattr(embed, "_cuda_torch", lambda: True)
    assert embed.encoder_choice(Settings()) == "torch"
    assert isinstance(load_embedder(Settings()), embed.SentenceTransformerEmbedder)
    assert embed.encoder_choice(Settings(encoder="onnx-int8")) == "onnx-int8"


def test_a_gpu_is_detected_without_importing_torch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.util

    import assistant.indexing.embed as embed

    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "version.py").write_text("__version__ = '2.13.0'\ncuda: Optional[str] = '12.8'\n")
    spec = importlib.util.spec_from_file_location("torch", fake / "__init__.py", submodule_search_locations=[str(fake)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec if name == "torch" else None)
    assert embed._torch_cuda_version() == "12.8"
    (fake / "version.py").write_text("__version__ = '2.13.0+cpu'\ncuda: Optional[str] = None\n")
    assert embed._torch_cuda_version() is None
    (fake / "version.py").write_text("cuda = '12.1'\n")
    assert embed._torch_cuda_version() == "12.1"
    monkeypatch.setattr(embed, "_torch_cuda_version", lambda: "12.1")
    monkeypatch.setattr(embed.Path, "exists", lambda self: str(self) == "/dev/nvidia0")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert embed._cuda_torch()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert not embed._cuda_torch()  # every device hidden
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.setattr(embed.Path, "exists", lambda self: False)  # no device node: a container without --gpus
    assert not embed._cuda_torch()


def test_torch_and_fp32_onnx_indexes_are_interchangeable_but_int8_is_not() -> None:
    from assistant.indexing.embed import same_vectors

    assert same_vectors("all-MiniLM-L6-v2", "all-MiniLM-L6-v2+onnx")
    assert same_vectors("all-MiniLM-L6-v2+onnx", "all-MiniLM-L6-v2")
    assert not same_vectors("all-MiniLM-L6-v2", "all-MiniLM-L6-v2+onnx-int8")
    assert not same_vectors("all-MiniLM-L6-v2+onnx", "other-model+onnx")


def test_encoder_cache_is_shared_by_indexes_unless_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.indexing.embed import encoder_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert encoder_cache(Settings(index_dir=tmp_path / "a")) == tmp_path / "cache" / "scr-assistant" / "encoders"
    assert encoder_cache(Settings(index_dir=tmp_path / "b")) == encoder_cache(Settings(index_dir=tmp_path / "a"))
    assert encoder_cache(Settings(encoder_cache=str(tmp_path / "mine"))) == tmp_path / "mine"
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert encoder_cache(Settings(index_dir=tmp_path / "a")) == tmp_path / "a" / ".encoders"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("os.access", lambda path, mode: False)  # a cache folder this user cannot write
    assert encoder_cache(Settings(index_dir=tmp_path / "a")) == tmp_path / "a" / ".encoders"


def test_new_weights_in_the_same_folder_get_a_new_export(tmp_path: Path) -> None:
    import os

    from assistant.indexing.onnx_encoder import export_path

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
    assert "_made_query_session" not in onnx.__dict__
    assert float(onnx.embed(TEXTS[:1])[0] @ reference[0]) > 0.9999 and "_made_query_session" in onnx.__dict__
    assert onnx.query_session.get_session_options().intra_op_num_threads == 1
    assert onnx.count_tokens("safeguarding") == torch.count_tokens("safeguarding")
    assert sorted(p.name.endswith("-int8.onnx") for p in tmp_path.glob("*.onnx")) == [False, True]


@pytest.mark.model
def test_switching_between_torch_and_onnx_keeps_the_index_and_int8_rebuilds(real_index: Path, tmp_path: Path) -> None:
    import shutil

    from assistant.api import Assistant

    index = tmp_path / "index"
    shutil.copytree(real_index, index)  # built by the default encoder: ONNX on this CPU
    for encoder in ("torch", "onnx"):
        settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index, encoder=encoder)
        report = build_index(settings, progress=False)
        assert report.up_to_date and not report.full_rebuild  # the same vectors: nothing re-embedded
        assert Assistant.load(settings=settings).search("hidden pregnancy")[0].case_id == "2015-01-oldham-child-d"
    settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index, encoder="onnx-int8")
    with pytest.raises(IndexMismatchError, match="built with model"):
        Assistant.load(settings=settings)
    report = build_index(settings, progress=False)
    assert "to all-MiniLM-L6-v2+onnx-int8: re-embedding every chunk" in report.full_rebuild
    assert report.embedded == report.chunks
