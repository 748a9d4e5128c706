"""Paper tables from the registry: AUC by backbone pair x method x task, the loss ablation, paired tests.

- Main tables (the paper's Tables 2 and 3, one per corpus): rows = backbone pair x method, columns =
  tasks, each cell the AUC (%) mean +- sd over the outer folds and a 95 % confidence interval of that
  fold mean by bootstrap over documents (stratified within folds and classes); rows sorted by their
  average. The CSV adds the pooled out-of-fold AUC and its bootstrap CI (over documents or subjects).
- Ablation table (Table 4): for each auxiliary loss, the best AUC over the ``hilbert`` loss
  combinations that include it and over those that exclude it.
- Paired comparisons: every two rows scored on the same documents and folds (same corpus, task, seed
  and folds): the AUC difference, its paired-bootstrap 95 % CI, DeLong's z and p, and Holm-adjusted p.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import AUX_LOSSES
from .runs import RunRegistry
from .stats import bootstrap_auc_ci, bootstrap_fold_mean_ci, delong_test, holm, paired_bootstrap_delta

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportConfig:
    """How ``hilbert report`` computes its intervals and tests.

    Attributes:
        num_resamples: bootstrap resamples per interval.
        level: confidence level of the intervals.
        unit: resample ``document`` s (the default) or ``subject`` s (stricter when subjects repeat).
        seed: bootstrap random seed (the same seed gives the same intervals).
        corpus, task: keep only these (None = all).
    """

    num_resamples: int = 1000
    level: float = 0.95
    unit: str = "document"
    seed: int = 0
    corpus: str | None = None
    task: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in ("document", "subject"):
            raise ValueError(f"unit={self.unit!r} is unknown; choose 'document' or 'subject'.")
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
    seed: int
    folds: int
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


@dataclass
class ReportOutput:
    """Tables (formatted for reading) and their tidy data (one row per number, for CSV)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def method_label(method: str, modality: str, losses: list[str] | None) -> str:
    label = method
    if losses is not None and set(losses) != set(AUX_LOSSES):
        label += f" [{'+'.join(losses)}]"
    if modality != "both":
        label += f" ({modality} only)"
    return label


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


def load_results(registry: RunRegistry, cfg: ReportConfig) -> list[RunResult]:
    """Every finished cross-validation of the registry (filtered by ``cfg.corpus``/``cfg.task``)."""
    out = []
    for record, report in registry.done_results("cv"):
        cell = _describe(record.config, report)
        if cfg.corpus not in (None, cell["corpus"]) or cfg.task not in (None, cell["task"]):
            continue
        classes = report["classes"]
        index = {c: i for i, c in enumerate(classes)}
        encoders = [e for e in (cell.get("audio_encoder"), cell.get("text_encoder")) if e]
        out.append(
            RunResult(
                run_id=record.id,
                corpus=cell["corpus"],
                task=cell["task"],
                backbone=" + ".join(encoders) or "features",
                method=method_label(cell["method"], cell.get("modality", "both"), cell.get("losses")),
                seed=int(cell.get("seed", 0)),
                folds=int(cell.get("folds", 0)),
                fold_auc=np.asarray(report["fold_auc"], dtype=float),
                auc_pooled=float(report["auc_macro"]),
                y=np.asarray([index[label] for label in report["labels"]]),
                proba=np.asarray(report["oof_proba"], dtype=float),
                fold_of=np.asarray(report["fold_of"]),
                document_ids=list(report.get("document_ids") or range(len(report["labels"]))),
                groups=report.get("groups"),
                losses=None if cell.get("losses") is None else tuple(cell["losses"]),
            )
        )
    return out


def _ci(run: RunResult, cfg: ReportConfig):
    groups = np.asarray(run.groups, dtype=object) if cfg.unit == "subject" and run.groups else None
    return bootstrap_auc_ci(
        run.y, run.proba, num_resamples=cfg.num_resamples, level=cfg.level, seed=cfg.seed, groups=groups
    )


