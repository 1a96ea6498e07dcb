"""Settings: defaults, environment overrides, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.settings import Settings


def test_environment_overrides_defaults_and_arguments_override_environment() -> None:
    env = {"SCR_INDEX_DIR": "/tmp/idx", "SCR_K": "7", "PATH": "/bin"}
    settings = Settings.from_env(env)
    assert settings.index_dir == Path("/tmp/idx") and settings.k == 7
    assert Settings.from_env(env, k=3, corpus_dir=None).k == 3
    assert Settings.from_env({}).index_dir == Path("index")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SCR_INDX_DIR": "x"}, "unknown setting SCR_INDX_DIR"),
        ({"SCR_K": "five"}, "SCR_K must be a whole number"),
        ({"SCR_K": "0"}, "k must be at least 1"),
        ({"SCR_CHUNK_TOKENS": "400"}, "at most 250"),
    ],
)
def test_bad_settings_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
