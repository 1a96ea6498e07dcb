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
SOURCE_VIEW = re.compile(r"^(?:source|/)?\?source=[a-z0-9-]+(?:&section=[a-z0-9-]+)?(?:&page=\d+)?(?:&q=[\w-]+)?$")


def _live(page: object, port: int) -> list[str]:
    """Images and links on the page that come from the crafted text."""
    found = page.eval_on_selector_all(
        "img, a[href]", "els => els.map(e => e.getAttribute('src') ?? e.getAttribute('href'))"
    )
    # Streamlit's own "#heading" anchors and icons are not from the text; anything else that names the
    # listener, an address from the text, or a script is
    crafted = (str(port), "mailto:", "javascript:", "example.org", "127.0.0.1\\")
    return [
        u
        for u in found
        if u and not u.startswith("#") and not SOURCE_VIEW.match(u) and (u == "x" or any(c in u for c in crafted))
    ]


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
            live["chat"] = _live(page, port)
            chat = page.inner_text("body")
            page.get_by_role("link", name="Case library").click()
            page.get_by_text("Open a case").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            live["library"] = _live(page, port)
            page.get_by_role("link", name="Themes").click()
            page.get_by_text("Cases for the theme").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            live["themes"] = _live(page, port)
        assert "kwlink" in chat and "summary link" in chat  # the crafted text is shown...
        assert live == {"chat": [], "library": [], "themes": []} and dialogs == []  # ...never live
        assert _outside(requests) == [] and not [r for r in requests if f":{port}" in r]
        assert seen == []
