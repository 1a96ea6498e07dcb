"""The training pack: cases chosen from answers, the library or themes, downloaded as Markdown or Word."""

from __future__ import annotations

import streamlit as st

from assistant.api import discussion_questions, escape_markdown, pack_docx, pack_markdown, source_params, when

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
        for n, question in enumerate(discussion_questions(record), start=1):
            st.markdown(f"{n}\\. {escape_markdown(question.text)}  \n*Source: {escape_markdown(question.reference)}*")
            st.page_link(
                "source.py",
                label=f"Open question {n}'s quote at the source",
                query_params=source_params(case_id, question.section, quote=question.quote),
                width="content",
            )
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
