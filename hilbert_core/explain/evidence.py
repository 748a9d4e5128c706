"""The result of explaining one scored interview (:class:`SegmentEvidence`), shared by the core, the CLI,
the Interview page and the downloadable report.

Shape legend: S segments of the interview, C classes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# Faithful score kinds: leave-one-segment-out ("occlusion") per modality and both at once, and
# integrated gradients on the segment embeddings per modality; all in units of class probability.
FAITHFUL_KINDS = ("occlusion_joint", "occlusion_audio", "occlusion_text", "ig_audio", "ig_text")


@dataclass(frozen=True)
class SegmentEvidence:
    """How each segment of one interview moved its prediction.

    Attributes:
        classes: class names, the columns of every (S, C) array.
        proba: (C,) the interview's class probabilities (all segments).
        faithful: kind (one of :data:`FAITHFUL_KINDS`) -> (S, C): for occlusion, p_k(all segments) minus
            p_k(this segment removed), so a positive value means the segment pushed toward class k; for
            integrated gradients, the segment's attribution to p_k (sums to p_k(input) - p_k(baseline)).
            Only the kinds the model allows (no audio kinds for a text-only model).
        attention: modality (``audio``, ``text``, ``joint``) -> (S,) attention pooling weights, empty for a
            linear-probe bundle (which has none).
        default_kind: the faithful kind shown first (the page's timeline colour, the report's list).
        agreement: modality -> Spearman rank correlation between its attention weights and the default
            faithful score of the predicted class, over the segments (NaN when undefined).
        notes: plain sentences on how the scores were computed (baseline, steps, ensemble averaging).
    """

    classes: list[str]
    proba: np.ndarray
    faithful: dict[str, np.ndarray]
    attention: dict[str, np.ndarray]
    default_kind: str
    agreement: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def predicted(self) -> int:
        """Index of the most probable class."""
        return int(np.argmax(self.proba))

    def scores(self, kind: str | None = None, cls: int | None = None) -> np.ndarray:
        """(S,) the faithful score ``kind`` (default: :attr:`default_kind`) for class ``cls`` (default:
        the predicted class)."""
        kind = kind or self.default_kind
        if kind not in self.faithful:
            raise ValueError(
                f"score kind {kind!r} is not available here; choose one of {', '.join(self.faithful)}."
            )
        return self.faithful[kind][:, self.predicted if cls is None else cls]

    def top_segments(
        self, k: int = 3, kind: str | None = None, cls: int | None = None, toward: bool = True
    ) -> list[int]:
        """The ``k`` segments that pushed most toward (``toward``) or away from class ``cls``."""
        values = self.scores(kind, cls)
        order = np.argsort(-values if toward else values, kind="stable")
        return [int(i) for i in order[:k] if (values[i] > 0 if toward else values[i] < 0)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: arrays as nested lists."""
        out = asdict(self)
        out["proba"] = self.proba.tolist()
        out["faithful"] = {k: v.tolist() for k, v in self.faithful.items()}
        out["attention"] = {k: v.tolist() for k, v in self.attention.items()}
        out["predicted"] = self.classes[self.predicted]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentEvidence:
        """The inverse of :meth:`to_dict` (its derived ``predicted`` key is ignored)."""
        return cls(
            classes=list(data["classes"]),
            proba=np.asarray(data["proba"], dtype=np.float64),
            faithful={k: np.asarray(v, dtype=np.float64) for k, v in data["faithful"].items()},
            attention={k: np.asarray(v, dtype=np.float64) for k, v in data["attention"].items()},
            default_kind=data["default_kind"],
            agreement={k: float(v) for k, v in data.get("agreement", {}).items()},
            notes=list(data.get("notes", [])),
        )
