"""Compare: the paper-style AUC table, the encoder-pair heatmap, paired tests and exports."""

from __future__ import annotations

import streamlit as st

from hilbert_core.ui.cached_analysis import comparison
from hilbert_core.ui.state import StateKeys, init_session_state
from hilbert_core.ui.views_compare import render_heatmap, render_main_table, render_notes, render_paired
from hilbert_core.ui.widgets import guard, require_workspace, show_error

st.set_page_config(page_title="Compare · HILBERT Studio", layout="wide")
init_session_state()
st.title("Compare")
ws = require_workspace()
with st.sidebar:
    resamples = st.select_slider("Bootstrap resamples", [200, 500, 1000, 2000], 1000, key="cmp_resamples")
    unit = st.radio(
        "Resample",
        ["auto", "document", "subject"],
        key="cmp_unit",
        horizontal=True,
        help="auto: subjects when a subject has several documents (their documents are not independent).",
    )
try:
    output = comparison(ws.root, int(resamples), unit)
except ValueError as exc:
    show_error(exc)
    st.stop()
st.session_state[StateKeys.COMPARE_REPORT] = output
guard(
    output.runs.empty,
    "No finished cross-validation in this workspace yet: start one (or a sweep) on the Train page.",
    "pages/3_Train.py",
    "Start a training",
)
for name in output.main_tables:
    render_main_table(output, name)
render_heatmap(output.runs)
render_paired(output)
render_notes(output.report.notes)
