"""Bootstrap confidence intervals of cross-validated AUCs (see :mod:`hilbert_core.evaluation.stats` for the
AUC).

Shape legend: ``N`` documents, ``C`` classes, ``K`` classes entering the AUC, ``B`` bootstrap resamples,
``G`` groups (subjects). Resamples are drawn as integer weights per document (or per group), in chunks,
so the AUC of every resample is computed without copying the data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .stats import auc_classes, validate_pair, validate_scores

logger = logging.getLogger(__name__)

# Bootstrap weight matrices are built in chunks of about this many (resample, document) cells.
_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class BootstrapCI:
    """Percentile bootstrap interval.

    Attributes:
        auc: Estimate on the full data: the AUC, or the difference ``auc_a - auc_b`` for
            ``paired_bootstrap_delta``.
        low: Lower percentile bound.
        high: Upper percentile bound.
        level: Nominal coverage, e.g. 0.95.
        num_resamples: Resamples drawn, skipped ones included.
        num_skipped: Resamples that missed a class and were left out of the percentiles.
    """

    auc: float
    low: float
    high: float
    level: float
    num_resamples: int
    num_skipped: int


def bootstrap_auc_ci(
    y: np.ndarray,
    proba: np.ndarray,
    *,
    num_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> BootstrapCI:
    """Percentile bootstrap CI of the (macro) AUC.

    Documents are resampled with replacement; with ``groups`` (e.g. subject ids) whole groups are
    resampled and each drawn group brings all its documents. A resample that misses a class has no AUC: it
    is skipped and counted in ``num_skipped``.

    Args:
        y: (N,) int class indices 0..C-1.
        proba: (N, C) class probabilities.
        num_resamples: Number of resamples B (>= 1).
        level: Coverage in (0, 1).
        seed: Seed of ``np.random.default_rng``; the same seed gives the same interval.
        groups: Optional (N,) group label of each document.

    Returns:
        BootstrapCI around the full-data AUC.

    Raises:
        ValueError: On invalid inputs, or when more than half of the resamples miss a class.
    """
    y, proba = validate_scores(y, proba, purpose="a bootstrap AUC")
    stats, skipped = _bootstrap(y, [proba], num_resamples, level, seed, groups)
    point = _weighted_macro_auc(y, proba, np.ones((len(y), 1), dtype=np.int64))[0]
    return _percentile_ci(point, stats[:, 0], level, num_resamples, skipped)


def paired_bootstrap_delta(
    y: np.ndarray,
    proba_a: np.ndarray,
    proba_b: np.ndarray,
    *,
    num_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> BootstrapCI:
    """Percentile bootstrap CI of ``AUC(a) - AUC(b)``, both methods scored on the same resamples.

    Args:
        y: (N,) int class indices 0..C-1.
        proba_a: (N, C) class probabilities of method a.
        proba_b: (N, C) class probabilities of method b.
        num_resamples: Number of resamples B (>= 1).
        level: Coverage in (0, 1).
        seed: Seed of ``np.random.default_rng``.
        groups: Optional (N,) group label of each document; whole groups are resampled.

    Returns:
        BootstrapCI whose ``auc`` is the full-data difference ``auc_a - auc_b``.

    Raises:
        ValueError: As ``bootstrap_auc_ci``, or when ``proba_a`` and ``proba_b`` differ in shape.
    """
    y, proba_a, proba_b = validate_pair(y, proba_a, proba_b, min_per_class=1, purpose="a bootstrap AUC")
    stats, skipped = _bootstrap(y, [proba_a, proba_b], num_resamples, level, seed, groups)
    ones = np.ones((len(y), 1), dtype=np.int64)
    point = _weighted_macro_auc(y, proba_a, ones)[0] - _weighted_macro_auc(y, proba_b, ones)[0]
    return _percentile_ci(point, stats[:, 0] - stats[:, 1], level, num_resamples, skipped)


def bootstrap_fold_mean_ci(
    y: np.ndarray,
    proba: np.ndarray,
    fold_of: np.ndarray,
    *,
    num_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapCI:
    """Percentile bootstrap CI of the mean over folds of the per-fold macro AUC (the paper's number).

    Each resample redraws, with replacement, the documents of every fold within each class (a
    stratified bootstrap, as pROC's default), so every fold keeps its class counts and every resample
    has an AUC. A fold's AUC averages the one-vs-rest AUCs of the classes it holds (as
    :func:`hilbert_core.evaluation.metrics.macro_auc`); folds holding one class only are left out, as in
    the report.
    Draws come from one ``np.random.default_rng(seed)``: folds in ascending order, within a fold the
    classes in ascending order, one ``multinomial`` of shape (B, documents of that class) each.

    Args:
        y: (N,) int class indices 0..C-1.
        proba: (N, C) out-of-fold class probabilities.
        fold_of: (N,) outer test fold of each document.
        num_resamples: Number of resamples B (>= 1).
        level: Coverage in (0, 1).
        seed: Seed of ``np.random.default_rng``; the same seed gives the same interval.

    Returns:
        BootstrapCI whose ``auc`` is the mean over folds of the fold AUCs (``num_skipped`` is always 0).

    Raises:
        ValueError: On invalid inputs, ``fold_of`` not of shape (N,), or when no fold holds two classes.
    """
    _check_options(num_resamples, level)
    y, proba = validate_scores(y, proba, min_per_class=0, purpose="the fold-mean AUC")
    fold_of = np.asarray(fold_of)
    if fold_of.shape != y.shape:
        raise ValueError(
            f"fold_of has shape {fold_of.shape} for y of shape {y.shape}; give one fold per document."
        )
    rng = np.random.default_rng(seed)
    per_fold, points = [], []
    for fold in np.unique(fold_of):
        idx = np.flatnonzero(fold_of == fold)
        if len(np.unique(y[idx])) < 2:
            continue
        stats, point = _fold_auc_resamples(y[idx], proba[idx], rng, num_resamples)
        per_fold.append(stats)
        points.append(point)
    if not per_fold:
        raise ValueError(
            f"no fold of {len(np.unique(fold_of))} holds two classes; the fold-mean AUC is undefined: "
            "check fold_of (each outer fold should hold every class, e.g. stratified folds)."
        )
    return _percentile_ci(float(np.mean(points)), np.mean(per_fold, axis=0), level, num_resamples, 0)


def _fold_auc_resamples(
    y: np.ndarray, proba: np.ndarray, rng: np.random.Generator, num_resamples: int
) -> tuple[np.ndarray, float]:
    """One fold's macro AUC on B class-stratified resamples (B,) and on the fold itself."""
    present = np.unique(y)
    weights = np.zeros((len(y), num_resamples), dtype=np.int64)  # (N_fold, B)
    for c in present:
        rows = np.flatnonzero(y == c)
        weights[rows] = rng.multinomial(len(rows), np.full(len(rows), 1.0 / len(rows)), size=num_resamples).T
    ones = np.ones((len(y), 1), dtype=np.int64)
    classes = present if proba.shape[1] > 2 else [1]
    stats, point = np.zeros(num_resamples), 0.0
    for c in classes:
        binary = (y == c).astype(np.int64)
        two = np.stack([1.0 - proba[:, c], proba[:, c]], axis=1)
        stats += _weighted_macro_auc(binary, two, weights)
        point += _weighted_macro_auc(binary, two, ones)[0]
    return stats / len(classes), point / len(classes)


def _weighted_macro_auc(y: np.ndarray, proba: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Macro AUC (B,) for integer document weights (N, B); NaN where a resample misses a class.

    With weight ``w`` and ``x_i`` = weight of all documents ranked below i plus half of i's tie group (i
    included), the positives' ``sum w_i x_i`` counts every positive-negative pair once (ties 1/2) plus
    ``W_pos**2 / 2`` for the positive-positive pairs, which is subtracted.
    """
    out = np.zeros(weights.shape[1])
    valid = np.ones(weights.shape[1], dtype=bool)
    classes = auc_classes(proba.shape[1])
    for c in classes:
        order = np.argsort(proba[:, c], kind="stable")
        score = proba[order, c]
        new_group = np.concatenate([[True], score[1:] != score[:-1]])
        group = np.cumsum(new_group) - 1  # (N,) tie group of each sorted document
        w = weights[order].astype(float)  # (N, B)
        cum = np.cumsum(w, axis=0)[np.append(np.flatnonzero(new_group[1:]), len(score) - 1)]  # (groups, B)
        below_half = cum - 0.5 * np.diff(cum, axis=0, prepend=0.0)  # x of each tie group
        pos = y[order] == c
        w_in = w[pos]  # (m_c, B)
        w_pos, w_total = w_in.sum(axis=0), cum[-1]
        wins = np.sum(w_in * below_half[group[pos]], axis=0) - 0.5 * w_pos**2
        valid &= (w_pos > 0) & (w_pos < w_total)
        with np.errstate(divide="ignore", invalid="ignore"):
            out += wins / (w_pos * (w_total - w_pos))
    return np.where(valid, out / len(classes), np.nan)


def _resample_weights(rng: np.random.Generator, num: int, group_index: np.ndarray) -> np.ndarray:
    """(N, num) draw counts of each document: groups drawn with replacement, documents follow their group."""
    num_groups = int(group_index.max()) + 1
    draws = rng.integers(0, num_groups, size=(num, num_groups))
    flat = (draws + num_groups * np.arange(num)[:, None]).ravel()
    counts = np.bincount(flat, minlength=num * num_groups).reshape(num, num_groups)
    return counts.T[group_index]


def _bootstrap(
    y: np.ndarray,
    probas: list[np.ndarray],
    num_resamples: int,
    level: float,
    seed: int,
    groups: np.ndarray | None,
) -> tuple[np.ndarray, int]:
    """AUCs (B_kept, len(probas)) of each method on the same resamples, and the number skipped."""
    _check_options(num_resamples, level)
    group_index = _group_index(groups, len(y))
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // len(y))
    parts = []
    for start in range(0, num_resamples, chunk):
        weights = _resample_weights(rng, min(chunk, num_resamples - start), group_index)
        parts.append(np.stack([_weighted_macro_auc(y, p, weights) for p in probas], axis=1))
    stats = np.concatenate(parts)
    kept = ~np.isnan(stats).any(axis=1)
    skipped = int(num_resamples - kept.sum())
    if skipped:
        logger.info("bootstrap: %d of %d resamples missed a class and were skipped", skipped, num_resamples)
    if 2 * skipped > num_resamples:
        unit = "subjects (groups)" if groups is not None else "documents"
        counts = np.bincount(y, minlength=probas[0].shape[1]).tolist()
        raise ValueError(
            f"{skipped} of {num_resamples} bootstrap resamples missed a class "
            f"(documents per class: {counts}); too few {unit} in the smallest class for a bootstrap CI: "
            "merge rare classes or collect more data."
        )
    return stats[kept], skipped


def _check_options(num_resamples: int, level: float) -> None:
    """Resample count and confidence level of a bootstrap."""
    if not isinstance(num_resamples, int | np.integer) or num_resamples < 1:
        raise ValueError(f"num_resamples={num_resamples!r} must be an integer >= 1; e.g. use 2000.")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level={level!r} must be in (0, 1); e.g. use 0.95 for a 95 % interval.")


def _group_index(groups: np.ndarray | None, num_docs: int) -> np.ndarray:
    """(N,) integer group of each document; every document is its own group when ``groups`` is None."""
    if groups is None:
        return np.arange(num_docs)
    groups = np.asarray(groups)
    if groups.shape != (num_docs,):
        raise ValueError(
            f"groups has shape {groups.shape} but y has {num_docs} documents; pass one group per document."
        )
    return np.unique(groups, return_inverse=True)[1].ravel()


def _percentile_ci(
    point: float, stats: np.ndarray, level: float, num_resamples: int, skipped: int
) -> BootstrapCI:
    """Percentile interval of the kept bootstrap statistics."""
    alpha = 1.0 - level
    low, high = np.quantile(stats, [alpha / 2.0, 1.0 - alpha / 2.0])
    return BootstrapCI(float(point), float(low), float(high), float(level), int(num_resamples), int(skipped))
