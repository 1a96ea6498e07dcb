"""Actions on recommendations: what is overdue, slipping or done without evidence of impact, and the board report."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError, Settings
from assistant.api import FLAG_WORDS, board_csv, board_docx, check_links, escape_markdown
from assistant.api import actions as act
from assistant.settings import ACTION_STATUSES

st.title("Actions")
store = st.session_state["learning"]
if store is None:
    st.error(escape_markdown(st.session_state.get("learning_error", "the learning database cannot be opened")))
    st.stop()
settings = Settings.from_env()
today = act.today(settings)
records = st.session_state["assistant"].records()
titles = {r.case_id: r.title for r in records}
by = st.session_state.get("user_name") or ""

with st.expander("Record an action on a recommendation", expanded=not act.list_actions(store)):
    with st.form("action_form"):
        source = st.selectbox("Review", list(titles), format_func=titles.get, key="action_source")
        recommendation = st.text_area("Recommendation (as the review words it)", key="action_recommendation")
        owner = st.text_input("Owner agency", key="action_owner")
        lead = st.text_input("Lead", key="action_lead")
        due = st.date_input("Due", key="action_due", value=today)
        if st.form_submit_button("Add action"):
            if not by:
                st.error("Enter your name in the sidebar first: it is recorded with every change.")
            else:
                try:
                    made = act.add_action(store, source, recommendation, owner, due, by, lead)
                    st.success(f"Action {made.id} added.")
                except ScrError as exc:
                    st.error(escape_markdown(str(exc)))

every = act.list_actions(store)
attention = act.needing_attention(store, settings)
st.caption(f"As at {today.isoformat()}: {len(every)} action(s).")
links = check_links(store, st.session_state["lesson_stock"]())  # a rebuilt index may have lost a review
(st.warning if links.broken else st.caption)(escape_markdown(links.line))
for flag in ("overdue", "slipping", "no-impact-evidence"):
    found = attention.get(flag, [])
    st.subheader(f"{FLAG_WORDS[flag].capitalize()} ({len(found)})")
    for a in found:
        st.markdown(
            f"- **{a.id}.** {escape_markdown(a.recommendation)} · {escape_markdown(a.owner)} · due {a.due.isoformat()}"
            f" · source: {escape_markdown(titles.get(a.source_case, a.source_case))}"
        )

st.subheader("Update an action")
if every:
    chosen = st.selectbox(
        "Action",
        [a.id for a in every],
        key="update_id",
        format_func=lambda i: f"{i}. {act.get_action(store, i).recommendation[:80]}",
    )
    current = act.get_action(store, chosen)
    opened = st.session_state.setdefault(f"opened_{chosen}", current.version)
    with st.form("update_form"):
        status = st.selectbox(
            "Status", ACTION_STATUSES, index=ACTION_STATUSES.index(current.status), key="update_status"
        )
        evidence = st.text_area("Evidence", value=current.evidence, key="update_evidence")
        if st.form_submit_button("Save change"):
            try:
                done = act.update_action(
                    store, chosen, by or "unknown", opened=opened, status=status, evidence=evidence
                )
                st.session_state[f"opened_{chosen}"] = done.version
                st.success(f"Action {chosen} saved (version {done.version}).")
            except ScrError as exc:
                st.session_state[f"opened_{chosen}"] = act.get_action(store, chosen).version
                st.error(escape_markdown(str(exc)))

    st.subheader("Board report")
    left, right = st.columns(2)
    left.download_button("Board report (Word)", board_docx(every, today, settings.slipping_days), "board-report.docx")
    right.download_button("Board report (CSV)", board_csv(every, today, settings.slipping_days), "board-report.csv")
