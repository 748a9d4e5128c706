"""Finished cross-validations as report rows: what a run was (backbone pair, method, settings), its
predictions and labels, loaded from the registry, with the row labels and the helpers every table shares."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..config import AUX_LOSSES, ExperimentConfig
from ..evaluation.bootstrap import BootstrapCI
from ..evaluation.stats import PairedTest
from ..experiments.registry import RunRecord, RunRegistry

logger = logging.getLogger(__name__)
UNITS = ("auto", "document", "subject")

NAN = float("nan")
# Settings that name a run besides backbone and method, in the order they join a row label.
SETTINGS = ("seed", "folds", "overrides")
# Config fields that say where a run ran, not what it computed: never a setting.
_NOT_SETTINGS = ("train.device",)
_T = TypeVar("_T")
# What a statistic that cannot be computed shows: NaN everywhere ("n/a" in the tables).
NAN_CI = BootstrapCI(NAN, NAN, NAN, NAN, 0, 0)
NAN_TEST = PairedTest(NAN, NAN, NAN, NAN, NAN, NAN, 0)


@dataclass(frozen=True)
class ReportConfig:
    """How ``hilbert report`` computes its intervals and tests.

    Attributes:
        num_resamples: bootstrap resamples per interval.
        level: confidence level of the intervals.
        unit: what the pooled-AUC CI, the paired bootstrap and DeLong's variance treat as independent:
            ``auto`` (the default: subjects when any subject has more than one document, else
            documents), ``document`` or ``subject``. The fold-mean CI always resamples documents within
            folds and classes.
        seed: bootstrap random seed (the same seed gives the same intervals).
        corpus, task: keep only these (None = all).
    """

    num_resamples: int = 1000
    level: float = 0.95
    unit: str = "auto"
    seed: int = 0
    corpus: str | None = None
    task: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit={self.unit!r} is unknown; choose one of {', '.join(UNITS)}.")
        if self.num_resamples < 100:
            raise ValueError(
                f"num_resamples={self.num_resamples} is too few for a 95 % interval; use >= 100."
            )


@dataclass
class RunResult:
    """One finished cross-validation, as the report sees it."""

    run_id: str
    corpus: str
    task: str
    backbone: str
    method: str
    modality: str
    seed: int
    folds: int
    overrides: tuple[str, ...]
    fold_auc: np.ndarray
    auc_pooled: float
    y: np.ndarray
    proba: np.ndarray
    fold_of: np.ndarray
    document_ids: list[str]
    groups: list[str] | None
    losses: tuple[str, ...] | None

    @property
    def row(self) -> str:
        return f"{self.backbone} | {self.method}"

    @property
    def fold_mean(self) -> float:
        finite = self.fold_auc[np.isfinite(self.fold_auc)]
        return float(finite.mean()) if len(finite) else NAN

    @property
    def fold_sd(self) -> float:
        finite = self.fold_auc[np.isfinite(self.fold_auc)]
        return float(finite.std(ddof=1)) if len(finite) > 1 else NAN


@dataclass
class ReportOutput:
    """Tables (formatted for reading) and their tidy data (one row per number, for CSV)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def method_label(method: str, modality: str, losses: list[str] | None) -> str:
    label = method
    if losses is not None and set(losses) != set(AUX_LOSSES):
        label += f" [{'+'.join(losses) or 'no aux loss'}]"
    return label + modality_suffix(modality)


def modality_suffix(modality: str) -> str:
    return "" if modality == "both" else f" ({modality} only)"


