"""Contrastive losses (docs/method.md eq. 3-4).

Shape legend: B samples, K width; leading axes are batched. Similarities are cosine / τ.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def _cosine_logits(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    return F.normalize(x, dim=-1) @ F.normalize(y, dim=-1).transpose(-1, -2) / temperature


def _cross_entropy_diag(logits: torch.Tensor) -> torch.Tensor:
    """Mean over rows of ``-log softmax(logits)[i, target_i]`` with target = the diagonal (or shifted)."""
    return -(torch.diagonal(logits, dim1=-2, dim2=-1) - torch.logsumexp(logits, dim=-1)).mean(-1)


def contrastive_loss(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric CLIP-style InfoNCE: row i of ``x`` and row i of ``y`` are positives, the other
    rows of the *other* set are negatives.

    ``L = ½ [CE(s(X, Y), I) + CE(s(Y, X), I)]`` with ``s(u, v) = cos(u, v) / τ``.

    Args:
        x, y: (..., B, K).
        temperature: ``τ > 0``.

    Returns:
        (...) loss.

    References: Radford et al. (2021), CLIP; used by ``contrastive_moe`` on ``(z_a, z_t)``.
    """
    logits = _cosine_logits(x, y, temperature)
    return 0.5 * (_cross_entropy_diag(logits) + _cross_entropy_diag(logits.transpose(-1, -2)))


def nt_xent_loss(anchor: torch.Tensor, positive: torch.Tensor, temperature: float) -> torch.Tensor:
    """GMC's NT-Xent: stack the 2B embeddings ``[anchor ; positive]``; each embedding's positive is
    its partner and its negatives are all other 2B - 2 embeddings (both sets, self excluded).

    ``L = -(1/2B) Σ_u log( exp s(u, u⁺) / Σ_{v ≠ u} exp s(u, v) )``.

    Args:
        anchor, positive: (..., B, K).
        temperature: ``τ > 0``.

    Returns:
        (...) loss.

    References: Poklukar et al. (2022), "Geometric Multimodal Contrastive Learning", eq. 4;
    HILBERT paper eq. 3-4.
    """
    b = anchor.shape[-2]
    z = torch.cat([anchor, positive], dim=-2)  # (..., 2B, K)
    logits = _cosine_logits(z, z, temperature)
    eye = torch.eye(2 * b, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(eye, float("-inf"))
    partner = torch.arange(2 * b, device=z.device).roll(b)  # u -> u + B mod 2B
    positive_logit = logits.gather(-1, partner.expand(*logits.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    return -(positive_logit - torch.logsumexp(logits, dim=-1)).mean(-1)


def dual_contrastive_loss(
    z_audio: torch.Tensor,
    z_text: torch.Tensor,
    z_joint: torch.Tensor,
    temperature: float,
    negatives: str = "gmc",
) -> torch.Tensor:
    """``L_con = L_a + L_t``: the joint embedding is contrasted with each modality, never audio with text.

    Args:
        z_audio, z_text, z_joint: (..., B, K).
        temperature: ``τ > 0``.
        negatives: ``"gmc"`` (NT-Xent, all other 2B - 2 embeddings are negatives) or ``"clip"``
            (only the other set's embeddings are negatives).

    Returns:
        (...) loss.

    References: HILBERT paper eq. 3-4; Poklukar et al. (2022).
    """
    if negatives == "gmc":
        pair = nt_xent_loss
    elif negatives == "clip":
        pair = contrastive_loss
    else:
        raise ValueError(f"negatives={negatives!r} is not 'gmc' or 'clip'.")
    return pair(z_joint, z_audio, temperature) + pair(z_joint, z_text, temperature)
