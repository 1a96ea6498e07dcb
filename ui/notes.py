"""Learning notes from practice: a short form checked for identifying details before saving, and the notes kept."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import escape_markdown, notes
from assistant.errors import IdentifyingDetailsError

st.title("Learning notes from practice")
store = st.session_state["learning"]
if store is None:
    st.error(escape_markdown(st.session_state.get("learning_error", "the learning database cannot be opened")))
    st.stop()
st.write(
    "Learning from a practice episode, an audit, a rapid review or a near miss, kept beside the reviews. "
    "Write it de-identified: it is checked for names, dates of birth, addresses, postcodes, phone and NHS numbers."
)
roles = st.session_state["assistant"].facets()["roles"]

with st.form("note_form"):
    title = st.text_input("Title", key="note_title")
    month_col, year_col = st.columns(2)
    month = month_col.number_input("Month", min_value=1, max_value=12, value=None, key="note_month")
    year = year_col.number_input("Year", min_value=1900, max_value=2100, value=None, key="note_year")
    setting = st.text_input("Setting (a GP practice, a school, an emergency department…)", key="note_setting")
    happened = st.text_area("What happened (short, de-identified)", key="note_happened")
    learned = st.text_area("What was learned", key="note_learned")
    chosen_roles = st.multiselect("Roles concerned", roles, key="note_roles")
    themes = st.text_input("Themes (comma separated)", key="note_themes")
    confirmed = st.checkbox("I have checked: nothing flagged identifies anyone", key="note_confirm")
    submitted = st.form_submit_button("Save note")

if submitted:
    draft = notes.NoteDraft(
        title=title,
        happened=happened,
        learned=learned,
        setting=setting,
        month=int(month) if month else None,
        year=int(year) if year else None,
        roles=tuple(chosen_roles),
        themes=tuple(t.strip() for t in themes.split(",") if t.strip()),
    )
    by = st.session_state.get("user_name") or ""
    if not by:
        st.error("Enter your name in the sidebar first: it is recorded with every note.")
    else:
        try:
            saved = notes.add_note(store, draft, by, confirmed_clean=confirmed)
            st.success(f"Note {saved.id} saved as a local learning note.")
        except IdentifyingDetailsError as exc:
            st.warning("Not saved: the note may identify someone. Remove each of these, or tick the box to confirm.")
            for f in exc.findings:
                st.markdown(f"- {escape_markdown(f.what)}: **{escape_markdown(f.text)}**")
        except ScrError as exc:
            st.error(escape_markdown(str(exc)))

stock = st.session_state["lesson_stock"]()
recurring = [g for g in stock.groups if g.reviews >= 2]


def _echoes(note: notes.Note) -> None:
    """The recurring lessons a note echoes ('this happened here too'), and a picker to link one more."""
    by_key = {g.key: g for g in recurring}
    for key in note.lessons:
        group = stock.group(key) if stock.resolves(key) else None  # a group's key may change on a rebuild
        text = f"\u201c{group.text}\u201d ({group.recurs})" if group else f"{key} (no longer in the index)"
        st.markdown(f"This happened here too: {escape_markdown(text)}")
    options = [g.key for g in recurring if g.key not in note.lessons]
    if not options:
        return
    with st.form(f"link_{note.id}", border=False):
        chosen = st.selectbox(
            "Echoes a recurring lesson",
            options,
            index=None,
            format_func=lambda k: f"{by_key[k].text[:110]} ({by_key[k].recurs})",
            key=f"link_choice_{note.id}",
        )
        if st.form_submit_button("Link the note to it") and chosen:
            by = st.session_state.get("user_name") or ""
            if not by:
                st.error("Enter your name in the sidebar first: it is recorded with every change.")
                return
            try:
                notes.link_note(store, note.id, chosen, by)
            except ScrError as exc:
                st.error(escape_markdown(str(exc)))
                return
            st.rerun()


kept = notes.list_notes(store)
st.subheader(f"{len(kept)} learning note(s)")
for note in kept:
    when = f"{note.month:02d}/{note.year}" if note.month and note.year else str(note.year or "")
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(note.title)}** · {escape_markdown(when)} · {escape_markdown(note.setting)}")
        st.caption(f"{notes.LABEL} · by {escape_markdown(note.created_by)}")
        st.markdown(escape_markdown(note.happened))
        if note.learned:
            st.markdown(f"**Learned:** {escape_markdown(note.learned)}")
        tags = [*note.roles, *note.themes]
        if tags:
            st.caption(escape_markdown(" · ".join(tags)))
        _echoes(note)
