"""Views of the Data page: import forms, the validation report, the corpus overview, the segment player."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import data as data_service
from ..service import figures
from ..service.demo_marks import is_demo_corpus
from . import cached
from .auth import may
from .notes import demo_banner
from .state import StateKeys
from .widgets import show_error


def render_import(ws, session_id: str, expanded: bool) -> None:
    """Two ways in: a folder path (copied or linked into the workspace) or an uploaded zip (a
    researcher's; a viewer is told so)."""
    if not may(ws, "import"):
        st.caption("Importing a corpus needs a researcher's account; you can look at the corpora here.")
        return
    with st.expander("Import a corpus", expanded=expanded):
        st.caption(
            "An imported corpus becomes part of this workspace: everyone using this workspace sees it "
            "(interview uploads, by contrast, stay in your browser session's folder)."
        )
        by_path, by_zip = st.tabs(["From a folder on this machine", "Upload a zip"])
        with by_path, st.form("data_import_folder"):
            source = st.text_input("Corpus folder (it holds documents.csv)", key="data_folder_path")
            name = st.text_input("Name in the workspace (default: the folder's name)", key="data_folder_name")
            link = st.checkbox("Link instead of copying (for large corpora)", key="data_folder_link")
            if st.form_submit_button("Import folder", type="primary"):
                _run_import(lambda: data_service.import_folder(ws, source, name.strip(), link))
        with by_zip, st.form("data_import_zip"):
            upload = st.file_uploader("Zip of a corpus folder", type=["zip"], key="data_zip")
            name = st.text_input("Name in the workspace (default: the zip's folder)", key="data_zip_name")
            if st.form_submit_button("Upload and import", type="primary"):
                if upload is None:
                    st.error("Choose a zip file first, then press the button again.")
                else:
                    data = upload.getvalue()
                    _run_import(
                        lambda: data_service.import_zip(ws, session_id, upload.name, data, name.strip())
                    )


def _run_import(action) -> None:
    try:
        with st.spinner("Importing and checking the corpus…"):
            result = action()
    except ValueError as exc:
        show_error(exc)
        return
    st.session_state[StateKeys.DATA_IMPORT] = result
    st.session_state[StateKeys.CORPUS] = result.path.name
    found = f"{len(result.problems)} problem(s) to fix (see below)" if result.problems else "no problems"
    st.success(f"Imported {result.path.name}: {found}.")


def choose_corpus(corpora) -> Path:
    names = [c.name for c in corpora]
    current = st.session_state.get(StateKeys.CORPUS)
    index = names.index(current) if current in names else 0
    name = st.selectbox("Corpus", names, index=index, key="data_corpus_select")
    st.session_state[StateKeys.CORPUS] = name
    demo_banner(is_demo_corpus(corpora[names.index(name)].path))
    return corpora[names.index(name)].path


def render_validation(root: Path) -> None:
    folds = st.number_input(
        "Check for cross-validation with this many folds",
        2,
        50,
        5,
        key="data_folds",
        help="Every class needs at least this many subjects for stratified folds.",
    )
    report = cached.validation_report(root, int(folds))
    (st.success if report.is_clean else st.warning)(report.headline)
    if not report.is_clean:
        wide = st.column_config.TextColumn("what to do", width="large")
        st.dataframe(report.problems, hide_index=True, column_config={"what to do": wide})


def render_overview(overview: data_service.CorpusOverview) -> None:
    cols = st.columns(4)
    cols[0].metric("Documents", len(overview.documents), help="Recordings (interviews) in documents.csv.")
    cols[1].metric(
        "Subjects",
        overview.num_subjects,
        help="Distinct subject_id values: a subject is never on both sides of a cross-validation split.",
    )
    cols[2].metric(
        "Segments", overview.num_segments, help="Timed stretches of speech with their text (segments.csv)."
    )
    minutes = overview.speech_seconds / 60
    cols[3].metric(
        "Speech",
        f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.1f} min",
        help="Total duration of the segments.",
    )
    if overview.untranscribed:
        st.info(
            f"{overview.untranscribed} document(s) have no segments yet; they are transcribed on first use."
        )
    if not overview.label_counts:
        st.warning("documents.csv has no label column; add one column per task (see the README).")
    tabs = st.tabs(list(overview.label_counts) or ["labels"])
    for tab, (task, counts) in zip(tabs, overview.label_counts.items(), strict=False):
        with tab:
            st.plotly_chart(
                figures.label_bars(counts, task, overview.imbalance[task]), key=f"data_bars_{task}"
            )
    st.dataframe(overview.documents, hide_index=True, height=260)


def render_segment_player(root: Path, overview: data_service.CorpusOverview) -> None:
    """Pick a document and a segment: its text next to a player of just that segment."""
    st.subheader("Listen to a segment")
    ids = overview.documents["document"].tolist()
    doc = st.selectbox("Document", ids, key="data_player_doc")
    table = cached.segment_table(root, doc)
    if table.empty:
        st.info("This document has no segments yet; it is transcribed on first use (Train or Interview).")
        return
    labels = [f"#{i} · {r.start_s:.1f}–{r.end_s:.1f} s · {r.text[:70]}" for i, r in table.iterrows()]
    index = st.selectbox("Segment", range(len(table)), format_func=labels.__getitem__, key="data_player_seg")
    left, right = st.columns([2, 3])
    with left:
        try:
            st.audio(data_service.segment_audio(root, doc, int(index)), format="audio/wav")
        except ValueError as exc:
            show_error(exc)
    with right:
        st.markdown(f"> {table.iloc[int(index)]['text']}")
    st.dataframe(
        table.round({"start_s": 2, "end_s": 2}), hide_index=True, height=min(38 + 35 * len(table), 300)
    )
