"""Uncertainty of one prediction: the conformal set at a stated coverage, the chance levels, the spread
of the ensemble members and the model's cross-validated AUC, from a :class:`Calibration`.

A :class:`Calibration` is a set of out-of-fold predictions of the model's recipe (documents scored by a
model that did not train on them) with their true classes; where they come from is decided by
:func:`hilbert_core.experiments.model_runs.bundle_calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..report.vocabulary import CHANCE, HEADLINE, pct
from .conformal import DEFAULT_COVERAGE, conformal_sets, min_calibration
from .metrics import macro_auc


@dataclass(frozen=True)
class Calibration:
    """Out-of-fold predictions that calibrate a model's prediction sets.

    Attributes:
        proba: (n, C) out-of-fold probabilities, columns in the model's class order.
        y: (n,) true class indices.
        classes: the model's classes.
        source: where they come from, for the reader ("cross-validation run 202be3f6e780 ...").
        auc: pooled out-of-fold macro AUC of these predictions (0..1).
        run_id: the registry run they come from (None: the bundle's own inner cross-validation).
    """

    proba: np.ndarray
    y: np.ndarray
    classes: list[str]
    source: str
    auc: float
    run_id: str | None = None

    @classmethod
    def from_oof(cls, proba, y, classes, source: str, run_id: str | None = None, auc: float | None = None):
        proba, y = np.asarray(proba, dtype=float), np.asarray(y, dtype=int)
        return cls(
            proba, y, list(classes), source, macro_auc(y, proba) if auc is None else float(auc), run_id
        )

    @property
    def base_rates(self) -> np.ndarray:
        """(C,) share of each class among the calibration documents (the prevalence a guess would use)."""
        return np.bincount(self.y, minlength=len(self.classes)) / max(len(self.y), 1)


@dataclass(frozen=True)
class UncertaintyOutput:
    """What a reader needs next to a predicted class.

    Attributes:
        prediction_set: the classes the model cannot rule out at ``coverage`` (most probable first).
        coverage: the stated coverage of the set (0..1).
        base_rates: class -> share of that class in the calibration documents (chance level of a
            probability); ``uniform`` is 1 / C.
        proba_sd: class -> standard deviation of the probability over the ensemble members (empty for a
            single model).
        auc: the model's cross-validated (pooled out-of-fold macro) AUC, 0..1; chance is 0.5.
        num_calibration: documents the set was calibrated on; source: where they come from.
        note: why no set could be made (too few calibration documents), else empty.
    """

    prediction_set: list[str]
    coverage: float
    base_rates: dict[str, float]
    uniform: float
    auc: float
    num_calibration: int
    source: str
    proba_sd: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def sentence(self) -> str:
        """One plain line: the set, its coverage, the chance level and the model's AUC."""
        if self.prediction_set:
            shown = "{" + ", ".join(self.prediction_set) + "}"
            head = f"{self.coverage:.0%} prediction set {shown}"
        else:
            head = f"no prediction set ({self.note})"
        return (
            f"{head}; chance level {self.uniform:.0%} per class (base rates "
            + ", ".join(f"{c} {p:.0%}" for c, p in self.base_rates.items())
            + f"); model's cross-validated {HEADLINE} {pct(self.auc)} % (chance {pct(CHANCE)} %), "
            f"calibrated on {self.num_calibration} out-of-fold documents ({self.source})"
        )

    def to_dict(self) -> dict:
        return {
            "prediction_set": self.prediction_set,
            "coverage": self.coverage,
            "base_rates": self.base_rates,
            "chance_uniform": self.uniform,
            "proba_sd": self.proba_sd,
            "cv_auc": self.auc,
            "cv_auc_kind": HEADLINE,
            "num_calibration": self.num_calibration,
            "calibration_source": self.source,
            "note": self.note,
        }


def uncertainty(
    calibration: Calibration,
    proba: np.ndarray,
    coverage: float = DEFAULT_COVERAGE,
    proba_sd: np.ndarray | None = None,
) -> UncertaintyOutput:
    """The uncertainty of one prediction ``proba`` (C,) of a model calibrated by ``calibration``."""
    proba = np.asarray(proba, dtype=float)
    classes = calibration.classes
    members_sd = {} if proba_sd is None else {c: float(s) for c, s in zip(classes, proba_sd, strict=True)}
    common = {
        "coverage": float(coverage),
        "base_rates": dict(zip(classes, calibration.base_rates.tolist(), strict=True)),
        "uniform": 1.0 / len(classes),
        "auc": float(calibration.auc),
        "num_calibration": len(calibration.y),
        "source": calibration.source,
        "proba_sd": members_sd,
    }
    if len(calibration.y) < min_calibration(coverage):
        note = f"{len(calibration.y)} calibration documents; {min_calibration(coverage)} needed"
        return UncertaintyOutput(prediction_set=[], note=note, **common)
    sets = conformal_sets(calibration.proba, calibration.y, proba[None], coverage)
    order = np.argsort(proba)[::-1]
    members = [classes[k] for k in order if sets.sets[0, k]]
    return UncertaintyOutput(prediction_set=members, **common)
