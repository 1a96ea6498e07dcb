"""The source view: a cited passage in its whole section, highlighted, with a report's page as an image.

Reached from every citation, and by its own address: /?source=CASE_ID&section=SECTION[&page=N][&q=QUOTE TOKEN].
"""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import decode_quote, escape_markdown, render_page, shared_cache, source_view

assistant = st.session_state["assistant"]
EARLIER = 700  # characters of a section shown before its quote; the rest waits in an expander above


def go(**changes: str | int | None) -> None:
    """Open another section or page of the same record (one click: the address changes with it)."""
    for key, value in changes.items():
        if value is None:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value)


def highlighted(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The text as markdown with each span on a coloured background; every piece of it escaped."""
    out, pos = [], 0
    for start, end in spans:
        out.append(escape_markdown(text[pos:start]))
        out.append(f":orange-background[**{escape_markdown(text[start:end])}**]")
        pos = end
    out.append(escape_markdown(text[pos:]))
    return "".join(out).replace("\n", "  \n")


def show_text(view) -> None:  # noqa: ANN001 - an assistant SourceView
    """The section's text, the quote marked and in view: what comes long before it waits in an expander."""
    text, spans = view.text, view.highlights
    cut = 0
    if spans and spans[0][0] > EARLIER:
        cut = max(text.rfind("\n", 0, spans[0][0] - EARLIER // 2), text.rfind(". ", 0, spans[0][0] - EARLIER // 2) + 2)
        cut = max(cut, 0)
    if cut:
        with st.expander("Earlier in this section"):
            st.markdown(escape_markdown(text[:cut]).replace("\n", "  \n"))
    moved = tuple((s - cut, e - cut) for s, e in spans)
    with st.container(border=True, key="source_text"):
        st.markdown(highlighted(text[cut:], moved))


def show_page(view) -> None:  # noqa: ANN001 - an assistant SourceView
    """The report's page as an image, the quote's boxes highlighted, its neighbours and the original file."""
    settings = assistant.settings
    try:
        image = render_page(view.file, view.page, view.quote, settings.page_scale, shared_cache(settings.page_cache_mb))
    except (ScrError, OSError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    before, where, after = st.columns([1, 2, 1])
    before.button(
        "Previous page", key="page_prev", on_click=go, kwargs={"page": image.page - 1}, disabled=image.page <= 1
    )
    where.markdown(f"**Page {image.page} of {image.page_count}**")
    after.button(
        "Next page",
        key="page_next",
        on_click=go,
        kwargs={"page": image.page + 1},
        disabled=image.page >= image.page_count,
    )
    marked = " · the quoted text is highlighted" if image.boxes else ""
    st.image(image.png, caption=f"Page {image.page} of {image.page_count}{marked}", width="stretch")
    st.download_button(
        "Download the original file", view.file.read_bytes(), file_name=view.file.name, mime="application/pdf"
    )


params = st.query_params
try:
    page = int(params["page"]) if params.get("page") else None
    view = source_view(
        assistant, params.get("source", ""), params.get("section"), page, decode_quote(params.get("q", ""))
    )
except ValueError:
    st.error("The page in this address is not a number.")
    st.stop()
except ScrError as exc:
    st.title("Source")
    st.error(escape_markdown(str(exc)))
    st.stop()

st.query_params.from_dict(view.params)  # the address bar shows this view's own address, to copy or bookmark
st.title(escape_markdown(view.title))
st.markdown(" · ".join(f"**{label}:** {escape_markdown(value)}" for label, value in view.facts))
where = f" · page {view.page}" if view.page else ""
st.subheader(f"{escape_markdown(view.section)}{where}")
if view.quote and not view.highlights:
    st.caption("The quoted text is not in this section.")

left, right = st.columns(2)
left.button(
    f"← {view.previous}" if view.previous else "No earlier section",
    key="section_prev",
    on_click=go,
    kwargs={"section": view.previous, "page": None, "q": None},
    disabled=view.previous is None,
)
right.button(
    f"{view.next} →" if view.next else "No later section",
    key="section_next",
    on_click=go,
    kwargs={"section": view.next, "page": None, "q": None},
    disabled=view.next is None,
)

if view.file is not None and view.page:
    text_column, page_column = st.columns([2, 3])
    with text_column:
        show_text(view)
    with page_column:
        show_page(view)
else:
    show_text(view)

st.caption("Reference to copy (for slides and reports)")
st.code(view.reference, language=None, wrap_lines=True)
st.caption("Link to this passage (for a colleague using this installation)")
base = (st.context.url or "").split("?")[0].rstrip("/")
base = base.removesuffix("/source")
st.code(f"{base}/?{view.link}", language=None, wrap_lines=True)