def _dedupe(runs: list[RunResult], notes: list[str]) -> list[RunResult]:
    """One run per (corpus, task, row, seed, folds): the latest; say so when there were more."""
    latest: dict[tuple, RunResult] = {}
    for run in runs:  # oldest first, so later runs win
        key = (run.corpus, run.task, run.row, run.seed, run.folds)
        if key in latest:
            notes.append(
                f"{run.corpus}/{run.task} {run.row} seed {run.seed}: used the latest run {run.run_id}."
            )
        latest[key] = run
    return list(latest.values())


def main_tables(runs: list[RunResult], cfg: ReportConfig, out: ReportOutput) -> None:
    tidy = []
    for run in runs:
        ci = bootstrap_fold_mean_ci(
            run.y, run.proba, run.fold_of, num_resamples=cfg.num_resamples, level=cfg.level, seed=cfg.seed
        )
        pooled = _ci(run, cfg)
        finite = run.fold_auc[np.isfinite(run.fold_auc)]
        tidy.append(
            {
                "corpus": run.corpus,
                "task": run.task,
                "backbone": run.backbone,
                "method": run.method,
                "seed": run.seed,
                "folds": run.folds,
                "auc_mean": float(finite.mean()) if len(finite) else float("nan"),
                "auc_sd": float(finite.std(ddof=1)) if len(finite) > 1 else float("nan"),
                "auc_pooled": run.auc_pooled,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "pooled_ci_low": pooled.low,
                "pooled_ci_high": pooled.high,
                "ci_level": ci.level,
                "ci_unit": cfg.unit,
                "num_documents": len(run.y),
                "run_id": run.run_id,
            }
        )
    if not tidy:
        return
    frame = pd.DataFrame(tidy)
    many_seeds = frame.groupby(["corpus", "task", "backbone", "method"]).size().max() > 1
    for corpus, part in frame.groupby("corpus", sort=True):
        part = part.copy()
        part["row"] = part["backbone"] + " | " + part["method"]
        if many_seeds:
            part["row"] += " | seed " + part["seed"].astype(str)
        cells = part.assign(
            cell=[
                f"{100 * m:.1f} ± {100 * s:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"
                for m, s, lo, hi in zip(part.auc_mean, part.auc_sd, part.ci_low, part.ci_high, strict=True)
            ]
        )
        wide = cells.pivot(index="row", columns="task", values="cell")
        avg = part.pivot(index="row", columns="task", values="auc_mean").mean(axis=1)
        wide["Avg"] = [f"{100 * v:.1f}" for v in avg.reindex(wide.index)]
        wide = wide.loc[avg.sort_values(ascending=False).index]
        wide.index.name = "backbone | method"
        out.tables[f"table_{corpus}"] = wide.fillna("")
        out.data[f"table_{corpus}"] = part.drop(columns="row")


def ablation_tables(runs: list[RunResult], out: ReportOutput) -> None:
    """For each auxiliary loss, best fold-mean AUC with vs without it (hilbert runs only)."""
    rows = []
    hilbert = [r for r in runs if r.losses is not None]
    key = lambda r: (r.corpus, r.task, r.backbone, r.seed, r.folds)  # noqa: E731
    for (corpus, task, backbone, seed, _), group in itertools.groupby(sorted(hilbert, key=key), key=key):
        group = list(group)
        if len({r.losses for r in group}) < 2:
            continue
        for loss in AUX_LOSSES:
            with_ = [r for r in group if loss in r.losses]
            without = [r for r in group if loss not in r.losses]
            if not with_ or not without:
                continue
            best_w = max(with_, key=lambda r: np.nanmean(r.fold_auc))
            best_wo = max(without, key=lambda r: np.nanmean(r.fold_auc))
            rows.append(
                {
                    "corpus": corpus,
                    "task": task,
                    "backbone": backbone,
                    "seed": seed,
                    "loss": loss,
                    "best_with": float(np.nanmean(best_w.fold_auc)),
                    "best_without": float(np.nanmean(best_wo.fold_auc)),
                    "combos_with": len(with_),
                    "combos_without": len(without),
                    "run_with": best_w.run_id,
                    "run_without": best_wo.run_id,
                }
            )
    if not rows:
        return
    frame = pd.DataFrame(rows)
    frame["gain"] = frame.best_with - frame.best_without
    for corpus, part in frame.groupby("corpus", sort=True):
        wide = part.assign(
            cell=[
                f"{100 * w:.1f} / {100 * wo:.1f} ({100 * (w - wo):+.1f})"
                for w, wo in zip(part.best_with, part.best_without, strict=True)
            ],
            row=part.backbone + " | " + part.loss,
        ).pivot(index="row", columns="task", values="cell")
        wide.index.name = "backbone | loss: best with / without (gain)"
        out.tables[f"ablation_{corpus}"] = wide.fillna("")
        out.data[f"ablation_{corpus}"] = part


