"""Small notes every page may show: the synthetic-demo banner and the pointer to the Glossary."""

from __future__ import annotations

import streamlit as st

from ..service.demo_marks import BANNER


def demo_banner(show: bool) -> None:
    """The visible "synthetic demo" banner, when demo data or the demo model is on the page."""
    if show:
        st.warning(BANNER, icon=":material/science:")


def glossary_link(text: str = "What the numbers mean") -> None:
    st.page_link("pages/7_Glossary.py", label=text, icon=":material/menu_book:")
