"""The source view in a real browser: a PDF citation opens its page with the quote highlighted, a digest
citation opens its section with the sentence marked, and a deep link opens the same view in a new page."""

from __future__ import annotations

import io
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from assistant.reference import decode_quote, slug

from . import fixtures_files as fx
from .conftest import DATA
from .test_browser import _ask, _browser, _outside, _serve

pytestmark = [pytest.mark.model, pytest.mark.browser]
KENT_QUOTE = "poor information sharing between health and police."


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("source")
    corpus = root / "corpus"
    fx.make_pdf_report(corpus)
    shutil.copy(DATA / "digest_2016.txt", corpus)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    build_index(settings, embedder=load_embedder(settings), progress=False)
    with _serve(settings.index_dir, root) as (url, _):
        yield url, corpus


def _quote_box_in_pixels(pdf: Path, page: int, words: str, width: int) -> tuple[float, float]:
    """The centre of the first letter of ``words`` on ``page``, as pypdfium2 reports it, in an image of ``width``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        sheet = document[page - 1]
        textpage = sheet.get_textpage()
        index, _ = textpage.search(words).get_next()
        left, bottom, right, top = textpage.get_charbox(index)
        scale = width / sheet.get_width()
        return (left + right) / 2 * scale, (sheet.get_height() - (top + bottom) / 2) * scale
    finally:
        document.close()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCR_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_pdf_citation_opens_its_page_with_the_quote_highlighted(served: tuple[str, Path], tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    url, corpus = served
    requests: list[str] = []
    with _browser() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1300})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        _ask(page, "who should tell health visitors about button batteries")
        link = page.get_by_role("link", name=re.compile(r"Open \[\d+\] at the source, page \d")).first
        link.wait_for(timeout=90_000)
        params = parse_qs(urlparse(link.get_attribute("href")).query)
        number, quote = int(params["page"][0]), decode_quote(params["q"][0])
        link.click()
        page.get_by_text(f"Page {number} of {fx.PDF_PAGES}").first.wait_for(timeout=60_000)
        image = page.locator("[data-testid='stImage'] img").first
        image.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        body = page.inner_text("body")
        address = page.url
        source = image.get_attribute("src")
        page.screenshot(path=str(_shots(tmp_path) / "source-pdf.png"))
    with urllib.request.urlopen(source if source.startswith("http") else url + source, timeout=10) as response:
        png = Image.open(io.BytesIO(response.read())).convert("RGB")
    section = next(name for name, _ in fx._PDF_BODY if slug(name) == params["section"][0])
    assert "Serious Case Review: Child R" in body and f"{section} · page {number}" in body
    assert f"Northshire (2019) Serious Case Review: Child R. {section}, p. {number}." in body  # reference to copy
    assert "source=northshire-child-r" in address and f"page={number}" in address
    # the highlight lies over the quote where pypdfium2 puts its text, and not over the running header
    x, y = _quote_box_in_pixels(corpus / fx.PDF_NAME, number, " ".join(quote.split()[:3]), png.width)
    hx, hy = _quote_box_in_pixels(corpus / fx.PDF_NAME, number, "Overview Report", png.width)

    def redness(cx: float, cy: float) -> float:
        red, _, blue = ImageStat.Stat(png.crop((int(cx) - 6, int(cy) - 4, int(cx) + 6, int(cy) + 4))).mean
        return red - blue

    assert redness(x, y) > 40 and redness(hx, hy) < 5
    assert _outside(requests) == []


def test_a_digest_citation_opens_its_section_with_the_sentence_marked(served: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = served
    with _browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        _ask(page, "poor information sharing between health and police")
        link = page.get_by_role("link", name="at the source").first
        link.wait_for(timeout=90_000)
        link.click()
        page.get_by_text("LSCB (2016) Serious case review").wait_for(timeout=60_000)
        marked = page.locator("[data-testid='stMarkdownContainer'] span", has_text="poor information sharing").first
        marked.wait_for(timeout=30_000)
        colour = marked.evaluate("e => getComputedStyle(e).backgroundColor")
        body = page.inner_text("body")
        address = page.url
        page.screenshot(path=str(_shots(tmp_path) / "source-section.png"))
        # the deep link, pasted into a new browser page, opens the same view
        fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
        fresh.goto(f"{url}/?{address.split('?', 1)[1]}")
        fresh.get_by_text("LSCB (2016) Serious case review").wait_for(timeout=60_000)
        again = fresh.inner_text("body")
        remarked = fresh.locator("[data-testid='stMarkdownContainer'] span", has_text="poor information sharing")
        marked_again = remarked.count()
        # the neighbouring section is one click away
        fresh.get_by_role("button", name="Learning →").click()
        fresh.get_by_text("professional curiosity; the voice of the child.").first.wait_for(timeout=30_000)
        after = fresh.inner_text("body")
    assert "Kent - Child E" in body and "Key issues" in body and "December 2016" in body
    assert "Keywords: neglect, drug and alcohol misuse" in body
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "Kent LSCB (2016) Serious case review: Child E. Key issues." in body
    assert "source=2016-12-kent-child-e" in address and "section=key-issues" in address
    assert "Kent LSCB (2016) Serious case review: Child E. Key issues." in again and marked_again >= 1
    assert "Kent LSCB (2016) Serious case review: Child E. Learning." in after
