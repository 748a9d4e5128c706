"""Compare: a ranking per task by the headline AUC, the paper table, the encoder heatmap, paired tests."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import ranking
from hilbert_core.ui.cached_analysis import comparison
from hilbert_core.ui.notes import demo_banner
from hilbert_core.ui.state import StateKeys, init_session_state
from hilbert_core.ui.views_compare import (
    focus_run,
    render_heatmap,
    render_main_table,
    render_notes,
    render_paired,
    render_ranking,
)
from hilbert_core.ui.widgets import guard, require_workspace, show_error

init_session_state()
st.title("Compare")
ws = require_workspace()
with st.sidebar:
    resamples = st.select_slider(
        "Bootstrap resamples", [200, 500, 1000, 2000], 1000, key="cmp_resamples",
        help="Resamples behind every 95 % interval; more = steadier intervals, slower.",
    )  # fmt: skip
    unit = st.radio(
        "Resample", ["auto", "document", "subject"], key="cmp_unit", horizontal=True,
        help="What the pooled-AUC intervals and paired bootstraps resample. auto: subjects when a subject "
        "has several documents (their documents are not independent); document / subject: forced.",
    )  # fmt: skip
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
demo_banner(ranking.has_demo_runs(ws.root))
view = ranking.default_view(output, focus_run())
render_ranking(output, view[0], view[1])
for name in output.main_tables:
    render_main_table(output, name)
render_heatmap(output.runs, view)
render_paired(output, view)
render_notes(output.report.notes)
