"""Stratified folds, grouped by subject when groups are given (a subject never spans train and test)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold


def check_foldable(y: np.ndarray, classes: Sequence[str], groups: np.ndarray | None, n_splits: int) -> None:
    """Raise ValueError before training when ``n_splits`` folds cannot hold every class."""
    unit = "documents" if groups is None else "subjects"
    for k, name in enumerate(classes):
        members = np.flatnonzero(y == k)
        count = len(members) if groups is None else len(set(groups[members].tolist()))
        if count < n_splits:
            raise ValueError(
                f"n_splits={n_splits} is larger than class {name!r}, which has {count} {unit}; "
                "lower n_splits or merge classes."
            )
    if groups is not None:
        n_groups = len(set(groups.tolist()))
        if n_groups < n_splits:
            raise ValueError(
                f"groups hold {n_groups} subjects, fewer than n_splits={n_splits}; lower n_splits."
            )


def make_folds(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Outer folds: ``[(train_idx, test_idx), ...]``, stratified on ``y`` and grouped when ``groups`` is set.

    Raises:
        ValueError: when a training fold would miss a class (the grouping makes stratification
            impossible), naming the fold and class.
    """
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        folds = list(splitter.split(np.zeros(len(y)), y))
    else:
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            folds = list(splitter.split(np.zeros(len(y)), y, groups))
    num_classes = int(y.max()) + 1
    for f, (train, test) in enumerate(folds):
        if len(test) == 0:
            raise ValueError(f"fold {f} has no test documents; lower n_splits={n_splits}.")
        missing = sorted(set(range(num_classes)) - set(y[train].tolist()))
        if missing:
            raise ValueError(
                f"fold {f}'s training part has no document of class index {missing[0]}: the groups put "
                "all of that class's subjects in one fold; lower n_splits or check the groups."
            )
    return folds


def inner_splits(
    y: np.ndarray,
    groups: np.ndarray | None,
    train_idx: np.ndarray,
    num_inner: int,
    val_fraction: float,
    seed: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inner (fit, validation) splits of one training fold, used only for model selection.

    ``num_inner == 1`` holds out one grouped, stratified share ``val_fraction``; ``num_inner >= 2``
    gives ``num_inner``-fold inner cross-validation. Indices are into the full corpus.
    """
    k = num_inner if num_inner >= 2 else max(round(1 / val_fraction), 2)
    sub_y = y[train_idx]
    sub_groups = groups[train_idx] if groups is not None else train_idx
    largest_class = int(np.bincount(sub_y).max())
    k = min(k, len(set(sub_groups.tolist())), largest_class)
    if k < 2 or k < num_inner:
        raise ValueError(
            f"the training part ({len(train_idx)} documents) is too small for an inner validation "
            f"split (num_inner={num_inner}); add documents, lower n_splits or set train.num_inner=1."
        )
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parts = list(splitter.split(np.zeros(len(sub_y)), sub_y, sub_groups))
    return [(train_idx[a], train_idx[b]) for a, b in parts[:num_inner]]
