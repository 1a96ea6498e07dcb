"""The case library: every case and document, searchable and filterable, and a page per case."""

from __future__ import annotations

import streamlit as st

from assistant import ScrError
from assistant.api import (
    SUPPORTED_SUFFIXES,
    escape_markdown,
    format_names,
    intake,
    record_heading,
    section_markdown,
    source_params,
    when,
)

assistant = st.session_state["assistant"]
st.title("Case library")


def add_uploads(uploads: list, replace: bool) -> None:  # noqa: ANN001 - Streamlit UploadedFile objects
    """Add uploaded files exactly as ``scr-assistant add`` does, showing progress; keep the outcome to show."""
    settings = assistant.settings.replace(corpus_dir=assistant.corpus_dir)
    bar = st.progress(0.0, text="Checking the files…")

    def embedded(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Indexing: {done} of {total} new passages and sentences embedded")

    try:
        report = intake.add_uploads(
            [(upload.name, bytes(upload.getbuffer())) for upload in uploads],
            settings,
            embedder=assistant.embedder,
            progress=False,
            on_progress=embedded,
            replace=replace,
        )
    except ScrError as exc:
        st.session_state["upload_outcome"] = ([str(exc)], [], "")
        return
    except OSError as exc:  # a full disk or a folder that cannot be written: one line, not an exception box
        st.session_state["upload_outcome"] = ([f"the files could not be stored ({exc.strerror or exc})"], [], "")
        return
    refused = [r.reason for r in report.refused]
    skipped = []
    done = ""
    if report.build is not None:
        skipped = [f"{f.name}: {f.reason}" for f in report.build.skipped() if f.name in report.added]
        indexed = [n for n in report.added if n not in {f.name for f in report.build.skipped()}]
        replaced = f" (replacing the earlier {', '.join(report.replaced)})" if report.replaced else ""
        done = (
            f"Added {len(indexed)} file(s){replaced}: {', '.join(indexed) or 'none'}. "
            f"{report.build.embedded} new passages indexed in {report.build.seconds:.1f} s; "
            f"the library now holds {report.build.cases + report.build.documents} cases and documents."
        )
    st.session_state["upload_outcome"] = (refused, skipped, done)


outcome = st.session_state.pop("upload_outcome", None)  # shown once, after the run that added the files
with st.expander("Add your own reviews", expanded=outcome is not None):
    st.caption(
        f"Full reports, web pages, learning briefs and digests ({format_names()}), "
        f"up to {assistant.settings.max_file_mb:g} MB a file. The files stay on this machine: they are copied "
        "into the corpus folder and indexed, and only their new text is embedded."
    )
    round_ = st.session_state.setdefault("upload_round", 0)
    uploads = st.file_uploader(
        "Review files",
        type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
        accept_multiple_files=True,
        key=f"uploads_{round_}",
    )
    replace = st.checkbox("Replace files of the same name already in the library (a newer version)", key="replace")
    if st.button("Add to the library", disabled=not uploads, key="add_uploads"):
        add_uploads(uploads, replace)
        st.session_state["upload_round"] = round_ + 1
        st.rerun()
    if outcome is not None:
        refused, skipped, done = outcome
        for line in refused:  # file names and reasons: shown as text, never as markup
            st.error(f"Not added: {escape_markdown(line)}")
        for line in skipped:
            st.warning(f"Copied but not indexed: {escape_markdown(line)}")
        if done:
            st.success(escape_markdown(done))


try:
    records = assistant.records(st.session_state["filters"])
except ScrError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()

chosen_ids = st.session_state.get("library_ids")
if chosen_ids:
    wanted = set(chosen_ids)
    records = [r for r in records if r.case_id in wanted]
    st.info(f"Showing the {len(records)} reviews counted in the chat's answer.")
    if st.button("Show the whole library", key="library_all"):
        st.session_state.pop("library_ids", None)
        st.rerun()

query = st.text_input("Search the library", placeholder="e.g. neglect, SILP, Oldham, hidden pregnancy")
if query.strip() and records:
    try:
        ranked = [h.case_id for h in assistant.search(query, k=len(records) * 3, filters=st.session_state["filters"])]
    except ScrError as exc:
        st.error(escape_markdown(str(exc)))
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
        st.markdown(record_heading(record, heading_level=3))
        for section in record.sections():
            st.markdown(section_markdown(section))
            first_page = min((page for _, page in section.pages), default=None)
            st.page_link(  # the label holds no text from the file: the section's name is shown above it
                "source.py",
                label="Open at the source" + (f", page {first_page}" if first_page else ""),
                query_params=source_params(record.case_id, section.name, first_page),
                width="content",
            )
        if st.button("Add to training pack", key=f"library_pack_{chosen}", disabled=chosen in st.session_state["pack"]):
            st.session_state["pack"].append(chosen)
            st.rerun()
else:
    st.info("No case matches these filters and words. Clear a filter in the sidebar or try other words.")
