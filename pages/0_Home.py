"""Home: the workspace, its corpora, models, recent runs and jobs, the device, and where to start."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import home
from hilbert_core.ui.state import init_session_state
from hilbert_core.ui.views import render_home
from hilbert_core.ui.widgets import require_workspace

init_session_state()
st.title("HILBERT Studio")
st.write(
    "Predict clinical labels from long interviews with frozen speech and text encoders, see why, and "
    "compare backbones by cross-validated AUC. Everything runs on this machine."
)
ws = require_workspace()
render_home(home.home_summary(ws))
