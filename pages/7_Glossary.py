"""Glossary: what every number in the Studio means (AUC kinds, intervals, CKA, MI, ECE, experts)."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service.glossary import GLOSSARY
from hilbert_core.ui.state import init_session_state

init_session_state()
st.title("Glossary")
st.write(
    "What the numbers on every page mean. The headline AUC everywhere is the **pooled out-of-fold macro "
    "AUC**, in percent; the fold mean appears only where the paper's tables need it, and is labelled."
)
for term, definition in GLOSSARY:
    st.subheader(term)
    st.markdown(definition)
