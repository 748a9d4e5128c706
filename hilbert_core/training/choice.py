"""Probe or network? The choice, per training set, between the linear probe and the (probe-anchored)
network, by their AUCs on the same inner validation folds.

Candidates are ordered from simplest to most flexible (probe, network) and chosen by the
one-standard-error rule of :func:`hilbert_core.training.probe.choose_by_rule`: the network is kept only
when the probe's mean inner AUC falls more than one standard error below the network's. With a single
inner hold-out the standard error is DeLong's, of the paired AUC difference on that hold-out (summed
per subject). Without any real inner validation (a pilot corpus) the probe is kept.

The network's inner AUCs are measured on the folds that also chose its early-stopping epoch, so they
lean optimistic; the rule's margin is what keeps the network from winning on that noise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..evaluation.metrics import macro_auc
from ..evaluation.stats import delong_test
from .probe import choose_by_rule, fit_probe


@dataclass(frozen=True)
class ProbeChoice:
    """What was chosen for one training set, and why.

    Attributes:
        chosen: ``"probe"`` or ``"network"``.
        reason: one sentence.
        probe_auc, network_auc: inner-fold macro AUCs (one per inner fold; NaN where a fold holds one class).
        rule: the rule that chose (``"1se"`` or ``"best"``).
    """

    chosen: str
    reason: str
    probe_auc: list[float] = field(default_factory=list)
    network_auc: list[float] = field(default_factory=list)
    rule: str = "1se"

    def to_dict(self) -> dict:
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "rule": self.rule,
            "inner_auc_probe": self.probe_auc,
            "inner_auc_network": self.network_auc,
        }


def chooses_probe(cfg) -> bool:
    """Whether this configuration chooses between the probe and the network: ``train.choose_probe``
    applies to ``hilbert`` only; the baselines (``transfer``, ``transfer_moe``, ``contrastive_moe``)
    stay what their names say, so a comparison against them measures them, not the probe."""
    return bool(cfg.train.choose_probe) and cfg.eval.method == "hilbert"


def _mean_se(values: list[float]) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")


def choose_probe_or_network(
    x: np.ndarray,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    network_val_proba: list[np.ndarray],
    probe_c: float,
    rule: str = "1se",
    groups: np.ndarray | None = None,
) -> ProbeChoice:
    """Compare the probe (refitted with ``probe_c`` on each inner fitting part) with the network.

    Args:
        x: (N, F) mean-pooled features of the corpus; y: (N,) labels.
        splits: the network's inner (fit, validation) splits, indices into ``x``.
        network_val_proba: for each split, the network's (V, C) probabilities on its validation part.
        probe_c: the probe's C (chosen on the training set's own inner folds).
        rule: ``"1se"`` (default) or ``"best"``.
        groups: (N,) subject of each document (for the single hold-out's standard error).
    """
    if not splits or any(fit is val for fit, val in splits):
        return ProbeChoice("probe", "no inner validation fold: the probe is kept.", rule=rule)
    num_classes = int(y.max()) + 1
    probe_auc, network_auc = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for (fit, val), net_proba in zip(splits, network_val_proba, strict=True):
            if len(np.unique(y[val])) < 2 or len(np.unique(y[fit])) < num_classes:
                probe_auc.append(float("nan"))
                network_auc.append(float("nan"))
                continue
            probe_auc.append(macro_auc(y[val], fit_probe(x[fit], y[fit], probe_c).predict_proba(x[val])))
            network_auc.append(macro_auc(y[val], net_proba))
    (mp, sp), (mn, sn) = _mean_se(probe_auc), _mean_se(network_auc)
    if np.isfinite(mp) and np.isfinite(mn) and not (np.isfinite(sp) and np.isfinite(sn)):
        return _single_split_choice(x, y, splits, network_val_proba, probe_c, rule, groups)
    if not (np.isfinite(sp) and np.isfinite(sn)):
        reason = "no inner fold holds every class: no standard error, the probe is kept."
        return ProbeChoice("probe", reason, probe_auc, network_auc, rule)
    index = choose_by_rule(np.array([mp, mn]), np.array([sp, sn]), rule)
    chosen = ("probe", "network")[index]
    reason = (
        f"inner AUC probe {mp:.3f} ± {sp:.3f}, network {mn:.3f} ± {sn:.3f} (mean ± standard error over "
        f"{len(splits)} inner folds); rule {rule}: {chosen}."
    )
    return ProbeChoice(chosen, reason, probe_auc, network_auc, rule)


def _single_split_choice(x, y, splits, network_val_proba, probe_c, rule, groups) -> ProbeChoice:
    """One inner hold-out: the 1-SE rule with DeLong's standard error of the paired AUC difference."""
    valid = [i for i, (_, val) in enumerate(splits) if len(np.unique(y[val])) > 1]
    fit, val = splits[valid[0]]
    probe_proba = fit_probe(x[fit], y[fit], probe_c).predict_proba(x[val])
    try:
        test = delong_test(
            y[val], network_val_proba[valid[0]], probe_proba, None if groups is None else groups[val]
        )
    except ValueError:  # a class with fewer than two documents in the hold-out
        return ProbeChoice(
            "probe", "the inner hold-out is too small for a standard error: the probe is kept.", rule=rule
        )
    margin = test.se if rule == "1se" else 0.0
    chosen = "network" if test.delta > margin else "probe"
    reason = (
        f"inner hold-out AUC network {test.auc_a:.3f}, probe {test.auc_b:.3f} (difference {test.delta:+.3f}, "
        f"DeLong standard error {test.se:.3f}); rule {rule}: {chosen}."
    )
    return ProbeChoice(chosen, reason, [test.auc_b], [test.auc_a], rule)


def choose_for_members(
    x: np.ndarray,
    y: np.ndarray,
    specs: list,
    members: np.ndarray,
    val_proba: list[np.ndarray],
    probe_c: float,
    rule: str = "1se",
    groups: np.ndarray | None = None,
) -> ProbeChoice:
    """:func:`choose_probe_or_network` for the trained ``members`` (indices into ``specs`` and
    ``val_proba``, each member's probabilities on its own validation documents)."""
    splits = [(specs[m].train_idx, specs[m].val_idx) for m in members]
    return choose_probe_or_network(x, y, splits, [val_proba[m] for m in members], probe_c, rule, groups)
