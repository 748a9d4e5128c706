"""The linear probe: C chosen on inner folds for binary tasks too, by the one-standard-error rule."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.evaluation.metrics import macro_auc
from hilbert_core.training.probe import C_GRID, choose_by_rule, fit_linear_probe


def _data(num_classes: int, n: int = 120, strength: float = 1.0, seed: int = 0):
    """Labels carried by 4 features under a large nuisance that 4 other features measure too: only a
    weakly regularised probe learns to subtract the nuisance (strong L2 keeps the class-mean direction)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % num_classes
    centres = rng.normal(size=(num_classes, 4)) * strength
    nuisance = rng.normal(size=(n, 4)) * 3.0
    x = np.concatenate(
        [
            centres[y] * 0.8 + nuisance + 0.3 * rng.normal(size=(n, 4)),
            nuisance + 0.3 * rng.normal(size=(n, 4)),
            rng.normal(size=(n, 6)),
        ],
        axis=1,
    )
    return x, y, np.arange(n) // 2  # two documents per subject


@pytest.mark.parametrize("num_classes", [2, 3])
def test_inner_cv_scores_every_c_for_binary_and_multiclass_tasks(num_classes):
    x, y, groups = _data(num_classes)
    probe = fit_linear_probe(x, y, groups, seed=0)
    means = np.array(probe.selection["inner_auc_mean"])
    # Every C got an inner AUC (the binary scorer failing silently left them all NaN and kept 1e-4),
    # and the strongest regularisation, clearly worse here, is not chosen.
    assert np.isfinite(means).all() and means.max() > 0.85 and means[0] < means.max() - 0.2
    assert probe.C > C_GRID[0] and macro_auc(y, probe.predict_proba(x)) > 0.85


def test_one_standard_error_rule_picks_the_strongest_regularisation_within_one_se():
    means = np.array([0.60, 0.70, 0.80, 0.82, 0.81])
    ses = np.array([0.03, 0.03, 0.03, 0.03, 0.03])
    assert choose_by_rule(means, ses, "best") == 3
    assert choose_by_rule(means, ses, "1se") == 2  # 0.80 >= 0.82 - 0.03, and 0.70 is not
    assert choose_by_rule(np.array([np.nan, 0.7, 0.7]), np.array([np.nan, 0.0, 0.0]), "1se") == 1


def test_the_chosen_rule_is_recorded_and_one_se_never_regularises_less_than_best():
    x, y, groups = _data(2, strength=0.5, seed=3)
    one_se = fit_linear_probe(x, y, groups, seed=0, rule="1se")
    best = fit_linear_probe(x, y, groups, seed=0, rule="best")
    assert one_se.selection["rule"] == "1se" and best.selection["rule"] == "best"
    assert one_se.C <= best.C


def test_binary_probabilities_are_a_logistic_of_the_logit():
    x, y, groups = _data(2)
    probe = fit_linear_probe(x, y, groups, seed=0)
    proba = probe.predict_proba(x)
    z = ((x - probe.mean) / probe.scale) @ probe.coef.T + probe.intercept
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z[:, 0])), rtol=1e-10)
    assert macro_auc(y, proba) > 0.9


def test_too_few_subjects_for_inner_folds_keeps_the_default_c():
    x, y, _ = _data(2, n=6)
    groups = np.array([0, 1, 0, 1, 0, 1])  # each class: one subject
    assert fit_linear_probe(x, y, groups, seed=0).C == 1.0
