"""Run inside a network namespace with only loopback (see test_network.py): `build`, `ask` and the app
with one question asked in headless Chromium, each product process under strace. Prints a JSON report.

Usage: python tests/netns_driver.py WORKDIR CORPUS APP_SECONDS
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TRACED = "connect,sendto,sendmsg"
QUESTION = "neglect of a baby"


def loopback_up() -> None:
    """Bring `lo` up in this (new, empty) network namespace, without needing iproute2."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, request))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))


def traced(name: str, workdir: Path, args: list[str]) -> list[str]:
    """``python -m assistant ARGS`` under strace, every thread and child followed, into trace-NAME.txt."""
    trace = workdir / f"trace-{name}.txt"
    strace = ["strace", "-f", "-qq", "-e", f"trace={TRACED}", "-e", "signal=none", "-o", str(trace)]
    return [*strace, sys.executable, "-m", "assistant", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def ask_in_browser(url: str) -> str:
    """The page's text after one question is answered in headless Chromium (not traced: not our process)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_placeholder("Ask about the case reviews…").fill(QUESTION)
            page.keyboard.press("Enter")
            page.get_by_text("Sources").first.wait_for(timeout=60_000)
            return page.inner_text("body")
        finally:
            browser.close()


def run_app(workdir: Path, index: Path, seconds: float, env: dict[str, str]) -> dict:
    """Serve the app, ask one question through it, and keep it serving until ``seconds`` have passed."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app_env = {**env, "SCR_INDEX_DIR": str(index), "SCR_DATA_DIR": str(workdir / "data")}
    log = (workdir / "server.log").open("w")
    command = traced("ui", workdir, ["ui", "--port", str(port)])
    server = subprocess.Popen(
        command, env=app_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    started = time.monotonic()
    body, error = "", ""
    try:
        while not healthy(url):
            if server.poll() is not None or time.monotonic() - started > 60:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        body = ask_in_browser(url)
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        error = f"{type(exc).__name__}: {exc}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return {"body": body, "error": error, "seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    workdir, corpus, app_seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    loopback_up()
    env = dict(os.environ)
    index = workdir / "index"
    report: dict = {}
    build = subprocess.run(
        traced("build", workdir, ["build", "--corpus", str(corpus), "--index", str(index)]),
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report["build"] = {"rc": build.returncode, "out": build.stdout + build.stderr}
    ask = subprocess.run(
        traced("ask", workdir, ["ask", QUESTION, "--index", str(index)]),
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report["ask"] = {"rc": ask.returncode, "out": ask.stdout + ask.stderr}
    report["app"] = run_app(workdir, index, app_seconds, env)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
