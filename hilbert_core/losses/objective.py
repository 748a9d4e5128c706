"""The training objective of eq. 14 for every variant, computed per member.

Shape legend: M members, B documents, C classes, K width.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from ..config import LossConfig
from ..types import LossOutput, ModelOutput
from .cka import cka, cka_loss
from .contrastive import contrastive_loss, dual_contrastive_loss
from .mutual_info import infonce_mi, mi_balance_loss


def weighted_cross_entropy(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_weight: torch.Tensor | None = None,
    sample_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Class-weighted cross-entropy, ``Σ_i w_{y_i} (-log p_i[y_i]) / Σ_i w_{y_i}`` (eq. 13).

    Args:
        logits: (..., B, C).
        target: (..., B) class indices.
        class_weight: (..., C) or (C,) weights, e.g. inverse class frequency; None = all ones.
        sample_weight: (..., B) extra 0/1 weights (padding rows of a validation batch get 0).

    Returns:
        (...) loss.

    References: HILBERT paper eq. 13.
    """
    nll = -torch.log_softmax(logits, dim=-1).gather(-1, target.unsqueeze(-1)).squeeze(-1)  # (..., B)
    w = torch.ones_like(nll)
    if class_weight is not None:
        w = class_weight.expand(*target.shape[:-1], class_weight.shape[-1]).gather(-1, target)
    if sample_weight is not None:
        w = w * sample_weight
    return (w * nll).sum(-1) / w.sum(-1).clamp_min(1e-12)


def balanced_class_weight(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``n / (C · n_c)`` (scikit-learn's "balanced"); labels (..., N) -> (..., C). Absent classes get 0."""
    counts = torch.nn.functional.one_hot(labels, num_classes).sum(-2).to(torch.float32)
    total = counts.sum(-1, keepdim=True)
    return torch.where(counts > 0, total / (num_classes * counts.clamp_min(1)), torch.zeros_like(counts))


def compute_objective(
    out: ModelOutput,
    target: torch.Tensor,
    method: str,
    losses: tuple[str, ...],
    cfg: LossConfig,
    class_weight: torch.Tensor | None = None,
    member_weights: dict[str, torch.Tensor] | None = None,
) -> LossOutput:
    """``L = L_CE + λ1 L_con + λ2 L_CKA + λ3 L_MI (+ moe_aux)`` per member, with diagnostics.

    ``member_weights`` overrides a weight of ``cfg`` per member: ``"cka_weight"`` / ``"mi_weight"`` ->
    (M,) (candidates searched on inner folds, see ``train.cka_weight_grid``).

    ``hilbert`` uses the auxiliary losses named in ``losses``; ``contrastive_moe`` a CLIP loss on
    ``(z_a, z_t)``; ``transfer``/``transfer_moe`` cross-entropy only. Diagnostics (CKA of each
    modality with the joint embedding, InfoNCE MI per modality and its ``log B`` ceiling) are
    computed whenever the embeddings exist, without gradient.
    """
    parts = {"ce_loss": weighted_cross_entropy(out.logits, target, class_weight)}
    weights = {"ce_loss": 1.0, "moe_aux_loss": cfg.moe_aux_weight}
    parts["moe_aux_loss"] = out.aux_loss
    za, zt, zj = out.audio_emb, out.text_emb, out.joint_emb
    tau = cfg.temperature
    if method == "contrastive_moe" and za is not None and zt is not None:
        parts["contrastive_loss"] = contrastive_loss(za, zt, tau)
        weights["contrastive_loss"] = cfg.contrastive_weight
    if method == "hilbert" and zj is not None:
        if "contrastive" in losses:
            parts["contrastive_loss"] = dual_contrastive_loss(za, zt, zj, tau, cfg.contrastive_negatives)
            weights["contrastive_loss"] = cfg.contrastive_weight
        if "cka" in losses:
            parts["cka_loss"] = cka_loss(za, zt, zj, cfg.cka_estimator)
            weights["cka_loss"] = cfg.cka_weight
        if "mi" in losses:
            # The dot-product critic runs on unit vectors (choice): raw projector outputs / τ overflow.
            parts["mi_loss"] = mi_balance_loss(*(F.normalize(z, dim=-1) for z in (za, zt, zj)), tau)
            weights["mi_loss"] = cfg.mi_weight
    for name, w in (member_weights or {}).items():
        part = name.replace("_weight", "_loss")
        if part in weights:
            weights[part] = w.to(parts[part].dtype)
    total = sum(weights[name] * value for name, value in parts.items())
    if zj is not None:
        parts.update(_diagnostics(za, zt, zj, tau, cfg.cka_estimator))
    return LossOutput(total=total, parts=parts)


def _diagnostics(
    za: torch.Tensor, zt: torch.Tensor, zj: torch.Tensor, tau: float, estimator: str
) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        ua, ut, uj = (F.normalize(z, dim=-1) for z in (za, zt, zj))
        ceiling = torch.full(za.shape[:-2], math.log(za.shape[-2]))
        return {
            "cka_audio_joint": cka(za, zj, estimator),
            "cka_text_joint": cka(zt, zj, estimator),
            "mi_audio": infonce_mi(uj, ua, tau),
            "mi_text": infonce_mi(uj, ut, tau),
            "mi_ceiling": ceiling,
        }
