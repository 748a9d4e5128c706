"""Classification metrics of docs/method.md §7 (one-vs-rest AUC, macro-averaged)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, roc_auc_score


def macro_auc(y: np.ndarray, proba: np.ndarray) -> float:
    """One-vs-rest AUC averaged over the classes that have both positives and negatives in ``y``.

    Binary tasks give the plain AUC of the positive class. NaN when no class qualifies.
    """
    aucs = per_class_auc(y, proba)
    if proba.shape[1] == 2:
        return aucs[1]
    valid = [a for a in aucs if not np.isnan(a)]
    return float(np.mean(valid)) if valid else float("nan")


def per_class_auc(y: np.ndarray, proba: np.ndarray) -> list[float]:
    """One-vs-rest AUC of each class column (NaN where the class is absent or alone)."""
    out = []
    for k in range(proba.shape[1]):
        positive = y == k
        if positive.all() or not positive.any():
            out.append(float("nan"))
        else:
            out.append(float(roc_auc_score(positive, proba[:, k])))
    return out


def summarize(y: np.ndarray, proba: np.ndarray, folds: list[np.ndarray], classes: list[str]) -> dict:
    """Pooled and per-fold metrics for out-of-fold probabilities ``proba`` (N, C)."""
    fold_auc = [macro_auc(y[test], proba[test]) for test in folds]
    valid = np.array([a for a in fold_auc if not np.isnan(a)])
    pred = proba.argmax(1)
    labels = list(range(len(classes)))
    return {
        "auc_macro": macro_auc(y, proba),
        "fold_auc": fold_auc,
        "auc_mean": float(valid.mean()) if len(valid) else float("nan"),
        "auc_sd": float(valid.std(ddof=1)) if len(valid) > 1 else float("nan"),
        "auc_per_class": dict(zip(classes, per_class_auc(y, proba), strict=True)),
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        "confusion": confusion_matrix(y, pred, labels=labels).tolist(),
    }
