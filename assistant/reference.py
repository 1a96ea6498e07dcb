"""How a cited passage is named for slides and reports, and the app address that opens it."""

from __future__ import annotations

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


def source_params(case_id: str, section: str = "", page: int | None = None, quote: str = "") -> dict[str, str]:
    """The query parameters of the app's source view of a passage (those that apply)."""
    params = {"source": case_id}
    if section:
        params["section"] = section
    if page:
        params["page"] = str(page)
    if quote:
        params["quote"] = quote
    return params


def source_link(case_id: str, section: str = "", page: int | None = None, quote: str = "") -> str:
    """The query string of the app's source view of a passage: 'source=ID&section=S[&page=N][&quote=Q]'."""
    return urlencode(source_params(case_id, section, page, quote))
