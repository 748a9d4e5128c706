"""Paired comparisons for :mod:`hilbert_core.report.tables`: every two rows scored on the same folds.

For two runs with the same documents, labels and fold assignment (same corpus, task, seed and number of
folds): the difference of their pooled out-of-fold AUCs, its paired-bootstrap 95 % CI, DeLong's z and p
on the pooled out-of-fold predictions (not on the fold means), and the Holm-adjusted p within each
(corpus, task) family.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pandas as pd

from ..evaluation.bootstrap import paired_bootstrap_delta
from ..evaluation.stats import delong_test, holm
from .results import (
    NAN,
    NAN_CI,
    NAN_TEST,
    ReportConfig,
    ReportOutput,
    RunResult,
    attempt,
    resampling,
    row_labels,
    run_groups,
    run_unit,
)


def _aligned(a: RunResult, b: RunResult) -> RunResult | None:
    """``b`` with its documents in ``a``'s order; None when the two runs scored different documents."""
    if a.document_ids == b.document_ids:
        return b
    ids = b.document_ids
    if len(set(ids)) != len(ids) or sorted(ids) != sorted(a.document_ids):
        return None
    position = {d: i for i, d in enumerate(ids)}
    order = np.asarray([position[d] for d in a.document_ids])
    groups = None if b.groups is None else [b.groups[i] for i in order]
    return dataclasses.replace(
        b,
        y=b.y[order],
        proba=b.proba[order],
        fold_of=b.fold_of[order],
        groups=groups,
        document_ids=a.document_ids,
    )


def _same_partition(fold_a: np.ndarray, fold_b: np.ndarray) -> bool:
    """True when the two fold assignments hold out the same documents together (fold names may differ)."""
    pairs = set(zip(fold_a.tolist(), fold_b.tolist(), strict=True))
    return len(pairs) == len(set(fold_a.tolist())) == len(set(fold_b.tolist()))


def _pairing_problem(a: RunResult, b: RunResult | None) -> str | None:
    """Why two runs cannot be paired (different documents, labels or folds), or None."""
    if b is None:
        return "scored different documents"
    if not np.array_equal(a.y, b.y):
        return "gave the same documents different labels"
    if a.fold_of.shape != b.fold_of.shape or not _same_partition(a.fold_of, b.fold_of):
        return "used different fold assignments"
    return None


def _paired_row(
    a: RunResult, b_run: RunResult, labels: dict[str, str], cfg: ReportConfig, notes: list[str]
) -> dict[str, Any] | None:
    """Tidy numbers of one pair (NaN where a statistic cannot be computed), or None when not comparable."""
    where = f"{a.corpus}/{a.task}: {labels[a.run_id]} and {labels[b_run.run_id]}"
    b = _aligned(a, b_run)
    problem = _pairing_problem(a, b)
    if problem:
        notes.append(f"{where} {problem}; not compared.")
        return None
    test = attempt(
        notes,
        f"{where}: DeLong test",
        lambda: delong_test(a.y, a.proba, b.proba, groups=run_groups(a, cfg)),
        NAN_TEST,
    )
    ci = attempt(
        notes,
        f"{where}: paired bootstrap",
        lambda: paired_bootstrap_delta(a.y, a.proba, b.proba, groups=run_groups(a, cfg), **resampling(cfg)),
        NAN_CI,
    )
    return {
        **{k: getattr(a, k) for k in ("corpus", "task", "seed", "folds")},
        "row_a": labels[a.run_id],
        "row_b": labels[b.run_id],
        "auc_pooled_a": test.auc_a,
        "auc_pooled_b": test.auc_b,
        "delta_auc_pooled": ci.auc if np.isfinite(ci.auc) else test.delta,
        "delta_ci_low": ci.low,
        "delta_ci_high": ci.high,
        "delong_z_pooled_oof": test.z,
        "delong_p_pooled_oof": test.p_value,
        "unit": run_unit(a, cfg),  # what the bootstrap resampled and DeLong's variance summed over
        "run_a": a.run_id,
        "run_b": b.run_id,
    }


def _holm_per_task(frame: pd.DataFrame) -> None:
    """Holm-adjust the DeLong p-values; the family is every computed comparison of one corpus and task."""
    frame["delong_p_holm_pooled_oof"] = NAN
    frame["holm_family_size"] = 0
    for _, idx in frame.groupby(["corpus", "task"]).groups.items():
        p = frame.loc[idx, "delong_p_pooled_oof"]
        p = p[p.notna()]
        frame.loc[idx, "holm_family_size"] = len(p)
        frame.loc[p.index, "delong_p_holm_pooled_oof"] = holm(p.to_numpy())


def paired_tables(runs: list[RunResult], cfg: ReportConfig, out: ReportOutput) -> None:
    """Paired comparisons of every two rows with the same documents, labels and fold assignment.

    Candidates share corpus, task, seed and number of folds; a pair whose documents, labels or folds
    differ is skipped with a note. The AUCs, their difference, the paired-bootstrap CI and DeLong's z and
    p are computed on the pooled out-of-fold predictions (hence the ``*_pooled*`` column names), not on
    the per-fold AUCs the main table averages. ``delong_p_holm_pooled_oof`` is Holm-adjusted within
    each (corpus, task) family of ``holm_family_size`` tests.
    """
    labels = row_labels(runs, lambda r: r.row)
    key = lambda r: (r.corpus, r.task, r.seed, r.folds)  # noqa: E731
    rows = []
    for _, group in itertools.groupby(sorted(runs, key=key), key=key):
        for a, b in itertools.combinations(sorted(group, key=lambda r: labels[r.run_id]), 2):
            rows.append(_paired_row(a, b, labels, cfg, out.notes))
    rows = [r for r in rows if r is not None]
    if not rows:
        return
    frame = pd.DataFrame(rows)
    _holm_per_task(frame)
    for corpus, part in frame.groupby("corpus", sort=True):
        shown = pd.concat([part[["task", "seed"]], pair_columns(part)], axis=1).set_index("task")
        out.tables[f"paired_{corpus}"] = shown
        out.data[f"paired_{corpus}"] = part


def pair_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Paired comparisons (the tidy columns :func:`paired_tables` stores, plus ``row_a``/``row_b``)
    formatted for reading: rows A and B, the pooled AUC difference in points with its CI, DeLong's z
    and p, and Holm's p within the task. Keeps ``frame``'s index."""
    return pd.DataFrame(
        {
            "A": frame.row_a,
            "B": frame.row_b,
            "pooled AUC A − B (%)": [
                f"{_signed(d)} [{_signed(lo)}, {_signed(hi)}]"
                for d, lo, hi in zip(
                    frame.delta_auc_pooled, frame.delta_ci_low, frame.delta_ci_high, strict=True
                )
            ],
            "DeLong z (pooled OOF)": frame.delong_z_pooled_oof.round(2),
            "DeLong p (pooled OOF)": frame.delong_p_pooled_oof.map(_fmt_p),
            "Holm p (per task)": frame.delong_p_holm_pooled_oof.map(_fmt_p),
            "resampled": frame.unit if "unit" in frame else "document",
        },
        index=frame.index,
    )


def _signed(value: float) -> str:
    return f"{100 * value:+.1f}" if np.isfinite(value) else "n/a"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
