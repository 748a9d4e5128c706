"""Calibration: ECE against a hand computation, and input checks."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.evaluation.calibration import calibration


def test_ece_matches_a_hand_computation():
    classes = ["a", "b"]
    proba = np.array([[0.95, 0.05], [0.85, 0.15], [0.3, 0.7], [0.45, 0.55]])
    labels = ["a", "b", "b", "a"]
    out = calibration(labels, classes, proba, num_bins=5)
    # bins of width 0.2: [0.8, 1.0] holds 0.95 (right) and 0.85 (wrong); [0.4, 0.6) holds 0.55 (wrong);
    # [0.6, 0.8) holds 0.7 (right)
    expected = 2 / 4 * abs(0.5 - 0.9) + 1 / 4 * abs(1.0 - 0.7) + 1 / 4 * abs(0.0 - 0.55)
    assert out.ece == pytest.approx(expected)
    assert out.bins["count"].sum() == 4 and out.num_documents == 4
    assert out.bins.loc[4, "accuracy"] == pytest.approx(0.5)


def test_perfectly_calibrated_predictions_have_zero_ece():
    proba = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert calibration(["a", "b"], ["a", "b"], proba).ece == pytest.approx(0.0)


def test_calibration_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="oof_proba has shape"):
        calibration(["a"], ["a", "b"], np.ones((2, 2)) / 2)
    with pytest.raises(ValueError, match="num_bins=1"):
        calibration(["a"], ["a", "b"], np.ones((1, 2)) / 2, num_bins=1)
