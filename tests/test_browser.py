"""End to end: the real Streamlit server, driven in headless Chromium with Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.model, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _serve(index: Path, workdir: Path, data: Path | None = None, today: str = "") -> Iterator[tuple[str, Path]]:
    """The real app, started as a user would (python -m assistant ui), on a free loopback port; its learning data
    in ``data`` (default: workdir/data) and, with ``today``, its clock fixed by SCR_TODAY."""
    port = _free_port()
    data = data or workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "SCR_SCREENSHOT_DIR"}  # the tests' own, not a setting
    env.update({"SCR_INDEX_DIR": str(index), "SCR_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"})
    if today:
        env["SCR_TODAY"] = today
    log = workdir / (f"server-{today}.log" if today else "server.log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ui", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.5)
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def served(real_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with _serve(real_index, tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="module")
def server(served: tuple[str, Path]) -> str:
    return served[0]


@contextlib.contextmanager
def _browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _outside(requests: list[str]) -> list[str]:
    return [
        u
        for u in requests
        if urlparse(u).hostname not in ("127.0.0.1", "localhost", "::1") and not u.startswith(("data:", "blob:"))
    ]


def _ask(page: object, question: str) -> None:
    page.get_by_placeholder("Ask about the case reviews…").fill(question)
    page.keyboard.press("Enter")


def test_chat_in_a_real_browser(server: str, tmp_path: Path) -> None:
    requests: list[str] = []
    dialogs: list[str] = []
    with _browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server)
        _ask(page, "cases involving concealed pregnancy")
        page.get_by_text("Full case record").first.wait_for(timeout=90_000)
        body = page.inner_text("body")
        shot = Path(os.environ.get("SCR_SCREENSHOT_DIR", tmp_path)) / "chat.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
    assert "Oldham - Child D" in body and "January 2015 · Oldham" in body  # the answer and its source card
    assert "insufficient professional curiosity" in body
    assert shot.stat().st_size > 10_000
    assert _outside(requests) == [] and dialogs == []


def test_count_role_and_nothing_found_in_a_real_browser(server: str, tmp_path: Path) -> None:
    requests: list[str] = []
    shots = Path(os.environ.get("SCR_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    bodies = {}
    asks = {
        "count": ("how many reviews involve domestic abuse, broken down by age?", "Every review counted"),
        "role": ("I'm a midwife - what should I learn about domestic abuse?", "Sources"),
        "none": ("how much ibuprofen can a toddler have for a temperature", "Nearest reviews"),
    }
    with _browser() as browser:
        for name, (question, ready) in asks.items():
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(server)
            _ask(page, question)
            page.get_by_text(ready).first.wait_for(timeout=90_000)
            if name == "count":  # the chart draws after the text: wait for it rather than for a fixed time
                page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=30_000)
            page.wait_for_timeout(500)
            bodies[name] = page.inner_text("body")
            if name == "count":
                charts = page.locator("[data-testid='stVegaLiteChart']").count()
            page.get_by_text(question).first.scroll_into_view_if_needed()  # the answer from its top
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / f"answer-{name}.png"))
            if name == "count":
                page.get_by_role("button", name=re.compile("See all .* in the case library")).click()
                page.get_by_text("reviews counted in the chat's answer").wait_for(timeout=30_000)
                bodies["library"] = page.inner_text("body")
    assert re.search(r"\*?\*?\d+ of the 19 case reviews", bodies["count"]) and "by age" in bodies["count"]
    assert charts == 1 and "Showing the" in bodies["library"]
    assert "lens: midwives (from your question)" in bodies["role"]
    assert "No review in this collection mentions" in bodies["none"] and "Nearest reviews" in bodies["none"]
    assert _outside(requests) == []


def test_five_simultaneous_chat_sessions_all_get_their_answers(served: tuple[str, Path]) -> None:
    url, log = served
    questions = [
        "hidden pregnancy",
        "baby left alone in the bath",
        "teenager suicide in custody",
        "grooming of girls by older men",
        "what stops learning from SCRs reaching frontline staff?",
    ]
    expected = ["Oldham - Child D", "Lambeth - Child I", "Leeds - Child V", "Oxfordshire", "Barriers and enablers"]
    requests: list[str] = []
    with _browser() as browser:
        pages = [browser.new_page() for _ in questions]
        for page in pages:
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
        for page, question in zip(pages, questions, strict=True):
            _ask(page, question)  # all five are asked before any answer is awaited
        bodies = []
        for page in pages:
            page.get_by_text("Sources").first.wait_for(timeout=120_000)
            bodies.append(page.inner_text("body"))
    for body, name in zip(bodies, expected, strict=True):
        assert name in body
    assert _outside(requests) == []
    server_log = log.read_text()
    assert not any(q in server_log for q in questions)  # questions are not written to the server's log


def test_crafted_review_text_is_inert_in_the_browser(tmp_path: Path) -> None:
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder
    from assistant.settings import Settings

    from .conftest import DATA

    settings = Settings(corpus_dir=DATA / "injection", index_dir=tmp_path / "index")
    build_index(settings, embedder=load_embedder(settings), progress=False)
    requests: list[str] = []
    dialogs: list[str] = []
    with _serve(settings.index_dir, tmp_path) as (url, _), _browser() as browser:
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        _ask(page, "mother's partner was not assessed")
        page.get_by_text("Full case record").first.wait_for(timeout=90_000)
        page.get_by_text("Full case record").first.click()
        page.wait_for_timeout(1500)
        body = page.inner_text("body")
        injected_images = page.locator("img[src*='203.0.113.7'], img[src='x']").count()
        injected_links = page.locator("a[href*='203.0.113.7']").count()
    assert "onerror=alert(1)" in body and "<script>" in body  # shown as text...
    assert dialogs == [] and injected_images == 0 and injected_links == 0  # ...never run or fetched
    assert _outside(requests) == []


def test_upload_reviews_in_the_browser_then_ask_about_them(real_index: Path, tmp_path: Path) -> None:
    from assistant.indexing.build import build_index
    from assistant.settings import Settings

    from . import fixtures_files as fx
    from .conftest import SHIPPED_CORPUS

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    shutil.copytree(real_index, index)
    report = build_index(Settings(corpus_dir=corpus, index_dir=index), progress=False)  # moved corpus: no embedding
    assert report.embedded == 0 and not report.model_loaded
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    pdf, scanned = fx.make_pdf_report(incoming), fx.make_scanned_pdf(incoming)
    requests: list[str] = []
    with _serve(index, tmp_path) as (url, _), _browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        page.get_by_role("link", name="Case library").click()
        page.get_by_text("Add your own reviews").click()
        page.locator("input[type=file]").set_input_files([str(pdf), str(scanned)])
        page.get_by_role("button", name="Add to the library").click()
        page.get_by_text("Added 1 file(s)").wait_for(timeout=120_000)
        library = page.inner_text("body")
        shot = Path(os.environ.get("SCR_SCREENSHOT_DIR", tmp_path)) / "upload.png"
        page.screenshot(path=str(shot), full_page=True)
        page.get_by_role("link", name="Ask").click()
        _ask(page, "button battery swallowed by a toddler")
        # wait for the answer itself: under load "Sources" could be found before this answer was drawn
        page.get_by_text("Serious Case Review: Child R").first.wait_for(timeout=90_000)
        page.get_by_text("Sources").first.wait_for(timeout=90_000)
        answer = page.inner_text("body")
    assert "Not added: scanned-report.pdf: no extractable text: scanned PDF? run OCR first" in library
    assert "Serious Case Review: Child R" in answer and "page" in answer
    assert (corpus / fx.PDF_NAME).is_file() and not (corpus / "scanned-report.pdf").exists()
    assert _outside(requests) == []


def test_stopping_the_ui_command_stops_its_server(real_index: Path, tmp_path: Path) -> None:
    # `scr-assistant ui` becomes the Streamlit server, so a terminate (or Ctrl+C) reaches the server itself
    # and leaves nothing listening on the port
    with _serve(real_index, tmp_path) as (url, _):
        assert _healthy(url)
    deadline = time.monotonic() + 10
    while _healthy(url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _healthy(url)
