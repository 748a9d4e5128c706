"""Statistics for comparing cross-validated classifiers from their out-of-fold predictions.

Shape legend: ``N`` documents, ``C`` classes, ``K`` classes entering the AUC (1 when C == 2, else C),
``B`` bootstrap resamples, ``G`` groups (subjects).

The AUC is the one of ``metrics.macro_auc``: for C == 2 the binary AUC of column 1, for C > 2 the mean over
classes of the one-vs-rest AUC of column c; ties count 1/2. It agrees with ``sklearn.metrics.roc_auc_score``
(``multi_class="ovr", average="macro"`` for C > 2). Bootstrap intervals live in
:mod:`hilbert_core.evaluation.bootstrap`.

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
    y, proba = validate_scores(y, proba, min_per_class=2, purpose="DeLong placement values")
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


def clustered_sum_of_squares(influence: np.ndarray, groups: np.ndarray | None) -> float:
    """``sum_s (sum_{i in s} psi(i))**2`` over clusters ``s`` (e.g. subjects): the variance of a sum of
    per-document influences when documents of one subject are not independent. Without ``groups`` (or
    with one document per group) it is ``sum_i psi(i)**2``, DeLong's variance.

    References:
        the cluster-robust ("sandwich") variance of an asymptotically linear statistic; for the AUC,
        Obuchowski (1997), "Nonparametric analysis of clustered ROC curve data".
    """
    if groups is None:
        return float(np.sum(influence**2))
    _, cluster = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    return float(np.sum(np.bincount(cluster, weights=influence) ** 2))


def delong_test(
    y: np.ndarray, proba_a: np.ndarray, proba_b: np.ndarray, groups: np.ndarray | None = None
) -> PairedTest:
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
        groups: optional (N,) subject of each document: the influences are summed per subject before
            squaring (:func:`clustered_sum_of_squares`), so repeated documents of one subject do not
            count as independent evidence.

    Returns:
        PairedTest with ``auc_a``, ``auc_b``, ``delta``, ``se``, ``z``, ``p_value`` and ``n`` (= N).

    Raises:
        ValueError: As ``macro_auc_components``, or when ``proba_a`` and ``proba_b`` differ in shape.
    """
    y, proba_a, proba_b = validate_pair(y, proba_a, proba_b, min_per_class=2, purpose="the DeLong test")
    comp_a, comp_b = _components(y, proba_a), _components(y, proba_b)
    delta = comp_a.auc - comp_b.auc
    var = clustered_sum_of_squares(comp_a.influence - comp_b.influence, groups)
    if var > 0.0:
        se = math.sqrt(var)
        z = delta / se
        p_value = float(2.0 * norm.sf(abs(z)))
    elif delta == 0.0:
        se, z, p_value = 0.0, 0.0, 1.0
    else:
        se, z, p_value = 0.0, math.copysign(math.inf, delta), 0.0
    return PairedTest(comp_a.auc, comp_b.auc, delta, se, z, p_value, len(y))


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


def auc_classes(num_classes: int) -> np.ndarray:
    """Classes entering the AUC: column 1 alone for binary, all one-vs-rest columns otherwise."""
    return np.array([1]) if num_classes == 2 else np.arange(num_classes)


def _components(y: np.ndarray, proba: np.ndarray) -> AUCComponents:
    """Placement values and influence of validated inputs (see ``macro_auc_components``)."""
    classes = auc_classes(proba.shape[1])
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


def validate_pair(
    y: np.ndarray, proba_a: np.ndarray, proba_b: np.ndarray, *, min_per_class: int, purpose: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``validate_scores`` for two methods that must score the same documents over the same classes."""
    if np.shape(proba_a) != np.shape(proba_b):
        raise ValueError(
            f"proba_a has shape {np.shape(proba_a)} but proba_b has {np.shape(proba_b)}; "
            "pass out-of-fold probabilities of both methods for the same documents and classes."
        )
    y, proba_a = validate_scores(y, proba_a, name="proba_a", min_per_class=min_per_class, purpose=purpose)
    y, proba_b = validate_scores(y, proba_b, name="proba_b", min_per_class=min_per_class, purpose=purpose)
    return y, proba_a, proba_b


def validate_scores(
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
