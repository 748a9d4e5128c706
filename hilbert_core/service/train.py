"""Start, follow and cancel trainings from the Studio: a cross-validation, a final model or a sweep.

Every training runs as a background job (:mod:`hilbert_core.experiments.jobs`): its own process,
recorded in the workspace registry, so it goes on after the browser tab closes and is listed again when
it reopens. Loss curves are live: a cv or final training streams its per-epoch loss terms while it runs
(see :func:`hilbert_core.experiments.curves.read_curves`); a sweep's cells run on parallel workers,
whose curves appear as each cell's cross-validation finishes (stored with its run).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..access import require
from ..config import AUX_LOSSES, METHODS, MODALITIES  # also the Train form's choices (ui imports them here)
from ..data.corpus import RESERVED as CORPUS_RESERVED
from ..data.features import RESERVED as FEATURES_RESERVED
from ..experiments.curves import read_curves
from ..experiments.jobs import JobStatus, cancel_job, get_job, list_jobs, start_job
from ..experiments.registry import RunRegistry
from ..presets import PRESETS, get_preset  # noqa: F401  (PRESETS: the Train form's menu)
from ..workspace import cache_dir, corpora_dir, features_dir, registry_path, sweep_files_dir
from .demo_marks import is_demo_corpus
from .diagnostics import epoch_frame, epoch_summary
from .job_progress import job_progress

KINDS = {"cv": "cross-validation", "train": "final model", "sweep": "sweep (grid)"}
LOSS_WEIGHTS = ("contrastive_weight", "cka_weight", "mi_weight")
DEVICES = ("auto", "cpu", "cuda")
CURVE_TERMS = ("ce_loss", "contrastive_loss", "cka_loss", "mi_loss", "moe_aux_loss", "val_loss")
CURVE_COLUMNS = ["run", "epoch", "name", "mean", "sd", "folds"]
RESERVED_COLUMNS = frozenset(CORPUS_RESERVED) | frozenset(FEATURES_RESERVED)  # never a label column


@dataclass(frozen=True)
class TrainRequest:
    """What the Train form collects. ``source`` is a workspace corpus or feature folder (see
    :func:`sources`); lists are for sweeps (a cv or final training uses their first entry)."""

    kind: str
    source: str
    task: str
    audio_encoders: tuple[str, ...] = ("logmel",)
    text_encoders: tuple[str, ...] = ("minilm-l6",)
    methods: tuple[str, ...] = ("hilbert",)
    modality: str = "both"
    losses: tuple[str, ...] = AUX_LOSSES
    loss_weights: dict[str, float] = field(default_factory=dict)
    folds: int = 5
    seed: int = 0
    device: str = "auto"
    epochs: int | None = None
    overrides: tuple[str, ...] = ()
    preset: str = "standard"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is unknown; choose one of {', '.join(KINDS)}.")
        if not self.methods or any(m not in METHODS for m in self.methods):
            raise ValueError(f"methods {list(self.methods)} must be non-empty and from {', '.join(METHODS)}.")
        if self.modality not in MODALITIES:
            raise ValueError(f"modality={self.modality!r} is unknown; choose one of {', '.join(MODALITIES)}.")
        if self.folds < 2:
            raise ValueError(f"folds={self.folds} is too few; use 2 or more (5 is usual).")
        get_preset(self.preset)  # ValueError naming the choices
        bad = [o for o in self.overrides if "=" not in o]
        if bad:
            raise ValueError(f"override {bad[0]!r} is not 'section.field=value'; e.g. train.lr=3e-4.")

    def settings(self) -> list[str]:
        """Config overrides: loss weights, device, the preset's, epochs, then the user's own lines."""
        out = [f"loss.{k}={float(v)}" for k, v in self.loss_weights.items() if k in LOSS_WEIGHTS]
        out.append(f"train.device={self.device}")
        out += list(get_preset(self.preset).overrides)
        if self.epochs is not None:
            out.append(f"train.epochs={int(self.epochs)}")
        return out + list(self.overrides)


def sources(workspace: str | Path) -> dict[str, dict[str, Any]]:
    """Trainable data of the workspace: ``"corpus: NAME"`` (a corpus folder, encoders run on it) and
    ``"features: NAME"`` (a folder of features the user extracted), each with its path and tasks."""
    from ..data import read_csv_table

    out: dict[str, dict[str, Any]] = {}
    root = Path(workspace)
    for kind, folder in (("corpus", corpora_dir(root)), ("features", features_dir(root))):
        for table in sorted(folder.glob("*/documents.csv")):
            try:
                columns = list(read_csv_table(table).columns)
            except ValueError:
                continue
            tasks = [c for c in columns if c not in RESERVED_COLUMNS]
            out[f"{kind}: {table.parent.name}"] = {
                "kind": kind, "path": str(table.parent), "tasks": tasks, "demo": is_demo_corpus(table.parent)
            }  # fmt: skip
    return out


def audio_encoder_names() -> list[str]:
    """Audio encoders the form offers (hub models, ``hf:<path>``, are named in the overrides box)."""
    from ..encoders import AUDIO_ENCODERS

    return [n for n in AUDIO_ENCODERS.names() if "<" not in n]


def text_encoder_names() -> list[str]:
    """Text encoders the form offers (hub models, ``hf:<path>``, are named in the overrides box)."""
    from ..encoders import TEXT_ENCODERS

    return [n for n in TEXT_ENCODERS.names() if "<" not in n]


def build_job_spec(workspace: str | Path, request: TrainRequest) -> dict[str, Any]:
    """The job spec of a request; a sweep's YAML is written to ``<workspace>/jobs/sweeps/``."""
    info = sources(workspace).get(request.source)
    if info is None:
        raise ValueError(f"{request.source!r} is not a corpus or feature folder of this workspace; pick one.")
    if request.task not in info["tasks"]:
        raise ValueError(
            f"task {request.task!r} is not a label column of {request.source}; pick one of {info['tasks']}."
        )
    if request.kind == "sweep":
        return {"kind": "sweep", "sweep_file": str(_write_sweep(workspace, request, info)), "engine": "local"}
    spec: dict[str, Any] = {
        "kind": request.kind,
        info["kind"]: info["path"],
        "task": request.task,
        "method": request.methods[0],
        "modality": request.modality,
        "seed": request.seed,
        "set": request.settings(),
    }
    if info["kind"] == "corpus":
        spec["audio_encoder"] = request.audio_encoders[0] if request.modality != "text" else ""
        spec["text_encoder"] = request.text_encoders[0] if request.modality != "audio" else ""
        spec["cache"] = str(cache_dir(workspace))
    if request.methods[0] == "hilbert":
        spec["losses"] = list(request.losses)
    if request.kind == "cv":
        spec["folds"] = request.folds
    return spec


