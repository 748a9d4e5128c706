"""The Train page's views: the training form, the job list with live progress, cancel, loss curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from ..service import plots, train
from ..service.train import AUX_LOSSES, METHODS, MODALITIES, JobStatus
from .auth import acting, may
from .state import StateKeys, workspace
from .widgets import chart, show_error

_DEFAULT_WEIGHTS = {"contrastive_weight": 0.1, "cka_weight": 0.1, "mi_weight": 0.1}


def train_form(sources: dict[str, dict[str, Any]]) -> train.TrainRequest | None:
    """The form; returns the request when submitted (None otherwise). Raises ValueError on bad input.
    A viewer sees no form (training is a researcher's)."""
    if not may(workspace(), "train"):
        st.info("Starting a training needs a researcher's account; the jobs and their results are below.")
        return None
    kind = st.radio(
        "What to run", list(train.KINDS), format_func=train.KINDS.get, horizontal=True, key="train_kind"
    )
    source = st.selectbox("Data", list(sources), key="train_source")
    is_corpus = sources[source]["kind"] == "corpus"
    with st.form("train_form"):
        c1, c2, c3 = st.columns(3)
        task = c1.selectbox("Task", sources[source]["tasks"], key="train_task")
        multi = kind == "sweep"
        methods = (
            c2.multiselect("Methods", METHODS, ["linear", "hilbert"], key="train_methods")
            if multi
            else [c2.selectbox("Method", METHODS, index=METHODS.index("hilbert"), key="train_method")]
        )
        modality = c3.selectbox("Modalities", MODALITIES, key="train_modality")
        e1, e2 = st.columns(2)
        pick = "multiselect" if multi else "selectbox"
        audio = getattr(e1, pick)(
            "Audio encoder(s)", train.audio_encoder_names(), key="train_audio", disabled=not is_corpus
        )
        text = getattr(e2, pick)(
            "Text encoder(s)", train.text_encoder_names(), key="train_text", disabled=not is_corpus
        )
        options = _options(kind)
        if not st.form_submit_button("Start", type="primary", key="train_start"):
            return None
    return train.TrainRequest(
        kind=kind, source=source, task=task, audio_encoders=tuple(_as_list(audio)),
        text_encoders=tuple(_as_list(text)), methods=tuple(methods), modality=modality, **options,
    )  # fmt: skip


def _options(kind: str) -> dict[str, Any]:
    """The form's loss and run options, as :class:`train.TrainRequest` keyword arguments."""
    losses = st.multiselect("hilbert's auxiliary losses", AUX_LOSSES, list(AUX_LOSSES), key="train_losses")
    w = st.columns(3)
    weights = {
        name: w[i].number_input(f"loss.{name}", 0.0, 10.0, default, 0.05, key=f"train_{name}")
        for i, (name, default) in enumerate(_DEFAULT_WEIGHTS.items())
    }
    o1, o2, o3, o4 = st.columns(4)
    folds = o1.number_input("Outer folds", 2, 50, 5, disabled=kind == "train", key="train_folds")
    seed = o2.number_input("Seed", 0, 10_000, 0, key="train_seed")
    device = o3.selectbox("Device", train.DEVICES, key="train_device")
    epochs = o4.number_input("Max epochs", 1, 1000, 150, key="train_epochs")
    overrides = st.text_area(
        "More settings (one `section.field=value` per line)", key="train_overrides",
        placeholder="train.lr=3e-4\nmodel.dim=64",
    )  # fmt: skip
    return {
        "losses": tuple(losses), "loss_weights": weights, "folds": int(folds), "seed": int(seed),
        "device": device, "epochs": int(epochs),
        "overrides": tuple(line.strip() for line in overrides.splitlines() if line.strip()),
    }  # fmt: skip


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def render_jobs(ws_root: Path) -> None:
    """Every job of the workspace (they outlive the browser); the selected one followed live."""
    table = train.jobs_table(ws_root)
    if table.empty:
        st.info(
            "No trainings yet: configure one above and press Start."
            if may(workspace(), "train")
            else "No trainings yet."
        )
        return
    st.subheader("Jobs")
    st.dataframe(table, hide_index=True, key="train_jobs_table")
    ids = table["job"].tolist()
    current = st.session_state.get(StateKeys.TRAIN_JOB_ID)
    job_id = st.selectbox(
        "Follow job", ids, index=ids.index(current) if current in ids else 0, key="train_follow"
    )
    st.session_state[StateKeys.TRAIN_JOB_ID] = job_id
    job = train.job(ws_root, job_id)
    if job.is_final:
        _job_view(ws_root, job)  # nothing changes any more: no polling
    else:
        _follow(ws_root, job_id)


@st.fragment(run_every=2.0)
def _follow(ws_root: Path, job_id: str) -> None:
    """A running job, refreshed every 2 s; once it ends, the page reruns and shows it without polling."""
    job = train.job(ws_root, job_id)
    if job.is_final:
        st.rerun(scope="app")
    _job_view(ws_root, job)


def _job_view(ws_root: Path, job: JobStatus) -> None:
    st.progress(
        job.progress, text=f"{train.KINDS.get(job.kind, job.kind)} {job.id}: {job.status}, {job.message}"
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
    _curves(ws_root, job)
    if job.result.get("bundle"):
        st.success(
            f"Model saved: {Path(job.result['bundle']).name}. Score interviews with it on the Interview page."
        )


def _curves(ws_root: Path, job: JobStatus) -> None:
    curves = train.job_curves(ws_root, job.id)
    if curves.empty:
        st.caption(
            "Loss curves appear here after the first epoch and grow while the job trains; a sweep's "
            "cells train on parallel workers, so its curves appear as each cell finishes (linear probes "
            "record none)."
        )
    for i, run in enumerate(curves["run"].unique()[-4:]):  # the latest runs (the one training last)
        part = curves[curves["run"] == run]
        names = [n for n in train.CURVE_TERMS if n in set(part["name"])]
        title = f"Loss terms of {run}" + ("" if job.is_final else " (live)")
        chart(plots.epoch_lines(part, names, title, "loss"), f"loss_{job.id}_{i}", f"curve_{i}")