def _describe(config: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """Corpus, task, encoders, method of a run: from its sweep cell, or from a `hilbert cv` run's source."""
    if "cell" in config:
        return config["cell"]
    source = report.get("config", {}).get("source", {})
    ev = config.get("eval", {})
    where = source.get("corpus") or source.get("features") or "?"
    return {
        "corpus": Path(where).name,
        "task": config.get("task", "?"),
        "audio_encoder": source.get("audio_encoder", "" if "features" not in source else "features"),
        "text_encoder": source.get("text_encoder", ""),
        "method": ev.get("method", report.get("method")),
        "modality": ev.get("modality", report.get("modality", "both")),
        "losses": ev.get("losses") if ev.get("method") == "hilbert" else None,
        "seed": ev.get("seed", 0),
        "folds": ev.get("n_splits", len(report.get("fold_auc", []))),
    }


def _overrides(config: dict[str, Any], cell: dict[str, Any]) -> tuple[str, ...]:
    """Config fields of a run that differ from the defaults, as sorted ``section.field=value`` strings.

    The ``eval`` section is left out (method, modality, losses, seed and folds name the row already).
    A run stored without config sections falls back to its sweep cell's ``overrides``.
    """
    defaults = json.loads(json.dumps(ExperimentConfig().to_dict()))
    sections = [s for s in defaults if s != "eval" and isinstance(config.get(s), dict)]
    if not sections:
        return tuple(sorted(cell.get("overrides") or ()))
    out = []
    for section in sections:
        for name, default in defaults[section].items():
            value = config[section].get(name, default)
            if value != default and f"{section}.{name}" not in _NOT_SETTINGS:
                out.append(f"{section}.{name}={json.dumps(value)}")
    return tuple(sorted(out))


def _to_result(record: RunRecord, report: dict[str, Any], cell: dict[str, Any]) -> RunResult:
    """A registry entry as a :class:`RunResult`; KeyError/TypeError/ValueError on a malformed report."""
    index = {c: i for i, c in enumerate(report["classes"])}
    encoders = [e for e in (cell.get("audio_encoder"), cell.get("text_encoder")) if e]
    modality = cell.get("modality", "both")
    return RunResult(
        run_id=record.id,
        corpus=cell["corpus"],
        task=cell["task"],
        backbone=" + ".join(encoders) or "features",
        method=method_label(cell["method"], modality, cell.get("losses")),
        modality=modality,
        seed=int(cell.get("seed", 0)),
        folds=int(cell.get("folds", 0)),
        overrides=_overrides(record.config, cell),
        fold_auc=np.asarray(report["fold_auc"], dtype=float),
        auc_pooled=float(report["auc_macro"]),
        y=np.asarray([index[label] for label in report["labels"]]),
        proba=np.asarray(report["oof_proba"], dtype=float),
        fold_of=np.asarray(report["fold_of"]),
        document_ids=[str(d) for d in report.get("document_ids") or range(len(report["labels"]))],
        groups=report.get("groups"),
        losses=None if cell.get("losses") is None else tuple(cell["losses"]),
    )


def load_results(registry: RunRegistry, cfg: ReportConfig, notes: list[str] | None = None) -> list[RunResult]:
    """Every finished cross-validation of the registry (filtered by ``cfg.corpus``/``cfg.task``).

    A run whose stored report is malformed (a missing key, a label outside its classes) is left out,
    with a line in ``notes`` when given.
    """
    out = []
    for record, report in registry.done_results("cv"):
        cell = _describe(record.config, report)
        if cfg.corpus not in (None, cell.get("corpus")) or cfg.task not in (None, cell.get("task")):
            continue
        try:
            out.append(_to_result(record, report, cell))
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"run {record.id}: its report is unreadable ({type(exc).__name__}: {exc}); left out."
            logger.warning(msg)
            if notes is not None:
                notes.append(msg)
    return out


def attempt(notes: list[str], what: str, compute: Callable[[], _T], nan: _T) -> _T:
    """``compute()``, or its all-NaN stand-in ``nan`` with a note when the inputs are degenerate."""
    try:
        return compute()
    except ValueError as exc:
        notes.append(f"{what}: {exc} Shown as n/a.")
        return nan


def resampling(cfg: ReportConfig) -> dict[str, Any]:
    return {"num_resamples": cfg.num_resamples, "level": cfg.level, "seed": cfg.seed}


def run_unit(run: RunResult, cfg: ReportConfig) -> str:
    """The unit a run's intervals and tests resample: ``cfg.unit``, or for ``auto`` subjects when any
    subject has more than one document (documents when there are no subjects)."""
    if not run.groups or cfg.unit == "document":
        return "document"
    if cfg.unit == "subject":
        return "subject"
    return "subject" if len(set(run.groups)) < len(run.groups) else "document"


def run_groups(run: RunResult, cfg: ReportConfig) -> np.ndarray | None:
    """The subject of each document when the run's unit is ``subject``, else None."""
    return np.asarray(run.groups, dtype=object) if run_unit(run, cfg) == "subject" else None


def latest_runs(runs: list[RunResult], notes: list[str]) -> list[RunResult]:
    """One run per (corpus, task, row, seed, folds, overrides): the latest; say so when there were more."""
    latest: dict[tuple, RunResult] = {}
    for run in runs:  # oldest first, so later runs win
        key = (run.corpus, run.task, run.row, run.seed, run.folds, run.overrides)
        if key in latest:
            notes.append(
                f"{run.corpus}/{run.task} {_label(run, run.row, SETTINGS)}: used the latest run {run.run_id}."
            )
        latest[key] = run
    return list(latest.values())


def _setting_text(run: RunResult, name: str) -> str:
    if name == "seed":
        return f"seed {run.seed}"
    if name == "folds":
        return f"{run.folds} folds"
    return ", ".join(run.overrides) or "default config"


def _label(run: RunResult, base: str, settings: tuple[str, ...] | list[str]) -> str:
    return " | ".join([base, *(_setting_text(run, s) for s in settings)])


def row_labels(runs: list[RunResult], base: Callable[[RunResult], str]) -> dict[str, str]:
    """Run id -> ``base(run)`` plus every setting of :data:`SETTINGS` that varies within its corpus."""
    out = {}
    for corpus in {r.corpus for r in runs}:
        part = [r for r in runs if r.corpus == corpus]
        varying = [s for s in SETTINGS if len({getattr(r, s) for r in part}) > 1]
        out.update({r.run_id: _label(r, base(r), varying) for r in part})
    return out
