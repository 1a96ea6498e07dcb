"""Nothing leaves the machine, seen from outside the process: `build`, `ask` and the app run in a network
namespace with only loopback, under strace, and any connect or DNS lookup beyond loopback fails the test.

pytest-socket (the suite's block) sees only Python's sockets; this sees native code too, where ONNX
Runtime's telemetry looked up mobile.events.data.microsoft.com about 10 s after it was imported.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, ROOT

pytestmark = [pytest.mark.model, pytest.mark.browser]
APP_SECONDS = 35  # the telemetry's first lookup came 9-10 s after onnxruntime was imported, then every 5-8 s
_ADDRESS = re.compile(
    r'sa_family=(AF_INET6?), sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")'
)


def outside_attempts(trace: str) -> list[str]:
    """Lines of an strace log that reach for an address beyond loopback, or make a DNS query (port 53)."""
    found = []
    for line in trace.splitlines():
        match = _ADDRESS.search(line)
        if not match:
            continue  # AF_UNIX, AF_NETLINK, or a send on a socket already connected (its connect is logged)
        port, address = int(match.group(2)), ipaddress.ip_address(match.group(3) or match.group(4))
        mapped = getattr(address, "ipv4_mapped", None)
        if port == 53 or not (mapped or address).is_loopback:
            found.append(line.strip())
    return found


def test_outside_attempts_are_recognised() -> None:
    v4 = "{{sa_family=AF_INET, sin_port=htons({}), sin_addr=inet_addr(\"{}\")}}, 16)"
    v6 = "{{sa_family=AF_INET6, sin6_port=htons({}), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"{}\", &sin6_addr)}}"
    dns = "7193  connect(9, " + v4.format(53, "10.255.255.53") + " = -1 ENETUNREACH (Network is unreachable)"
    out6 = "12 connect(5, " + v6.format(443, "2a01:111:f100::1") + ", 28) = -1 ENETUNREACH"
    stub = "12 sendto(4, \"abc\", 3, 0, " + v4.format(53, "127.0.0.53") + " = -1 ECONNREFUSED"
    local = "12 connect(5, " + v4.format(8501, "127.0.0.1") + " = 0"
    local6 = "12 connect(5, " + v6.format(8501, "::1") + ", 28) = 0"
    unix = '12 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT'
    assert outside_attempts("\n".join([dns, out6, local, local6, unix, stub])) == [dns, out6, stub]


def _namespace() -> list[str]:
    """unshare for a new network namespace: as root (CI), or in a user namespace mapped to root."""
    assert shutil.which("unshare"), "util-linux's unshare is needed"
    assert shutil.which("strace"), "install strace (make test does)"
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-r", "-n"]


def test_build_ask_and_the_app_reach_nothing_beyond_loopback(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "digest_2016.txt", corpus)
    # the product must switch telemetry off itself: nothing set by this suite or the caller may do it for it
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY" and k != "SCR_SCREENSHOT_DIR"}
    driver = [sys.executable, str(ROOT / "tests" / "netns_driver.py"), str(tmp_path), str(corpus), str(APP_SECONDS)]
    run = subprocess.run(_namespace() + driver, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["build"]["rc"] == 0, report["build"]["out"]
    assert report["ask"]["rc"] == 0 and "Kent - Child E" in report["ask"]["out"], report["ask"]["out"]
    assert report["app"]["error"] == "" and "Sources" in report["app"]["body"], report["app"]
    assert report["app"]["seconds"] >= APP_SECONDS
    traces = {p.stem: p.read_text() for p in sorted(tmp_path.glob("trace-*.txt"))}
    assert set(traces) == {"trace-build", "trace-ask", "trace-ui"}
    attempts = {name: outside_attempts(text) for name, text in traces.items()}
    assert attempts == {name: [] for name in traces}, attempts
