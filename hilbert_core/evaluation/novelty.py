"""Whether one interview lies outside what a model was trained on: the distance from its embedding to
the nearest training document, against the training documents' own leave-one-out nearest-neighbour
distances.

Rule: cosine distance (1 - cosine similarity) in the model's joint embedding space (its training
documents' embeddings are kept in the bundle, ``Bundle.reference``). Among the N training documents,
each one's distance to its nearest *other* training document gives N reference distances; the
interview is *unusual* above their 95th percentile and *outside what the model was trained on* above
their 99th.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNUSUAL_PERCENTILE = 95.0
OUTSIDE_PERCENTILE = 99.0
MIN_REFERENCE = 10  # fewer training documents give no usable percentile


@dataclass(frozen=True)
class NoveltyOutput:
    """How far one interview is from the training documents.

    Attributes:
        checked: False when it could not be checked (``note`` says why); the rest is then NaN or empty.
        level: ``"typical"``, ``"unusual"`` (above the 95th percentile) or ``"outside"`` (above the 99th).
        distance: cosine distance from the interview to its nearest training document.
        p95, p99: the 95th and 99th percentiles of the training documents' leave-one-out nearest-neighbour
            distances.
        percentile: share (0..100) of training documents whose own nearest-neighbour distance is smaller.
        space: the embedding compared (``z_joint``); num_reference: training documents compared with.
        note: why it could not be checked, else empty.
    """

    checked: bool
    level: str = ""
    distance: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    percentile: float = float("nan")
    space: str = ""
    num_reference: int = 0
    note: str = ""

    @property
    def is_outside(self) -> bool:
        return self.level == "outside"

    def sentence(self) -> str:
        """One plain line: the mark, the distance and the rule."""
        if not self.checked:
            return f"Not checked whether this interview is like the training documents: {self.note}."
        what = {
            "typical": "within what the model was trained on",
            "unusual": "unusual for this model (above the 95th percentile)",
            "outside": "OUTSIDE what the model was trained on (above the 99th percentile)",
        }[self.level]
        return (
            f"This interview is {what}: its nearest training document is at cosine distance "
            f"{self.distance:.3f} in the model's {self.space} space; the {self.num_reference} training "
            f"documents' own nearest-neighbour distances have 95th percentile {self.p95:.3f} and 99th "
            f"{self.p99:.3f} (it is further than {self.percentile:.0f} % of them)."
        )

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"sentence": self.sentence()}


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def novelty(reference: np.ndarray, z: np.ndarray, space: str = "z_joint") -> NoveltyOutput:
    """The rule of this module for one embedding ``z`` (K,) against ``reference`` (N, K).

    Raises:
        ValueError: ``z`` and ``reference`` differ in width.
    """
    ref, z = np.asarray(reference, dtype=float), np.asarray(z, dtype=float).ravel()
    if ref.ndim != 2 or ref.shape[1] != z.shape[0]:
        raise ValueError(
            f"reference has shape {ref.shape} and the embedding {z.shape}; pass both from the same model."
        )
    if len(ref) < MIN_REFERENCE:
        return not_checked(f"the model keeps only {len(ref)} training embeddings ({MIN_REFERENCE} needed)")
    ref_u, z_u = _unit(ref), _unit(z)
    dist = 1.0 - ref_u @ ref_u.T  # (N, N)
    np.fill_diagonal(dist, np.inf)
    own = dist.min(axis=1)  # (N,) leave-one-out nearest-neighbour distances
    distance = float((1.0 - ref_u @ z_u).min())
    p95, p99 = (float(np.percentile(own, q)) for q in (UNUSUAL_PERCENTILE, OUTSIDE_PERCENTILE))
    level = "outside" if distance > p99 else "unusual" if distance > p95 else "typical"
    return NoveltyOutput(
        True, level, distance, p95, p99, float(100 * np.mean(own < distance)), space, len(ref)
    )


def not_checked(note: str) -> NoveltyOutput:
    """A :class:`NoveltyOutput` that says why the check could not be made."""
    return NoveltyOutput(False, note=note)
