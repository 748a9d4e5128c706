"""What is trained for one training set: checked inputs, the candidate settings, and the members
(candidate x inner split) whose validation losses choose among the candidates.

Cross-validation (:mod:`hilbert_core.evaluation.cv`) runs this recipe on every outer training fold;
:func:`hilbert_core.training.bundle.train_final` runs it once on all documents.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import ExperimentConfig
from ..data import PaddedDocuments, encode_labels, inner_splits, pad_documents
from ..data.splits import inner_plan_note
from .engine import TrainOutput
from .members import AUX_WEIGHT_NAMES, MemberSpec


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
    """The settings compared on each inner validation split: (input_dropout, weight_decay) when
    ``train.tune``, times the searched aux-loss weights (``train.cka_weight_grid``, ``mi_weight_grid``)."""
    tc = cfg.train
    base = (
        [
            {"input_dropout": p, "weight_decay": w}
            for p, w in itertools.product(tc.input_dropout_grid, tc.weight_decay_grid)
        ]
        if tc.tune
        else [{"input_dropout": cfg.model.input_dropout, "weight_decay": tc.weight_decay}]
    )
    searched = {k: g for k, g in (("cka_weight", tc.cka_weight_grid), ("mi_weight", tc.mi_weight_grid)) if g}
    return [
        {**b, **dict(zip(searched, values, strict=True))}
        for b in base
        for values in itertools.product(*searched.values())
    ]


def member_specs(
    data: PreparedData,
    train_idx: np.ndarray,
    seed: int,
    probe_c: float = 1.0,
    notes: list[str] | None = None,
    probe_temperature: float = 1.0,
) -> tuple[list[MemberSpec], list[int]]:
    """Members for one training set: every candidate x every inner split. Returns specs and their
    candidate index. Candidates share inner splits and initial weights (common random numbers).
    ``probe_c`` is the C of each member's anchor probe; a sentence on an adapted inner plan (a training
    set too small for ``train.num_inner`` folds) is appended to ``notes``."""
    tc = data.cfg.train
    splits = inner_splits(data.y, data.groups, train_idx, tc.num_inner, tc.val_fraction, seed)
    note = inner_plan_note(splits, tc.num_inner, len(train_idx))
    if note is not None and notes is not None and note not in notes:
        notes.append(note)
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
                    probe_C=probe_c,
                    probe_temperature=probe_temperature,
                    loss_weights={k: float(v) for k, v in cand.items() if k in AUX_WEIGHT_NAMES},
                )
            )
            cand_of.append(c)
    return specs, cand_of


def select_candidate(out: TrainOutput, members: np.ndarray, cand_of: np.ndarray) -> int:
    """Index of the candidate whose inner models reach the lowest mean validation loss."""
    scores = {c: float(out.best_val_loss[members[cand_of == c]].mean()) for c in np.unique(cand_of)}
    return min(scores, key=scores.get)
