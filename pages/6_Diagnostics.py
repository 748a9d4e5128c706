"""Diagnostics of one run: CKA, MI and its balance, loss terms over epochs, calibration, MoE experts."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import diagnostics
from hilbert_core.ui.notes import demo_banner
from hilbert_core.ui.state import init_session_state
from hilbert_core.ui.views_diagnostics import (
    render_calibration,
    render_expert_usage,
    render_run_summary,
    render_training_diagnostics,
    run_picker,
)
from hilbert_core.ui.widgets import guard, require_workspace, show_error

st.set_page_config(page_title="Diagnostics · HILBERT Studio", layout="wide")
init_session_state()
st.title("Diagnostics")
ws = require_workspace()
runs = diagnostics.list_cv_runs(ws.root)
guard(
    not runs,
    "No finished cross-validation in this workspace yet: start one on the Train page.",
    "pages/3_Train.py",
    "Start a training",
)
choice = run_picker(runs)
try:
    report = diagnostics.load_report(ws.root, choice.run_id)
except ValueError as exc:
    show_error(exc)
    st.stop()
demo_banner(diagnostics.run_is_demo(ws.root, choice.run_id))
render_run_summary(report, choice.run_id)
training, calibration, experts = st.tabs(["Training", "Calibration", "MoE experts"])
with training:
    render_training_diagnostics(report)
with calibration:
    render_calibration(report, choice.run_id)
with experts:
    render_expert_usage(ws.root, choice.run_id, choice.method)
