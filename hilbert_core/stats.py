"""Statistics for comparing cross-validated classifiers from their out-of-fold predictions.

Shape legend: ``N`` documents, ``C`` classes, ``K`` classes entering the AUC (1 when C == 2, else C),
``B`` bootstrap resamples, ``G`` groups (subjects).

The AUC is the one of ``metrics.macro_auc``: for C == 2 the binary AUC of column 1, for C > 2 the mean over
classes of the one-vs-rest AUC of column c; ties count 1/2. It agrees with ``sklearn.metrics.roc_auc_score``
(``multi_class="ovr", average="macro"`` for C > 2).

References:
    DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated receiver
    operating characteristic curves: a nonparametric approach", Biometrics 44(3):837-845.
    Sun & Xu (2014), "Fast implementation of DeLong's algorithm for comparing the areas under correlated
    receiver operating characteristic curves", IEEE Signal Processing Letters 21(11):1389-1393.
    Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6(2):65-70.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, rankdata

logger = logging.getLogger(__name__)

# Bootstrap weight matrices are built in chunks of about this many (resample, document) cells.
_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class AUCComponents:
    """Macro AUC with its DeLong placement values and per-document influence.

    Attributes:
        auc: Macro AUC (for C == 2 the binary AUC of column 1).
        class_auc: (K,) one-vs-rest AUC of each class in ``classes``.
        classes: (K,) class indices that are averaged: ``[1]`` when C == 2, else ``0..C-1``.
        placement: (N, K) DeLong placement values: ``V10_c(i)`` (fraction of negatives ranked below i,
            ties 1/2) when ``y_i == c``, else ``V01_c(i)`` (fraction of positives ranked above i, ties 1/2).
        influence: (N,) influence of each document on ``auc``, scaled so that ``sum(influence**2)`` is the
            DeLong variance (see ``delong_variance``).
    """

    auc: float
    class_auc: np.ndarray
    classes: np.ndarray
    placement: np.ndarray
    influence: np.ndarray


@dataclass(frozen=True)
class PairedTest:
    """DeLong test of two methods scored on the same documents; ``delta = auc_a - auc_b``."""

    auc_a: float
    auc_b: float
    delta: float
    se: float
    z: float
    p_value: float
    n: int


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


def macro_auc_components(y: np.ndarray, proba: np.ndarray) -> AUCComponents:
    """Macro AUC with DeLong placement values, computed from midranks (Sun & Xu 2014) in O(K N log N).

    For class c with m_c positives and n_c negatives, the structural component of document i is
    ``psi_c(i) = (V10_c(i) - AUC_c) / m_c`` if ``y_i == c`` else ``(V01_c(i) - AUC_c) / n_c``. The stored
    influence is ``mean_c phi_c(i)`` with ``phi_c(i) = psi_c(i) * sqrt(g / (g - 1))``, g being the size of
    i's role group (m_c or n_c). That is DeLong's small-sample factor: for one class ``sum(phi**2)`` is
    exactly ``S10/m + S01/n`` with ddof=1 sample variances.

    Args:
        y: (N,) int class indices 0..C-1; every class needs at least 2 documents.
        proba: (N, C) out-of-fold class probabilities (any monotone scores work), C >= 2.

    Returns:
        AUCComponents with ``auc``, ``class_auc`` (K,), ``classes`` (K,), ``placement`` (N, K) and
        ``influence`` (N,).

    Raises:
        ValueError: On mismatched shapes, non-finite ``proba``, labels outside 0..C-1 or a class with fewer
            than 2 documents.
    """
    y, proba = _validate(y, proba, min_per_class=2, purpose="DeLong placement values")
    return _components(y, proba)


def delong_variance(y: np.ndarray, proba: np.ndarray) -> float:
    """DeLong variance of the (macro) AUC.

    Binary: the classic ``S10/m + S01/n`` of DeLong et al. (1988). C > 2: the variance of the mean of the C
    one-vs-rest AUCs, covariances included, estimated as ``sum_i psi(i)**2`` with the macro influence
    ``psi(i) = mean_c phi_c(i)`` of ``macro_auc_components``. Equivalently ``mean_{c,d} Cov(A_c, A_d)`` with
    ``Cov(A_c, A_d) = sum_i phi_c(i) phi_d(i)``: the diagonal is each class's exact DeLong variance, and an
    off-diagonal term weights ``psi_c(i) psi_d(i)`` by the geometric mean of the two small-sample factors.
    Being a Gram matrix it is never negative, and for C == 2 it is exactly classic DeLong.

    Args:
        y: (N,) int class indices 0..C-1; every class needs at least 2 documents.
        proba: (N, C) class probabilities.

    Returns:
        The estimated variance of ``macro_auc_components(y, proba).auc``.

    Raises:
        ValueError: As ``macro_auc_components``.
    """
    return float(np.sum(macro_auc_components(y, proba).influence ** 2))


def delong_test(y: np.ndarray, proba_a: np.ndarray, proba_b: np.ndarray) -> PairedTest:
    """Paired DeLong test of ``AUC(a) == AUC(b)`` on the same documents and labels.

    ``var(delta) = sum_i (psi_a(i) - psi_b(i))**2``, which for C == 2 is DeLong's
    ``var(A) + var(B) - 2 cov(A, B)`` with the S10/S01 covariance matrices. ``z = delta / se`` and the
    p-value is two-sided normal. When the variance is exactly 0 (e.g. identical predictions or predictions
    with the same ranking), ``z = 0`` and ``p_value = 1.0`` if ``delta == 0``, else ``z = +-inf`` and
    ``p_value = 0.0``.

    Args:
        y: (N,) int class indices 0..C-1; every class needs at least 2 documents.
        proba_a: (N, C) class probabilities of method a.
        proba_b: (N, C) class probabilities of method b.

    Returns:
        PairedTest with ``auc_a``, ``auc_b``, ``delta``, ``se``, ``z``, ``p_value`` and ``n`` (= N).

    Raises:
        ValueError: As ``macro_auc_components``, or when ``proba_a`` and ``proba_b`` differ in shape.
    """
    y, proba_a, proba_b = _validate_pair(y, proba_a, proba_b, min_per_class=2, purpose="the DeLong test")
    comp_a, comp_b = _components(y, proba_a), _components(y, proba_b)
    delta = comp_a.auc - comp_b.auc
    var = float(np.sum((comp_a.influence - comp_b.influence) ** 2))
    if var > 0.0:
        se = math.sqrt(var)
        z = delta / se
        p_value = float(2.0 * norm.sf(abs(z)))
    elif delta == 0.0:
        se, z, p_value = 0.0, 0.0, 1.0
    else:
        se, z, p_value = 0.0, math.copysign(math.inf, delta), 0.0
    return PairedTest(comp_a.auc, comp_b.auc, delta, se, z, p_value, len(y))


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
    y, proba = _validate(y, proba, purpose="a bootstrap AUC")
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
    y, proba_a, proba_b = _validate_pair(y, proba_a, proba_b, min_per_class=1, purpose="a bootstrap AUC")
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
    :func:`hilbert_core.metrics.macro_auc`); folds holding one class only are left out, as in the report.
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
    y, proba = _validate(y, proba, min_per_class=0, purpose="the fold-mean AUC")
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


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values, in the input order.

    Sorted ascending, ``adj_(k) = max_{j <= k} min(1, (M - j + 1) p_(j))``, so the result is monotone in the
    raw p-values and capped at 1.

    Args:
        p_values: (M,) raw p-values in [0, 1].

    Returns:
        (M,) adjusted p-values.

    Raises:
        ValueError: When ``p_values`` is not 1-D or holds values outside [0, 1] (NaN included).
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p_values has shape {p.shape}; pass a 1-D sequence of p-values.")
    bad = ~((p >= 0.0) & (p <= 1.0))
    if bad.any():
        raise ValueError(f"p_values holds {p[bad].tolist()}, outside [0, 1]; pass valid p-values (no NaN).")
    order = np.argsort(p, kind="stable")
    steps = len(p) - np.arange(len(p))  # M, M-1, ..., 1
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps * p[order]))
    return adjusted


def _auc_classes(num_classes: int) -> np.ndarray:
    """Classes entering the AUC: column 1 alone for binary, all one-vs-rest columns otherwise."""
    return np.array([1]) if num_classes == 2 else np.arange(num_classes)


def _components(y: np.ndarray, proba: np.ndarray) -> AUCComponents:
    """Placement values and influence of validated inputs (see ``macro_auc_components``)."""
    classes = _auc_classes(proba.shape[1])
    ranks = rankdata(proba[:, classes], axis=0)  # (N, K) midranks among all documents
    placement = np.empty((len(y), len(classes)))
    phi = np.empty_like(placement)
    class_auc = np.empty(len(classes))
    for k, c in enumerate(classes):
        pos = y == c
        m, n = int(pos.sum()), int((~pos).sum())
        # Rank among all minus rank among own group = opposite-group documents below (ties 1/2).
        placement[pos, k] = (ranks[pos, k] - rankdata(proba[pos, c])) / n
        placement[~pos, k] = 1.0 - (ranks[~pos, k] - rankdata(proba[~pos, c])) / m
        class_auc[k] = placement[pos, k].mean()
        size = np.where(pos, m, n).astype(float)
        # psi / sqrt((g - 1) / g) with psi = (V - AUC) / g: DeLong's ddof=1 variances (module docstring).
        phi[:, k] = (placement[:, k] - class_auc[k]) / np.sqrt(size * (size - 1.0))
    return AUCComponents(float(class_auc.mean()), class_auc, classes, placement, phi.mean(axis=1))


def _weighted_macro_auc(y: np.ndarray, proba: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Macro AUC (B,) for integer document weights (N, B); NaN where a resample misses a class.

    With weight ``w`` and ``x_i`` = weight of all documents ranked below i plus half of i's tie group (i
    included), the positives' ``sum w_i x_i`` counts every positive-negative pair once (ties 1/2) plus
    ``W_pos**2 / 2`` for the positive-positive pairs, which is subtracted.
    """
    out = np.zeros(weights.shape[1])
    valid = np.ones(weights.shape[1], dtype=bool)
    classes = _auc_classes(proba.shape[1])
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


