"""The linear probe: standardised mean-pooled frozen features into a class-balanced, L2-regularised
logistic regression whose C is chosen by grouped inner cross-validation of the training documents.

Choosing C: every value of :data:`C_GRID` is scored by the macro AUC of its inner validation folds
(binary tasks included: the AUC always sees the full (N, C) probability matrix). With ~100 documents
the C with the best mean inner AUC is mostly noise, so the default rule is glmnet's ``lambda.1se``: the
strongest regularisation (smallest C) whose mean inner AUC is within one standard error of the best.

Calibration: a strongly regularised probe ranks well but its probabilities are nearly uniform, and
probes of folds with different C are on different scales, which a pooled out-of-fold AUC punishes. So
the chosen probe's logits are multiplied by one temperature factor fitted (by cross-entropy) on its
own inner-fold predictions: the ranking, hence each fold's AUC, is unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from ..evaluation.metrics import macro_auc

C_GRID = tuple(float(c) for c in np.logspace(-4, 2, 7))
RULES = ("1se", "best")
DEFAULT_C = 1.0  # scikit-learn's default, used when the training part is too small for inner folds


@dataclass(frozen=True)
class LinearProbe:
    """A fitted probe as plain arrays (saved as safetensors, never pickled).

    Attributes:
        mean, scale: (F,) standardisation of the training documents.
        coef: (C, F) weights, or (1, F) for a binary task.
        intercept: (C,) or (1,).
        C: the regularisation chosen by inner cross-validation.
        selection: how C was chosen: ``rule``, ``inner_folds`` and the mean / standard error of the
            inner AUC of every C in :data:`C_GRID` (empty when there were too few documents).
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    C: float
    selection: dict = field(default_factory=dict, compare=False)

    def scaled(self, factor: float) -> LinearProbe:
        """The same probe with its logits multiplied by ``factor`` (same ranking, other confidence)."""
        return LinearProbe(
            self.mean, self.scale, self.coef * factor, self.intercept * factor, self.C, self.selection
        )

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(N, F) mean-pooled features -> (N, C) class logits (a binary task's first class at 0)."""
        z = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        return np.concatenate([np.zeros_like(z), z], axis=1) if self.coef.shape[0] == 1 else z

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(N, F) mean-pooled features -> (N, C) probabilities."""
        return _softmax(self.logits(x))


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(1, keepdims=True)


def fit_probe(x: np.ndarray, y: np.ndarray, c: float) -> LinearProbe:
    """A probe with a given C on (N, F) features and labels 0..C-1 (standardised on ``x``)."""
    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, UserWarning, RuntimeWarning))
        clf.fit(scaler.transform(x), y)
    return LinearProbe(scaler.mean_, scaler.scale_, clf.coef_, clf.intercept_, float(c))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The factor ``t`` minimising the cross-entropy of ``softmax(t * logits)`` on labels ``y``
    (a golden-section search over log t in [-4, 8]); 1.0 when the logits carry no ranking."""
    if not np.isfinite(logits).all() or np.ptp(logits) == 0:
        return 1.0

    def loss(log_t: float) -> float:
        z = np.exp(log_t) * logits
        z = z - z.max(1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(len(y)), y]))

    lo, hi = -4.0, 8.0
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        lo, hi = (lo, b) if loss(a) < loss(b) else (a, hi)
    return float(np.exp((lo + hi) / 2))


def inner_folds(
    y: np.ndarray, groups: np.ndarray | None, seed: int, num_inner: int = 5
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped, stratified inner folds of a training part (as many as its smallest class allows, at most
    ``num_inner``); empty when a class has fewer than two subjects."""
    inner_groups = groups if groups is not None else np.arange(len(y))
    smallest = min(len(set(inner_groups[y == k].tolist())) for k in np.unique(y))
    if smallest < 2:
        return []
    cv = StratifiedGroupKFold(n_splits=min(num_inner, smallest), shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(cv.split(np.zeros(len(y)), y, inner_groups))


def choose_by_rule(means: np.ndarray, ses: np.ndarray, rule: str = "1se") -> int:
    """Index of the chosen candidate; candidates are ordered from most to least regularised.

    ``best``: the highest mean. ``1se``: the first (most regularised) whose mean is within one standard
    error of the best. NaN means (a candidate that failed everywhere) never win.
    """
    if rule not in RULES:
        raise ValueError(f"rule={rule!r} is unknown; choose one of {', '.join(RULES)}.")
    if not np.isfinite(means).any():
        return len(means) - 1
    best = int(np.nanargmax(means))
    if rule == "best":
        return best
    threshold = means[best] - (ses[best] if np.isfinite(ses[best]) else 0.0)
    return int(np.flatnonzero(np.nan_to_num(means, nan=-np.inf) >= threshold)[0])


def fit_linear_probe(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray | None,
    seed: int,
    num_inner: int = 5,
    rule: str = "1se",
) -> LinearProbe:
    """Fit on (N, F) features and labels 0..C-1, with C from :data:`C_GRID` chosen by ``rule`` on the
    macro AUC of grouped inner folds (see the module docstring)."""
    folds = inner_folds(y, groups, seed, num_inner)
    if not folds:  # too few subjects per class for inner CV: keep scikit-learn's default C
        return fit_probe(x, y, DEFAULT_C)
    num_classes = int(y.max()) + 1
    aucs = np.full((len(C_GRID), len(folds)), np.nan)
    oof = np.full((len(C_GRID), len(y), num_classes), np.nan)  # inner out-of-fold logits per C
    for j, (fit_idx, val_idx) in enumerate(folds):
        if len(np.unique(y[fit_idx])) < num_classes:
            continue  # a fold whose fitting part misses a class scores nothing
        for i, c in enumerate(C_GRID):
            oof[i, val_idx] = fit_probe(x[fit_idx], y[fit_idx], c).logits(x[val_idx])
            aucs[i, j] = macro_auc(y[val_idx], _softmax(oof[i, val_idx]))
    counts = np.isfinite(aucs).sum(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(aucs, axis=1)
        ses = np.nanstd(aucs, axis=1, ddof=1) / np.sqrt(np.maximum(counts, 1))
    chosen = choose_by_rule(means, ses, rule)
    scored = np.isfinite(oof[chosen]).all(1)
    temperature = fit_temperature(oof[chosen][scored], y[scored]) if scored.any() else 1.0
    probe = fit_probe(x, y, C_GRID[chosen]).scaled(temperature)
    selection = {
        "rule": rule,
        "inner_folds": len(folds),
        "C_grid": list(C_GRID),
        "inner_auc_mean": [float(v) for v in means],
        "inner_auc_se": [float(v) for v in ses],
        "temperature": temperature,
    }
    return LinearProbe(probe.mean, probe.scale, probe.coef, probe.intercept, probe.C, selection)
