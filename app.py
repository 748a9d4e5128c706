"""HILBERT Studio: the entry point. It lists every page (Home first) and runs the one the user is on."""

from __future__ import annotations

import streamlit as st

from hilbert_core.ui.navigation import run_navigation

st.set_page_config(page_title="HILBERT Studio", page_icon=":material/graphic_eq:", layout="wide")
run_navigation()
