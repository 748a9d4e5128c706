"""Out-of-fold predictions of a final model's own inner cross-validation, kept in the bundle.

A final model (:func:`hilbert_core.training.bundle.train_final`) is an ensemble of the models of its
inner folds, each trained on all documents but its inner validation fold. Scoring every inner model on
the documents it did not train on gives out-of-fold probabilities at no extra training cost; with the
default ``train.num_inner = 5`` every document gets one. They calibrate the bundle's conformal
prediction sets and give its cross-validated AUC (see :mod:`hilbert_core.evaluation.conformal`). The
linear probe gets the same from a grouped k-fold of its chosen C.

Caveat (documented in the README): an inner model also stopped early on these documents, which makes
their scores slightly optimistic; the outer cross-validation of the same recipe, when the workspace has
one, is preferred (:mod:`hilbert_core.experiments.model_runs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .probe import LinearProbe, fit_probe, inner_folds

INNER_SOURCE = "inner cross-validation of the final model"


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold probabilities of some documents.

    Attributes:
        index: (n,) document indices (into the training documents) that have a prediction.
        proba: (n, C) probabilities, each from a model that did not train on the document.
        y: (n,) true class indices.
        source: what made them (a sentence for the reader).
    """

    index: np.ndarray
    proba: np.ndarray
    y: np.ndarray
    source: str = INNER_SOURCE


def members_oof(member_proba: list[np.ndarray], val_idx: list[np.ndarray], y: np.ndarray) -> OutOfFold:
    """Average, per document, the probabilities of the members that held it out for validation.

    Args:
        member_proba: per member, (len(val_idx[m]), C) probabilities of its validation documents.
        val_idx: per member, its validation document indices.
        y: (N,) class indices of all training documents.
    """
    num_classes = member_proba[0].shape[1]
    total = np.zeros((len(y), num_classes))
    count = np.zeros(len(y))
    for proba, idx in zip(member_proba, val_idx, strict=True):
        np.add.at(total, idx, proba)
        np.add.at(count, idx, 1)
    index = np.flatnonzero(count)
    return OutOfFold(index, total[index] / count[index, None], np.asarray(y)[index])


def probe_oof(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray | None, probe: LinearProbe, seed: int, num_inner: int = 5
) -> OutOfFold | None:
    """Out-of-fold probabilities of the linear probe on the grouped inner folds it chose its C on, each
    refitted at the probe's C and scaled by its temperature (None when a class has fewer than two
    subjects, so that there are no inner folds)."""
    folds = inner_folds(y, groups, seed, num_inner)
    proba = np.full((len(y), int(y.max()) + 1), np.nan)
    temperature = float(probe.selection.get("temperature", 1.0))
    for fit_idx, val_idx in folds:
        if len(np.unique(y[fit_idx])) == proba.shape[1]:
            fitted = fit_probe(x[fit_idx], y[fit_idx], probe.C).scaled(temperature)
            proba[val_idx] = fitted.predict_proba(x[val_idx])
    index = np.flatnonzero(np.isfinite(proba).all(1))
    if not len(index):
        return None
    return OutOfFold(index, proba[index], np.asarray(y)[index], "grouped inner cross-validation of the probe")
