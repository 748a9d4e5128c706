"""The members to train: one spec per model (its documents and settings), and their stacked network
initialised, standardised and anchored from those specs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..config import ExperimentConfig
from ..data.dataset import PaddedDocuments
from ..model import StackedModel, create_network, init_members
from .probe import fit_probe


@dataclass(frozen=True)
class MemberSpec:
    """One model to train: its documents (indices into the corpus) and its settings."""

    train_idx: np.ndarray
    val_idx: np.ndarray
    seed: int
    input_dropout: float
    weight_decay: float
    probe_C: float = 1.0  # C of the member's anchor probe (model.anchor="probe")
    probe_temperature: float = 1.0  # its logit scale, fitted on the training set's inner folds
    loss_weights: dict[str, float] = field(default_factory=dict)  # searched aux weights (cka_weight, ...)


# Loss weights a member may set for itself (searched on inner folds: train.cka_weight_grid, ...).
AUX_WEIGHT_NAMES = ("cka_weight", "mi_weight")


def member_loss_weights(specs: list[MemberSpec], cfg: ExperimentConfig) -> dict[str, torch.Tensor]:
    """name (``cka_weight``, ...) -> (M,) weights of the members, for the names any member sets."""
    names = sorted({k for s in specs for k in s.loss_weights})
    return {
        k: torch.tensor([s.loss_weights.get(k, getattr(cfg.loss, k)) for s in specs], dtype=torch.float32)
        for k in names
    }


def build_members_model(
    docs: PaddedDocuments, y: np.ndarray, num_classes: int, specs: list[MemberSpec], cfg: ExperimentConfig
) -> StackedModel:
    """A stacked model with each member initialised from its seed and standardised on its training docs;
    with ``model.anchor="probe"`` each member's anchor is a probe fitted on its training docs."""
    model = create_network(
        cfg.model, cfg.eval.method, cfg.eval.modality, docs.audio_dim, docs.text_dim, num_classes, len(specs)
    )
    init_members(model, [s.seed for s in specs])
    if cfg.train.standardize:  # else the identity: mean 0, std 1 (the buffers' initial values)
        model.fit_standardization(docs.audio, docs.text, docs.mask, [s.train_idx for s in specs])
    model.input_dropout.copy_(torch.tensor([s.input_dropout for s in specs], dtype=torch.float32))
    if cfg.model.anchor == "probe":
        x = docs.mean_pooled(cfg.eval.modality)
        probes = [
            fit_probe(x[s.train_idx], y[s.train_idx], s.probe_C).scaled(s.probe_temperature) for s in specs
        ]
        model.set_probes(probes)
    return model
