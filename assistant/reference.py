"""How a cited passage is named for slides and reports, and the app address that opens it."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlencode

# Local Safeguarding Children Boards commissioned serious case reviews until 2019, when local safeguarding
# partnerships took over and the reviews became child safeguarding practice reviews.
PARTNERSHIPS_FROM = 2019


def reference(
    kind: str, title: str, area: str, year: int | None, section: str, page: int | None = None, name: str = ""
) -> str:
    """A citation in a standard form: 'Oldham LSCB (2015) Serious case review: Child D. Key issues.', with
    ', p. N' after the section for a paged report."""
    when = f"({year})" if year else "(n.d.)"
    where = f"{section}, p. {page}." if page else f"{section}."
    if kind == "case":
        child = name or title.removeprefix(f"{area} - ")
        if year and year >= PARTNERSHIPS_FROM:
            author, review = f"{area} Safeguarding Children Partnership", "Child safeguarding practice review"
        else:
            author, review = f"{area} LSCB", "Serious case review"
        return f"{author} {when} {review}: {child}. {where}"
    author = area or "Anon."
    return f"{author} {when} {title.rstrip('.')}. {where}"


def slug(text: str) -> str:
    """Lower-case ``text`` and turn each run of characters other than a-z and 0-9 into one ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def encode_quote(quote: str) -> str:
    """The quote as an opaque URL-safe token (base64url, unpadded): no corpus text appears in an address."""
    return base64.urlsafe_b64encode(quote.encode("utf-8")).decode("ascii").rstrip("=")


def decode_quote(token: str) -> str:
    """The quote an ``encode_quote`` token holds ('' for a token that is not one)."""
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def source_params(case_id: str, section: str = "", page: int | None = None, quote: str = "") -> dict[str, str]:
    """The query parameters of the app's source view of a passage (those that apply): the id, the section's
    slug, the page and the quote as an opaque token, so that an address carries no text from a file."""
    params = {"source": case_id}
    if section:
        params["section"] = slug(section)
    if page:
        params["page"] = str(page)
    if quote:
        params["q"] = encode_quote(quote)
    return params


def source_link(case_id: str, section: str = "", page: int | None = None, quote: str = "") -> str:
    """The query string of the app's source view of a passage: 'source=ID&section=SLUG[&page=N][&q=TOKEN]'."""
    return urlencode(source_params(case_id, section, page, quote))
