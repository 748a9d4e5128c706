"""Segment self-attention, attention pooling and cross-modal attention (docs/method.md §2).

Shape legend: B documents, S segments, D width, H heads. The leading ``...`` of every shape is
the member axis M then B (see :mod:`.members`); ``mask`` is (..., S) bool with True = a real
segment (keep), False = padding, and may omit the member axis (shared by all members).
"""

from __future__ import annotations

import torch
from torch import nn

from .members import MemberLayerNorm, MemberLinear, member_dropout


def _split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    x = x.reshape(*x.shape[:-1], num_heads, x.shape[-1] // num_heads)  # (..., S, H, D/H)
    return x.transpose(-3, -2)  # (..., H, S, D/H)


def _merge_heads(x: torch.Tensor) -> torch.Tensor:
    x = x.transpose(-3, -2)  # (..., S, H, D/H)
    return x.reshape(*x.shape[:-2], -1)  # (..., S, D)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention ``softmax(Q K^T / sqrt(d_h)) V`` per head, queries from
    ``query`` and keys/values from ``context`` (self-attention when they are the same).

    Written out rather than calling ``scaled_dot_product_attention``, whose CPU kernels upcast bf16
    and whose dropout dominated the step time; regularisation comes from dropout on the attention
    output (see :class:`SegmentSelfAttention`).
    """

    def __init__(self, num_members: int, dim: int, num_heads: int, zero_out: bool = False) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q = MemberLinear(num_members, dim, dim)
        self.k = MemberLinear(num_members, dim, dim)
        self.v = MemberLinear(num_members, dim, dim)
        self.out = MemberLinear(num_members, dim, dim, init="zeros" if zero_out else "uniform")

    def forward(self, query: torch.Tensor, context: torch.Tensor, context_mask: torch.Tensor) -> torch.Tensor:
        """Args: query, context (..., S, D); context_mask (..., S). Returns (..., S, D)."""
        q = _split_heads(self.q(query), self.num_heads)  # (..., H, S, D/H)
        k, v = _split_heads(self.k(context), self.num_heads), _split_heads(self.v(context), self.num_heads)
        q = q * (q.shape[-1] ** -0.5)
        key_mask = context_mask[..., None, None, :]  # (..., 1, 1, S): over heads and queries
        scores = (q @ k.transpose(-1, -2)).masked_fill(~key_mask, float("-inf"))  # (..., H, S, S)
        probs = torch.softmax(scores, dim=-1)
        return self.out(_merge_heads(probs @ v))  # (..., S, D)


class SegmentSelfAttention(nn.Module):
    """``num_layers`` blocks over a document's segments: post-norm ``x <- LayerNorm(x + Dropout(MHA(x, x)))``
    (the paper's), or with ``identity_init`` pre-norm ``x <- x + Dropout(MHA(LayerNorm(x)))`` whose output
    projection starts at zero, so each block starts as the identity and each segment keeps its own
    representation (context is added residually)."""

    def __init__(
        self,
        num_members: int,
        dim: int,
        num_heads: int,
        num_layers: int,
        dropout: float,
        identity_init: bool = False,
    ) -> None:
        super().__init__()
        self.attn = nn.ModuleList(
            MultiHeadAttention(num_members, dim, num_heads, zero_out=identity_init) for _ in range(num_layers)
        )
        self.norm = nn.ModuleList(MemberLayerNorm(num_members, dim) for _ in range(num_layers))
        self.dropout, self.pre_norm = dropout, identity_init

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Args: x (..., S, D); mask (..., S). Returns (..., S, D)."""
        for attn, norm in zip(self.attn, self.norm, strict=True):
            if self.pre_norm:
                h = norm(x)
                x = x + member_dropout(attn(h, h, mask), self.dropout, self.training)
            else:
                x = norm(x + member_dropout(attn(x, x, mask), self.dropout, self.training))
        return x


def deviation(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``x_n - mean_m x_m`` with the mean over the document's real segments.

    Args: x (..., S, D); mask (..., S). Returns (..., S, D) (padded rows too, for masking downstream).
    """
    weights = mask.to(x.dtype)[..., None]  # (..., S, 1)
    mean = (x * weights).sum(-2, keepdim=True) / weights.sum(-2, keepdim=True).clamp_min(1)  # (..., 1, D)
    return x - mean


def with_deviation(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[x_n ; x_n - mean_m x_m]``: (..., S, D), (..., S) -> (..., S, 2D)."""
    return torch.cat([x, deviation(x, mask)], dim=-1)


class AttentionPool(nn.Module):
    """``h = Σ_n α_n x_n`` with ``α = softmax_n(w^T tanh(V k_n))`` over real segments only.

    The scores are computed from ``keys`` (``k_n``, default the pooled values ``x_n``
    themselves). With ``gated`` the hidden layer is the gated one of Ilse et al. (2018),
    ``tanh(V k_n) ⊙ sigmoid(U k_n)``. With ``relative`` the scores see ``[k_n ; k_n - mean_m k_m]``
    and the pooled values are ``x_n + R (x_n - mean_m x_m)``: a learned map of each segment's
    deviation from its document's mean is added, so the pooled embedding says how the weighted
    segments differ from the speaker's usual, not only where the speaker sits. Returns the pooled
    (..., D) embedding and the (..., S) weights ``α`` (zero on padding), the segment attention shown to users.

    Args:
        num_members: M.
        dim: width D of the pooled values.
        mean_init: the scorer ``w`` starts at zero, so pooling starts as the mean of the real segments.
        gated: add the sigmoid gate ``U``.
        key_dim: width of the keys (default ``dim``), before ``relative`` doubles it.
        relative: score on keys and their deviations, and add the deviation map ``R`` (under mean
            pooling the deviations sum to zero, so a mean-initialised pool still starts as the mean).

    References:
        Ilse, Tomczak & Welling (2018), Attention-based Deep Multiple Instance Learning, ICML, eq. 8-9.
    """

    def __init__(
        self,
        num_members: int,
        dim: int,
        mean_init: bool = False,
        gated: bool = False,
        key_dim: int = 0,
        relative: bool = False,
    ) -> None:
        super().__init__()
        key_dim = (key_dim or dim) * (2 if relative else 1)
        self.r = MemberLinear(num_members, dim, dim, bias=False) if relative else None
        self.v = MemberLinear(num_members, key_dim, dim)
        self.u = MemberLinear(num_members, key_dim, dim) if gated else None
        self.w = MemberLinear(num_members, dim, 1, bias=False, init="zeros" if mean_init else "uniform")

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, keys: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Args: x (..., S, D); mask (..., S); keys (..., S, Dk), None = x. Returns (..., D), (..., S)."""
        k = x if keys is None else keys
        dev_x = deviation(x, mask) if self.r is not None else None  # (..., S, D)
        if dev_x is not None:  # keys (..., S, 2Dk)
            k = torch.cat([x, dev_x], dim=-1) if keys is None else with_deviation(keys, mask)
        hidden = torch.tanh(self.v(k).float())  # float tanh: bf16 tanh is 2x slower on CPU
        if self.u is not None:
            hidden = hidden * torch.sigmoid(self.u(k).float())
        scores = self.w(hidden.to(x.dtype)).squeeze(-1).float()  # (..., S)
        scores = scores.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(scores, dim=-1)
        if dev_x is not None:
            x = x + self.r(dev_x)  # (..., S, D)
        return torch.einsum("...s,...sd->...d", alpha.to(x.dtype), x), alpha
