"""The chat page: questions in, cited answers out, with source cards and feedback."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import BREAKDOWN_HEADS, escape_markdown, notes, record_feedback, record_markdown, when

assistant = st.session_state["assistant"]
EXAMPLES = [
    "cases involving concealed pregnancy",
    "what are the lessons about domestic abuse and babies?",
    "examples of neglect of teenagers",
    "what stops learning from SCRs reaching frontline staff?",
]

st.title("Ask the case reviews")
st.session_state.setdefault("messages", [])
messages = st.session_state["messages"]


def add_to_pack(case_id: str) -> None:
    if case_id not in st.session_state["pack"]:
        st.session_state["pack"].append(case_id)


def save_feedback(index: int) -> None:
    value = st.session_state.get(f"feedback_{index}")
    if value is not None:
        record_feedback(
            assistant.settings.data_dir,
            messages[index]["answer"],
            helpful=value == 1,
            role=st.session_state.get("role_lens"),
        )


def ask_literally(index: int) -> None:
    """Ask the same question again without the role and facets read from its words."""
    question = messages[index - 1]["content"]
    history = [m["answer"] for m in messages[: index - 1] if m["role"] == "assistant"]
    try:
        answer = assistant.ask(
            question,
            history=history,
            filters=st.session_state["filters"],
            role=st.session_state.get("role_lens"),  # the sidebar's lens is the user's own choice: it stays
            literal=True,
        )
    except ScrError as exc:
        st.session_state["chat_error"] = str(exc)
        return
    messages.extend([{"role": "user", "content": question}, {"role": "assistant", "answer": answer}])


def open_in_library(case_ids: tuple[str, ...]) -> None:
    st.session_state["library_ids"] = list(case_ids)


def show_interpretation(index: int, answer) -> None:  # noqa: ANN001 - an assistant Answer
    interp = answer.interpretation
    if interp is None:
        return
    st.caption(escape_markdown(interp.line()))
    if interp.role_from == "question" or interp.filters_dict():
        st.button(
            "Answer without what was read from the question (lens and filters)",
            key=f"literal_{index}",
            on_click=ask_literally,
            args=(index,),
            type="tertiary",
        )


def show_count(index: int, answer) -> None:  # noqa: ANN001 - an assistant Answer
    if answer.breakdown:
        rows = list(answer.breakdown)
        data = {"row": rows, "reviews": [answer.breakdown[r] for r in rows]}
        head = BREAKDOWN_HEADS.get(getattr(answer.interpretation, "breakdown", None) or "", "")
        st.bar_chart(  # rows in the table's order (years, ages), not alphabetical
            data,
            x="row",
            y="reviews",
            x_label=head,  # with horizontal=True the labels follow the drawn axes
            y_label="reviews",
            horizontal=True,
            sort=False,
            height=max(200, 32 * len(rows)),
        )
    if answer.cases:
        if st.button(
            f"See all {len(answer.cases)} in the case library",
            key=f"library_{index}",
            on_click=open_in_library,
            args=(answer.cases,),
        ):
            st.switch_page("library.py")


def show_answer(index: int) -> None:
    answer = messages[index]["answer"]
    if answer.notice:
        st.caption(escape_markdown(answer.notice))
    show_interpretation(index, answer)
    if answer.no_answer:
        st.info(answer.text)
        return
    st.markdown(answer.text)
    if answer.count is not None:
        show_count(index, answer)
    if answer.citations:
        st.caption("Sources")
    by_case: dict[str, list] = {}
    for citation in answer.citations:
        by_case.setdefault(citation.case_id, []).append(citation)
    for case_id, citations in by_case.items():
        record = assistant.record(case_id)
        with st.container(border=True):
            facts = " · ".join(f for f in (when(record), escape_markdown(record.area)) if f)
            st.markdown(f"**{escape_markdown(record.title)}**  \n{facts}")
            for c in citations:
                page = f", page {c.page}" if c.page else ""
                st.markdown(f"[{c.n}] *{escape_markdown(c.section)}{page}*: “{escape_markdown(c.quote)}”")
                st.page_link(
                    "source.py", label=f"Open [{c.n}] at the source{page}", query_params=c.link_params, width="content"
                )
            keywords = getattr(record, "keywords", ())
            if keywords:
                st.caption("Keywords: " + escape_markdown(", ".join(keywords)))
            with st.expander("Full case record"):
                st.markdown(record_markdown(record, heading_level=4))
            st.button(
                "Add to training pack",
                key=f"pack_{index}_{case_id}",
                on_click=add_to_pack,
                args=(case_id,),
                disabled=case_id in st.session_state["pack"],
            )
    st.feedback("thumbs", key=f"feedback_{index}", on_change=save_feedback, args=(index,))


def show_local_notes(index: int) -> None:
    """Learning notes that match the question, apart from the answer and labelled as local, never as a review."""
    store = st.session_state.get("learning")
    found = notes.search_notes(store, messages[index - 1]["content"]) if store is not None and index else []
    if found:
        verb = "matches" if len(found) == 1 else "match"
        st.caption(f"From your local learning notes: {len(found)} {verb} the question")
    for note in found:
        with st.container(border=True):
            st.markdown(f"**{notes.LABEL}**: {escape_markdown(note.title)}")
            st.markdown(escape_markdown(note.happened))
            if note.learned:
                st.markdown(f"**Learned:** {escape_markdown(note.learned)}")
            st.caption(escape_markdown(" · ".join(filter(None, (f"by {note.created_by}", note.setting)))))


if st.button("New conversation", icon=":material/refresh:", disabled=not messages):
    messages.clear()
    st.rerun()

error = st.session_state.pop("chat_error", None)
if error:
    st.error(escape_markdown(error))

for i, message in enumerate(messages):
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.text(message["content"])
        else:
            show_answer(i)
            show_local_notes(i)

pending = None
if not messages:
    st.write("Ask in your own words, for example:")
    for example in EXAMPLES:
        if st.button(example, key=f"example_{example}"):
            pending = example

question = st.chat_input("Ask about the case reviews…") or pending
if question:
    history = [m["answer"] for m in messages if m["role"] == "assistant"]
    try:
        answer = assistant.ask(
            question, history=history, filters=st.session_state["filters"], role=st.session_state.get("role_lens")
        )
    except ScrError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "answer": answer})
        st.rerun()
