"""The Studio's pages, listed once: the sidebar (``st.navigation``, so the first page is called Home) and
every page link take them from here. Streamlit ignores ``pages/`` auto-discovery once ``st.navigation`` is
used, so a new page must be added to :data:`PAGES`."""

from __future__ import annotations

import streamlit as st

# (file, title, icon, what it is for)
PAGES = (
    (
        "pages/0_Home.py",
        "Home",
        ":material/home:",
        "the workspace, its models, runs and jobs; where to start",
    ),
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
    (
        "pages/5_Embeddings.py",
        "Embeddings",
        ":material/scatter_plot:",
        "t-SNE / UMAP of a model's embeddings",
    ),
    (
        "pages/6_Diagnostics.py",
        "Diagnostics",
        ":material/monitor_heart:",
        "CKA, MI balance, losses, experts and calibration per run",
    ),
    (
        "pages/7_Glossary.py",
        "Glossary",
        ":material/menu_book:",
        "what every number means: AUC kinds, CI, CKA, MI, ECE, experts",
    ),
)


def run_navigation() -> None:
    """Register every page (Home first, the default) and run the one the user is on."""
    pages = [
        st.Page(path, title=title, icon=icon, default=i == 0)
        for i, (path, title, icon, _) in enumerate(PAGES)
    ]
    st.navigation(pages).run()
