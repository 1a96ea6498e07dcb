"""SCR learning assistant: the browser app. Rendering only; every answer comes from the assistant library."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from assistant import Assistant, ScrError, Settings
from assistant.api import (
    AGE_BANDS,
    HARM_TYPES,
    REVIEW_MODELS,
    SUPPORT,
    Embedder,
    Filters,
    LessonStock,
    Store,
    clean_name,
    database_url,
    escape_markdown,
    header_user,
    load_embedder,
    read_pointer,
)

# No page_icon and no page icons: Streamlit fetches a material or emoji icon from outside this machine
# to use as the favicon.
st.set_page_config(page_title="SCR learning assistant", layout="wide")


@st.cache_resource(show_spinner="Loading the model…")
def shared_embedder(model: str, encoder: str) -> Embedder:
    """The embedding model, loaded once for every session and every build of the index (and warmed
    here, so that the first question does not wait for it)."""
    embedder = load_embedder(Settings.from_env())
    embedder.embed(["warm up the question encoder"])
    return embedder


@st.cache_resource(show_spinner="Loading the case reviews…", max_entries=2)
def load_assistant(index_dir: str, build: str) -> Assistant:
    """One assistant per live build of an index, for every browser session: it is read-only once
    loaded, and a new build (reviews added here or with ``scr-assistant add``) is loaded on the next run."""
    settings = Settings.from_env()
    # not strict: a corpus changed since the build (an interrupted add, say) is served from the last
    # complete index, with the assistant's notice shown on every page
    return Assistant.load(index_dir, embedder=shared_embedder(settings.model, settings.encoder), strict=False)


@st.cache_resource(show_spinner="Opening the learning database…")
def learning_store(url: str) -> Store:
    """The learning database (notes, actions), opened once for every session."""
    return Store.open(url=url)


@st.cache_resource(show_spinner="Gathering the lessons…", max_entries=2)
def lesson_stock(index_dir: str, build: str, similarity: float) -> LessonStock:
    """The lessons of one live build, grouped once for every session (on first use: the Lessons page, a link check)."""
    return LessonStock(load_assistant(index_dir, build).index, similarity)


def live_build(index_dir: Path) -> str:
    """The name of the live build folder ('' when there is none; a pointer that is not a name raises)."""
    return read_pointer(index_dir) or ""


try:
    index_dir = Settings.from_env().index_dir
    assistant = load_assistant(str(index_dir), live_build(index_dir))
except ScrError as exc:
    st.title("SCR learning assistant")
    st.error(escape_markdown(str(exc)))
    st.stop()

if assistant.notice:
    st.warning(escape_markdown(assistant.notice))  # it names corpus files: shown as text
facets = assistant.facets()
ANY = "Any"

with st.sidebar:
    st.subheader("Filters")
    years = facets["years"]
    year = None
    if len(years) > 1:
        low, high = st.slider("Years", min_value=years[0], max_value=years[-1], value=(years[0], years[-1]))
        year = None if (low, high) == (years[0], years[-1]) else f"{low}-{high}"
    elif years:
        st.caption(f"All reviews are from {years[0]}.")
    area = st.selectbox("Area", [ANY, *facets["areas"]], key="filter_area")
    model = st.selectbox(
        "Review model",
        [ANY, *facets["review_models"]],
        key="filter_model",
        format_func=lambda m: m if m == ANY else REVIEW_MODELS.get(m, ("Other",))[0],
    )
    keyword = st.selectbox("Theme / keyword", [ANY, *facets["keywords"]], key="filter_keyword")
    age = st.selectbox(
        "Age of the child", [ANY, *facets["age_bands"]], key="filter_age", format_func=lambda a: AGE_BANDS.get(a, a)
    )
    harm = st.selectbox("Harm", [ANY, *facets["harms"]], key="filter_harm", format_func=lambda h: HARM_TYPES.get(h, h))
    st.subheader("Profession lens")
    role = st.selectbox(
        "Put first the learning for",
        ["Everyone", *facets["roles"]],
        key="role",
        format_func=lambda r: r.replace("-", " ").capitalize(),
    )
    st.subheader("You")
    proxied = header_user(dict(st.context.headers), Settings.from_env())
    if proxied:
        st.caption(f"Changes are recorded as {escape_markdown(proxied)} (from your organisation's sign-in).")
        st.session_state["user_name"] = proxied
    else:
        st.session_state["user_name"] = clean_name(
            st.text_input("Your name, recorded with your notes and actions", key="user_name_input")
        )
    st.divider()
    st.caption(SUPPORT)

picked = {
    k: (None if v == ANY else v)
    for k, v in {"area": area, "review_model": model, "keyword": keyword, "age_band": age, "harm": harm}.items()
}
st.session_state["assistant"] = assistant
st.session_state["filters"] = Filters.from_strings(year=year, **picked)
st.session_state["role_lens"] = None if role == "Everyone" else role
st.session_state.setdefault("pack", [])
st.session_state["lesson_stock"] = functools.partial(
    lesson_stock, str(index_dir), live_build(index_dir), Settings.from_env().lesson_similarity
)
try:
    st.session_state["learning"] = learning_store(database_url(Settings.from_env()))
except ScrError as exc:
    st.session_state["learning"] = None
    st.session_state["learning_error"] = str(exc)

# A source view's own address, /?source=CASE_ID&section=S&page=N, opens it as the app's first page.
opening_source = "source" in st.query_params
pages = [
    st.Page("chat.py", title="Ask", default=not opening_source),
    st.Page("library.py", title="Case library"),
    st.Page("themes.py", title="Themes"),
    st.Page("pack.py", title=f"Training pack ({len(st.session_state['pack'])})"),
    st.Page("lessons.py", title="Lessons"),
    st.Page("notes.py", title="Learning notes"),
    st.Page("actions.py", title="Actions"),
    st.Page("source.py", title="Source", url_path="source", default=opening_source, visibility="hidden"),
]
st.navigation(pages).run()
