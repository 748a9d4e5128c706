"""Conformal prediction sets: they reach their stated coverage on held-out data, from synthetic
probabilities and end to end from a bundle's own out-of-fold predictions."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.evaluation.conformal import conformal_sets, empirical_coverage, min_calibration
from hilbert_core.evaluation.uncertainty import Calibration, uncertainty


def _documents(n: int, num_classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of an imperfect model: the true class gets a boost of 1.2 in logit space."""
    y = rng.integers(0, num_classes, n)
    logits = rng.normal(size=(n, num_classes))
    logits[np.arange(n), y] += 1.2
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True), y


@pytest.mark.parametrize("coverage", [0.8, 0.9, 0.95])
def test_sets_reach_their_coverage_on_1000_held_out_documents(coverage):
    rng = np.random.default_rng(7)
    cal_p, cal_y = _documents(1000, 4, rng)
    test_p, test_y = _documents(1000, 4, rng)
    out = conformal_sets(cal_p, cal_y, test_p, coverage)
    assert abs(empirical_coverage(out.sets, test_y) - coverage) <= 0.03
    assert out.sets.any(axis=1).all()  # never empty
    top = test_p.argmax(axis=1)
    assert out.sets[np.arange(len(top)), top].all()  # the most probable class is always in the set


def test_higher_coverage_gives_larger_sets():
    rng = np.random.default_rng(1)
    cal_p, cal_y = _documents(500, 4, rng)
    test_p, _ = _documents(300, 4, rng)
    sizes = [conformal_sets(cal_p, cal_y, test_p, c).sets.sum() for c in (0.5, 0.8, 0.95)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]


def test_bad_inputs_are_one_sentence():
    p = np.full((20, 3), 1 / 3)
    y = np.zeros(20, dtype=int)
    with pytest.raises(ValueError, match="coverage=1.5 is not between 0 and 1"):
        conformal_sets(p, y, p, 1.5)
    with pytest.raises(ValueError, match="too few for 95% sets"):
        conformal_sets(p[:5], y[:5], p, 0.95)
    with pytest.raises(ValueError, match="does not fit proba"):
        conformal_sets(p, y, np.full((2, 4), 0.25), 0.9)
    assert min_calibration(0.9) == 9


def test_uncertainty_names_set_chance_and_auc():
    rng = np.random.default_rng(3)
    cal_p, cal_y = _documents(400, 3, rng)
    cal = Calibration.from_oof(cal_p, cal_y, ["a", "b", "c"], "test")
    out = uncertainty(cal, np.array([0.8, 0.15, 0.05]), 0.9)
    assert out.prediction_set[0] == "a" and out.uniform == pytest.approx(1 / 3)
    assert sum(out.base_rates.values()) == pytest.approx(1.0) and 0.5 < out.auc <= 1.0
    text = out.sentence()
    assert (
        "90% prediction set {a" in text
        and "chance level 33%" in text
        and "pooled out-of-fold macro AUC" in text
    )
    few = uncertainty(Calibration.from_oof(cal_p[:5], cal_y[:5], ["a", "b", "c"], "test"), cal_p[0], 0.9)
    assert few.prediction_set == [] and "needed" in few.note


def test_a_bundles_own_out_of_fold_predictions_calibrate_held_out_coverage():
    """End to end: a linear probe trained on 600 synthetic documents keeps its inner cross-validation's
    out-of-fold predictions; the sets they calibrate cover 1,000 held-out documents at 90 % ± 3 points."""
    from hilbert_core.data.synthetic import make_features
    from hilbert_core.experiments.model_runs import bundle_calibration
    from hilbert_core.training.bundle import train_final

    f = make_features(num_documents=1600, num_segments=(4, 8), num_classes=4, strength=0.7, seed=11)
    train = slice(0, 600)  # subjects are pairs of documents: 600 keeps them on one side
    bundle = train_final(
        f.audio[train], f.text[train], f.labels[train], groups=f.groups[train], method="linear"
    )
    calibration = bundle_calibration(bundle)
    assert calibration is not None and len(calibration.y) == 600 and calibration.run_id is None
    test_p = np.stack([bundle.predict(a, t).proba for a, t in zip(f.audio[600:], f.text[600:], strict=True)])
    test_y = np.asarray([bundle.classes.index(label) for label in f.labels[600:]])
    sets = conformal_sets(calibration.proba, calibration.y, test_p, 0.9).sets
    assert len(test_y) == 1000
    assert abs(empirical_coverage(sets, test_y) - 0.9) <= 0.03
    assert 1.0 < sets.sum(1).mean() < 4.0  # informative: neither always one class nor always all
    # at other coverages the sets are valid but conservative (the final model, trained on all 600
    # documents, is a little better than the inner models that made the calibration predictions)
    for coverage in (0.8, 0.95):
        sets = conformal_sets(calibration.proba, calibration.y, test_p, coverage).sets
        assert empirical_coverage(sets, test_y) >= coverage - 0.03