def _validate_pair(
    y: np.ndarray, proba_a: np.ndarray, proba_b: np.ndarray, *, min_per_class: int, purpose: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_validate`` for two methods that must score the same documents over the same classes."""
    if np.shape(proba_a) != np.shape(proba_b):
        raise ValueError(
            f"proba_a has shape {np.shape(proba_a)} but proba_b has {np.shape(proba_b)}; "
            "pass out-of-fold probabilities of both methods for the same documents and classes."
        )
    y, proba_a = _validate(y, proba_a, name="proba_a", min_per_class=min_per_class, purpose=purpose)
    y, proba_b = _validate(y, proba_b, name="proba_b", min_per_class=min_per_class, purpose=purpose)
    return y, proba_a, proba_b


def _validate(
    y: np.ndarray,
    proba: np.ndarray,
    *,
    name: str = "proba",
    min_per_class: int = 1,
    purpose: str = "the AUC",
) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``y`` (N,) int64 and ``proba`` (N, C) float64."""
    y, proba = np.asarray(y), np.asarray(proba, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"y has shape {y.shape}; pass a 1-D array of N class indices.")
    if proba.ndim != 2 or proba.shape[0] != len(y) or proba.shape[1] < 2:
        raise ValueError(
            f"{name} has shape {proba.shape} but y has {len(y)} documents; "
            f"pass {name} as (N, C) = ({len(y)}, num_classes) with C >= 2."
        )
    bad = ~np.isfinite(proba)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN/inf values (first in row {row}); "
            "drop or impute those documents first."
        )
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iub":
        raise ValueError(
            f"y has dtype {y.dtype}; pass integer class indices 0..C-1 "
            "(e.g. from np.unique(labels, return_inverse=True))."
        )
    y = y.astype(np.int64)
    num_classes = proba.shape[1]
    outside = (y < 0) | (y >= num_classes)
    if outside.any():
        raise ValueError(
            f"y contains labels {np.unique(y[outside]).tolist()} outside 0..{num_classes - 1} "
            f"({name} has {num_classes} columns); re-index y or add the missing columns to {name}."
        )
    counts = np.bincount(y, minlength=num_classes)
    if counts.min() < min_per_class:
        c = int(np.argmin(counts))
        raise ValueError(
            f"class {c} has {counts[c]} documents in y (per class: {counts.tolist()}); {purpose} needs at "
            f"least {min_per_class} per class: drop that column of {name} and re-index y, or merge classes."
        )
    return y, proba
