"""Linear centred kernel alignment, the paper's estimator and the debiased one (docs/method.md eq. 5-9).

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


def debiased_cka(x: torch.Tensor, y: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Linear CKA from the unbiased HSIC estimator: near 0 for independent representations.

    The plain estimator (:func:`linear_cka`) is biased upward when N is small against the widths: two
    independent random batches of 32 samples in 128 dimensions score about 0.8, so a CKA loss on
    training batches is nearly saturated from the start. With ``K = X_c X_c^T`` and ``L`` likewise,
    both with a zeroed diagonal, ``HSIC_1(K, L) = [tr(K L) + 1^T K 1 · 1^T L 1 / ((N-1)(N-2))
    - 2/(N-2) · 1^T K L 1] / (N (N-3))`` and ``CKA = HSIC_1(K, L) / sqrt(HSIC_1(K, K) HSIC_1(L, L))``.
    Needs N >= 4 (falls back to :func:`linear_cka` below); may be slightly negative. Computed in
    float32 at least.

    Args:
        x: (..., N, D1).
        y: (..., N, D2).

    Returns:
        (...) similarity, 1 for ``CKA(X, X)``.

    References:
        Song et al. (2012), "Feature Selection via Dependence Maximization", eq. 5 (unbiased HSIC);
        Kornblith et al. (2019), debiased CKA.
    """
    n = x.shape[-2]
    if n < 4:
        return linear_cka(x, y, eps)
    x, y = (t.float() if t.dtype in (torch.float16, torch.bfloat16) else t for t in (x, y))
    k, l_ = (_gram(t) for t in (x, y))
    cross = _hsic1(k, l_)
    return cross / (torch.sqrt((_hsic1(k, k) * _hsic1(l_, l_)).clamp_min(0)) + eps)


def _gram(x: torch.Tensor) -> torch.Tensor:
    """(..., N, N) Gram matrix of the column-centred rows, diagonal set to zero."""
    xc = x - x.mean(dim=-2, keepdim=True)
    gram = xc @ xc.transpose(-1, -2)
    return gram - torch.diag_embed(torch.diagonal(gram, dim1=-2, dim2=-1))


def _hsic1(k: torch.Tensor, l_: torch.Tensor) -> torch.Tensor:
    """Unbiased HSIC of two zero-diagonal Gram matrices (..., N, N) -> (...)."""
    n = k.shape[-1]
    trace = (k * l_).sum((-1, -2))  # tr(K L) for symmetric K, L
    sums = k.sum((-1, -2)) * l_.sum((-1, -2)) / ((n - 1) * (n - 2))
    cross = 2.0 / (n - 2) * (k.sum(-1) * l_.sum(-1)).sum(-1)  # 1^T K L 1
    return (trace + sums - cross) / (n * (n - 3))


def cka(x: torch.Tensor, y: torch.Tensor, estimator: str = "debiased") -> torch.Tensor:
    """:func:`debiased_cka` or the paper's :func:`linear_cka` (``estimator="biased"``)."""
    return debiased_cka(x, y) if estimator == "debiased" else linear_cka(x, y)


def cka_loss(
    z_audio: torch.Tensor, z_text: torch.Tensor, z_joint: torch.Tensor, estimator: str = "biased"
) -> torch.Tensor:
    """``L_CKA = (1 - CKA(z_a, z_j)) + (1 - CKA(z_t, z_j))``; inputs (..., B, K), output (...).

    References: HILBERT paper eq. 9.
    """
    return (1 - cka(z_audio, z_joint, estimator)) + (1 - cka(z_text, z_joint, estimator))
