"""Views shared by every page (workspace guard, progress, errors, page links) and the home page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from ..service.home import HomeOutput
from .state import StateKeys, workspace

APP_ROOT = Path(__file__).resolve().parents[2]  # the folder holding app.py and pages/
PAGES = (
    (
        "pages/1_Data.py",
        "Data",
        ":material/folder_open:",
        "import a corpus, check it, listen to its segments",
    ),
    (
        "pages/2_Interview.py",
        "Interview",
        ":material/mic:",
        "score one recording with a trained model, and see why",
    ),
    (
        "pages/3_Train.py",
        "Train",
        ":material/model_training:",
        "cross-validate, train a final model or run a sweep",
    ),
    (
        "pages/4_Compare.py",
        "Compare",
        ":material/leaderboard:",
        "AUC by backbone pair × method × task, significance, exports",
    ),
    ("pages/5_Embeddings.py", "Embeddings", ":material/scatter_plot:", "t-SNE / UMAP of a run's embeddings"),
    (
        "pages/6_Diagnostics.py",
        "Diagnostics",
        ":material/monitor_heart:",
        "CKA, MI balance, losses, experts and calibration per run",
    ),
)


def require_workspace():
    """The session's workspace; when it could not be opened, say why and how to fix it, and stop."""
    ws = workspace()
    if ws is None:
        st.error(
            f"The workspace cannot be opened: {st.session_state.get(StateKeys.WORKSPACE_ERROR)} "
            "Set HILBERT_WORKSPACE to a writable folder and restart `streamlit run app.py`."
        )
        st.stop()
    return ws


def page_link(page: str, label: str | None = None) -> None:
    """A link to one of our pages (by file), shown only when that page exists."""
    for path, name, icon, help_text in PAGES:
        if path == page and (APP_ROOT / path).is_file():
            st.page_link(path, label=label or name, icon=icon, help=help_text)


def progress_reporter(label: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    """A ``progress(fraction, message)`` callback drawing a progress bar, and a function clearing it."""
    bar = st.progress(0.0, text=label)

    def update(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{label}: {message}")

    return update, bar.empty


def show_error(exc: Exception) -> None:
    """A user mistake or bad input as one plain sentence (never a traceback)."""
    st.error(str(exc) or type(exc).__name__, icon="⚠️")


def render_home(home: HomeOutput) -> None:
    st.caption(f"Workspace: `{home.root}` · device: {home.device}")
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
    for i, (path, *_rest) in enumerate(PAGES):
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
        st.dataframe(pd.DataFrame(home.runs), hide_index=True)
    else:
        st.write("No runs yet: cross-validations and trainings are recorded here.")
    if home.jobs:
        st.subheader("Background jobs")
        bar = st.column_config.ProgressColumn("progress", min_value=0, max_value=100)
        st.dataframe(pd.DataFrame(home.jobs), hide_index=True, column_config={"progress": bar})