def _write_sweep(workspace: str | Path, request: TrainRequest, info: dict[str, Any]) -> Path:
    from ..io import atomic_write_text

    entry = {"features" if info["kind"] == "features" else "path": info["path"], "tasks": [request.task]}
    body: dict[str, Any] = {
        "name": f"studio-{request.task}",
        "corpora": [entry],
        "methods": list(request.methods),
        "modalities": [request.modality],
        "seeds": [request.seed],
        "folds": request.folds,
        "set": request.settings(),
        "ablations": [list(request.losses)],
    }
    if info["kind"] == "corpus":
        body["audio_encoders"], body["text_encoders"] = (
            list(request.audio_encoders),
            list(request.text_encoders),
        )
    path = (
        sweep_files_dir(workspace) / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6}.yaml"
    )
    atomic_write_text(path, json.dumps(body, indent=1))  # JSON is YAML
    return path


HUB_PREFIXES = ("hf:", "st:", "clap:")  # encoders loaded from the model hub (a download)


def names_hub_model(request: TrainRequest) -> bool:
    """Whether the request names a hub model (an encoder, or a value in its extra settings)."""
    values = [
        *request.audio_encoders,
        *request.text_encoders,
        *(o.split("=", 1)[-1] for o in request.overrides),
    ]
    return any(v.strip().startswith(HUB_PREFIXES) for v in values)


