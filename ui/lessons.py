"""The Lessons page: every finding, learning point and recommendation, most recurrent first, by theme and profession,
searchable, each quote one click from its source; key lessons in a trainer's own words; 7-minute briefings."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import briefing as brief
from assistant.api import check_links, escape_markdown, role_label, theme_label
from assistant.api import key_lessons as kl

PAGE = 20  # recurring lessons shown before 'Show more'
EVERY_THEME, EVERYONE = "Every theme", "Everyone"

assistant = st.session_state["assistant"]
store = st.session_state["learning"]
stock = st.session_state["lesson_stock"]()
records = assistant.records()
st.title("Lessons")
recurring = [g for g in stock.groups if g.reviews >= 2]
st.caption(
    f"{len(stock.lessons)} findings, learning points and recommendations from "
    f"{len({m.source.case_id for m in stock.lessons})} reviews; {len(recurring)} recur in two or more reviews."
)
if store is not None:
    links = check_links(store, stock)
    (st.warning if links.broken else st.caption)(escape_markdown(links.line))


def download_pair(made: brief.Briefing, name: str, key: str) -> None:
    """Word and Markdown downloads of one briefing."""
    left, right = st.columns(2)
    left.download_button("Briefing (Word)", brief.briefing_docx(made), f"{name}.docx", key=f"{key}_docx")
    right.download_button("Briefing (Markdown)", brief.briefing_markdown(made), f"{name}.md", key=f"{key}_md")


def show_sources(group) -> None:  # noqa: ANN001 - a RecurringLesson
    """Each lesson of a group: its reference, the verbatim quote, and a link to it at its source."""
    for m in group.lessons:
        st.markdown(f"“{escape_markdown(m.text)}”  \n*{escape_markdown(m.source.reference)}*")
        st.page_link("source.py", label="Open at the source", query_params=m.source.link_params, width="content")


themes = stock.themes()
left, middle, right = st.columns([2, 2, 3])
theme = left.selectbox(
    "Theme",
    [EVERY_THEME, *[k for k, _, _ in themes]],
    key="lessons_theme",
    format_func=lambda k: k if k == EVERY_THEME else f"{theme_label(k)} ({dict((t, n) for t, _, n in themes)[k]})",
)
role = middle.selectbox(
    "Profession",
    [EVERYONE, *[r for r, _ in stock.roles()]],
    key="lessons_role",
    format_func=lambda r: r if r == EVERYONE else role_label(r).capitalize(),
)
words = right.text_input("Search the lessons", key="lessons_search", placeholder="e.g. fathers, bruising, referral")
only_recurring = st.checkbox("Only lessons that recur in two or more reviews", value=True, key="lessons_recurring")
try:
    shown = stock.select(
        theme=None if theme == EVERY_THEME else theme,
        role=None if role == EVERYONE else role,
        words=words,
        recurring=only_recurring,
    )
except ScrError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()

if theme != EVERY_THEME:
    with st.container(border=True):
        st.markdown(f"**7-minute briefing on {escape_markdown(theme_label(theme))}**")
        try:
            download_pair(brief.theme_briefing(stock, records, theme), f"briefing-{theme}", "theme_briefing")
        except ScrError as exc:
            st.info(escape_markdown(str(exc)))

st.subheader(f"{len(shown)} {'lesson' if len(shown) == 1 else 'lessons'}, most recurrent first")
if not shown:
    st.info("No lesson matches. Choose another theme or profession, clear the search, or show lessons of one review.")
limit = st.session_state.setdefault("lessons_limit", PAGE)
for group in shown[:limit]:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(group.recurs.capitalize())}**  \n“{escape_markdown(group.text)}”")
        tags = [theme_label(t) for t in group.themes[:4]] + [role_label(r) for r in group.roles[:3]]
        if tags:
            st.caption(escape_markdown(" · ".join(tags)))
        with st.expander(f"Sources ({len(group.lessons)})"):
            show_sources(group)
if len(shown) > limit and st.button(f"Show more ({len(shown) - limit} left)", key="lessons_more"):
    st.session_state["lessons_limit"] = limit + PAGE
    st.rerun()

if shown:
    st.subheader("A 7-minute briefing")
    chosen = st.selectbox(
        "Lesson",
        range(min(len(shown), limit)),
        key="lessons_briefing_of",
        format_func=lambda i: f"{shown[i].text[:90]} ({shown[i].recurs})",
    )
    download_pair(brief.group_briefing(stock, records, shown[chosen]), "briefing", "group_briefing")

st.subheader("Key lessons in your own words")
if store is None:
    st.error(escape_markdown(st.session_state.get("learning_error", "the learning database cannot be opened")))
    st.stop()
quotes = {m.key: m for g in shown[:limit] for m in g.lessons}
with st.form("key_lesson_form"):
    title = st.text_input("Title", key="key_title")
    text = st.text_area("The lesson, in your words", key="key_text")
    linked = st.multiselect(
        "Source quotes it rests on (from the lessons shown above)",
        list(quotes),
        key="key_sources",
        format_func=lambda k: f"{quotes[k].source.title} ({quotes[k].source.year}): {quotes[k].text[:80]}",
    )
    tags = st.text_input("Tags (comma separated)", key="key_tags")
    if st.form_submit_button("Save key lesson"):
        by = st.session_state.get("user_name") or ""
        if not by:
            st.error("Enter your name in the sidebar first: it is recorded with every key lesson.")
        else:
            picked = [quotes[k] for k in linked]
            try:
                saved = kl.add_key_lesson(
                    store,
                    title,
                    text,
                    [kl.SourceQuote(m.source.case_id, m.source.section, m.text) for m in picked],
                    by,
                    tags=[t for t in tags.split(",")],
                    themes=[t for m in picked for t in m.themes],
                    roles=[r for m in picked for r in m.roles],
                    lesson_key=stock.group(picked[0].key).key if picked else None,
                )
                st.success(f"Key lesson {saved.id} saved.")
            except ScrError as exc:
                st.error(escape_markdown(str(exc)))

for k in kl.list_key_lessons(store):
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(k.title)}**  \n{escape_markdown(k.text)}")
        st.caption(escape_markdown(" · ".join([f"by {k.created_by}", *k.tags])))
        for s in k.sources:
            if stock.resolves(s.key):
                lesson = next(m for m in stock.group(s.key).lessons if m.key == s.key)
                st.markdown(f"“{escape_markdown(s.quote)}”  \n*{escape_markdown(lesson.source.reference)}*")
                st.page_link(
                    "source.py", label="Open at the source", query_params=lesson.source.link_params, width="content"
                )
            else:
                st.markdown(f"“{escape_markdown(s.quote)}” · *no longer in the index ({escape_markdown(s.case_id)})*")
        try:
            download_pair(brief.key_lesson_briefing(stock, records, k), f"key-lesson-{k.id}", f"key_{k.id}")
        except ScrError as exc:
            st.info(escape_markdown(str(exc)))
