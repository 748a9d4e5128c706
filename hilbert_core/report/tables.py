"""Paper tables from the registry: AUC by backbone pair x method x task, the loss ablation, paired tests.

- Main tables (the paper's Tables 2 and 3, one per corpus): rows = backbone pair x method, columns =
  tasks, each cell the AUC (%) mean +- sd over the outer folds and a 95 % confidence interval of that
  fold mean by bootstrap over documents (stratified within folds and classes); rows sorted by their
  average. The CSV adds the pooled out-of-fold AUC and its bootstrap CI (over documents or subjects).
- Ablation table (Table 4): for each auxiliary loss, the best AUC over the ``hilbert`` loss
  combinations that include it and over those that exclude it, for one backbone, modality, seed, number
  of folds and set of config overrides at a time.
- Paired comparisons: every two rows scored on the same documents with the same fold assignment (same
  corpus, task, seed and folds): the difference of their pooled out-of-fold AUCs, its paired-bootstrap
  95 % CI, DeLong's z and p on the pooled out-of-fold predictions (not on the fold means), and the
  Holm-adjusted p. The Holm family is every comparison of one corpus and task.

A setting that is not part of a row's name (seed, number of folds, config overrides) is added to it in
every table of a corpus where it takes more than one value, so runs with different settings never share
a row. A run or pair whose statistics cannot be computed (e.g. no fold holds two classes) gets NaN
("n/a") in that cell and a note in :attr:`ReportOutput.notes`; the rest of the report is unaffected.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from ..config import AUX_LOSSES
from ..evaluation.bootstrap import bootstrap_auc_ci, bootstrap_fold_mean_ci
from ..experiments.registry import RunRegistry
from .paired import paired_tables
from .results import (
    NAN_CI,
    ReportConfig,
    ReportOutput,
    RunResult,
    attempt,
    latest_runs,
    load_results,
    modality_suffix,
    resampling,
    row_labels,
    run_groups,
    run_unit,
)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}" if np.isfinite(value) else "n/a"


def _main_row(run: RunResult, cfg: ReportConfig, notes: list[str]) -> dict[str, Any]:
    """Tidy numbers of one run; a CI that cannot be computed is NaN (with a note)."""
    where = f"{run.corpus}/{run.task} {run.row} (run {run.run_id})"
    fold_ci = attempt(
        notes,
        f"{where}: fold-mean CI",
        lambda: bootstrap_fold_mean_ci(run.y, run.proba, run.fold_of, **resampling(cfg)),
        NAN_CI,
    )
    pooled = attempt(
        notes,
        f"{where}: pooled-AUC CI",
        lambda: bootstrap_auc_ci(run.y, run.proba, groups=run_groups(run, cfg), **resampling(cfg)),
        NAN_CI,
    )
    return {
        **{k: getattr(run, k) for k in ("corpus", "task", "backbone", "method", "seed", "folds")},
        "overrides": "; ".join(run.overrides),
        "auc_mean": run.fold_mean,
        "auc_sd": run.fold_sd,
        "auc_pooled": run.auc_pooled,
        "auc_mean_ci_low": fold_ci.low,  # fold-mean CI: documents resampled within folds and classes
        "auc_mean_ci_high": fold_ci.high,
        "auc_pooled_ci_low": pooled.low,  # pooled-AUC CI: resamples auc_pooled_ci_unit
        "auc_pooled_ci_high": pooled.high,
        "ci_level": cfg.level,
        "auc_pooled_ci_unit": run_unit(run, cfg),
        "num_documents": len(run.y),
        "run_id": run.run_id,
    }


def main_tables(runs: list[RunResult], cfg: ReportConfig, out: ReportOutput) -> None:
    """One table per corpus: fold-mean AUC ± sd [fold-mean CI] by row and task, rows by their average over
    tasks (rows without every task last, with no average)."""
    if not runs:
        return
    labels = row_labels(runs, lambda r: r.row)
    frame = pd.DataFrame([{**_main_row(r, cfg, out.notes), "row": labels[r.run_id]} for r in runs])
    for corpus, part in frame.groupby("corpus", sort=True):
        cells = part.assign(
            cell=[
                f"{_pct(m)} ± {_pct(s)} [{_pct(lo)}, {_pct(hi)}]"
                for m, s, lo, hi in zip(
                    part.auc_mean, part.auc_sd, part.auc_mean_ci_low, part.auc_mean_ci_high, strict=True
                )
            ]
        )
        wide = cells.pivot(index="row", columns="task", values="cell")
        # the average ranks rows fairly only when they have every task: others get n/a and go last
        means = part.pivot(index="row", columns="task", values="auc_mean")
        avg = means.mean(axis=1).where(means.notna().all(axis=1))
        wide["Avg"] = [_pct(v) for v in avg.reindex(wide.index)]
        wide = wide.loc[avg.sort_values(ascending=False, na_position="last").index]
        if avg.isna().any() and means.shape[1] > 1:
            out.notes.append(
                f"{corpus}: Avg (fold mean over tasks) is given only for rows with every task; "
                f"{int(avg.isna().sum())} row(s) without every task are listed last."
            )
        wide.index.name = "backbone | method"
        out.tables[f"table_{corpus}"] = wide.fillna("")
        out.data[f"table_{corpus}"] = part.drop(columns="row")


def ablation_tables(runs: list[RunResult], out: ReportOutput) -> None:
    """For each auxiliary loss, best fold-mean AUC with vs without it (hilbert runs only).

    Runs are compared only within one (corpus, task, backbone, modality, seed, folds, overrides); runs
    without any finite fold AUC take no part (with a note).
    """
    hilbert = [r for r in runs if r.losses is not None]
    for run in hilbert:
        if not np.isfinite(run.fold_mean):
            out.notes.append(
                f"{run.corpus}/{run.task} {run.row} (run {run.run_id}): no fold AUC; not in the ablation."
            )
    hilbert = [r for r in hilbert if np.isfinite(r.fold_mean)]
    labels = row_labels(hilbert, lambda r: r.backbone + modality_suffix(r.modality))
    key = lambda r: (r.corpus, r.task, r.backbone, r.modality, r.seed, r.folds, r.overrides)  # noqa: E731
    rows = []
    for _, group in itertools.groupby(sorted(hilbert, key=key), key=key):
        group = list(group)
        if len({r.losses for r in group}) >= 2:
            rows += [_ablation_row(group, loss, labels) for loss in AUX_LOSSES]
    rows = [r for r in rows if r is not None]
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
        ).pivot(index="row", columns="task", values="cell")
        wide.index.name = "backbone | loss: best with / without (gain)"
        out.tables[f"ablation_{corpus}"] = wide.fillna("")
        out.data[f"ablation_{corpus}"] = part.drop(columns="row")


def _ablation_row(group: list[RunResult], loss: str, labels: dict[str, str]) -> dict[str, Any] | None:
    """Best run with and without ``loss`` in one ablation group; None when either side is empty."""
    with_ = [r for r in group if loss in r.losses]
    without = [r for r in group if loss not in r.losses]
    if not with_ or not without:
        return None
    best_w = max(with_, key=lambda r: r.fold_mean)
    best_wo = max(without, key=lambda r: r.fold_mean)
    first = group[0]
    return {
        **{k: getattr(first, k) for k in ("corpus", "task", "backbone", "modality", "seed", "folds")},
        "overrides": "; ".join(first.overrides),
        "loss": loss,
        "best_with": best_w.fold_mean,
        "best_without": best_wo.fold_mean,
        "combos_with": len(with_),
        "combos_without": len(without),
        "run_with": best_w.run_id,
        "run_without": best_wo.run_id,
        "row": f"{labels[first.run_id]} | {loss}",
    }


def build_report(registry: RunRegistry, cfg: ReportConfig | None = None) -> ReportOutput:
    """All tables of the registry's finished cross-validations (see the module docstring)."""
    cfg = cfg or ReportConfig()
    out = ReportOutput()
    runs = latest_runs(load_results(registry, cfg, out.notes), out.notes)
    if not runs:
        out.notes.append(
            "no finished cross-validations in the registry; run `hilbert sweep` or `hilbert cv`."
        )
        return out
    main_tables(runs, cfg, out)
    ablation_tables(runs, out)
    paired_tables(runs, cfg, out)
    return out
