"""Diagnostics of one finished cross-validation: what it recorded per fold and epoch, and calibration.

Everything comes from the run's report in the registry: ``diagnostics`` (per fold, per epoch: the loss
terms, CKA(audio, joint), CKA(text, joint), the InfoNCE MI estimates and their log-batch ceiling, the
validation loss) and the out-of-fold probabilities. MoE expert usage is not recorded by
cross-validation; it is measured on a trained model (see :func:`expert_usage`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..evaluation.calibration import CalibrationOutput, calibration
from ..experiments.registry import RunRegistry
from ..report.results import method_label
from ..workspace import registry_path
from . import background
from .embeddings import EmbeddingConfig

LOSS_TERMS = ("ce_loss", "contrastive_loss", "cka_loss", "mi_loss", "moe_aux_loss", "val_loss")
CKA_TERMS = ("cka_audio_joint", "cka_text_joint")
MI_TERMS = ("mi_audio", "mi_text", "mi_ceiling")
MOE_METHODS = ("transfer_moe", "contrastive_moe", "hilbert")


@dataclass(frozen=True)
class RunChoice:
    """A finished cross-validation, as a menu shows it."""

    run_id: str
    label: str
    task: str
    method: str
    auc: float | None


@dataclass(frozen=True)
class RunSummary:
    """A run's headline numbers: the pooled out-of-fold macro AUC (the headline) with its 95 % bootstrap
    CI (subjects resampled when a subject has several documents), the mean and sd of the fold AUCs (the
    paper's tables), documents and folds."""

    auc_macro: float
    auc_mean: float
    auc_sd: float
    num_documents: int
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    num_folds: int = 0


def run_label(config: dict[str, Any], run_id: str) -> str:
    """``corpus/task  audio + text | method (run id)`` from a run's stored config."""
    cell = config.get("cell") or {}
    ev = config.get("eval", {})
    method = method_label(
        cell.get("method", ev.get("method", "?")),
        cell.get("modality", ev.get("modality", "both")),
        cell.get("losses"),
    )
    backbone = " + ".join(e for e in (cell.get("audio_encoder"), cell.get("text_encoder")) if e) or "features"
    where = f"{cell.get('corpus', '?')}/{cell.get('task', config.get('task', '?'))}"
    return f"{where}  {backbone} | {method}  (run {run_id})"


def list_cv_runs(workspace: str | Path) -> list[RunChoice]:
    """Finished cross-validations of the workspace, newest first."""
    path = registry_path(workspace)
    if not path.exists():
        return []
    out = []
    for record in RunRegistry(path).list(kind="cv", status="done"):
        cell = record.config.get("cell") or {}
        out.append(
            RunChoice(
                run_id=record.id,
                label=run_label(record.config, record.id),
                task=str(cell.get("task", record.config.get("task", "?"))),
                method=str(cell.get("method", record.config.get("eval", {}).get("method", "?"))),
                auc=record.auc_macro,
            )
        )
    return out


def load_report(workspace: str | Path, run_id: str) -> dict[str, Any]:
    """The stored report of a finished run (ValueError naming the run when it has none)."""
    return RunRegistry(registry_path(workspace)).report(run_id)


def epoch_frame(report: dict[str, Any]) -> pd.DataFrame:
    """Long table of everything recorded per fold and epoch: ``fold``, ``epoch`` (1-based), ``name``,
    ``value``; non-finite values (a member stopped early) are dropped. Empty for the linear probe."""
    rows = [
        (fold, epoch, name, float(value))
        for fold, history in enumerate(report.get("diagnostics") or [])
        for epoch, record in enumerate(history, start=1)
        for name, value in record.items()
        if value is not None and np.isfinite(float(value))
    ]
    return pd.DataFrame(rows, columns=["fold", "epoch", "name", "value"])


def epoch_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per epoch and quantity: ``mean`` and ``sd`` over folds and ``folds`` (how many still trained)."""
    if frame.empty:
        return pd.DataFrame(columns=["epoch", "name", "mean", "sd", "folds"])
    grouped = frame.groupby(["epoch", "name"])["value"]
    out = grouped.agg(mean="mean", sd="std", folds="count").reset_index()
    return out.sort_values(["name", "epoch"]).reset_index(drop=True)


def mi_balance(summary: pd.DataFrame) -> pd.DataFrame:
    """Per epoch: ``mi_audio``, ``mi_text``, ``mi_ceiling`` (log batch size: no InfoNCE estimate can
    exceed it), ``balance`` = ``mi_audio - mi_text`` (0 = the joint embedding draws on both equally)
    and ``balance_share`` = ``mi_audio / (mi_audio + mi_text)``. Empty when MI was not recorded."""
    part = summary[summary["name"].isin(MI_TERMS)]
    if part.empty:
        return pd.DataFrame(columns=["epoch", *MI_TERMS, "balance", "balance_share"])
    wide = part.pivot(index="epoch", columns="name", values="mean").reset_index()
    for name in MI_TERMS:
        if name not in wide:
            wide[name] = np.nan
    wide["balance"] = wide["mi_audio"] - wide["mi_text"]
    total = wide["mi_audio"] + wide["mi_text"]
    wide["balance_share"] = np.where(total > 0, wide["mi_audio"] / total.where(total > 0, 1.0), np.nan)
    wide.columns.name = None
    return wide[["epoch", *MI_TERMS, "balance", "balance_share"]]


def report_calibration(report: dict[str, Any], num_bins: int = 10, run_id: str = "?") -> CalibrationOutput:
    """:func:`calibration` of a run's out-of-fold probabilities.

    Raises:
        ValueError: naming run ``run_id`` when its report lacks them or they do not fit its labels.
    """
    missing = [k for k in ("labels", "classes", "oof_proba") if report.get(k) is None]
    if missing:
        raise ValueError(
            f"run {run_id}'s report has no {', '.join(missing)} (an older or imported report); run its "
            "cross-validation again to see its calibration."
        )
    try:
        return calibration(report["labels"], report["classes"], report["oof_proba"], num_bins)
    except ValueError as exc:
        raise ValueError(f"run {run_id}: {exc}") from None


def run_summary(report: dict[str, Any], run_id: str) -> RunSummary:
    """The headline numbers of a run's report (ValueError naming the run when one is missing)."""
    missing = [k for k in ("auc_macro", "auc_mean", "auc_sd", "labels") if report.get(k) is None]
    if missing:
        raise ValueError(
            f"run {run_id}'s report has no {', '.join(missing)} (an older or imported report); run its "
            "cross-validation again to see them."
        )
    try:
        numbers = [float(report[k]) for k in ("auc_macro", "auc_mean", "auc_sd")]
    except (TypeError, ValueError):
        raise ValueError(
            f"run {run_id}'s report has a non-numeric AUC; run its cross-validation again."
        ) from None
    low, high = _pooled_ci(report)
    folds = len(report.get("fold_auc") or [])
    return RunSummary(
        *numbers, num_documents=len(report["labels"]), ci_low=low, ci_high=high, num_folds=folds
    )


def _pooled_ci(report: dict[str, Any], num_resamples: int = 1000) -> tuple[float, float]:
    """95 % bootstrap CI (seed 0) of the pooled AUC, resampling subjects when a subject has several
    documents (documents otherwise, as ``hilbert report --unit auto``); NaN when it cannot be computed."""
    from ..evaluation.bootstrap import bootstrap_auc_ci

    try:
        index = {c: i for i, c in enumerate(report["classes"])}
        y = np.asarray([index[label] for label in report["labels"]])
        groups = report.get("groups")
        groups = np.asarray(groups, dtype=object) if groups and len(set(groups)) < len(groups) else None
        ci = bootstrap_auc_ci(
            y, np.asarray(report["oof_proba"], dtype=float), num_resamples=num_resamples, groups=groups
        )
    except (KeyError, TypeError, ValueError):
        return float("nan"), float("nan")
    return float(ci.low), float(ci.high)


def overfitting_note(summary: pd.DataFrame, min_rise: float = 0.05, min_epochs: int = 3) -> str | None:
    """A sentence when the validation loss rose (by ``min_rise``, relative, over ``min_epochs`` epochs or
    more) after its minimum while the training cross-entropy kept falling; None otherwise.

    Args:
        summary: per epoch and name, ``mean`` over folds (see :func:`epoch_summary`); needs ``val_loss``
            and ``ce_loss``.
    """
    wide = summary.pivot_table(index="epoch", columns="name", values="mean") if not summary.empty else None
    if wide is None or not {"val_loss", "ce_loss"} <= set(wide.columns):
        return None
    wide = wide[["val_loss", "ce_loss"]].dropna()
    if len(wide) < min_epochs + 1:
        return None
    best = int(wide["val_loss"].idxmin())
    last = int(wide.index[-1])
    v0, v1 = float(wide.loc[best, "val_loss"]), float(wide.loc[last, "val_loss"])
    c0, c1 = float(wide.loc[best, "ce_loss"]), float(wide.loc[last, "ce_loss"])
    if last - best < min_epochs or v1 < v0 * (1 + min_rise) or c1 >= c0:
        return None
    return (
        f"Overfitting: the validation loss rose from {v0:.2f} (epoch {best}) to {v1:.2f} (epoch {last}) "
        f"while the training loss fell from {c0:.2f} to {c1:.2f}. Early stopping keeps each model's weights "
        "from its "
        "best validation epoch, so the scores are not hurt; fewer epochs, a lower patience or more weight "
        "decay / input dropout would save the time."
    )


def expert_usage(gate_probs: np.ndarray) -> pd.DataFrame:
    """Per expert: ``mean gate weight`` over documents and ``top expert share (%)`` (percent of documents
    for which it is the heaviest expert). ``gate_probs`` is (N, E)."""
    gates = np.asarray(gate_probs, dtype=float)
    if gates.ndim != 2 or not len(gates):
        raise ValueError("no gate weights to summarise: this model has no mixture of experts.")
    top = np.bincount(gates.argmax(axis=1), minlength=gates.shape[1]) / len(gates)
    return pd.DataFrame(
        {
            "expert": [f"expert {e}" for e in range(gates.shape[1])],
            "mean gate weight": gates.mean(0),
            "top expert share (%)": 100 * top,
        }
    )


def _bundle_method(model_dir: Path) -> str | None:
    try:
        meta = json.loads((model_dir / "bundle.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    config = meta.get("config") if isinstance(meta, dict) else None
    return ((config or {}).get("eval") or {}).get("method")


def moe_models(workspace: str | Path) -> dict[str, Path]:
    """Trained model bundles with a mixture-of-experts classifier, by folder name (a bundle whose
    bundle.json does not name its method is left out)."""
    from .embeddings import model_choices

    return {
        name: path for name, path in model_choices(workspace).items() if _bundle_method(path) in MOE_METHODS
    }


def run_models(workspace: str | Path, run_id: str) -> dict[str, Path]:
    """Trained mixture-of-experts models whose recipe is this run's (the MoE tab follows the run)."""
    from ..experiments.model_runs import models_of_run

    config = RunRegistry(registry_path(workspace)).get(run_id).config
    return {
        name: path
        for name, path in models_of_run(workspace, config).items()
        if _bundle_method(path) in MOE_METHODS
    }


def run_is_demo(workspace: str | Path, run_id: str) -> bool:
    """The run was made on the synthetic demo corpus."""
    from .demo_marks import is_demo_run

    return is_demo_run(RunRegistry(registry_path(workspace)).get(run_id).config)


def _gates_key(workspace: str | Path, model_dir: str | Path) -> str:
    from .embeddings import cache_key

    return f"gates:{Path(workspace).resolve()}:{cache_key(model_dir, EmbeddingConfig())}"


def start_expert_usage(
    workspace: str | Path, model_dir: str | Path, retry: bool = False
) -> background.TaskState:
    """Score the model's training documents in the background and summarise its gate weights; a
    failed computation starts again only with ``retry`` (the user pressed the button again)."""
    from .embeddings import document_outputs

    def compute(progress: background.Progress) -> pd.DataFrame:
        gates = document_outputs(model_dir, workspace, progress).gate_probs
        return expert_usage(gates if gates is not None else np.empty((0, 0)))

    return background.submit(_gates_key(workspace, model_dir), compute, retry=retry)


def task_state(workspace: str | Path, model_dir: str | Path) -> background.TaskState | None:
    """The expert-usage task of this model, if one was started in this Studio process."""
    return background.get(_gates_key(workspace, model_dir))
