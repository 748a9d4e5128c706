"""The linear probe: standardised mean-pooled frozen features into a class-balanced, L2-regularised
logistic regression whose C is chosen by inner cross-validation of the training documents."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..evaluation.metrics import macro_auc

C_GRID = tuple(float(c) for c in np.logspace(-4, 2, 7))


@dataclass(frozen=True)
class LinearProbe:
    """A fitted probe as plain arrays (saved as safetensors, never pickled).

    Attributes:
        mean, scale: (F,) standardisation of the training documents.
        coef: (C, F) weights, or (1, F) for a binary task.
        intercept: (C,) or (1,).
        C: the regularisation chosen by inner cross-validation.
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    C: float

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(N, F) mean-pooled features -> (N, C) probabilities."""
        logits = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        if self.coef.shape[0] == 1:
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1 - p, p], axis=1)
        logits = logits - logits.max(1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(1, keepdims=True)


def fit_linear_probe(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray | None, seed: int, num_inner: int = 5
) -> LinearProbe:
    """Fit on (N, F) features and labels 0..C-1; C from ``C_GRID`` by grouped inner CV on macro AUC."""
    inner_groups = groups if groups is not None else np.arange(len(y))
    smallest = min(len(set(inner_groups[y == k].tolist())) for k in np.unique(y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=5000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, UserWarning, RuntimeWarning))
        if smallest >= 2:
            cv = StratifiedGroupKFold(n_splits=min(num_inner, smallest), shuffle=True, random_state=seed)
            search = GridSearchCV(
                pipe,
                {"logisticregression__C": list(C_GRID)},
                cv=cv,
                error_score=np.nan,
                scoring=make_scorer(macro_auc, response_method="predict_proba"),
            )
            search.fit(x, y, groups=inner_groups)
            pipe = search.best_estimator_
        else:  # too few subjects per class for inner CV: keep scikit-learn's default C
            pipe.fit(x, y)
    scaler, clf = pipe.named_steps["standardscaler"], pipe.named_steps["logisticregression"]
    return LinearProbe(
        mean=scaler.mean_, scale=scaler.scale_, coef=clf.coef_, intercept=clf.intercept_, C=float(clf.C)
    )
