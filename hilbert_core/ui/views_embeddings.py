"""The Embeddings page's views: the form, the projection and its progress."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import embeddings, plots
from .widgets import chart, clicked, follow_task, show_error


def embedding_form(models: dict[str, Path]) -> tuple[Path, embeddings.EmbeddingConfig, str]:
    """Model, projection settings and colour chosen by the user."""
    c1, c2, c3, c4 = st.columns(4)
    name = c1.selectbox(
        "Trained model", list(models), key="emb_model", help="A final model of this workspace."
    )
    space = c2.selectbox(
        "Embedding",
        embeddings.SPACES,
        key="emb_space",
        help="z_joint: the fused audio–text document embedding; z_audio / z_text: each modality's own.",
    )
    projection = c3.selectbox(
        "Projection",
        embeddings.PROJECTIONS,
        format_func=str.upper,
        key="emb_proj",
        help="t-SNE and UMAP keep neighbours close; distances between far clusters mean little.",
    )
    colour = c4.selectbox(
        "Colour by",
        embeddings.COLOURS,
        key="emb_colour",
        help="label: the true class; prediction: the model's class (same colour per class); fold; subject.",
    )
    with st.expander("Projection settings"):
        s1, s2, s3 = st.columns(3)
        perplexity = s1.number_input(
            "t-SNE perplexity",
            2.0,
            100.0,
            15.0,
            key="emb_perplexity",
            help="Roughly the number of neighbours t-SNE keeps together.",
        )
        neighbours = s2.number_input(
            "UMAP neighbours",
            2,
            200,
            15,
            key="emb_neighbours",
            help="Neighbours UMAP looks at: small = local detail, large = global shape.",
        )
        seed = s3.number_input(
            "Seed", 0, 10_000, 0, key="emb_seed", help="The same seed gives the same picture."
        )
    cfg = embeddings.EmbeddingConfig(space, projection, float(perplexity), int(neighbours), int(seed))
    return models[name], cfg, colour


def render_embedding(result: embeddings.EmbeddingOutput, colour: str) -> None:
    cfg = result.config
    title = f"{cfg.projection.upper()} of {cfg.space} ({result.model}), coloured by {colour}"
    chart(
        plots.scatter_embedding(result.frame, colour, title),
        f"{result.model}_{cfg.space}_{cfg.projection}",
        "emb",
    )
    st.caption(f"{len(result.frame)} documents; computed in {result.seconds:.1f} s, cached in the workspace.")


def embedding_panel(ws_root: Path, model_dir: Path, cfg: embeddings.EmbeddingConfig, colour: str) -> None:
    """The 'Compute projection' button and the projection for these settings: from the disk cache, or
    followed while it is computed in the background (a failed one is retried when the button is
    pressed again)."""
    pressed = clicked("Compute projection", "emb_compute", type="primary")
    try:
        cached = embeddings.cached_embedding(ws_root, model_dir, cfg)
        state = embeddings.task_state(ws_root, model_dir, cfg)
        if cached is None and pressed:
            state = embeddings.start_embedding(ws_root, model_dir, cfg, retry=True)
    except (ValueError, OSError) as exc:
        show_error(exc)
        return
    if cached is not None:
        render_embedding(cached, colour)
    elif follow_task(state, f"{cfg.projection.upper()} of {cfg.space}"):
        render_embedding(state.result, colour)
    elif state is None:
        st.info(
            "Press 'Compute projection' (UMAP's first run in a Studio session takes about half a minute)."
        )
