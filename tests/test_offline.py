"""Nothing leaves the machine: the suite runs with outbound sockets blocked and the hub offline."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest
import pytest_socket

from assistant.api import Assistant


def test_outbound_sockets_are_blocked_for_the_whole_suite() -> None:
    # pytest-socket swaps socket.connect for a guard; checked without sending anything anywhere
    assert socket.socket.connect is not pytest_socket._true_connect
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


@pytest.mark.model
def test_the_real_model_answers_under_the_block(real_index: Path) -> None:
    assert socket.socket.connect is not pytest_socket._true_connect
    answer = Assistant.load(real_index).ask("cases involving concealed pregnancy")
    assert "2015-01-oldham-child-d" in answer.cases


def test_streamlit_usage_statistics_are_off_in_the_shipped_config() -> None:
    import tomllib

    from .conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    cli = (ROOT / "assistant" / "cli.py").read_text()
    assert re.search(r'"--browser\.gatherUsageStats",\s*"false"', cli)  # scr-assistant ui passes it too


def test_importing_the_library_switches_onnx_runtime_telemetry_off_before_it_loads() -> None:
    # ONNX Runtime reads ORT_DISABLE_TELEMETRY when it is imported; a library user imports only `assistant`
    import subprocess
    import sys

    from .conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    probe = "import os, sys, assistant; print('onnxruntime' in sys.modules, os.environ.get('ORT_DISABLE_TELEMETRY'))"
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "1"]
    cli = (ROOT / "assistant" / "cli.py").read_text()
    assert '"ORT_DISABLE_TELEMETRY": "1"' in cli  # and `scr-assistant ui` hands it to the Streamlit process
