"""The Diagnostics page's views: run picker, summary, training curves, calibration, MoE experts."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import diagnostics, plots
from .state import StateKeys
from .widgets import chart, clicked, follow_task, show_error


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
        show_error(exc)
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
        show_error(exc)
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
        show_error(exc)
        return
    if follow_task(state, "Scoring the training documents"):
        usage = state.result
        fig = plots.bars(usage, "expert", "mean_gate", "Mean gate weight per expert", "mean gate weight")
        chart(fig, "expert_usage", "diag_moe")
        st.dataframe(usage, hide_index=True, key="diag_moe_table")
