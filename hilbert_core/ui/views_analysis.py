"""Reusable pieces of the analysis pages (guards, figure exports, background-task progress) and the
Embeddings and Diagnostics views. Streamlit lives here; numbers come from hilbert_core.service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from ..service import background, diagnostics, embeddings, plots
from ..service.background import TaskState
from .state import StateKeys
from .views import page_link


def guard(missing: bool, message: str, page: str, label: str) -> None:
    """When a prerequisite is ``missing``: explain, link to the page that provides it, stop."""
    if missing:
        st.info(message)
        page_link(page, label)
        st.stop()


def figure_downloads(fig: go.Figure, stem: str, key: str) -> None:
    """PNG and SVG download buttons for ``fig`` (rendered only when clicked; the chart's own camera
    icon gives a PNG too)."""
    problem = plots.image_export_problem()
    if problem:
        st.caption(problem)
        return

    def render(fmt: str) -> Callable[[], bytes]:
        return lambda: plots.figure_bytes(fig, fmt)

    cols = st.columns(2)
    for col, fmt in zip(cols, plots.IMAGE_FORMATS, strict=True):
        col.download_button(
            f"{fmt.upper()}", render(fmt), file_name=f"{stem}.{fmt}", mime=plots.MIME[fmt],
            key=f"{key}_{fmt}", on_click="ignore", icon=":material/download:",
        )  # fmt: skip


def chart(fig: go.Figure, stem: str, key: str) -> None:
    st.plotly_chart(fig, key=f"{key}_chart")
    figure_downloads(fig, stem, key)


def task_progress(state: TaskState | None, waiting: str) -> bool:
    """Progress bar of a background task; True when it finished without error (errors are shown)."""
    if state is None:
        return False
    if state.error:
        st.error(state.error)
        return False
    if not state.done:
        st.progress(state.progress, text=f"{waiting}: {state.message}")
        return False
    return True


def follow_task(state: TaskState | None, waiting: str) -> bool:
    """Like :func:`task_progress`, but a running task is followed by a fragment that polls once a
    second and reruns the page when the task ends: nothing polls once it is done or failed."""
    if state is None or state.done:
        return task_progress(state, waiting)
    _poll_task(state.key, waiting)
    return False


@st.fragment(run_every=1.0)
def _poll_task(key: str, waiting: str) -> None:
    state = background.get(key)
    if state is None or state.done:
        st.rerun(scope="app")  # the page shows the result (or the error) without this fragment
    st.progress(state.progress, text=f"{waiting}: {state.message}")


def clicked(label: str, key: str, **kwargs) -> bool:
    """A button that counts its clicks in the session: True once per click, however often the page or
    its fragments rerun (so a failed background task is retried once per click, never in a loop)."""
    st.button(label, key=key, on_click=background.click, args=(st.session_state, key), **kwargs)
    return background.new_click(st.session_state, key)


# ---------------------------------------------------------------- Embeddings


def embedding_form(models: dict[str, Path]) -> tuple[Path, embeddings.EmbeddingConfig, str]:
    """Model, projection settings and colour chosen by the user."""
    c1, c2, c3, c4 = st.columns(4)
    name = c1.selectbox("Trained model", list(models), key="emb_model")
    space = c2.selectbox("Embedding", embeddings.SPACES, key="emb_space")
    projection = c3.selectbox("Projection", embeddings.PROJECTIONS, format_func=str.upper, key="emb_proj")
    colour = c4.selectbox("Colour by", embeddings.COLOURS, key="emb_colour")
    with st.expander("Projection settings"):
        s1, s2, s3 = st.columns(3)
        perplexity = s1.number_input("t-SNE perplexity", 2.0, 100.0, 15.0, key="emb_perplexity")
        neighbours = s2.number_input("UMAP neighbours", 2, 200, 15, key="emb_neighbours")
        seed = s3.number_input("Seed", 0, 10_000, 0, key="emb_seed")
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
        st.error(f"{exc}")
        return
    if cached is not None:
        render_embedding(cached, colour)
    elif follow_task(state, f"{cfg.projection.upper()} of {cfg.space}"):
        render_embedding(state.result, colour)
    elif state is None:
        st.info(
            "Press 'Compute projection' (UMAP's first run in a Studio session takes about half a minute)."
        )


# ---------------------------------------------------------------- Diagnostics


def run_picker(runs: list[diagnostics.RunChoice]) -> diagnostics.RunChoice:
    labels = {r.label: r for r in runs}
    current = st.session_state.get(StateKeys.DIAGNOSTICS_RUN)
    ids = [r.run_id for r in runs]
    index = ids.index(current) if current in ids else 0
    choice = labels[st.selectbox("Run", list(labels), index=index, key="diag_run")]
    st.session_state[StateKeys.DIAGNOSTICS_RUN] = choice.run_id
    return choice


def render_training_diagnostics(report: dict) -> None:
    summary = diagnostics.epoch_summary(diagnostics.epoch_frame(report))
    if summary.empty:
        st.info("This run is a linear probe: it trains no network, so it records no per-epoch diagnostics.")
        return
    st.caption("Means over the outer folds (band: ± sd); a fold stops contributing once it stopped early.")
    names = set(summary.name)
    losses, cka, mi = st.tabs(["Loss terms", "CKA", "Mutual information"])
    with cka:
        if names & set(diagnostics.CKA_TERMS):
            fig = plots.epoch_lines(
                summary, list(diagnostics.CKA_TERMS), "Linear CKA with the joint embedding", "CKA"
            )
            chart(fig, "cka", "diag_cka")
        else:
            st.info("CKA is recorded only for methods with a joint embedding (hilbert).")
    with mi:
        balance = diagnostics.mi_balance(summary)
        if balance.empty:
            st.info("MI is recorded only for methods with a joint embedding (hilbert).")
        else:
            fig = plots.epoch_lines(
                summary, list(diagnostics.MI_TERMS), "InfoNCE MI with the joint embedding (nats)", "nats"
            )
            chart(fig, "mutual_information", "diag_mi")
            long = balance.melt(id_vars="epoch", value_vars=["balance"], var_name="name", value_name="mean")
            fig = plots.epoch_lines(
                long.assign(sd=0.0), ["balance"], "MI balance: audio − text (0 = both used equally)", "nats"
            )
            chart(fig, "mi_balance", "diag_balance")
    with losses:
        terms = [t for t in diagnostics.LOSS_TERMS if t in names]
        chart(plots.epoch_lines(summary, terms, "Loss terms per epoch", "loss"), "loss_terms", "diag_loss")


def render_run_summary(report: dict, run_id: str) -> None:
    try:
        summary = diagnostics.run_summary(report, run_id)
    except ValueError as exc:
        st.error(f"{exc}")
        return
    cols = st.columns(3)
    cols[0].metric("Pooled macro AUC", f"{100 * summary.auc_macro:.1f} %")
    cols[1].metric("Fold AUC", f"{100 * summary.auc_mean:.1f} ± {100 * summary.auc_sd:.1f} %")
    cols[2].metric("Documents", summary.num_documents)


def render_calibration(report: dict, run_id: str) -> None:
    bins = st.slider("Bins", 5, 20, 10, key="diag_bins")
    try:
        cal = diagnostics.report_calibration(report, bins, run_id)
    except ValueError as exc:
        st.error(str(exc))
        return
    st.metric(
        "Expected calibration error (ECE)",
        f"{cal.ece:.3f}",
        help=f"{cal.num_documents} documents, out of fold",
    )
    chart(plots.reliability(cal.bins, cal.ece), "reliability", "diag_reliability")


def render_expert_usage(ws_root: Path, models: dict[str, Path]) -> None:
    st.caption(
        "Cross-validation does not record gate weights, so expert usage is measured on a trained model "
        "over the documents it was trained on (in-sample)."
    )
    if not models:
        st.info(
            "No trained mixture-of-experts model in this workspace yet: train a final model on the "
            "Train page."
        )
        return
    model_dir = models[st.selectbox("Trained model", list(models), key="diag_moe_model")]
    pressed = clicked("Measure expert usage", "diag_moe_go")
    try:
        state = diagnostics.task_state(ws_root, model_dir)
        if pressed:
            state = diagnostics.start_expert_usage(ws_root, model_dir, retry=True)
    except (ValueError, OSError) as exc:
        st.error(f"{exc}")
        return
    if follow_task(state, "Scoring the training documents"):
        usage = state.result
        fig = plots.bars(usage, "expert", "mean_gate", "Mean gate weight per expert", "mean gate weight")
        chart(fig, "expert_usage", "diag_moe")
        st.dataframe(usage, hide_index=True, key="diag_moe_table")
