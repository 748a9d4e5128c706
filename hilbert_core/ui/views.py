"""The home page's view."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..service.glossary import HEADLINE, HEADLINE_HELP, HEADLINE_SHORT
from ..service.home import HomeOutput
from .notes import demo_banner
from .widgets import PAGES, page_link


def render_home(home: HomeOutput) -> None:
    st.caption(f"Workspace: `{home.root}` · device: {home.device}")
    demo_banner(home.has_demo)
    st.caption(f"To use another workspace, set `{home.env_var}=/path/to/folder` and restart the app.")
    if home.is_empty:
        st.info(
            "This workspace is empty. Start on the **Data** page: import a corpus folder (documents.csv, "
            "segments.csv, audio/) or upload a zip of one, or create the synthetic demo corpus with "
            "`hilbert demo-corpus`. Then train a model on the **Train** page (or `hilbert train`) and "
            "score an interview on the **Interview** page."
        )
    st.subheader("Where to start")
    cols = st.columns(3)
    for i, (path, *_rest) in enumerate(PAGES[1:]):  # every page but Home itself
        with cols[i % 3]:
            page_link(path)
    _render_tables(home)


def _render_tables(home: HomeOutput) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(f"Corpora ({len(home.corpora)})")
        if home.corpora:
            st.dataframe(
                pd.DataFrame([{"corpus": c.name, "documents": c.num_documents, "tasks": ", ".join(c.tasks)}
                              for c in home.corpora]),
                hide_index=True,
            )  # fmt: skip
        else:
            st.write("None yet: import one on the Data page.")
    with right:
        st.subheader(f"Models ({len(home.models)})")
        if home.models:
            st.dataframe(
                pd.DataFrame([{"model": m.name, "task": m.task, "method": m.method, "encoders": m.encoders,
                               "classes": ", ".join(m.classes)} for m in home.models]),
                hide_index=True,
            )  # fmt: skip
        else:
            st.write("None yet: train one on the Train page or with `hilbert train`.")
    st.subheader("Recent runs")
    if home.runs:
        auc = st.column_config.NumberColumn(HEADLINE_SHORT, help=HEADLINE_HELP, format="%.1f %%")
        st.dataframe(pd.DataFrame(home.runs), hide_index=True, column_config={HEADLINE_SHORT: auc})
        st.caption(
            f"AUC: the {HEADLINE} of a cross-validation, in percent (50 % = chance); the same number "
            "Compare ranks by and Diagnostics shows first. Extractions and final trainings have none."
        )
    else:
        st.write("No runs yet: cross-validations and trainings are recorded here.")
    if home.jobs:
        st.subheader("Background jobs")
        bar = st.column_config.ProgressColumn("progress", min_value=0, max_value=100, help="Percent done.")
        st.dataframe(pd.DataFrame(home.jobs), hide_index=True, column_config={"progress": bar})
