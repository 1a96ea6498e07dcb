"""The case library: every case and document, searchable and filterable, and a page per case."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.present import record_markdown, when

assistant = st.session_state["assistant"]
st.title("Case library")

try:
    records = assistant.records(st.session_state["filters"])
except ScrError as exc:
    st.error(str(exc))
    st.stop()

query = st.text_input("Search the library", placeholder="e.g. neglect, SILP, Oldham, hidden pregnancy")
if query.strip() and records:
    try:
        ranked = [h.case_id for h in assistant.search(query, k=len(records) * 3, filters=st.session_state["filters"])]
    except ScrError as exc:
        st.error(str(exc))
        ranked = []
    by_id = {r.case_id: r for r in records}
    records = [by_id[c] for c in dict.fromkeys(ranked) if c in by_id]

st.caption(f"{len(records)} of {len(assistant.records())} cases and documents")
st.dataframe(
    {
        "Case": [r.title for r in records],
        "Date": [when(r) for r in records],
        "Area": [r.area for r in records],
        "Keywords": [", ".join(getattr(r, "keywords", ())) for r in records],
        "Id": [r.case_id for r in records],
    },
    hide_index=True,
    width="stretch",
)

if records:
    titles = {r.case_id: f"{r.title} ({when(r)})" if when(r) else r.title for r in records}
    chosen = st.selectbox("Open a case", list(titles), format_func=titles.get, key="library_case")
    record = assistant.record(chosen)
    with st.container(border=True):
        st.markdown(record_markdown(record, heading_level=3))
        if st.button("Add to training pack", key=f"library_pack_{chosen}", disabled=chosen in st.session_state["pack"]):
            st.session_state["pack"].append(chosen)
            st.rerun()
else:
    st.info("No case matches these filters and words. Clear a filter in the sidebar or try other words.")
