"""How well a segment score finds known cue segments: attention-mass lift and top-k precision lift, per
document, and their mean over documents with a subject-grouped bootstrap interval.

Both lifts are 1 for a score that knows nothing (uniform weights, random ranking):

* mass lift: the share of the score's (non-negative) mass on cue segments / the cue segments' share of
  the document's segments. Signed faithful scores enter with their positive part toward the class
  asked about (negative values put no mass anywhere);
* top-k precision lift: the fraction of the k highest-scoring segments that are cue segments / the
  cue segments' share of the segments (ties broken by segment order).

Shape legend: S segments of one document, N documents, G subjects, B bootstrap resamples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def mass_lift(scores: np.ndarray, cues: np.ndarray) -> float:
    """(S,) scores, (S,) bool cue segments -> mass lift; NaN when no positive mass or no cue."""
    mass = np.clip(np.nan_to_num(np.asarray(scores, np.float64)), 0.0, None)
    share = cues.mean()
    if mass.sum() <= 0 or share == 0:
        return float("nan")
    return float(mass[cues].sum() / mass.sum() / share)


def topk_lift(scores: np.ndarray, cues: np.ndarray, k: int = 3) -> float:
    """(S,) scores, (S,) bool cue segments -> top-k precision lift (k capped at S); NaN when no cue."""
    share = cues.mean()
    if share == 0:
        return float("nan")
    top = np.argsort(-np.nan_to_num(np.asarray(scores, np.float64), nan=-np.inf), kind="stable")[:k]
    return float(cues[top].mean() / share)


@dataclass(frozen=True)
class MeanInterval:
    """A mean over documents with its percentile bootstrap interval (subjects resampled).

    Attributes:
        mean: the mean over the documents where the value is defined.
        low, high: the interval's bounds (NaN when fewer than two subjects).
        level: its nominal coverage.
        num_documents, num_subjects: what the mean is over.
    """

    mean: float
    low: float
    high: float
    level: float
    num_documents: int
    num_subjects: int

    def to_dict(self) -> dict[str, float | int]:
        return dict(vars(self))


def grouped_mean_ci(
    values: np.ndarray,
    groups: np.ndarray | None = None,
    *,
    num_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> MeanInterval:
    """Mean of (N,) ``values`` (NaN left out) with a percentile bootstrap interval; with ``groups``
    (subject ids) whole subjects are resampled and bring all their documents."""
    values = np.asarray(values, np.float64)
    groups = np.arange(len(values)) if groups is None else np.asarray(groups)
    keep = np.isfinite(values)
    values, groups = values[keep], groups[keep]
    index = np.unique(groups, return_inverse=True)[1].ravel()  # (N,) subject of each document
    num_groups = int(index.max()) + 1 if len(index) else 0
    mean = float(values.mean()) if len(values) else float("nan")
    if num_groups < 2:
        return MeanInterval(mean, float("nan"), float("nan"), level, len(values), num_groups)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, num_groups, size=(num_resamples, num_groups))
    counts = np.zeros((num_resamples, num_groups))
    np.add.at(counts, (np.arange(num_resamples)[:, None], draws), 1.0)  # (B, G) draws of each subject
    weights = counts[:, index]  # (B, N)
    means = (weights @ values) / weights.sum(1)
    alpha = 1.0 - level
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return MeanInterval(mean, float(low), float(high), level, len(values), num_groups)