def paired_tables(runs: list[RunResult], cfg: ReportConfig, out: ReportOutput) -> None:
    """DeLong tests and paired-bootstrap CIs between every two rows scored on the same folds."""
    rows = []
    key = lambda r: (r.corpus, r.task, r.seed, r.folds)  # noqa: E731
    for (corpus, task, seed, folds), group in itertools.groupby(sorted(runs, key=key), key=key):
        for a, b in itertools.combinations(sorted(group, key=lambda r: r.row), 2):
            if a.document_ids != b.document_ids or not np.array_equal(a.y, b.y):
                out.notes.append(
                    f"{corpus}/{task}: {a.row} and {b.row} scored different documents; not compared."
                )
                continue
            test = delong_test(a.y, a.proba, b.proba)
            groups = np.asarray(a.groups, dtype=object) if cfg.unit == "subject" and a.groups else None
            ci = paired_bootstrap_delta(
                a.y,
                a.proba,
                b.proba,
                num_resamples=cfg.num_resamples,
                level=cfg.level,
                seed=cfg.seed,
                groups=groups,
            )
            rows.append(
                {
                    "corpus": corpus,
                    "task": task,
                    "seed": seed,
                    "folds": folds,
                    "row_a": a.row,
                    "row_b": b.row,
                    "auc_a": test.auc_a,
                    "auc_b": test.auc_b,
                    "delta": test.delta,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                    "z": test.z,
                    "p": test.p_value,
                    "run_a": a.run_id,
                    "run_b": b.run_id,
                }
            )
    if not rows:
        return
    frame = pd.DataFrame(rows)
    frame["p_holm"] = np.nan
    for _, idx in frame.groupby(["corpus", "task", "seed", "folds"]).groups.items():
        frame.loc[idx, "p_holm"] = holm(frame.loc[idx, "p"].to_numpy())
    for corpus, part in frame.groupby("corpus", sort=True):
        shown = pd.DataFrame(
            {
                "task": part.task,
                "seed": part.seed,
                "A": part.row_a,
                "B": part.row_b,
                "AUC A − B (%)": [
                    f"{100 * d:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
                    for d, lo, hi in zip(part.delta, part.ci_low, part.ci_high, strict=True)
                ],
                "DeLong z": part.z.round(2),
                "p": part.p.map(_fmt_p),
                "p (Holm)": part.p_holm.map(_fmt_p),
            }
        ).set_index("task")
        out.tables[f"paired_{corpus}"] = shown
        out.data[f"paired_{corpus}"] = part


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def build_report(registry: RunRegistry, cfg: ReportConfig | None = None) -> ReportOutput:
    """All tables of the registry's finished cross-validations."""
    cfg = cfg or ReportConfig()
    out = ReportOutput()
    runs = _dedupe(load_results(registry, cfg), out.notes)
    if not runs:
        out.notes.append(
            "no finished cross-validations in the registry; run `hilbert sweep` or `hilbert cv`."
        )
        return out
    main_tables(runs, cfg, out)
    ablation_tables(runs, out)
    paired_tables(runs, cfg, out)
    return out
