"""Data: import a corpus, read its validation report, see its labels, listen to its segments."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import data as data_service
from hilbert_core.ui import cached, views_data, views_lifecycle
from hilbert_core.ui.state import StateKeys, init_session_state
from hilbert_core.ui.widgets import require_workspace, show_error

st.set_page_config(page_title="Data · HILBERT Studio", page_icon=":material/folder_open:", layout="wide")
init_session_state()
st.title("Data")
ws = require_workspace()
views_lifecycle.show_deleted()
corpora = data_service.list_corpora(ws)
views_data.render_import(ws, st.session_state[StateKeys.SESSION_ID], expanded=not corpora)
if not corpora:
    st.info(
        "No corpus in this workspace yet. Import a corpus folder above (documents.csv with one row per "
        "recording and one column per task, optional segments.csv, audio files), upload a zip of one, or "
        "create the synthetic demo corpus with `hilbert demo-corpus DIR` and import DIR."
    )
    st.stop()
root = views_data.choose_corpus(corpora)
try:
    overview = cached.corpus_overview(root)
except ValueError as exc:
    show_error(exc)
    st.stop()
st.subheader("Validation")
views_data.render_validation(root)
st.subheader("Documents, segments and labels")
views_data.render_overview(overview)
views_data.render_segment_player(root, overview)
views_lifecycle.render_delete(ws, root)
