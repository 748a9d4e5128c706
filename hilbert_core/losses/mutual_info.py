"""InfoNCE mutual-information estimate and the MI-balancing loss (docs/method.md eq. 10-11).

Shape legend: B samples (the batch), K width; leading axes are batched.
"""

from __future__ import annotations

import math

import torch


def infonce_mi(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    """InfoNCE lower bound on I(X; Y) with the dot-product critic ``f(x, y) = x^T y / τ``.

    ``Î = log B + (1/B) Σ_i log( exp f(x_i, y_i) / Σ_k exp f(x_i, y_k) )``. Each log term is <= 0,
    so the estimate never exceeds ``log B``, the ceiling shown next to it in diagnostics.

    Args:
        x: (..., B, K) paired with ``y`` row by row.
        y: (..., B, K).
        temperature: ``τ > 0``.

    Returns:
        (...) estimate in nats, at most ``log B``.

    References:
        van den Oord et al. (2018), "Representation Learning with Contrastive Predictive Coding";
        HILBERT paper eq. 10.
    """
    return math.log(x.shape[-2]) + _log_ratios(x, y, temperature).mean(-1)


def infonce_terms(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    """Per-sample InfoNCE terms ``log B + f(x_i, y_i) - log Σ_k exp f(x_i, y_k)``, (..., B); their mean
    is :func:`infonce_mi`. Used to place one document (the last row) among others."""
    return math.log(x.shape[-2]) + _log_ratios(x, y, temperature)


def _log_ratios(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    if temperature <= 0:
        raise ValueError(f"temperature={temperature!r} must be > 0.")
    scores = x @ y.transpose(-1, -2) / temperature  # (..., B, B)
    return torch.diagonal(scores, dim1=-2, dim2=-1) - torch.logsumexp(scores, dim=-1)  # (..., B)


def mi_balance_loss(
    z_audio: torch.Tensor, z_text: torch.Tensor, z_joint: torch.Tensor, temperature: float
) -> torch.Tensor:
    """``L_MI = | Î(z_j; z_a) - Î(z_j; z_t) |``: keeps the joint embedding from leaning on one modality.

    Args:
        z_audio, z_text, z_joint: (..., B, K).
        temperature: critic temperature ``τ``.

    Returns:
        (...) non-negative loss.

    References: HILBERT paper eq. 11.
    """
    return (infonce_mi(z_joint, z_audio, temperature) - infonce_mi(z_joint, z_text, temperature)).abs()
