"""Output dataclasses: one per kind of result, so no function returns a tuple-or-dict."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

# Shape legend: M stacked models ("members"), B documents, S segments, D width, E experts, C classes.


@dataclass
class ModelOutput:
    """What a network (:class:`hilbert_core.model.base.StackedModel`: ``HilbertModel`` or ``TransferModel``)
    returns for a batch; ``model.member(m)(...)`` returns the same without the leading M axis.

    Attributes:
        logits: (M, B, C) class scores.
        audio_emb: (M, B, K) projected audio document embedding ``z_a`` (None for text-only).
        text_emb: (M, B, K) projected text document embedding ``z_t`` (None for audio-only).
        joint_emb: (M, B, K) projected joint embedding ``z_j`` (None unless both modalities).
        gate_probs: (M, B, E) MoE gate weights ``π`` (None for the MLP classifier).
        attn_weights: name -> (M, B, S) segment attention pooling weights
            (``"audio"``, ``"text"``, ``"joint"``).
        aux_loss: scalar per member (M,) MoE load-balancing term (zeros for dense gating).
    """

    logits: torch.Tensor
    audio_emb: torch.Tensor | None
    text_emb: torch.Tensor | None
    joint_emb: torch.Tensor | None
    gate_probs: torch.Tensor | None
    attn_weights: dict[str, torch.Tensor]
    aux_loss: torch.Tensor


@dataclass
class LossOutput:
    """Weighted objective: ``total`` (M,) is the weighted sum of the ``*_loss`` parts; other parts
    (e.g. ``mi_audio``, ``cka_audio_joint``) are diagnostics, each of shape (M,)."""

    total: torch.Tensor
    parts: dict[str, torch.Tensor]


@dataclass(frozen=True)
class EpochRecord:
    """One training epoch of a group of members, reported while training runs (``on_epoch`` callbacks).

    Attributes:
        label: the group: ``"fold 2"`` (outer fold of a cross-validation) or ``"final"`` (final model).
        epoch: 1-based epoch.
        values: name -> mean over the group's members of what the epoch recorded: the ``*_loss`` terms
            and diagnostics (CKA, MI, ``mi_ceiling``) averaged over its steps, and ``val_loss``.
        num_members: members averaged; records of the same label and epoch (members trained in
            separate chunks) merge by a mean weighted by it.
        run: what the group belongs to (a sweep cell's label); empty within one training.
    """

    label: str
    epoch: int
    values: dict[str, float]
    num_members: int = 1
    run: str = ""


@dataclass
class Prediction:
    """One document scored by a trained bundle (averaged over the bundle's ensemble members).

    Attributes:
        classes: class names, in the order of ``proba``.
        proba: (C,) class probabilities.
        attention: name -> (S,) segment attention weights (``audio``, ``text``, ``joint``).
        gate_probs: (E,) MoE gate weights, or None for methods without experts.
        z_audio, z_text, z_joint: (K,) embeddings, or None where the method has no such embedding.
        proba_sd: (C,) standard deviation of ``proba`` over the ensemble members (None for one model).
    """

    classes: list[str]
    proba: np.ndarray
    attention: dict[str, np.ndarray]
    gate_probs: np.ndarray | None
    z_audio: np.ndarray | None
    z_text: np.ndarray | None
    z_joint: np.ndarray | None
    proba_sd: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass
class CVReport:
    """Result of :func:`hilbert_core.cross_validate`.

    Attributes:
        method, modality, losses: what was evaluated.
        classes: class names; columns of ``oof_proba``.
        auc_macro: AUC of the pooled out-of-fold predictions, one-vs-rest, macro over classes (0..1).
        auc_mean, auc_sd: mean and sample sd of ``fold_auc``.
        fold_auc: macro AUC of each test fold (NaN when a fold holds one class only).
        auc_per_class: class -> pooled one-vs-rest AUC.
        balanced_accuracy, macro_f1: of the pooled arg-max predictions.
        confusion: (C, C) confusion matrix, rows = true class.
        oof_proba: (N, C) out-of-fold probabilities, rows in input order.
        labels: the input labels as strings, in input order.
        fold_of: (N,) test fold of each document.
        diagnostics: per fold, a list of per-epoch dicts (loss terms, CKA, MI and its log-batch ceiling).
        selected: per fold, the hyper-parameters chosen on the inner validation split.
        config: the :class:`ExperimentConfig` as a dict.
        timings: seconds spent (``total``; for the networks also ``train``) and ``model_steps``, the
            training steps summed over all models trained (for FLOP accounting).
        notes: what the protocol had to adapt to the data (fewer inner folds than asked, classes
            smaller than the number of folds), one sentence each; also logged as warnings.
        groups: (N,) subject of each document, in input order (None when none was given): what
            ``hilbert report`` and Compare resample when a subject has several documents.
    """

    method: str
    modality: str
    losses: list[str]
    classes: list[str]
    auc_macro: float
    auc_mean: float
    auc_sd: float
    fold_auc: list[float]
    auc_per_class: dict[str, float]
    balanced_accuracy: float
    macro_f1: float
    confusion: list[list[int]]
    oof_proba: np.ndarray
    labels: list[str]
    fold_of: list[int]
    diagnostics: list[list[dict[str, float]]] = field(default_factory=list)
    selected: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    groups: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    def to_json(self) -> str:
        """Lossless JSON: floats are written with full precision (``repr``), NaN as ``NaN``."""
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> CVReport:
        data = json.loads(text)
        data["oof_proba"] = np.asarray(data["oof_proba"], dtype=np.float64)
        return cls(**data)

    def summary(self) -> str:
        """One line: the headline (pooled out-of-fold macro AUC), the fold mean, and the rest."""
        from .report.vocabulary import fold_mean_text, headline

        return (
            f"{self.method} ({self.modality}): {headline(self.auc_macro)} (headline); "
            f"{fold_mean_text(self.auc_mean, self.auc_sd, len(self.fold_auc))}; "
            f"balanced accuracy {self.balanced_accuracy:.3f}; macro-F1 {self.macro_f1:.3f}"
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, torch.Tensor):
        return _jsonable(value.detach().cpu().numpy())
    return value
