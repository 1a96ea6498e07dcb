"""The training pack: cases chosen from answers, the library or themes, downloaded as Markdown or Word."""

from __future__ import annotations

import streamlit as st

from assistant.api import discussion_questions, escape_markdown, pack_docx, pack_markdown, when

assistant = st.session_state["assistant"]
pack = st.session_state["pack"]
st.title("Training pack")

if not pack:
    st.info(
        "The pack is empty. Add cases with “Add to training pack” under an answer, in the case library "
        "or on the themes page."
    )
    st.stop()

st.write(
    f"{len(pack)} case(s). Each comes with its summary, key issues, learning and recommendations, "
    "questions for discussion drawn from its own text, and the source of every item."
)
for case_id in list(pack):
    record = assistant.record(case_id)
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(record.title)}** · {when(record)}")
        for question in discussion_questions(record):
            st.markdown(f"- {escape_markdown(question.text)}")
        if st.button("Remove", key=f"remove_{case_id}"):
            pack.remove(case_id)
            st.rerun()

records = [assistant.record(c) for c in pack]
left, right = st.columns(2)
left.download_button(
    "Download as Markdown",
    pack_markdown(records),
    file_name="training-pack.md",
    mime="text/markdown",
    icon=":material/description:",
)
right.download_button(
    "Download as Word",
    pack_docx(records),
    file_name="training-pack.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/article:",
)
