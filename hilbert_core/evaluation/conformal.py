"""Conformal prediction sets: the classes a prediction cannot rule out, at a stated coverage.

Split conformal classification with the LAC ("hinge") score, through the ``crepes`` library: the
nonconformity of a class is ``1 - p(class)``; on calibration documents (out-of-fold predictions, each
made by a model that did not train on the document) the score of the true class is collected, and a
new document's set holds every class whose score is at most the calibration scores'
``ceil((n + 1) * coverage) / n`` quantile. When calibration and new documents are exchangeable, the set
holds the true class with probability at least ``coverage`` (and at most ``coverage + 1 / (n + 1)``).
Sets are deterministic (``crepes``' smoothing off) and never empty: when no class passes, the most
probable one is kept.

References:
    Vovk, Gammerman, Shafer (2005), Algorithmic Learning in a Random World; Sadinle, Lei, Wasserman
    (2019), Least Ambiguous Set-Valued Classifiers with Bounded Error Levels, JASA 114(525).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_COVERAGE = 0.9


@dataclass(frozen=True)
class ConformalOutput:
    """Prediction sets of some documents.

    Attributes:
        sets: (N, C) booleans, True where the class is in the document's set.
        coverage: the stated coverage (probability that the true class is in the set).
        num_calibration: calibration documents the threshold came from.
    """

    sets: np.ndarray
    coverage: float
    num_calibration: int

    def classes_of(self, row: int, classes: list[str]) -> list[str]:
        return [c for c, keep in zip(classes, self.sets[row], strict=True) if keep]


def _check(proba: np.ndarray, name: str) -> np.ndarray:
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValueError(f"{name} has shape {proba.shape}; give (documents, classes) probabilities.")
    return proba


def min_calibration(coverage: float) -> int:
    """Fewest calibration documents for which a set at ``coverage`` can exclude any class."""
    return int(np.ceil(round(coverage / (1 - coverage), 9)))  # rounded: 0.9 / 0.1 is 9.000000000000002


def conformal_sets(
    cal_proba: np.ndarray, cal_y: np.ndarray, proba: np.ndarray, coverage: float = DEFAULT_COVERAGE
) -> ConformalOutput:
    """Sets for ``proba`` (N, C), calibrated on ``cal_proba`` (n, C) with true class indices ``cal_y``.

    Raises:
        ValueError: a coverage outside (0, 1), mismatched shapes, or too few calibration documents.
    """
    from crepes import ConformalClassifier
    from crepes.extras import hinge

    if not 0 < coverage < 1:
        raise ValueError(f"coverage={coverage} is not between 0 and 1; use e.g. 0.9 for 90 %.")
    cal_proba, proba = _check(cal_proba, "cal_proba"), _check(proba, "proba")
    cal_y = np.asarray(cal_y, dtype=int)
    if cal_proba.shape[1] != proba.shape[1] or len(cal_y) != len(cal_proba):
        raise ValueError(
            f"calibration ({cal_proba.shape}, {len(cal_y)} labels) does not fit proba {proba.shape}; "
            "calibrate on the same model's classes, one label per row."
        )
    if len(cal_y) < min_calibration(coverage):
        raise ValueError(
            f"{len(cal_y)} calibration documents are too few for {coverage:.0%} sets (need at least "
            f"{min_calibration(coverage)}); lower the coverage or calibrate on more documents."
        )
    classes = np.arange(cal_proba.shape[1])
    model = ConformalClassifier().fit(hinge(cal_proba, classes, cal_y))
    sets = model.predict_set(hinge(proba), confidence=coverage, smoothing=False).astype(bool)
    empty = ~sets.any(axis=1)
    sets[empty, proba[empty].argmax(axis=1)] = True
    return ConformalOutput(sets=sets, coverage=float(coverage), num_calibration=len(cal_y))


def empirical_coverage(sets: np.ndarray, y: np.ndarray) -> float:
    """Share of documents whose true class (index ``y``) is in its set."""
    y = np.asarray(y, dtype=int)
    return float(np.asarray(sets)[np.arange(len(y)), y].mean())
