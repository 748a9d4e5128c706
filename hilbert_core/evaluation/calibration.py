"""Calibration of predicted probabilities: top-label reliability bins and the expected calibration error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class CalibrationOutput:
    """Reliability of the top-class probability.

    Attributes:
        bins: one row per bin: ``low``, ``high``, ``count``, ``confidence`` (mean top probability),
            ``accuracy`` (fraction whose top class is right); NaN for empty bins.
        ece: expected calibration error, ``sum_b n_b / N * |accuracy_b - confidence_b|``.
        num_documents: N.
    """

    bins: pd.DataFrame
    ece: float
    num_documents: int


def calibration(labels: list[str], classes: list[str], proba: Any, num_bins: int = 10) -> CalibrationOutput:
    """Top-label reliability bins and ECE of out-of-fold probabilities (equal-width bins on [0, 1]).

    Raises:
        ValueError: ``num_bins`` < 2, or labels and probability rows that do not match.
    """
    if num_bins < 2:
        raise ValueError(f"num_bins={num_bins} is too few; use 2 or more (10 is usual).")
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or len(proba) != len(labels) or proba.shape[1] != len(classes):
        raise ValueError(
            f"the run's oof_proba has shape {proba.shape} for {len(labels)} labels and {len(classes)} "
            "classes; the report is damaged: run the cross-validation again."
        )
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted({str(label) for label in labels} - set(index))
    if unknown:
        raise ValueError(
            f"label {unknown[0]!r} is not one of the classes {list(index)}; the report is damaged: run the "
            "cross-validation again."
        )
    y = np.asarray([index[str(label)] for label in labels])
    confidence, correct = proba.max(axis=1), (proba.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, num_bins - 1)
    rows, ece = [], 0.0
    for b in range(num_bins):
        sel = which == b
        n = int(sel.sum())
        conf = float(confidence[sel].mean()) if n else np.nan
        acc = float(correct[sel].mean()) if n else np.nan
        if n:
            ece += n / len(y) * abs(acc - conf)
        rows.append({"low": edges[b], "high": edges[b + 1], "count": n, "confidence": conf, "accuracy": acc})
    return CalibrationOutput(bins=pd.DataFrame(rows), ece=float(ece), num_documents=int(len(y)))
