"""Cross-validated evaluation (docs/method.md §7) on features the user already has."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from ..config import ExperimentConfig
from ..data import check_foldable, make_folds
from ..training.choice import choose_for_members, chooses_probe
from ..training.engine import EpochCallback, Progress, TrainOutput, predict_members, train_members
from ..training.probe import fit_linear_probe
from ..training.recipe import PreparedData, candidate_grid, member_specs, prepare, select_candidate
from ..types import CVReport
from .metrics import summarize

logger = logging.getLogger(__name__)


def cross_validate(
    audio: Sequence[np.ndarray] | None = None,
    text: Sequence[np.ndarray] | None = None,
    labels: Sequence[object] = (),
    method: str | None = None,
    n_splits: int | None = None,
    groups: Sequence[object] | None = None,
    seed: int | None = None,
    config: ExperimentConfig | None = None,
    *,
    progress: Progress | None = None,
    on_epoch: EpochCallback | None = None,
) -> CVReport:
    """Stratified (and subject-grouped) k-fold cross-validation of one method on one task.

    Args:
        audio: per document, an (N_i, Da) array of audio segment features (or None).
        text: per document, an (N_i, Dt) array of text segment features (or None).
        labels: one label per document.
        method: ``linear``, ``transfer``, ``transfer_moe``, ``contrastive_moe`` or ``hilbert``
            (overrides ``config.eval.method``).
        n_splits: outer folds (overrides ``config.eval.n_splits``; default 25 as in the paper).
        groups: subject id per document; a subject never spans train and test.
        seed: folds, initialisation and batches (overrides ``config.eval.seed``).
        config: everything else; the paper's values by default.
        progress: ``progress(fraction, message)`` callback.
        on_epoch: called after every training epoch with one :class:`EpochRecord` per outer fold
            (label ``"fold F"``, F 0-based; means over all of the fold's inner models and candidates).
            Never called for the linear probe.

    Returns:
        A :class:`CVReport`; ``oof_proba`` rows are in input order. Same seed, same numbers.

    Raises:
        ValueError: bad features, labels, groups or folds, before any training starts.
    """
    start = time.perf_counter()
    cfg = config or ExperimentConfig()
    overrides = {
        k: v for k, v in (("method", method), ("n_splits", n_splits), ("seed", seed)) if v is not None
    }
    cfg = cfg.replace(eval=overrides) if overrides else cfg
    data = prepare(audio, text, labels, groups, cfg)
    cfg = data.cfg
    notes = check_foldable(data.y, data.classes, data.groups, cfg.eval.n_splits)
    folds = make_folds(data.y, data.groups, cfg.eval.n_splits, cfg.eval.seed)
    if cfg.eval.method == "linear":
        proba, diagnostics, selected, timings = _run_linear(data, folds)
    else:
        proba, diagnostics, selected, timings = _run_neural(data, folds, progress, on_epoch, notes)
    for note in notes:
        logger.warning(note)
    report = _report(data, folds, proba, diagnostics, selected)
    report.timings = {"total": time.perf_counter() - start, **timings}
    report.notes = notes
    logger.info(report.summary())
    return report


def _report(
    data: PreparedData, folds: list, proba: np.ndarray, diagnostics: list, selected: list
) -> CVReport:
    """The out-of-fold predictions and everything measured on them, as a :class:`CVReport`."""
    cfg = data.cfg
    tests = [test for _, test in folds]
    fold_of = np.empty(len(data.y), dtype=np.int64)
    for f, test in enumerate(tests):
        fold_of[test] = f
    metrics = summarize(data.y, proba, tests, data.classes)
    return CVReport(
        method=cfg.eval.method,
        modality=cfg.eval.modality,
        losses=list(cfg.eval.losses),
        classes=data.classes,
        oof_proba=proba,
        labels=[data.classes[k] for k in data.y],
        fold_of=fold_of.tolist(),
        diagnostics=diagnostics,
        selected=selected,
        config=cfg.to_dict(),
        groups=None if data.groups is None else [str(g) for g in data.groups],
        **metrics,
    )


def _run_linear(data: PreparedData, folds: list) -> tuple[np.ndarray, list, list, dict]:
    x = data.docs.mean_pooled(data.cfg.eval.modality)
    proba = np.zeros((len(data.y), len(data.classes)))
    selected = []
    for train, test in folds:
        groups = data.groups[train] if data.groups is not None else None
        probe = fit_linear_probe(
            x[train], data.y[train], groups, data.cfg.eval.seed, rule=data.cfg.train.probe_rule
        )
        proba[test] = probe.predict_proba(x[test])
        selected.append({"C": probe.C, "probe_selection": probe.selection})
    return proba, [[] for _ in folds], selected, {}


def _outer_probes(data: PreparedData, folds: list) -> list:
    """The linear probe of each outer training fold (its C anchors the networks; it is the fallback)."""
    x = data.docs.mean_pooled(data.cfg.eval.modality)
    return [
        fit_linear_probe(
            x[train],
            data.y[train],
            data.groups[train] if data.groups is not None else None,
            data.cfg.eval.seed,
            rule=data.cfg.train.probe_rule,
        )
        for train, _ in folds
    ]


def _run_neural(
    data: PreparedData,
    folds: list,
    progress: Progress | None,
    on_epoch: EpochCallback | None,
    notes: list[str],
) -> tuple[np.ndarray, list, list, dict]:
    cfg = data.cfg
    uses_probe = cfg.model.anchor == "probe" or chooses_probe(cfg)
    probes = _outer_probes(data, folds) if uses_probe else [None] * len(folds)
    specs, cand_of, fold_of = [], [], []
    for f, (train, _) in enumerate(folds):
        probe_c, temp = (
            (probes[f].C, probes[f].selection.get("temperature", 1.0)) if probes[f] else (1.0, 1.0)
        )
        s, c = member_specs(data, train, cfg.eval.seed * 100 + f, probe_c, notes, temp)
        specs += s
        cand_of += c
        fold_of += [f] * len(s)
    cand_of_arr, fold_of_arr = np.array(cand_of), np.array(fold_of)
    labels = [f"fold {f}" for f in fold_of]
    out = train_members(
        data.docs, data.y, len(data.classes), specs, cfg, progress=progress, on_epoch=on_epoch, labels=labels
    )
    grid = candidate_grid(cfg)
    proba = np.zeros((len(data.y), len(data.classes)))
    diagnostics, selected = [], []
    member_proba = predict_members(out.model, data.docs, [folds[f][1] for f in fold_of])
    val_proba = (
        predict_members(out.model, data.docs, [s.val_idx for s in specs]) if chooses_probe(cfg) else None
    )
    x = data.docs.mean_pooled(cfg.eval.modality)
    for f, (_, test) in enumerate(folds):
        members = np.flatnonzero(fold_of_arr == f)
        best = select_candidate(out, members, cand_of_arr[members])
        chosen = members[cand_of_arr[members] == best]
        proba[test] = np.mean([member_proba[m] for m in chosen], axis=0)
        record = {
            **grid[best],
            "best_epoch": out.best_epoch[chosen].tolist(),
            "val_loss": out.best_val_loss[chosen].tolist(),
        }
        if probes[f] is not None:
            record["C"] = probes[f].C
        if val_proba is not None:
            choice = choose_for_members(
                x, data.y, specs, chosen, val_proba, probes[f].C, cfg.train.probe_rule
            )
            record.update(choice.to_dict())
            if choice.chosen == "probe":
                proba[test] = probes[f].predict_proba(x[test])
        diagnostics.append(_fold_history(out, chosen))
        selected.append(record)
    return proba, diagnostics, selected, {"train": out.seconds, "model_steps": float(out.model_steps)}


def _fold_history(out: TrainOutput, chosen: np.ndarray) -> list[dict[str, float]]:
    """Per epoch, each recorded quantity averaged over the chosen members (NaN once all stopped)."""
    return [
        {
            name: float(np.nanmean(values[chosen])) if np.isfinite(values[chosen]).any() else float("nan")
            for name, values in record.items()
        }
        for record in out.history
    ]
