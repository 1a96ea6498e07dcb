"""A crafted review whose every field (title, area, name, keywords, every section, the file name) holds
markup that would fetch from, or link to, a listener on this machine; the listener; and a check that
markdown shows none of it as live markup."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from markdown_it import MarkdownIt


def payload(base: str, tag: str) -> str:
    """Every kind of live markup seen so far, each pointing at ``base`` and naming ``tag``."""
    return (
        f"![{tag}]({base}/{tag}-image.png) [{tag} link]({base}/{tag}-link) <img src=\"{base}/{tag}-tag.png\"> "
        f'<a href="{base}/{tag}-anchor">{tag} anchor</a> <{base}/{tag}-autolink> {base}/{tag}-bare '
        f"www.{tag}.example.org mailto:{tag}@example.org {tag}.person@example.org [x](javascript:alert(1)) "
        f"[ref][{tag}]\n\n[{tag}]: {base}/{tag}-reference"
    )


def inline(base: str, tag: str) -> str:
    """The same on one line, for fields that are one line (a heading, a title, keywords)."""
    return payload(base, tag).split("\n")[0]


def file_name(port: int, suffix: str) -> str:
    """A file name carrying an image (browsers read ``\\`` in a web address as ``/``), an HTML tag and an address."""
    return f"crafted ![fn](http:\\\\127.0.0.1:{port}\\fn.png) <img src=x> fn@example.org{suffix}"


def write_crafted_corpus(folder: Path, port: int) -> list[Path]:
    """A digest case and a full report, both crafted throughout; returns their paths."""
    base = f"http://127.0.0.1:{port}"
    folder.mkdir(parents=True, exist_ok=True)
    digest = folder / file_name(port, ".txt")
    digest.write_text(
        "Case reviews for testing hostile text\n\n"
        # a heading's parts stay short: a long area is taken for a misspelt month (issue 18, fixed elsewhere)
        f"June 2016 - Testshire ![a]({base}/area.png) - Child Z [n]({base}/name) <img src=x>\n\n"
        f"Death of a 2-year-old boy from neglect. {payload(base, 'summary')}\n\n"
        f"Background: The mother's partner was not assessed. {inline(base, 'background')}\n\n"
        f"Key issues identified by the review include: hidden men. {inline(base, 'issues')}\n\n"
        f"Learning themes include: assess every adult in the household. {inline(base, 'learning')}\n\n"
        f"Recommendations: agencies should share information. {inline(base, 'recommendations')}\n\n"
        f"Keywords: neglect, hidden men, ![kw]({base}/kw.png), [kwlink]({base}/kwlink), mailto:kw@example.org, "
        f'<img src="{base}/kwtag.png">\n',
        encoding="utf-8",
    )
    report = folder / file_name(port, ".md")
    report.write_text(
        "---\n"
        f"title: Serious Case Review Child Q {inline(base, 'title')}\n"
        "year: 2019\n"
        f"area: Crafted {inline(base, 'rarea')}\n"
        f"name: Child Q {inline(base, 'rname')}\n"
        "---\n\n"
        f"# Serious Case Review: Child Q {inline(base, 'h1')}\n\n"
        f"This review concerns Child Q, a baby who was shaken. {payload(base, 'intro')}\n\n"
        f"## 1. Findings {inline(base, 'heading')}\n\n"
        f"The health visitor did not see the father. {payload(base, 'findings')}\n\n"
        "## Recommendations\n\n"
        f"Every agency should record who lives in the home. {payload(base, 'rrec')}\n",
        encoding="utf-8",
    )
    return [digest, report]


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@contextlib.contextmanager
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback web server standing in for an outside host: its port, and the paths asked of it."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


# What GitHub-flavoured markdown links with no markup (mdast-util-gfm-autolink-literal), looked for in text.
_LITERAL = re.compile(r"(?i)(?:https?://|www\.)[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+|(?:mailto|xmpp):\S")
_CODE = re.compile(r"<code>.*?</code>", re.S)


def live_markup(markdown: str) -> list[str]:
    """What in ``markdown`` a GFM renderer with raw HTML allowed would make live: tags, links, images and
    addresses outside code spans ([] when all of it is inert text)."""
    html = MarkdownIt("commonmark", {"html": True}).render(markdown)
    text = _CODE.sub("", html)
    found = re.findall(r"<(?:img|a|script|iframe|object|embed|link|style|b|svg)\b[^>]*>", text)
    found += _LITERAL.findall(re.sub(r"<[^>]*>", " ", text))
    return found
