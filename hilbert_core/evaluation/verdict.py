"""Whether one prediction says anything: *inconclusive* when its top classes lie within the model's own
uncertainty or its top probability is near chance, so the page and the report show "inconclusive" and
the reason instead of a bold class name.

Rules (any one makes the result inconclusive; all are stated in :attr:`Verdict.reasons`):

- **prediction set**: the conformal prediction set at the chosen coverage holds more than one class (the
  model cannot rule out the runner-up at that coverage; see :mod:`hilbert_core.evaluation.conformal`);
- **ensemble spread**: the gap between the top two probabilities is at most the spread of that gap over
  the ensemble's members, ``sqrt(sd_1^2 + sd_2^2)`` (the members disagree on which class is first);
- **near chance**: the top probability is less than :data:`NEAR_CHANCE` (10 percentage points) above
  chance, ``1 / C``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NEAR_CHANCE = 0.10  # probability points above 1/C below which a top class is "near chance"
RULES = (
    "the prediction set at the chosen coverage holds more than one class",
    "the gap between the top two classes is within the ensemble's spread, sqrt(sd1² + sd2²)",
    f"the top probability is less than {NEAR_CHANCE * 100:.0f} points above chance (1 / number of classes)",
)


@dataclass(frozen=True)
class Verdict:
    """What the headline of one prediction may say.

    Attributes:
        top: the most probable class; probability: its probability.
        inconclusive: True when any rule fired: show "inconclusive", not ``top``.
        reasons: one plain sentence per rule that fired (empty when conclusive).
        runner_up: the second class (empty with one class).
    """

    top: str
    probability: float
    inconclusive: bool
    reasons: list[str] = field(default_factory=list)
    runner_up: str = ""

    @property
    def headline(self) -> str:
        """``"inconclusive"`` or the top class."""
        return "inconclusive" if self.inconclusive else self.top

    def sentence(self) -> str:
        """One line for the reader: the class, or why there is none."""
        if not self.inconclusive:
            return f"{self.top} ({self.probability:.0%}); no inconclusiveness rule applies."
        return f"inconclusive: {'; '.join(self.reasons)}."

    def to_dict(self) -> dict:
        return {
            "headline": self.headline,
            "top": self.top,
            "probability": self.probability,
            "inconclusive": self.inconclusive,
            "reasons": list(self.reasons),
            "runner_up": self.runner_up,
        }


def verdict(
    classes: list[str],
    proba,
    proba_sd=None,
    prediction_set: list[str] | None = None,
    coverage: float | None = None,
    near_chance: float = NEAR_CHANCE,
) -> Verdict:
    """Apply the rules of this module to one prediction.

    Args:
        classes: class names, the order of ``proba``.
        proba: (C,) class probabilities.
        proba_sd: (C,) sd of each probability over the ensemble's members (None: one model).
        prediction_set: the conformal set's classes (None or empty: no set could be made; rule skipped).
        coverage: the set's coverage, for the sentence.
        near_chance: probability points above ``1 / C`` below which the top class is near chance.

    Raises:
        ValueError: ``proba`` and ``classes`` differ in length.
    """
    proba = np.asarray(proba, dtype=float)
    if proba.shape != (len(classes),):
        raise ValueError(
            f"proba has shape {proba.shape} but there are {len(classes)} classes; give one probability each."
        )
    order = np.argsort(-proba, kind="stable")
    top = int(order[0])
    second = int(order[1]) if len(order) > 1 else None
    reasons = []
    if prediction_set and len(prediction_set) > 1:
        at = f" at {coverage:.0%}" if coverage is not None else ""
        reasons.append(
            f"the prediction set{at} holds {len(prediction_set)} classes ({', '.join(prediction_set)}): "
            "the model cannot rule out the others"
        )
    if proba_sd is not None and second is not None:
        sd = np.asarray(proba_sd, dtype=float)
        gap, spread = proba[top] - proba[second], float(np.hypot(sd[top], sd[second]))
        if gap <= spread:
            reasons.append(
                f"{classes[top]} leads {classes[second]} by {gap:.2f}, within the ensemble's spread of that "
                f"gap ({spread:.2f})"
            )
    chance = 1.0 / len(classes)
    if proba[top] - chance < near_chance:
        reasons.append(
            f"the top probability {proba[top]:.0%} is within {near_chance * 100:.0f} points of chance "
            f"({chance:.0%} with {len(classes)} classes)"
        )
    return Verdict(
        str(classes[top]), float(proba[top]), bool(reasons), reasons,
        "" if second is None else str(classes[second]),
    )  # fmt: skip
