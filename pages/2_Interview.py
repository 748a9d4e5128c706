"""Interview: upload one recording (and optionally its transcript), score it, and see why."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import interview as interview_service
from hilbert_core.ui import views_interview
from hilbert_core.ui.state import StateKeys, init_session_state
from hilbert_core.ui.widgets import page_link, require_workspace

st.set_page_config(page_title="Interview · HILBERT Studio", page_icon=":material/mic:", layout="wide")
init_session_state()
st.title("Interview")
ws = require_workspace()
models = interview_service.list_models(ws)
if not models:
    st.info(
        "No trained model in this workspace yet. Train one on the Train page, or from a terminal: "
        "`hilbert train CORPUS --task spectrum --out $HILBERT_WORKSPACE/models/spectrum`; "
        "then come back and upload an interview."
    )
    page_link("pages/3_Train.py", "Train a model")
    page_link("pages/1_Data.py", "Import a corpus first")
    st.stop()
st.write(
    "Upload one recording, or try a sample. It is segmented (from its transcript, or by Whisper), encoded "
    "with each model's own frozen encoders and scored: the most likely class, a prediction set at a stated "
    "coverage, the chance level and the model's cross-validated AUC. Uploads stay in this browser session's "
    "folder of the workspace; only the interview shown is kept, and it is deleted when your session ends "
    "(or after the workspace's retention period, 24 hours unless set otherwise)."
)
views_interview.render_form(ws, st.session_state[StateKeys.SESSION_ID], models)
views_interview.show_result()
