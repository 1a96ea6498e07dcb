"""The crafted review in the real app in headless Chromium: every page it appears on, with a loopback
listener (standing in for an outside host) that must see no request, and no live image or link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .crafted import listener, write_crafted_corpus
from .test_browser import _ask, _browser, _outside, _serve

pytestmark = [pytest.mark.model, pytest.mark.browser]


# The app's own link to a citation's source view: an id and a section as slugs, a page number and the quote as
# a base64url token, so nothing from a file's text is in it (a crafted file's id may still hold the port's digits).
# Matched whole (fullmatch: no trailing newline, no extra parameter); q is base64url only, never other letters.
SOURCE_VIEW = re.compile(
    r"(?:source|/)?\?source=[a-z0-9-]+(?:&section=[a-z0-9-]+)?(?:&page=\d+)?(?:&q=[A-Za-z0-9_-]+)?"
)
# the app's own pages, in its navigation: each page of ui/ is served at its file's name (app.py is the frame)
PAGES = ("", *sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "ui").glob("*.py") if p.stem != "app"))


def _hrefs(page: object) -> list[str]:
    """Every address an element on the page points at (src, href, srcset, xlink:href)."""
    return page.eval_on_selector_all(
        "body [src], body [href], body [srcset], body [xlink\\:href]",
        "els => els.flatMap(e => ['src', 'href', 'srcset', 'xlink:href'].map(a => e.getAttribute(a)))"
        ".filter(u => u !== null)",
    )


def _live(page: object, app_url: str) -> list[str]:
    """Every image and link on the page that the app did not make itself: anything but Streamlit's
    "#heading" anchors, its navigation to its own pages and a source-view link of exactly that shape."""
    own = {f"{app_url}/{p}" for p in PAGES} | {f"/{p}" for p in PAGES}
    found = _hrefs(page)
    return [u for u in found if not re.fullmatch(r"#[\w-]*", u) and u not in own and not SOURCE_VIEW.fullmatch(u)]


def test_crafted_review_is_inert_on_every_page_of_the_real_app(tmp_path: Path) -> None:
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder
    from assistant.settings import Settings

    with listener() as (port, seen):
        settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
        write_crafted_corpus(settings.corpus_dir, port)
        build_index(settings, embedder=load_embedder(settings), progress=False)
        requests: list[str] = []
        dialogs: list[str] = []
        live: dict[str, list[str]] = {}
        with _serve(settings.index_dir, tmp_path) as (url, _), _browser() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            _ask(page, "the mother's partner was not assessed: neglect of a boy")
            page.get_by_text("Full case record").first.wait_for(timeout=90_000)
            for expander in page.get_by_text("Full case record").all():
                expander.click()
            _ask(page, "what happened to Bartholomew Zzyzx")
            page.get_by_text("This collection holds").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            live["chat"] = _live(page, url)
            chat = page.inner_text("body")
            page.get_by_role("button", name="Add to training pack").first.click()
            page.get_by_role("link", name="Training pack (1)").wait_for(timeout=30_000)
            page.get_by_role("link", name="Case library").click()
            page.get_by_text("Open a case").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            live["library"] = _live(page, url)
            page.get_by_role("link", name="Themes").click()
            page.get_by_text("Cases for the theme").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            live["themes"] = _live(page, url)
            page.get_by_role("link", name="Training pack (1)").click()
            page.get_by_text("Download as Markdown").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            live["pack"] = _live(page, url)
            pack_links = [u for u in _hrefs(page) if SOURCE_VIEW.fullmatch(u)]
        assert "kwlink" in chat and "summary link" in chat  # the crafted text is shown...
        assert live == {"chat": [], "library": [], "themes": [], "pack": []} and dialogs == []  # ...never live
        assert pack_links  # the pack's quotes link to the source view, in the one shape allowed
        assert _outside(requests) == [] and not [r for r in requests if f":{port}" in r]
        assert seen == []
