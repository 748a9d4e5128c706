"""Probe or network: the network is kept only when it beats the probe by more than a standard error."""

from __future__ import annotations

import numpy as np

from hilbert_core.training.choice import choose_probe_or_network


def _folds(n: int, k: int):
    idx = np.arange(n)
    return [(np.setdiff1d(idx, idx[f::k]), idx[f::k]) for f in range(k)]


def _data(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(size=(n, 4)) + 1.0 * y[:, None]  # the probe separates the classes well
    return x, y


def _proba(score: np.ndarray) -> np.ndarray:
    p = 1 / (1 + np.exp(-score))
    return np.stack([1 - p, p], axis=1)


def test_a_network_no_better_than_the_probe_loses_to_it():
    x, y = _data()
    splits = _folds(len(y), 5)
    network = [
        _proba(x[val].sum(1) + np.random.default_rng(f).normal(size=len(val)))
        for f, (_, val) in enumerate(splits)
    ]
    choice = choose_probe_or_network(x, y, splits, network, probe_c=1.0)
    assert choice.chosen == "probe" and "rule 1se" in choice.reason and len(choice.probe_auc) == 5


def test_a_clearly_better_network_is_kept():
    x, y = _data()
    splits = _folds(len(y), 5)
    network = [_proba(10.0 * (y[val] - 0.5)) for _, val in splits]  # perfect ranking on every fold
    choice = choose_probe_or_network(x, y, splits, network, probe_c=1.0)
    assert choice.chosen == "network"
    assert np.mean(choice.network_auc) == 1.0 and np.mean(choice.probe_auc) < 1.0


def test_a_single_hold_out_uses_delong_and_no_validation_keeps_the_probe():
    x, y = _data()
    fit, val = _folds(len(y), 5)[0]
    better = choose_probe_or_network(x, y, [(fit, val)], [_proba(10.0 * (y[val] - 0.5))], probe_c=1.0)
    assert better.chosen == "network" and "DeLong" in better.reason
    same = choose_probe_or_network(x, y, [(fit, val)], [_proba(x[val, :2].sum(1))], probe_c=1.0)
    assert same.chosen == "probe"
    idx = np.arange(len(y))
    none = choose_probe_or_network(x, y, [(idx, idx)], [_proba(x.sum(1))], probe_c=1.0)
    assert none.chosen == "probe" and "no inner validation" in none.reason


def test_only_hilbert_chooses_between_probe_and_network_the_baselines_stay_themselves():
    from hilbert_core import ExperimentConfig, cross_validate
    from hilbert_core.data.synthetic import make_features
    from tests.tiny import TINY_SET

    f = make_features(num_documents=30, num_segments=(3, 5), audio_dim=6, text_dim=5, num_classes=2, seed=1)
    cfg = ExperimentConfig().apply_overrides([*TINY_SET, "train.choose_probe=true", "train.num_inner=2"])
    for method, records_choice in (("hilbert", True), ("transfer", False), ("contrastive_moe", False)):
        report = cross_validate(f.audio, f.text, f.labels, method=method, n_splits=3, config=cfg)
        assert all(("chosen" in record) is records_choice for record in report.selected), method
