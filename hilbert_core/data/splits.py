"""Stratified folds, grouped by subject when groups are given (a subject never spans train and test)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold


def check_foldable(
    y: np.ndarray, classes: Sequence[str], groups: np.ndarray | None, n_splits: int
) -> list[str]:
    """Raise ValueError before training when the folds cannot be made or a training fold would miss a
    class; return a note (one sentence) for each class smaller than ``n_splits``.

    A class with fewer documents (or subjects) than folds leaves some test folds without it; the pooled
    out-of-fold AUC is defined all the same, so this is allowed (the paper's 25 folds on its small
    classes). A class with a single document (or subject) would be absent from the training part of
    the fold that tests it, so that is refused.
    """
    unit = "documents" if groups is None else "subjects"
    notes = []
    for k, name in enumerate(classes):
        members = np.flatnonzero(y == k)
        count = len(members) if groups is None else len(set(groups[members].tolist()))
        if count < 2:
            raise ValueError(
                f"class {name!r} has {count} {unit[:-1]}: the fold that tests it would train without it; "
                "add documents of that class or merge classes."
            )
        if count < n_splits:
            notes.append(
                f"class {name!r} has {count} {unit}, fewer than n_splits={n_splits}: some test folds hold "
                "none of it, so read the pooled out-of-fold AUC (fold AUCs average the classes present)."
            )
    n_units = len(y) if groups is None else len(set(groups.tolist()))
    if n_units < n_splits:
        raise ValueError(f"the data hold {n_units} {unit}, fewer than n_splits={n_splits}; lower n_splits.")
    return notes


def make_folds(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Outer folds: ``[(train_idx, test_idx), ...]``, stratified on ``y`` and grouped when ``groups`` is set.

    Raises:
        ValueError: when a training fold would miss a class (the grouping makes stratification
            impossible), naming the fold and class.
    """
    # Classes smaller than n_splits are reported by check_foldable; scikit-learn's warning is not needed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if groups is None:
            splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            folds = list(splitter.split(np.zeros(len(y)), y))
        else:
            splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
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
    gives ``num_inner``-fold inner cross-validation. Indices are into the full corpus. A training part
    too small for that many gets as many inner folds as it allows, down to one hold-out; one too small
    even for a hold-out (fewer than two subjects) gets a single split validated on its own training
    documents (no early-stopping signal: read :func:`inner_plan_note`).
    """
    k = num_inner if num_inner >= 2 else max(round(1 / val_fraction), 2)
    sub_y = y[train_idx]
    sub_groups = groups[train_idx] if groups is not None else train_idx
    largest_class = int(np.bincount(sub_y).max())
    k = min(k, len(set(sub_groups.tolist())), largest_class)
    if k < 2:
        return [(train_idx, train_idx)]
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parts = list(splitter.split(np.zeros(len(sub_y)), sub_y, sub_groups))
    return [(train_idx[a], train_idx[b]) for a, b in parts[:num_inner]]


def inner_plan_note(
    splits: list[tuple[np.ndarray, np.ndarray]], num_inner: int, num_train: int
) -> str | None:
    """One sentence when :func:`inner_splits` gave fewer inner folds than ``num_inner`` asked."""
    if len(splits) == 1 and splits[0][0] is splits[0][1]:
        return (
            f"a training part of {num_train} documents is too small for an inner validation split: its "
            "models train without early stopping (stopped at their lowest training loss)."
        )
    if len(splits) < num_inner:
        return (
            f"a training part of {num_train} documents allows {len(splits)} inner folds, not "
            f"train.num_inner={num_inner}: used {len(splits)}."
        )
    return None
