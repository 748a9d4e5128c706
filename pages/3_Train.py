"""Train: a cross-validation, a final model or a sweep, as a background job that outlives the browser."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import train
from hilbert_core.ui.state import init_session_state
from hilbert_core.ui.views_train import render_jobs, start_and_follow, train_form
from hilbert_core.ui.widgets import guard, require_workspace, show_error

st.set_page_config(page_title="Train · HILBERT Studio", layout="wide")
init_session_state()
st.title("Train")
ws = require_workspace()
sources = train.sources(ws.root)
guard(
    not sources,
    "This workspace has no corpus or feature folder to train on yet: import a corpus on the Data page.",
    "pages/1_Data.py",
    "Import a corpus",
)
st.caption(
    "Trainings run as background jobs: close the browser and they go on; their results land in the "
    "workspace registry (Compare, Diagnostics) and final models in its models folder (Interview)."
)
try:
    request = train_form(sources)
    if request is not None:
        st.success(f"Started job {start_and_follow(ws.root, request)}.")
except ValueError as exc:
    show_error(exc)
render_jobs(ws.root)