def start_training(workspace: str | Path, request: TrainRequest) -> str:
    """Check the request and start its job; returns the job id (ValueError before anything starts).

    Needs a researcher (a viewer is refused with one line, whatever the page shows); at most the
    workspace's ``max_jobs`` jobs run at once.
    """
    require(workspace, "train")
    if names_hub_model(request):
        require(workspace, "hub_model")
    return start_job(workspace, build_job_spec(workspace, request))


JOB_COLUMNS = ["job", "kind", "status", "step", "folds", "epoch", "ETA", "progress %", "result", "started"]


def jobs_table(workspace: str | Path) -> pd.DataFrame:
    """Every job of the workspace, newest first, as the page lists them: live step, fold k of K, epoch,
    ETA and, once done, the headline AUC (see :mod:`hilbert_core.service.job_progress`)."""
    rows = []
    for j in list_jobs(workspace) if registry_path(workspace).exists() else []:
        live = job_progress(workspace, j)
        rows.append(
            {
                "job": j.id, "kind": KINDS.get(j.kind, j.kind), "status": j.status,
                "step": j.error or live.step, "folds": live.folds, "epoch": live.epoch, "ETA": live.eta,
                "progress %": round(100 * live.fraction), "result": live.result,
                "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(j.created_at)),
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=JOB_COLUMNS)


def job(workspace: str | Path, job_id: str) -> JobStatus:
    return get_job(workspace, job_id)


def cancel(workspace: str | Path, job_id: str) -> JobStatus:
    return cancel_job(workspace, job_id)


def job_curves(workspace: str | Path, job_id: str) -> pd.DataFrame:
    """Per-epoch means over folds of the job's loss terms (``run``, ``epoch``, ``name``, ``mean``,
    ``sd``, ``folds``): while the job runs, what it streamed so far (:func:`live_curves`); once it is
    final, its finished cv runs' stored terms (``run`` = ``"run ID"``), else what it streamed (final
    models, cancelled jobs). Empty before the first epoch and for linear probes."""
    live = live_curves(workspace, job_id)
    if not live.empty and not get_job(workspace, job_id).is_final:
        return live
    registry = RunRegistry(registry_path(workspace))
    parts = []
    for record in registry.list(kind="cv", status="done"):
        if record.job_id != job_id:
            continue
        summary = epoch_summary(epoch_frame(registry.report(record.id)))
        if not summary.empty:
            parts.append(summary.assign(run=f"run {record.id}"))
    return pd.concat(parts, ignore_index=True)[CURVE_COLUMNS] if parts else live


def live_curves(workspace: str | Path, job_id: str) -> pd.DataFrame:
    """What the job streamed per epoch (mean over all models of each fold), summarised over folds per
    ``run`` (a sweep cell's label, or ``"this job"``); columns as :func:`job_curves`."""
    rows = [
        (r.run or "this job", r.label, r.epoch, name, value, r.num_members)
        for r in read_curves(workspace, job_id)
        for name, value in r.values.items()
        if np.isfinite(value)
    ]
    frame = pd.DataFrame(rows, columns=["run", "fold", "epoch", "name", "value", "weight"])
    if frame.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    # models of one fold trained in separate chunks report the same epoch twice: weighted mean
    frame["value"] *= frame["weight"]
    merged = frame.groupby(["run", "fold", "epoch", "name"], sort=False)[["value", "weight"]].sum()
    merged = merged.assign(value=merged["value"] / merged["weight"]).reset_index()
    parts = [
        epoch_summary(part[["fold", "epoch", "name", "value"]]).assign(run=run)
        for run, part in merged.groupby("run", sort=False)
    ]
    return pd.concat(parts, ignore_index=True)[CURVE_COLUMNS]
