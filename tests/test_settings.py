"""Settings: defaults, environment overrides, validation."""

from __future__ import annotations

from dataclasses import fields
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
        ({"SCR_K": "0"}, "SCR_K must be a whole number from 1 to 1000, got 0"),
        ({"SCR_CHUNK_TOKENS": "400"}, "from 1 to 250 .the model reads 256 word pieces., got 400"),
    ],
)
def test_bad_settings_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


NUMBERS = [f for f in fields(Settings) if type(f.default) in (int, float)]  # every number setting, bools aside


@pytest.mark.parametrize(("name", "value"), [(f.name, v) for f in NUMBERS for v in ("nan", "inf", "-inf", "1e400")])
def test_no_number_setting_accepts_nan_or_infinity(name: str, value: str) -> None:
    """nan once switched the file size limit off and made every question go unanswered; inf crashed `ui`."""
    variable = "SCR_" + name.upper()
    with pytest.raises(SettingsError, match=rf"^{variable} must be a (whole )?number from \S+ to \S+.*, got "):
        Settings.from_env({variable: value})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SCR_MAX_FILE_MB", "0", "SCR_MAX_FILE_MB must be a number from 0.001 to 10000.0, got 0.0"),
        ("SCR_MIN_RELEVANCE", "-3", "SCR_MIN_RELEVANCE must be a number from -1.0 to 2.0, got -3.0"),
        ("SCR_LLM_TIMEOUT", "1e308", "SCR_LLM_TIMEOUT must be a number from 0.1 to 3600.0, got 1e[+]308"),
        ("SCR_LLM_TIMEOUT", "0", "SCR_LLM_TIMEOUT must be a number from 0.1 to 3600.0, got 0.0"),
        ("SCR_DENSE_WEIGHT", "1.5", "SCR_DENSE_WEIGHT must be a number from 0.0 to 1.0, got 1.5"),
        ("SCR_LLM_SUPPORT", "2", "SCR_LLM_SUPPORT must be a number from 0.0 to 1.0, got 2.0"),
        ("SCR_CANDIDATES", "10000000", "SCR_CANDIDATES must be a whole number from 1 to 100000"),
        ("SCR_BATCH_SIZE", "1e3", "SCR_BATCH_SIZE must be a whole number from 1 to 4096, got '1e3'"),
        ("SCR_QUERY_THREADS", "-1", "SCR_QUERY_THREADS must be a whole number from 1 to 256, got -1"),
        ("SCR_RRF_K", "9" * 5000, r"SCR_RRF_K must be a whole number from 1 to 1000000, got '9+[.]{3} .5000 chara"),
        ("SCR_CHUNK_OVERLAP", "200", "SCR_CHUNK_OVERLAP must be less than SCR_CHUNK_TOKENS .200., got 200"),
        ("SCR_APPROXIMATE_FROM", "0", "SCR_APPROXIMATE_FROM must be a whole number from 1 to 1000000000, got 0"),
        ("SCR_ENCODER", "gpu", "SCR_ENCODER must be one of auto, torch, onnx, onnx-int8, got 'gpu'"),
        ("SCR_RETRIEVER", "Dense", "SCR_RETRIEVER must be one of hybrid, dense, bm25, got 'Dense'"),
        ("SCR_FUSION", "", "SCR_FUSION must be one of rrf, weighted, got ''"),
        ("SCR_EXPAND_SYNONYMS", "maybe", "SCR_EXPAND_SYNONYMS must be true or false, got 'maybe'"),
    ],
)
def test_out_of_range_settings_name_the_variable_the_value_and_the_range(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_env({variable: value})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:abc", "Port could not be cast to integer"),
        ("http://127.0.0.1:0", "the port must be a number from 1 to 65535"),
        ("http://127.0.0.1:", "the port must be a number from 1 to 65535"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://127.0.0.1 :8080", "a space or a control character"),
        ("http://127.0.0.1:8080/\n", "a space or a control character"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("127.0.0.1:8080", "http:// or https://"),
        ("http://192.0.2.10:8080", "never leave the machine"),
        ("http://127.0.0.1:8080/?x=1", "without a user, a query or a fragment"),
    ],
)
def test_malformed_llm_urls_are_refused_when_the_settings_load(url: str, why: str) -> None:
    with pytest.raises(SettingsError, match=rf"^SCR_LLM_URL must be a server on this machine.*: .*{why}") as caught:
        Settings.from_env({"SCR_LLM_URL": url})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "http://localhost:11434", "http://[::1]:8080"])
def test_local_llm_urls_are_accepted(url: str) -> None:
    assert Settings.from_env({"SCR_LLM_URL": url}).llm_url == url


def test_values_of_the_wrong_type_are_refused_in_code_too() -> None:
    with pytest.raises(SettingsError, match="SCR_K must be a whole number from 1 to 1000, got '5'"):
        Settings(k="5")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="SCR_K must be a whole number from 1 to 1000, got 2.5"):
        Settings().replace(k=2.5)
    with pytest.raises(SettingsError, match="SCR_MIN_RELEVANCE must be a number from -1.0 to 2.0, got nan"):
        Settings().replace(min_relevance=float("nan"))
    assert Settings(max_file_mb=2).max_file_mb == 2.0 and isinstance(Settings(max_file_mb=2).max_file_mb, float)


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_ui_with_an_impossible_file_size_limit_is_one_line(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`scr-assistant ui` crashed (OverflowError) on SCR_MAX_FILE_MB=inf before starting the server."""
    from assistant.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCR_MAX_FILE_MB", value)
        assert main(["ui", "--index", "/nonexistent/index"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: SCR_MAX_FILE_MB must be a number from 0.001 to 10000.0") and err.count("\n") == 1


def test_function_defaults_and_choice_lists_come_from_settings() -> None:
    import inspect

    from assistant.cli import _parser
    from assistant.indexing.vectors import make_index
    from assistant.search.fusion import fuse, rrf, weighted
    from assistant.search.retrieve import make_hits
    from assistant.settings import ENCODERS, FUSION_METHODS, RETRIEVERS

    defaults = Settings()
    named = {"method": "fusion", "fusion": "fusion", "dense_weight": "dense_weight", "k": "rrf_k", "rrf_k": "rrf_k"}
    named["approximate_from"] = "approximate_from"
    for function in (fuse, rrf, weighted, make_hits, make_index):
        for name, param in inspect.signature(function).parameters.items():
            if name in named and param.default is not inspect.Parameter.empty:
                assert param.default == getattr(defaults, named[name]), f"{function.__name__}({name}=...)"
    choices = {f.name: f.metadata.get("choices") for f in fields(Settings)}
    assert choices["retriever"] == RETRIEVERS and choices["fusion"] == FUSION_METHODS
    assert choices["encoder"] == ("auto", *ENCODERS)
    commands = _parser()._subparsers._group_actions[0].choices
    assert tuple(next(a for a in commands["search"]._actions if a.dest == "retriever").choices) == RETRIEVERS
