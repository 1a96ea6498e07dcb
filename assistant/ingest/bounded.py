"""Run one file's reader in a child process with a wall-clock and a memory budget.

A hostile file (a zip bomb, a page nested 100,000 deep, a pattern that backtracks) can then neither
hang nor exhaust this process, and it cannot hold the interpreter lock that other browser sessions'
questions need: the parent only waits on a pipe. The child is forked, so it starts in milliseconds
with the parser already imported; its address space is capped at what it had plus the budget
(``resource.setrlimit``), and it is killed when the time is up. A spent budget, a crash or any error
in the child comes back as one ParseError naming the file. Where fork is not available the reader runs
in this process, unbounded.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assistant.errors import ParseError

T = TypeVar("T")
_FORK = "fork" in multiprocessing.get_all_start_methods()


def run_bounded(function: Callable[..., T], args: tuple[Any, ...], path: Path, seconds: float, memory_mb: float) -> T:
    """``function(*args)`` run in a child process given ``seconds`` of wall-clock time and ``memory_mb``
    MB of memory beyond what it starts with; ParseError naming ``path`` when either is spent or it fails."""
    if not _FORK:
        return function(*args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, function, args, seconds, memory_mb), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise ParseError(path, 0, _over_time(seconds))
        try:
            outcome = receive.recv()
        except EOFError:  # the child died without answering
            child.join(1)
            outcome = ("crashed", child.exitcode)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    return _result(outcome, path, seconds, memory_mb)


def _over_time(seconds: float) -> str:
    return f"took more than {seconds:g} s to read: not a review this reads (setting SCR_READ_SECONDS)"


def _result(outcome: tuple[Any, ...], path: Path, seconds: float, memory_mb: float) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "parse":
        raise ParseError(outcome[1], outcome[2], outcome[3])
    if kind == "memory":
        why = f"needs more than {memory_mb:g} MB of memory to read: not a review this reads"
        raise ParseError(path, 0, f"{why} (setting SCR_READ_MEMORY_MB)")
    if kind == "deep":
        raise ParseError(path, 0, "is nested too deeply to read: not a review this reads")
    if kind == "os":
        raise ParseError(path, 0, f"cannot be read ({outcome[1]})")
    if kind == "crashed":
        code = outcome[1]
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            raise ParseError(path, 0, _over_time(seconds) if code == -signal.SIGXCPU else "the reader was killed")
        raise ParseError(path, 0, f"the reader stopped without an answer (exit code {code}): a damaged file?")
    raise ParseError(path, 0, f"could not be read ({outcome[1]}: {outcome[2]})")


def _child(send: Any, function: Callable[..., Any], args: tuple[Any, ...], seconds: float, memory_mb: float) -> None:
    """In the child: set the limits, run, and send back ("ok", result) or what went wrong."""
    limit, start_peak = 0, _peak()  # a forked child inherits its parent's peak
    try:
        limit = _limit(seconds, memory_mb)
        outcome: tuple[Any, ...] = ("ok", function(*args))
    except ParseError as exc:
        outcome = ("parse", str(exc.path), exc.line, exc.reason)
    except MemoryError:
        outcome = ("memory",)
    except RecursionError:
        outcome = ("deep",)
    except OSError as exc:
        outcome = ("os", exc.strerror or str(exc))
    except BaseException as exc:  # noqa: BLE001 - a reader library failing on one file is reported, not raised
        outcome = ("error", type(exc).__name__, str(exc)[:120])
    if outcome[0] != "ok" and limit and _peak() > max(limit - 32 * 1024 * 1024, start_peak):
        outcome = ("memory",)  # a library that failed at the cap (lxml: "unknown error") ran out of memory
    try:
        send.send(outcome)
    except MemoryError:
        send.send(("memory",))
    finally:
        send.close()


def _limit(seconds: float, memory_mb: float) -> int:
    """Cap this process's address space at its current size plus ``memory_mb`` (the cap, in bytes, is
    returned), and its CPU time (a backstop, should the parent be gone and not kill it)."""
    cpu = math.ceil(seconds) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard))
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + int(memory_mb * 1024 * 1024)
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _address_space(field: str = "VmSize") -> int:
    """This process's virtual memory size (or another /proc figure) in bytes; 0 when /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _peak() -> int:
    return _address_space("VmPeak")
