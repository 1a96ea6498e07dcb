"""Themes: how often each keyword occurs across the reviews, and the cases behind each one."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import escape_markdown, when

assistant = st.session_state["assistant"]
st.title("Themes across the reviews")
st.write("How many reviews name each theme among their keywords. Choose a theme to see its cases.")

try:
    themes = assistant.themes(st.session_state["filters"])
except ScrError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()

if not themes:
    st.info("No case matches the filters in the sidebar.")
    st.stop()

shown = themes[:25]
st.bar_chart(
    {"theme": [t.name for t in shown], "reviews": [t.count for t in shown]},
    x="theme",
    y="reviews",
    x_label="",
    y_label="reviews naming the theme",
    horizontal=True,
    sort=False,  # most frequent first, as the library returns them
    height=max(240, 30 * len(shown)),
)
names = {t.name: t for t in themes}
choice = st.selectbox(
    "Cases for the theme", list(names), format_func=lambda n: f"{n} ({names[n].count})", key="theme_choice"
)
for case_id in names[choice].case_ids:
    record = assistant.record(case_id)
    with st.container(border=True):
        st.markdown(
            f"**{escape_markdown(record.title)}** · {when(record)}  \n{escape_markdown(record.sections()[0].text)}"
        )
        if st.button("Add to training pack", key=f"theme_pack_{case_id}", disabled=case_id in st.session_state["pack"]):
            st.session_state["pack"].append(case_id)
            st.rerun()
