"""Cross-validated evaluation (METHOD.md section 7) on features the user already has."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .baselines import fit_linear_probe
from .config import ExperimentConfig
from .data import PaddedDocuments, check_foldable, encode_labels, inner_splits, make_folds, pad_documents
from .metrics import summarize
from .training import EpochCallback, MemberSpec, Progress, TrainOutput, predict_members, train_members
from .types import CVReport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedData:
    """Checked inputs of one task: padded features, label indices, class names, groups."""

    docs: PaddedDocuments
    y: np.ndarray
    classes: list[str]
    groups: np.ndarray | None
    cfg: ExperimentConfig


def prepare(
    audio: Sequence[np.ndarray] | None,
    text: Sequence[np.ndarray] | None,
    labels: Sequence[object],
    groups: Sequence[object] | None,
    cfg: ExperimentConfig,
) -> PreparedData:
    """Validate everything a run needs, before any training. Raises ValueError naming the problem."""
    modality = cfg.eval.modality
    if audio is None and text is None:
        raise ValueError("audio and text are both None; give segment features for at least one modality.")
    if modality == "both" and (audio is None or text is None):
        modality = "audio" if text is None else "text"
        cfg = cfg.replace(eval={"modality": modality})
    if modality == "audio" and audio is None or modality == "text" and text is None:
        raise ValueError(
            f"modality={modality!r} but no {modality} features were given; pass {modality}=[...]."
        )
    docs = pad_documents(audio if modality != "text" else None, text if modality != "audio" else None)
    if len(labels) != docs.num_documents:
        raise ValueError(
            f"labels has {len(labels)} entries for {docs.num_documents} documents; give one label "
            "per document."
        )
    y, classes = encode_labels(list(labels))
    group_arr = None
    if groups is not None:
        group_arr = np.asarray([str(g) for g in groups], dtype=object)
        if len(group_arr) != docs.num_documents:
            raise ValueError(
                f"groups has {len(group_arr)} entries for {docs.num_documents} documents; give one "
                "subject id per document."
            )
    return PreparedData(docs=docs, y=y, classes=classes, groups=group_arr, cfg=cfg)


def candidate_grid(cfg: ExperimentConfig) -> list[dict[str, float]]:
    """The (input_dropout, weight_decay) settings compared on each inner validation split."""
    tc = cfg.train
    if not tc.tune:
        return [{"input_dropout": cfg.model.input_dropout, "weight_decay": tc.weight_decay}]
    return [
        {"input_dropout": p, "weight_decay": w}
        for p, w in itertools.product(tc.input_dropout_grid, tc.weight_decay_grid)
    ]


def member_specs(data: PreparedData, train_idx: np.ndarray, seed: int) -> tuple[list[MemberSpec], list[int]]:
    """Members for one training set: every candidate x every inner split. Returns specs and their
    candidate index. Candidates share inner splits and initial weights (common random numbers)."""
    tc = data.cfg.train
    splits = inner_splits(data.y, data.groups, train_idx, tc.num_inner, tc.val_fraction, seed)
    specs, cand_of = [], []
    for c, cand in enumerate(candidate_grid(data.cfg)):
        for r, (fit_idx, val_idx) in enumerate(splits):
            specs.append(
                MemberSpec(
                    train_idx=fit_idx,
                    val_idx=val_idx,
                    seed=seed * 1000 + r,
                    input_dropout=cand["input_dropout"],
                    weight_decay=cand["weight_decay"],
                )
            )
            cand_of.append(c)
    return specs, cand_of


def select_candidate(out: TrainOutput, members: np.ndarray, cand_of: np.ndarray) -> int:
    """Index of the candidate whose inner models reach the lowest mean validation loss."""
    scores = {c: float(out.best_val_loss[members[cand_of == c]].mean()) for c in np.unique(cand_of)}
    return min(scores, key=scores.get)


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
    check_foldable(data.y, data.classes, data.groups, cfg.eval.n_splits)
    folds = make_folds(data.y, data.groups, cfg.eval.n_splits, cfg.eval.seed)
    if cfg.eval.method == "linear":
        proba, diagnostics, selected, timings = _run_linear(data, folds)
    else:
        proba, diagnostics, selected, timings = _run_neural(data, folds, progress, on_epoch)
    tests = [test for _, test in folds]
    fold_of = np.empty(len(data.y), dtype=np.int64)
    for f, test in enumerate(tests):
        fold_of[test] = f
    metrics = summarize(data.y, proba, tests, data.classes)
    report = CVReport(
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
        timings={"total": time.perf_counter() - start, **timings},
        **metrics,
    )
    logger.info(report.summary())
    return report


def _run_linear(data: PreparedData, folds: list) -> tuple[np.ndarray, list, list, dict]:
    x = data.docs.mean_pooled(data.cfg.eval.modality)
    proba = np.zeros((len(data.y), len(data.classes)))
    selected = []
    for train, test in folds:
        groups = data.groups[train] if data.groups is not None else None
        probe = fit_linear_probe(x[train], data.y[train], groups, data.cfg.eval.seed)
        proba[test] = probe.predict_proba(x[test])
        selected.append({"C": probe.C})
    return proba, [[] for _ in folds], selected, {}


def _run_neural(
    data: PreparedData, folds: list, progress: Progress | None, on_epoch: EpochCallback | None
) -> tuple[np.ndarray, list, list, dict]:
    specs, cand_of, fold_of = [], [], []
    for f, (train, _) in enumerate(folds):
        s, c = member_specs(data, train, data.cfg.eval.seed * 100 + f)
        specs += s
        cand_of += c
        fold_of += [f] * len(s)
    cand_of_arr, fold_of_arr = np.array(cand_of), np.array(fold_of)
    labels = [f"fold {f}" for f in fold_of]
    out = train_members(
        data.docs,
        data.y,
        len(data.classes),
        specs,
        data.cfg,
        progress=progress,
        on_epoch=on_epoch,
        labels=labels,
    )
    grid = candidate_grid(data.cfg)
    proba = np.zeros((len(data.y), len(data.classes)))
    diagnostics, selected = [], []
    member_proba = predict_members(out.model, data.docs, [folds[f][1] for f in fold_of])
    for f, (_, test) in enumerate(folds):
        members = np.flatnonzero(fold_of_arr == f)
        best = select_candidate(out, members, cand_of_arr[members])
        chosen = members[cand_of_arr[members] == best]
        proba[test] = np.mean([member_proba[m] for m in chosen], axis=0)
        diagnostics.append(_fold_history(out, chosen))
        selected.append(
            {
                **grid[best],
                "best_epoch": out.best_epoch[chosen].tolist(),
                "val_loss": out.best_val_loss[chosen].tolist(),
            }
        )
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
