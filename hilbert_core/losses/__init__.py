"""The losses of docs/method.md §4, as public functions."""

from __future__ import annotations

from .cka import cka_loss, debiased_cka, linear_cka
from .contrastive import contrastive_loss, dual_contrastive_loss, nt_xent_loss
from .mutual_info import infonce_mi, mi_balance_loss
from .objective import balanced_class_weight, compute_objective, weighted_cross_entropy

__all__ = [
    "balanced_class_weight",
    "cka_loss",
    "debiased_cka",
    "compute_objective",
    "contrastive_loss",
    "dual_contrastive_loss",
    "infonce_mi",
    "linear_cka",
    "mi_balance_loss",
    "nt_xent_loss",
    "weighted_cross_entropy",
]
