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
    with pytest.raises(SettingsError, match="encoder must be torch, onnx or onnx-int8"):
        Settings(encoder="tensorrt")
    assert model_name(Settings(encoder="onnx-int8")) == "all-MiniLM-L6-v2+onnx-int8"


@pytest.mark.model
def test_onnx_vectors_match_torch_and_int8_stays_close(tmp_path: Path) -> None:
    reference = load_embedder(Settings(index_dir=tmp_path)).embed(TEXTS)
    onnx = load_embedder(Settings(index_dir=tmp_path, encoder="onnx"))
    int8 = load_embedder(Settings(index_dir=tmp_path, encoder="onnx-int8"))
    assert np.all((onnx.embed(TEXTS) * reference).sum(axis=1) > 0.9999)
    assert np.all((int8.embed(TEXTS) * reference).sum(axis=1) > 0.9)
    assert onnx.count_tokens("safeguarding") == load_embedder(Settings()).count_tokens("safeguarding")
    assert sorted(p.name.endswith("-int8.onnx") for p in (tmp_path / ".encoders").glob("*.onnx")) == [False, True]


@pytest.mark.model
def test_switching_encoder_rebuilds_and_says_why(real_index: Path, tmp_path: Path) -> None:
    import shutil

    index = tmp_path / "index"
    shutil.copytree(real_index, index)
    settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index, encoder="onnx")
    report = build_index(settings, progress=False)
    assert "model changed from all-MiniLM-L6-v2 to all-MiniLM-L6-v2+onnx" in report.full_rebuild
    assert report.embedded == report.chunks
    from assistant.api import Assistant

    assert Assistant.load(settings=settings).search("hidden pregnancy")[0].case_id == "2015-01-oldham-child-d"
