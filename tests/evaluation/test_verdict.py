"""The inconclusive rules and the out-of-distribution rule of one prediction."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.evaluation.novelty import novelty
from hilbert_core.evaluation.verdict import verdict

CLASSES = ["bipolar", "control", "depression", "schizophrenia"]


def test_a_flat_result_is_inconclusive_near_chance():
    v = verdict(CLASSES, [0.27, 0.27, 0.24, 0.22])
    assert v.inconclusive and v.headline == "inconclusive" and v.top == "bipolar"
    assert "within 10 points of chance (25% with 4 classes)" in v.reasons[0]


def test_a_clear_result_is_conclusive():
    v = verdict(CLASSES, [0.1, 0.1, 0.7, 0.1], [0.02] * 4, ["depression"], 0.9)
    assert not v.inconclusive and v.headline == "depression" and v.runner_up in CLASSES


def test_a_set_of_two_classes_or_a_gap_within_the_spread_is_inconclusive():
    by_set = verdict(CLASSES, [0.1, 0.1, 0.6, 0.2], None, ["depression", "schizophrenia"], 0.9)
    assert by_set.inconclusive and "prediction set at 90% holds 2 classes" in by_set.reasons[0]
    by_spread = verdict(CLASSES, [0.05, 0.05, 0.48, 0.42], [0.01, 0.01, 0.05, 0.05])
    assert by_spread.inconclusive and "within the ensemble's spread" in by_spread.reasons[0]
    narrow = verdict(CLASSES, [0.05, 0.05, 0.48, 0.42], [0.01, 0.01, 0.02, 0.02])
    assert not narrow.inconclusive  # gap 0.06 > sqrt(2) * 0.02


def test_verdict_checks_its_input():
    with pytest.raises(ValueError, match="4 classes"):
        verdict(CLASSES, [0.5, 0.5])


def test_novelty_marks_an_embedding_far_from_the_training_documents(rng):
    reference = rng.normal(size=(200, 8)) + np.array([5.0] + [0.0] * 7)  # a cloud around one direction
    typical = novelty(reference, reference[0] + 0.01 * rng.normal(size=8))
    assert typical.checked and typical.level == "typical" and typical.num_reference == 200
    assert typical.p95 <= typical.p99
    outside = novelty(reference, np.array([-5.0] + [0.0] * 7))
    assert outside.level == "outside" and outside.percentile == 100 and "OUTSIDE" in outside.sentence()
    few = novelty(reference[:3], reference[0])
    assert not few.checked and "Not checked" in few.sentence()
    with pytest.raises(ValueError, match="same model"):
        novelty(reference, np.zeros(3))
