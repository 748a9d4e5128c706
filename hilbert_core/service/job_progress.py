"""Where a background job is, in words: its step, fold k of K, epoch e of at most E, an ETA, and once it
is done its headline AUC. The Train page's jobs table and progress bar show these, refreshed live.

Sources: the job's registry row (status, progress, message), the loss curves it streams
(:func:`hilbert_core.experiments.curves.curve_progress`: epoch, folds, pace) and, once it is done, the
runs it recorded.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import ExperimentConfig
from ..experiments.curves import curve_progress
from ..experiments.jobs import JobStatus
from ..experiments.registry import RunRegistry
from ..report.vocabulary import pct
from ..workspace import registry_path


@dataclass(frozen=True)
class JobProgress:
    """One job's live state, as the page says it.

    Attributes:
        step: "queued", "training", "done", ... or the job's own message before training starts.
        folds: "folds 1–5 of 5 (trained together)", "fold 3 of 5", "final model", or "".
        epoch: "epoch 12 of at most 150", or "".
        eta: "≤ 2 min" (time left at most: early stopping often ends sooner), or "".
        fraction: for the progress bar (epochs done / at most, while training).
        result: the headline AUC of a finished cross-validation ("AUC 79.3 % (pooled OOF)"), or "".
    """

    step: str
    folds: str
    epoch: str
    eta: str
    fraction: float
    result: str = ""

    run: str = ""  # the sweep cell being trained

    @property
    def text(self) -> str:
        eta = f"{self.eta} left, at most (early stopping often ends sooner)" if self.eta else ""
        step = f"{self.step} {self.run}" if self.run else self.step
        return " · ".join(p for p in (step, self.folds, self.epoch, eta) if p)


def max_epochs(spec: dict) -> int:
    """The most epochs the job's training may run (its ``train.epochs`` override, else the default)."""
    epochs = ExperimentConfig().train.epochs
    for line in spec.get("set") or []:
        m = re.fullmatch(r"\s*train\.epochs\s*=\s*(\d+)\s*", str(line))
        if m:
            epochs = int(m.group(1))
    return epochs


def _fold_text(labels: tuple[str, ...], num_folds: int | None) -> str:
    folds = sorted(int(label.split()[1]) + 1 for label in labels if label.startswith("fold "))
    if not folds:
        return "final model" if "final" in labels else ""
    k = num_folds or max(folds)
    if len(folds) == 1:
        return f"fold {folds[0]} of {k}"
    together = " (trained together)" if len(folds) > 1 else ""
    return f"folds {folds[0]}–{folds[-1]} of {k}{together}"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def job_progress(workspace: str | Path, job: JobStatus, now: float | None = None) -> JobProgress:
    """The live state of ``job`` (see :class:`JobProgress`)."""
    if job.status == "queued":
        return JobProgress("queued (starting)", "", "", "", 0.0)
    if job.is_final:
        return JobProgress(job.status, "", "", "", 1.0 if job.status == "done" else job.progress,
                           result=job_result(workspace, job))  # fmt: skip
    curve = curve_progress(workspace, job.id)
    if curve is None:
        return JobProgress(job.message or "starting", "", "", "", job.progress)
    most = max(max_epochs(job.spec), curve.epoch)
    eta = ""
    if curve.seconds_per_epoch is not None:
        left = (most - curve.epoch) * curve.seconds_per_epoch
        eta = f"≤ {_minutes(left)}"
    folds = _fold_text(curve.labels, job.spec.get("folds"))
    epoch = f"epoch {curve.epoch} of at most {most}"
    return JobProgress("training", folds, epoch, eta, curve.epoch / most, run=curve.run)


def job_runs(workspace: str | Path, job_id: str) -> list:
    """The finished cross-validation runs a job recorded (newest first)."""
    if not registry_path(workspace).is_file():
        return []
    return [
        r for r in RunRegistry(registry_path(workspace)).list(kind="cv", status="done") if r.job_id == job_id
    ]


def job_result(workspace: str | Path, job: JobStatus) -> str:
    """A finished job's result in a few words: its headline AUC, or the model it saved."""
    if job.status != "done":
        return ""
    runs = [r for r in job_runs(workspace, job.id) if r.auc_macro is not None]
    if len(runs) == 1:
        return f"AUC {pct(runs[0].auc_macro)} % (pooled OOF)"
    if runs:
        best = max(runs, key=lambda r: r.auc_macro)
        return f"{len(runs)} runs; best AUC {pct(best.auc_macro)} % (pooled OOF)"
    if job.result.get("bundle"):
        return f"model {Path(job.result['bundle']).name}"
    return ""


def elapsed(job: JobStatus, now: float | None = None) -> str:
    """How long the job has run (or ran)."""
    start = job.started_at or job.created_at
    end = job.finished_at or (now or time.time())
    return _minutes(max(end - start, 0.0))
