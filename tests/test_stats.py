from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from hilbert_core.evaluation.bootstrap import (
    _resample_weights,
    _weighted_macro_auc,
    bootstrap_auc_ci,
    bootstrap_fold_mean_ci,
    paired_bootstrap_delta,
)
from hilbert_core.evaluation.metrics import macro_auc
from hilbert_core.evaluation.stats import (
    _components,
    delong_test,
    delong_variance,
    holm,
    macro_auc_components,
)


def _binary_proba(score: np.ndarray) -> np.ndarray:
    return np.stack([1.0 - score, score], axis=1)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _simulate(
    rng: np.random.Generator, counts: list[int], shift: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed class counts; noisy logits with the true class shifted up."""
    y = np.repeat(np.arange(len(counts)), counts)
    logits = rng.normal(size=(len(y), len(counts)))
    logits[np.arange(len(y)), y] += shift
    return y, _softmax(logits)


def _delong_loop(y: np.ndarray, scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """DeLong et al. (1988) from the definitions: AUCs (k,) and covariance S10/m + S01/n (k, k)."""
    pos = [i for i in range(len(y)) if y[i] == 1]
    neg = [j for j in range(len(y)) if y[j] == 0]

    def kernel(a: float, b: float) -> float:
        return 1.0 if a > b else 0.5 if a == b else 0.0

    v10 = np.array([[np.mean([kernel(s[i], s[j]) for j in neg]) for i in pos] for s in scores])
    v01 = np.array([[np.mean([kernel(s[i], s[j]) for i in pos]) for j in neg] for s in scores])
    s10 = np.atleast_2d(np.cov(v10, ddof=1))
    s01 = np.atleast_2d(np.cov(v01, ddof=1))
    return v10.mean(axis=1), s10 / len(pos) + s01 / len(neg)


# --- AUC -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_auc_matches_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 80)
    score = rng.integers(0, 5, 80) / 4.0  # heavy ties
    assert macro_auc_components(y, _binary_proba(score)).auc == pytest.approx(roc_auc_score(y, score))


@pytest.mark.parametrize("num_classes", [3, 4, 7])
def test_multiclass_auc_matches_sklearn(num_classes):
    rng = np.random.default_rng(num_classes)
    y, proba = _simulate(rng, [15] * num_classes)
    expected = roc_auc_score(y, proba, multi_class="ovr", average="macro")
    comp = macro_auc_components(y, proba)
    assert comp.auc == pytest.approx(expected)
    assert comp.class_auc.shape == (num_classes,)
    assert comp.placement.shape == (len(y), num_classes)


def test_multiclass_auc_with_tied_rows_matches_sklearn():
    rng = np.random.default_rng(3)
    rows = np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [1 / 3, 1 / 3, 1 / 3]])
    y = np.repeat([0, 1, 2], 20)
    proba = rows[rng.integers(0, len(rows), len(y))]
    expected = roc_auc_score(y, proba, multi_class="ovr", average="macro")
    assert macro_auc_components(y, proba).auc == pytest.approx(expected)


def test_hand_made_multiclass_auc():
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.4, 0.4, 0.2],
            [0.3, 0.5, 0.2],
            [0.4, 0.4, 0.2],
            [0.1, 0.2, 0.7],
            [0.2, 0.2, 0.6],
        ]
    )
    comp = macro_auc_components(y, proba)
    # Class 0: positives 0.8, 0.4 vs negatives 0.3, 0.4, 0.1, 0.2 -> (4 + 3.5) / 8.
    # Class 1: positives 0.5, 0.4 vs 0.1, 0.4, 0.2, 0.2 -> (4 + 3.5) / 8.  Class 2: 1.0.
    np.testing.assert_allclose(comp.class_auc, [7.5 / 8, 7.5 / 8, 1.0])
    assert comp.auc == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))


# --- DeLong variance -------------------------------------------------------------------------------------


def test_delong_variance_hand_example():
    # Positives 0.9, 0.6, 0.4; negatives 0.7, 0.4, 0.2.
    # V10 = [3/3, 2/3, (1 + 1/2)/3] = [1, 2/3, 1/2]      -> AUC = 13/18
    # V01 = [1/3, (2 + 1/2)/3, 3/3] = [1/3, 5/6, 1]       (mean 13/18 as well)
    # S10 = ((5/18)^2 + (1/18)^2 + (4/18)^2) / 2 = 42/324 / 2 = 7/108
    # S01 = ((7/18)^2 + (2/18)^2 + (5/18)^2) / 2 = 78/324 / 2 = 13/108
    # var = S10/3 + S01/3 = 20/324 = 5/81
    y = np.array([1, 1, 1, 0, 0, 0])
    score = np.array([0.9, 0.6, 0.4, 0.7, 0.4, 0.2])
    comp = macro_auc_components(y, _binary_proba(score))
    assert comp.auc == pytest.approx(13 / 18)
    np.testing.assert_allclose(comp.placement[:, 0], [1, 2 / 3, 1 / 2, 1 / 3, 5 / 6, 1])
    assert delong_variance(y, _binary_proba(score)) == pytest.approx(5 / 81)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_binary_delong_variance_matches_loop_reference(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 60)
    y[:2] = [0, 1]
    score = np.round(y * 0.5 + rng.normal(size=60), 1)  # some ties
    aucs, cov = _delong_loop(y, [score])
    assert macro_auc_components(y, _binary_proba(score)).auc == pytest.approx(aucs[0])
    assert delong_variance(y, _binary_proba(score)) == pytest.approx(cov[0, 0])


def test_macro_variance_over_both_classes_equals_binary_delong():
    # Averaging the two one-vs-rest AUCs of a C == 2 problem (rows summing to 1) gives back binary DeLong.
    rng = np.random.default_rng(5)
    y, proba = _simulate(rng, [30, 45])
    # Class 0 one-vs-rest is class 1 of the problem with labels and columns swapped.
    influence = (_components(y, proba).influence + _components(1 - y, proba[:, ::-1]).influence) / 2
    _, cov = _delong_loop(y, [proba[:, 1]])
    assert float(np.sum(influence**2)) == pytest.approx(cov[0, 0])
    assert delong_variance(y, proba) == pytest.approx(cov[0, 0])


def test_multiclass_variance_matches_empirical_variance():
    rng = np.random.default_rng(7)
    aucs, variances = [], []
    for _ in range(400):
        y, proba = _simulate(rng, [50, 60, 40, 50], shift=0.8)
        aucs.append(macro_auc_components(y, proba).auc)
        variances.append(delong_variance(y, proba))
    ratio = np.mean(variances) / np.var(aucs, ddof=1)
    assert 0.75 < ratio < 1.25, ratio


# --- paired DeLong test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_paired_test_matches_loop_reference(seed):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], [25, 35])
    score_a = np.round(y + rng.normal(size=60), 1)
    score_b = np.round(y + rng.normal(scale=1.5, size=60), 1)
    aucs, cov = _delong_loop(y, [score_a, score_b])
    se = np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    z = (aucs[0] - aucs[1]) / se
    result = delong_test(y, _binary_proba(score_a), _binary_proba(score_b))
    assert result.delta == pytest.approx(aucs[0] - aucs[1])
    assert result.se == pytest.approx(se)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * norm.sf(abs(z)))
    assert result.n == 60


def test_paired_test_hand_example():
    # Positives (y=1) are the first three documents, negatives the last three.
    # a = [0.9, 0.6, 0.4 | 0.7, 0.4, 0.2]: V10 = [1, 2/3, 1/2], V01 = [1/3, 5/6, 1], AUC = 13/18.
    # b = [0.8, 0.3, 0.6 | 0.5, 0.1, 0.2]: V10 = [1, 2/3, 1],   V01 = [2/3, 1, 1],   AUC = 16/18.
    # V10_a - V10_b = [0, 0, -1/2] -> minus its mean: [1/6, 1/6, -1/3]; S10 = (1/36 + 1/36 + 1/9) / 2 = 1/12.
    # V01_a - V01_b = [-1/3, -1/6, 0] -> minus its mean: [-1/6, 0, 1/6]; S01 = (1/36 + 1/36) / 2 = 1/36.
    # var(delta) = S10/3 + S01/3 = 1/36 + 1/108 = 1/27; delta = -1/6; z = -1/6 * sqrt(27) = -sqrt(3)/2.
    y = np.array([1, 1, 1, 0, 0, 0])
    a = _binary_proba(np.array([0.9, 0.6, 0.4, 0.7, 0.4, 0.2]))
    b = _binary_proba(np.array([0.8, 0.3, 0.6, 0.5, 0.1, 0.2]))
    result = delong_test(y, a, b)
    assert (result.auc_a, result.auc_b) == (pytest.approx(13 / 18), pytest.approx(16 / 18))
    assert result.delta == pytest.approx(-1 / 6)
    assert result.se == pytest.approx(np.sqrt(1 / 27))
    assert result.z == pytest.approx(-np.sqrt(3) / 2)
    assert result.p_value == pytest.approx(2 * norm.sf(np.sqrt(3) / 2))  # 0.386


def test_paired_test_identical_predictions():
    rng = np.random.default_rng(0)
    y, proba = _simulate(rng, [20, 20, 20])
    result = delong_test(y, proba, proba.copy())
    assert (result.delta, result.se, result.z, result.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_paired_test_detects_better_method():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 100)
    good = _binary_proba(1 / (1 + np.exp(-(2 * y - 1 + rng.normal(scale=0.7, size=200)))))
    poor = _binary_proba(1 / (1 + np.exp(-(2 * y - 1 + rng.normal(scale=3.0, size=200)))))
    result = delong_test(y, good, poor)
    assert result.delta > 0
    assert result.p_value < 0.01


def test_paired_test_size_under_null():
    rejections = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        y = np.repeat([0, 1], 50)
        a = _binary_proba(y + rng.normal(scale=1.0, size=100))
        b = _binary_proba(y + rng.normal(scale=1.0, size=100))
        rejections += delong_test(y, a, b).p_value < 0.05
    assert 0.01 <= rejections / 200 <= 0.12


# --- bootstrap -------------------------------------------------------------------------------------------


def test_bootstrap_perfect_predictions():
    y = np.repeat([0, 1, 2], 10)
    ci = bootstrap_auc_ci(y, np.eye(3)[y], num_resamples=200)
    assert (ci.auc, ci.low, ci.high) == (1.0, 1.0, 1.0)


def test_bootstrap_deterministic_and_contains_estimate():
    rng = np.random.default_rng(0)
    y, proba = _simulate(rng, [40, 50, 60, 50])
    first = bootstrap_auc_ci(y, proba, seed=3)
    assert first == bootstrap_auc_ci(y, proba, seed=3)
    assert first != bootstrap_auc_ci(y, proba, seed=4)
    assert first.low < first.auc < first.high
    assert first.auc == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    assert (first.level, first.num_resamples, first.num_skipped) == (0.95, 2000, 0)


def test_bootstrap_width_close_to_delong():
    rng = np.random.default_rng(2)
    y, proba = _simulate(rng, [100, 100])
    ci = bootstrap_auc_ci(y, proba, num_resamples=1000)
    delong_width = 2 * norm.ppf(0.975) * np.sqrt(delong_variance(y, proba))
    assert (ci.high - ci.low) == pytest.approx(delong_width, rel=0.2)


@pytest.mark.parametrize("num_classes", [2, 4])
def test_weighted_auc_matches_sklearn_sample_weight(num_classes):
    rng = np.random.default_rng(num_classes)
    y, proba = _simulate(rng, [12] * num_classes)
    proba = np.round(proba, 1)  # ties
    weights = rng.integers(0, 4, size=(len(y), 5))  # (N, B)
    got = _weighted_macro_auc(y, proba, weights)
    for b in range(5):
        classes = [1] if num_classes == 2 else range(num_classes)
        aucs = [roc_auc_score(y == c, proba[:, c], sample_weight=weights[:, b]) for c in classes]
        assert got[b] == pytest.approx(np.mean(aucs))


def test_resample_weights_move_whole_groups():
    group_index = np.array([0, 0, 1, 2, 2, 2])
    weights = _resample_weights(np.random.default_rng(0), 50, group_index).T  # (resamples, documents)
    assert weights.shape == (50, 6)
    assert (weights[:, 0] == weights[:, 1]).all()
    assert (weights[:, 3] == weights[:, 4]).all() and (weights[:, 4] == weights[:, 5]).all()
    # Three groups are drawn per resample, so the group counts sum to 3.
    assert (weights[:, [0, 2, 3]].sum(axis=1) == 3).all()


def test_grouped_bootstrap_on_duplicated_subjects_equals_subject_bootstrap():
    rng = np.random.default_rng(4)
    y, proba = _simulate(rng, [20, 25, 15])
    subjects = np.arange(len(y))
    # Every subject contributes 4 identical documents.
    y4, proba4, groups4 = np.tile(y, 4), np.tile(proba, (4, 1)), np.tile(subjects, 4)
    grouped = bootstrap_auc_ci(y4, proba4, groups=groups4, num_resamples=500)
    per_subject = bootstrap_auc_ci(y, proba, num_resamples=500)
    naive = bootstrap_auc_ci(y4, proba4, num_resamples=500)
    assert grouped.low == pytest.approx(per_subject.low) and grouped.high == pytest.approx(per_subject.high)
    assert (naive.high - naive.low) < 0.7 * (grouped.high - grouped.low)


def test_paired_bootstrap_delta():
    rng = np.random.default_rng(6)
    y, good = _simulate(rng, [60, 60, 60], shift=2.0)
    _, poor = _simulate(rng, [60, 60, 60], shift=0.5)
    ci = paired_bootstrap_delta(y, good, poor, num_resamples=500)
    expected = roc_auc_score(y, good, multi_class="ovr") - roc_auc_score(y, poor, multi_class="ovr")
    assert ci.auc == pytest.approx(expected)
    assert 0 < ci.low < ci.auc < ci.high
    same = paired_bootstrap_delta(y, good, good, num_resamples=100)
    assert (same.auc, same.low, same.high) == (0.0, 0.0, 0.0)


def _fold_mean_ci_loop(y, proba, fold_of, num_resamples, level, seed):
    """Brute force: resample documents within each fold and class, ``metrics.macro_auc`` per fold, mean.

    The draws repeat the function's documented order on the same ``default_rng(seed)``: folds ascending
    (folds holding one class draw nothing), classes ascending, one multinomial (B, n_class) each.
    """
    rng = np.random.default_rng(seed)
    folds = [f for f in np.unique(fold_of) if len(np.unique(y[fold_of == f])) > 1]
    draws = {}  # fold -> [(document indices of one class, (B, n_class) draw counts)]
    for f in folds:
        idx = np.flatnonzero(fold_of == f)
        for c in np.unique(y[idx]):
            rows = idx[y[idx] == c]
            counts = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)), size=num_resamples)
            draws.setdefault(f, []).append((rows, counts))
    stats = []
    for b in range(num_resamples):
        per_fold = []
        for f in folds:
            take = np.concatenate([np.repeat(rows, counts[b]) for rows, counts in draws[f]])
            per_fold.append(macro_auc(y[take], proba[take]))
        stats.append(np.mean(per_fold))
    point = np.mean([macro_auc(y[fold_of == f], proba[fold_of == f]) for f in folds])
    low, high = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return point, low, high


@pytest.mark.parametrize("num_classes", [2, 3])
def test_fold_mean_ci_matches_brute_force_loop(num_classes):
    rng = np.random.default_rng(11)
    y, proba = _simulate(rng, [14] * num_classes, shift=0.7)
    proba = np.round(proba, 1)  # ties
    fold_of = np.tile(np.arange(4), len(y))[: len(y)]
    fold_of[y == 0] = np.where(fold_of[y == 0] == 3, 0, fold_of[y == 0])  # fold 3 misses class 0
    fold_of = np.append(fold_of, [7, 7])  # fold 7 holds one class only: left out
    y, proba = np.append(y, [1, 1]), np.vstack([proba, proba[:2]])
    got = bootstrap_fold_mean_ci(y, proba, fold_of, num_resamples=60, level=0.9, seed=5)
    point, low, high = _fold_mean_ci_loop(y, proba, fold_of, 60, 0.9, 5)
    assert got.auc == pytest.approx(point)
    assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    assert (got.level, got.num_resamples, got.num_skipped) == (0.9, 60, 0)


def test_fold_mean_ci_errors():
    y = np.repeat([0, 1], 6)
    proba = _binary_proba(np.linspace(0, 1, 12))
    with pytest.raises(ValueError, match="no fold of 2 holds two classes"):
        bootstrap_fold_mean_ci(y, proba, y)  # every fold one class
    with pytest.raises(ValueError, match="fold_of has shape"):
        bootstrap_fold_mean_ci(y, proba, np.zeros(5))
    with pytest.raises(ValueError, match="level=1.5"):
        bootstrap_fold_mean_ci(y, proba, np.arange(12) % 2, level=1.5)
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_fold_mean_ci(y, np.where(proba > 0.9, np.nan, proba), np.arange(12) % 2)


def test_bootstrap_too_many_skipped_resamples():
    y = np.array([0] * 20 + [1, 2, 3])  # three singleton classes: most resamples miss one
    proba = np.eye(4)[y]
    with pytest.raises(ValueError, match="resamples missed a class"):
        bootstrap_auc_ci(y, proba, num_resamples=200)


# --- Holm ------------------------------------------------------------------------------------------------


def test_holm_hand_values():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(holm([0.5, 0.01, 0.9]), [1.0, 0.03, 1.0])
    assert holm([]).shape == (0,)


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "proba", "match"),
    [
        (np.array([0, 1, 1]), np.full((4, 2), 0.5), "proba has shape"),
        (np.array([0, 1, 0, 1]), np.array([[0.5, 0.5]] * 3 + [[np.nan, 0.5]]), "NaN"),
        (np.array([0, 1, 2, 1]), np.full((4, 2), 0.5), r"labels \[2\] outside 0..1"),
        (np.array([0, 0, 2, 2]), np.full((4, 3), 0.3), "class 1 has 0 documents"),
        (np.array([0, 0, 1, 2, 2, 2]), np.full((6, 3), 0.3), "at least 2 per class"),
        (np.array(["a", "b", "a", "b"]), np.full((4, 2), 0.5), "integer class indices"),
    ],
)
def test_invalid_inputs(y, proba, match):
    with pytest.raises(ValueError, match=match):
        delong_variance(y, proba)


def test_invalid_pairs_and_options():
    y = np.repeat([0, 1], 5)
    proba = _binary_proba(np.linspace(0, 1, 10))
    with pytest.raises(ValueError, match="proba_a has shape"):
        delong_test(y, proba, proba[:, :1])
    with pytest.raises(ValueError, match="level=1.5"):
        bootstrap_auc_ci(y, proba, level=1.5)
    with pytest.raises(ValueError, match="num_resamples=0"):
        bootstrap_auc_ci(y, proba, num_resamples=0)
    with pytest.raises(ValueError, match="groups has shape"):
        bootstrap_auc_ci(y, proba, groups=np.arange(3))
    with pytest.raises(ValueError, match="outside"):
        holm([0.2, 1.2])


def test_clustered_delong_matches_a_brute_force_subject_bootstrap():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    subjects, per_subject = 60, 3
    groups = np.repeat(np.arange(subjects), per_subject)
    y = np.repeat(rng.integers(0, 2, subjects), per_subject)  # a subject's documents share its label
    effect = np.repeat(rng.normal(size=subjects), per_subject)  # and a subject-level offset in both scores
    score_a = y + 1.5 * effect + rng.normal(size=len(y))
    score_b = y + 1.5 * effect + 1.3 * rng.normal(size=len(y))
    proba_a, proba_b = (
        np.stack([1 - 1 / (1 + np.exp(-s)), 1 / (1 + np.exp(-s))], 1) for s in (score_a, score_b)
    )
    clustered = delong_test(y, proba_a, proba_b, groups=groups)
    independent = delong_test(y, proba_a, proba_b)
    deltas = []
    for _ in range(2000):
        drawn = rng.integers(0, subjects, subjects)
        rows = (drawn[:, None] * per_subject + np.arange(per_subject)).ravel()
        if len(np.unique(y[rows])) == 2:
            deltas.append(roc_auc_score(y[rows], score_a[rows]) - roc_auc_score(y[rows], score_b[rows]))
    brute = float(np.std(deltas, ddof=1))
    assert clustered.se == pytest.approx(brute, rel=0.15)
    # treating a subject's documents as independent misses the brute-force spread by more
    assert abs(independent.se - brute) > 2 * abs(clustered.se - brute)
