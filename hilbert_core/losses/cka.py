"""Linear centred kernel alignment (docs/method.md eq. 5-9).

Shape legend: N samples, D1/D2 feature widths; any leading axes (e.g. M members) are batched.
"""

from __future__ import annotations

import torch


def linear_cka(x: torch.Tensor, y: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Linear CKA between two representations of the same N samples.

    ``CKA(X, Y) = ||Y_c^T X_c||_F^2 / (||X_c^T X_c||_F · ||Y_c^T Y_c||_F)`` with column-centred
    ``X_c``, ``Y_c``. It lies in [0, 1], equals 1 for ``CKA(X, X)`` and is invariant to orthogonal
    transforms and isotropic scaling of either input.

    Args:
        x: (..., N, D1).
        y: (..., N, D2).
        eps: guards the denominator when a representation is constant.

    Returns:
        (...) similarity in [0, 1].

    References:
        Kornblith et al. (2019), "Similarity of Neural Network Representations Revisited", eq. for
        linear CKA; HILBERT paper eq. 5-9.
    """
    if x.shape[-2] != y.shape[-2]:
        raise ValueError(
            f"linear_cka needs the same number of samples, got x {tuple(x.shape)} and y {tuple(y.shape)}."
        )
    xc = x - x.mean(dim=-2, keepdim=True)
    yc = y - y.mean(dim=-2, keepdim=True)
    cross = torch.linalg.matrix_norm(yc.transpose(-1, -2) @ xc) ** 2
    norm_x = torch.linalg.matrix_norm(xc.transpose(-1, -2) @ xc)
    norm_y = torch.linalg.matrix_norm(yc.transpose(-1, -2) @ yc)
    return cross / (norm_x * norm_y + eps)


def cka_loss(z_audio: torch.Tensor, z_text: torch.Tensor, z_joint: torch.Tensor) -> torch.Tensor:
    """``L_CKA = (1 - CKA(z_a, z_j)) + (1 - CKA(z_t, z_j))``; inputs (..., B, K), output (...).

    References: HILBERT paper eq. 9.
    """
    return (1 - linear_cka(z_audio, z_joint)) + (1 - linear_cka(z_text, z_joint))
