"""The Train page's views: the training form (with presets), the live jobs table and progress (fold k of K,
epoch, ETA), cancel, loss curves one panel per term, and a finished job's AUC with links to its run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from ..service import diagnostics, plots, train
from ..service.glossary import FOLD_MEAN, HEADLINE, HELP, auc_text, fold_mean_text
from ..service.job_progress import job_progress, job_runs
from ..service.train import AUX_LOSSES, METHODS, MODALITIES, PRESETS, JobStatus
from .auth import acting, may
from .notes import demo_banner
from .state import StateKeys, workspace
from .widgets import chart, show_error

_WEIGHTS = {
    "contrastive_weight": "Contrastive loss weight",
    "cka_weight": "CKA loss weight",
    "mi_weight": "MI-balancing loss weight",
}
_DEFAULT_WEIGHT = 0.1


def _apply_preset() -> None:
    preset = PRESETS[st.session_state["train_preset"]]
    st.session_state["train_folds"], st.session_state["train_epochs"] = preset.folds, preset.epochs


def _header(sources: dict[str, dict[str, Any]]) -> tuple[str, str, str]:
    """What to run, the preset and the data source (outside the form: they change the form)."""
    top = st.columns([2, 3])
    kind = top[0].radio(
        "What to run",
        list(train.KINDS),
        format_func=train.KINDS.get,
        horizontal=True,
        key="train_kind",
        help="Cross-validation: an AUC for a recipe. Final model: one model on all documents, for the "
        "Interview page. Sweep: every combination of the methods and encoders you pick.",
    )
    preset = top[1].selectbox(
        "Preset",
        list(PRESETS),
        format_func=lambda p: PRESETS[p].title,
        key="train_preset",
        on_change=_apply_preset,
        help=HELP["preset"],
    )
    st.caption(f"{PRESETS[preset].title}: {PRESETS[preset].description}.")
    source = st.selectbox(
        "Data", list(sources), key="train_source", help="A corpus or feature folder of this workspace."
    )
    demo_banner(sources[source].get("demo", False))
    return kind, preset, source


def train_form(sources: dict[str, dict[str, Any]]) -> train.TrainRequest | None:
    """The form; returns the request when submitted (None otherwise). Raises ValueError on bad input.
    A viewer sees no form (training is a researcher's)."""
    if not may(workspace(), "train"):
        st.info("Starting a training needs a researcher's account; the jobs and their results are below.")
        return None
    kind, preset, source = _header(sources)
    is_corpus = sources[source]["kind"] == "corpus"
    with st.form("train_form"):
        c1, c2, c3 = st.columns(3)
        task = c1.selectbox(
            "Task", sources[source]["tasks"], key="train_task", help="The label column to predict."
        )
        multi = kind == "sweep"
        methods = (
            c2.multiselect(
                "Methods", METHODS, ["linear", "hilbert"], key="train_methods", help=HELP["method"]
            )
            if multi
            else [
                c2.selectbox(
                    "Method", METHODS, index=METHODS.index("hilbert"), key="train_method", help=HELP["method"]
                )
            ]
        )
        modality = c3.selectbox("Modalities", MODALITIES, key="train_modality", help=HELP["modality"])
        e1, e2 = st.columns(2)
        pick = "multiselect" if multi else "selectbox"
        help_enc = "Frozen encoder run over each recording (see the README's encoder table)."
        audio = getattr(e1, pick)(
            "Audio encoder(s)",
            train.audio_encoder_names(),
            key="train_audio",
            disabled=not is_corpus,
            help=help_enc,
        )
        text = getattr(e2, pick)(
            "Text encoder(s)",
            train.text_encoder_names(),
            key="train_text",
            disabled=not is_corpus,
            help=help_enc,
        )
        options = _options(kind, PRESETS[preset])
        if not st.form_submit_button("Start", type="primary", key="train_start"):
            return None
    return train.TrainRequest(
        kind=kind,
        source=source,
        task=task,
        audio_encoders=tuple(_as_list(audio)),
        text_encoders=tuple(_as_list(text)),
        methods=tuple(methods),
        modality=modality,
        preset=preset,
        **options,
    )


def _options(kind: str, preset) -> dict[str, Any]:
    """The form's loss and run options, as :class:`train.TrainRequest` keyword arguments."""
    losses = st.multiselect(
        "HILBERT's auxiliary losses", AUX_LOSSES, list(AUX_LOSSES), key="train_losses", help=HELP["losses"]
    )
    w = st.columns(3)
    weights = {
        name: w[i].number_input(label, 0.0, 10.0, _DEFAULT_WEIGHT, 0.05, key=f"train_{name}", help=HELP[name])
        for i, (name, label) in enumerate(_WEIGHTS.items())
    }
    o1, o2, o3, o4 = st.columns(4)
    if kind == "train":
        o1.caption(
            "A final model trains on all documents: no outer folds. Its own inner cross-validation "
            "calibrates its prediction sets."
        )
        folds = preset.folds
    else:
        st.session_state.setdefault("train_folds", preset.folds)
        folds = o1.number_input(
            "Outer folds", min_value=2, max_value=50, key="train_folds", help=HELP["folds"]
        )
    seed = o2.number_input("Seed", 0, 10_000, 0, key="train_seed", help=HELP["seed"])
    device = o3.selectbox("Device", train.DEVICES, key="train_device", help=HELP["device"])
    st.session_state.setdefault("train_epochs", preset.epochs)
    epochs = o4.number_input(
        "Max epochs", min_value=1, max_value=1000, key="train_epochs", help=HELP["epochs"]
    )
    overrides = st.text_area(
        "More settings (one `section.field=value` per line)",
        key="train_overrides",
        placeholder="train.lr=3e-4\nmodel.dim=64",
        help="Any field of the README's configuration, e.g. train.lr=3e-4.",
    )
    return {
        "losses": tuple(losses),
        "loss_weights": weights,
        "folds": int(folds),
        "seed": int(seed),
        "device": device,
        "epochs": int(epochs),
        "overrides": tuple(line.strip() for line in overrides.splitlines() if line.strip()),
    }


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def start_and_follow(ws_root: Path, request: train.TrainRequest) -> str:
    """Start the job and make it the one the page follows; returns its id."""
    job_id = train.start_training(ws_root, request)
    st.session_state[StateKeys.TRAIN_JOB_ID] = job_id
    st.session_state["train_follow"] = job_id  # the "Follow job" menu switches to the new job
    return job_id


def render_jobs(ws_root: Path) -> None:
    """Every job of the workspace (they outlive the browser), refreshed every 2 s while one runs."""
    table = train.jobs_table(ws_root)
    if table.empty:
        st.info(
            "No trainings yet: configure one above and press Start."
            if may(workspace(), "train")
            else "No trainings yet."
        )
        return
    if table["status"].isin(["queued", "running"]).any():
        _live_jobs(ws_root)
    else:
        _jobs(ws_root, table)


@st.fragment(run_every=2.0)
def _live_jobs(ws_root: Path) -> None:
    table = train.jobs_table(ws_root)
    _jobs(ws_root, table)
    if not table["status"].isin(["queued", "running"]).any():
        st.rerun(scope="app")  # all final: the page shows them without polling


def _jobs(ws_root: Path, table) -> None:
    st.subheader("Jobs")
    st.dataframe(table, hide_index=True, key="train_jobs_table", column_config=_JOB_COLUMNS)
    ids = table["job"].tolist()
    current = st.session_state.get(StateKeys.TRAIN_JOB_ID)
    job_id = st.selectbox(
        "Follow job", ids, index=ids.index(current) if current in ids else 0, key="train_follow"
    )
    st.session_state[StateKeys.TRAIN_JOB_ID] = job_id
    _job_view(ws_root, train.job(ws_root, job_id))


_JOB_COLUMNS = {
    "step": st.column_config.TextColumn("step", help="What the job does now (the bar below says more)."),
    "folds": st.column_config.TextColumn(
        "folds", width="medium", help="Which outer folds are training now (fold k of K)."
    ),
    "epoch": st.column_config.TextColumn(
        "epoch", width="medium", help="Latest epoch; early stopping often ends sooner."
    ),
    "ETA": st.column_config.TextColumn("ETA", help="Time left at most, from the pace of the epochs so far."),
    "progress %": st.column_config.ProgressColumn("progress %", min_value=0, max_value=100, format="%d %%"),
    "result": st.column_config.TextColumn("result", help=HELP["auc_pooled"]),
}


def _job_view(ws_root: Path, job: JobStatus) -> None:
    live = job_progress(ws_root, job)
    st.progress(
        min(max(live.fraction, 0.0), 1.0), text=f"{train.KINDS.get(job.kind, job.kind)} {job.id}: {live.text}"
    )
    if job.error:
        st.error(f"The job failed: {job.error} Fix the settings and start it again.")
    if not job.is_final and may(workspace(), "cancel") and st.button("Cancel this job", key="train_cancel"):
        try:
            with acting():  # also inside the polling fragment, which reruns without the sign-in gate
                train.cancel(ws_root, job.id)
        except ValueError as exc:
            show_error(exc)  # stays on the page (a rerun would wipe it)
        else:
            st.rerun()
    if job.status == "lost":
        st.warning("This job's process is gone (machine restarted or killed): start it again to resume.")
    if job.status == "done":
        _job_result(ws_root, job)
    _curves(ws_root, job)


def _job_result(ws_root: Path, job: JobStatus) -> None:
    """A finished job's headline AUC with its CI, and links to its run on Compare and Diagnostics."""
    for i, record in enumerate(job_runs(ws_root, job.id)[:3]):
        try:
            summary = diagnostics.run_summary(diagnostics.load_report(ws_root, record.id), record.id)
        except ValueError as exc:
            show_error(exc)
            continue
        cols = st.columns(2)
        cols[0].metric(
            f"AUC (pooled OOF) · run {record.id}",
            auc_text(summary.auc_macro, (summary.ci_low, summary.ci_high)),
            help=f"{HEADLINE}, with its 95 % CI (subjects resampled when they repeat). " + HELP["auc_pooled"],
        )
        cols[1].metric(
            FOLD_MEAN,
            fold_mean_text(summary.auc_mean, summary.auc_sd).split(" AUC ")[1],
            help=HELP["auc_fold_mean"],
        )
        links = st.columns([1, 1, 2])
        if links[0].button("Open in Compare", key=f"train_to_compare_{i}", icon=":material/leaderboard:"):
            st.session_state[StateKeys.COMPARE_FOCUS] = record.id
            st.switch_page("pages/4_Compare.py")
        if links[1].button("Open in Diagnostics", key=f"train_to_diag_{i}", icon=":material/monitor_heart:"):
            st.session_state[StateKeys.DIAGNOSTICS_RUN] = record.id
            st.switch_page("pages/6_Diagnostics.py")
    if job.result.get("bundle"):
        st.success(
            f"Model saved: {Path(job.result['bundle']).name}. Score interviews with it on the Interview page."
        )
        st.page_link("pages/2_Interview.py", label="Score an interview", icon=":material/mic:")


def _curves(ws_root: Path, job: JobStatus) -> None:
    curves = train.job_curves(ws_root, job.id)
    if curves.empty:
        st.caption(
            "Loss curves appear here after the first epoch and grow while the job trains; a sweep's "
            "cells train on parallel workers, so its curves appear as each cell finishes (linear probes "
            "record none)."
        )
        return
    st.caption(
        "Each loss term on its own scale (mean over folds, band ± sd). See the Glossary page, 'Loss terms'."
    )
    for i, run in enumerate(curves["run"].unique()[-4:]):  # the latest runs (the one training last)
        part = curves[curves["run"] == run]
        names = [n for n in train.CURVE_TERMS if n in set(part["name"])]
        title = f"Loss terms of {run}" + ("" if job.is_final else " (live)")
        chart(plots.loss_panels(part, names, title), f"loss_{job.id}_{i}", f"curve_{i}")
        note = diagnostics.overfitting_note(part)
        if note:
            st.warning(note, icon=":material/trending_up:")
