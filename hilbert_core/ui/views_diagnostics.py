"""The Diagnostics page's views: run picker, summary, training curves, calibration, MoE experts."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import diagnostics, plots
from ..service.glossary import HELP, auc_text, pct
from .state import StateKeys
from .widgets import chart, clicked, follow_task, show_error


def run_picker(runs: list[diagnostics.RunChoice]) -> diagnostics.RunChoice:
    labels = {r.label: r for r in runs}
    current = st.session_state.get(StateKeys.DIAGNOSTICS_RUN)
    ids = [r.run_id for r in runs]
    index = ids.index(current) if current in ids else 0
    choice = labels[
        st.selectbox(
            "Run",
            list(labels),
            index=index,
            key="diag_run",
            help="A finished cross-validation, newest first.",
        )
    ]
    st.session_state[StateKeys.DIAGNOSTICS_RUN] = choice.run_id
    return choice


def render_training_diagnostics(report: dict) -> None:
    summary = diagnostics.epoch_summary(diagnostics.epoch_frame(report))
    if summary.empty:
        st.info("This run is a linear probe: it trains no network, so it records no per-epoch diagnostics.")
        return
    st.caption(
        "Means over the outer folds (band: ± sd); a fold stops contributing once it stopped early. "
        "See the Glossary page for CKA, MI, its ceiling and the loss terms."
    )
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
            ceiling = summary[summary.name == "mi_ceiling"]["mean"]
            st.caption(
                f"MI ceiling = log(training batch size) = {ceiling.max():.2f} nats: no InfoNCE estimate "
                "over a "
                "batch can exceed it (the Interview page's log N uses the N training documents instead). "
                "MI balance = MI(audio; joint) − MI(text; joint): 0 means both modalities are used equally."
            )
            long = balance.melt(id_vars="epoch", value_vars=["balance"], var_name="name", value_name="mean")
            fig = plots.epoch_lines(
                long.assign(sd=0.0), ["balance"], "MI balance: audio − text (0 = both used equally)", "nats"
            )
            chart(fig, "mi_balance", "diag_balance")
    with losses:
        terms = [t for t in diagnostics.LOSS_TERMS if t in names]
        chart(
            plots.loss_panels(summary, terms, "Loss terms per epoch, each on its own scale"),
            "loss_terms",
            "diag_loss",
        )
        note = diagnostics.overfitting_note(summary)
        if note:
            st.warning(note, icon=":material/trending_up:")


def render_run_summary(report: dict, run_id: str) -> None:
    try:
        summary = diagnostics.run_summary(report, run_id)
    except ValueError as exc:
        show_error(exc)
        return
    cols = st.columns(3)
    cols[0].metric(
        "AUC (pooled OOF) [95 % CI]",
        auc_text(summary.auc_macro, (summary.ci_low, summary.ci_high)),
        help=HELP["auc_pooled"] + " " + HELP["auc_pooled_ci"],
    )
    cols[1].metric(
        f"Fold-mean AUC ± sd over {summary.num_folds} folds",
        f"{pct(summary.auc_mean)} ± {pct(summary.auc_sd)} %",
        help=HELP["auc_fold_mean"],
    )
    cols[2].metric("Documents", summary.num_documents, help=HELP["documents"])
    st.caption(
        "Cite the pooled out-of-fold AUC (the headline); the fold mean is the paper tables' figure. The "
        "interval is the uncertainty of the pooled AUC (subjects resampled when a subject has several "
        "documents, documents otherwise); the ± sd is the spread between single folds, which is why it is "
        "wider."
    )


def render_calibration(report: dict, run_id: str) -> None:
    bins = st.slider(
        "Bins", 5, 20, 10, key="diag_bins", help="Probability bins of the reliability curve and ECE."
    )
    try:
        cal = diagnostics.report_calibration(report, bins, run_id)
    except ValueError as exc:
        show_error(exc)
        return
    st.metric(
        "Expected calibration error (ECE)",
        f"{cal.ece:.3f}",
        help=f"{HELP['ece']} {cal.num_documents} documents, out of fold.",
    )
    chart(plots.reliability(cal.bins, cal.ece), "reliability", "diag_reliability")


def render_expert_usage(ws_root: Path, run_id: str, method: str) -> None:
    """Expert usage of the trained model of the selected run's recipe (cross-validation records no gates)."""
    if method not in diagnostics.MOE_METHODS:
        st.info(f"This run's method ({method}) has no mixture of experts.")
        return
    models = diagnostics.run_models(ws_root, run_id)
    st.caption(
        "Cross-validation does not record gate weights, so expert usage is measured on the trained model of "
        "this run's recipe, over the documents it was trained on (in-sample). Experts are unlabelled "
        "sub-networks numbered 0, 1, ...: the numbers carry no meaning; even use is 1 / experts each. "
        "See the Glossary page."
    )
    if not models:
        st.info(
            "No trained model of this run's recipe in this workspace: train a final model with the same "
            "corpus, task, encoders, method and settings on the Train page, then measure its experts here."
        )
        return
    model_dir = models[
        st.selectbox(
            "Trained model of this run's recipe",
            list(models),
            key="diag_moe_model",
            help="Same corpus, task, encoders, method, seed and settings as the run, on all documents.",
        )
    ]
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
        title = "Mean gate weight per expert"
        chart(
            plots.bars(usage, "expert", "mean gate weight", title, "mean gate weight"),
            "expert_usage",
            "diag_moe",
        )
        config = {
            "mean gate weight": st.column_config.NumberColumn(format="%.3f", help=HELP["mean_gate"]),
            "top expert share (%)": st.column_config.NumberColumn(format="%.0f %%", help=HELP["top_share"]),
        }
        st.dataframe(usage, hide_index=True, key="diag_moe_table", column_config=config)
