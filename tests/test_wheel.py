"""The package builds as a wheel that holds the app and every data file, and runs once installed from it.

Offline: the wheel is built with the setuptools already installed (no build isolation, no index), and
installed into a fresh virtual environment that borrows the test environment's dependencies through a
.pth line (which adds that folder to sys.path without running its .pth files, so the editable install of
a checkout cannot shadow the installed wheel).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

from assistant.cli import ui_app

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done


def _shipped_files() -> set[str]:
    """What the wheel must hold: every file of the package (code, JSON, migrations) and of ui/, as assistant/ui/."""
    files = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "assistant").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    return files | {f"assistant/ui/{p.name}" for p in (ROOT / "ui").glob("*.py")}


def test_the_app_is_found_in_a_checkout() -> None:
    assert ui_app() == ROOT / "ui" / "app.py"


def test_the_wheel_holds_the_app_and_data_and_runs_from_a_fresh_venv(tmp_path: Path) -> None:
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")} | OFFLINE
    source = tmp_path / "src"  # a copy, so the build's build/ and .egg-info never land in the checkout
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("assistant", "ui"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)], tmp_path, env)
    [wheel] = wheels.glob("scr_assistant-*.whl")
    held = set(zipfile.ZipFile(wheel).namelist())
    assert {"assistant/ui/app.py", "assistant/search/vocabulary.json", "assistant/answer/taxonomy.json"} <= held
    assert sorted(_shipped_files() - held) == []

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, env)
    (Path(purelib.stdout.strip()) / "test-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], tmp_path, env)

    where = _run(
        [
            str(python),
            "-c",
            "import assistant, assistant.cli as c, assistant.search.vocabulary as v, assistant.answer.counting as n,"
            " assistant.library.storage as s; print(assistant.__file__); print(c.ui_app());"
            " print(v.VOCABULARY_FILE.is_file(), n.TAXONOMY_FILE.is_file(), (s.MIGRATIONS / 'env.py').is_file())",
        ],
        tmp_path,
        env,
    ).stdout.splitlines()
    package = Path(where[0]).resolve().parent
    assert package.is_relative_to(venv.resolve()), where  # the wheel's copy, not the checkout's
    assert Path(where[1]) == package / "ui" / "app.py" and where[2] == "True True True"
    helped = _run([str(venv / "bin" / "scr-assistant"), "--help"], tmp_path, env)
    assert "usage: scr-assistant" in helped.stdout and " ui " in helped.stdout.replace("{", " ").replace(",", " ")
    seconds = time.perf_counter() - started
    print(f"built, installed and ran the wheel in {seconds:.1f} s")
