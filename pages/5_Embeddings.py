"""Embeddings: t-SNE or UMAP of a trained model's document embeddings, computed in the background."""

from __future__ import annotations

import streamlit as st

from hilbert_core.service import embeddings
from hilbert_core.ui.notes import demo_banner
from hilbert_core.ui.state import init_session_state
from hilbert_core.ui.views_embeddings import embedding_form, embedding_panel
from hilbert_core.ui.widgets import guard, require_workspace

st.set_page_config(page_title="Embeddings · HILBERT Studio", layout="wide")
init_session_state()
st.title("Embeddings")
ws = require_workspace()
models = embeddings.model_choices(ws.root)
guard(
    not models,
    "No trained network in this workspace yet: train a final model (not a linear probe) on the Train page.",
    "pages/3_Train.py",
    "Train a model",
)
st.caption(embeddings.SOURCE_NOTE)
model_dir, cfg, colour = embedding_form(models)
demo_banner(embeddings.is_demo_model(model_dir))
embedding_panel(ws.root, model_dir, cfg, colour)
