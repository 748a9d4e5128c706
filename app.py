"""HILBERT Studio (placeholder until the app issue lands): says what exists and how to use it."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="HILBERT Studio", layout="wide")
st.title("HILBERT Studio")
st.info(
    "The Studio pages (data, interview, training, comparison, embeddings, diagnostics) are being built. "
    "The core library and the `hilbert` command line work today: see the README for "
    "`hilbert_core.cross_validate` on your own features and `hilbert bench cv`."
)
