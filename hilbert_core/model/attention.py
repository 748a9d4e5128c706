"""Segment self-attention, attention pooling and cross-modal attention (METHOD.md section 2).

Shape legend: M members, B documents, S segments, D width, H heads.
``mask`` is (B, S) or (M, B, S) bool with True = a real segment (keep), False = padding.
"""

from __future__ import annotations

import torch
from torch import nn

from .layers import MemberLayerNorm, MemberLinear, member_dropout


def _split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    m, b, s, d = x.shape
    return x.reshape(m * b, s, num_heads, d // num_heads).transpose(1, 2)  # (M*B, H, S, D/H)


def _merge_heads(x: torch.Tensor, m: int) -> torch.Tensor:
    mb, h, s, dh = x.shape
    return x.transpose(1, 2).reshape(m, mb // m, s, h * dh)  # (M, B, S, D)


def _key_mask(mask: torch.Tensor, m: int) -> torch.Tensor:
    mask = mask.expand(m, *mask.shape[-2:]) if mask.dim() == 3 else mask.expand(m, *mask.shape)
    return mask.reshape(-1, 1, 1, mask.shape[-1])  # (M*B, 1, 1, S)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention ``softmax(Q K^T / sqrt(d_h)) V`` per head, queries from
    ``query`` and keys/values from ``context`` (self-attention when they are the same).

    Written out rather than calling ``scaled_dot_product_attention``, whose CPU kernels upcast bf16
    and whose dropout dominated the step time; regularisation comes from dropout on the attention
    output (see :class:`SegmentSelfAttention`).
    """

    def __init__(self, num_members: int, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q = MemberLinear(num_members, dim, dim)
        self.k = MemberLinear(num_members, dim, dim)
        self.v = MemberLinear(num_members, dim, dim)
        self.out = MemberLinear(num_members, dim, dim)

    def forward(self, query: torch.Tensor, context: torch.Tensor, context_mask: torch.Tensor) -> torch.Tensor:
        m = query.shape[0]
        q = _split_heads(self.q(query), self.num_heads)
        k, v = _split_heads(self.k(context), self.num_heads), _split_heads(self.v(context), self.num_heads)
        q = q * (q.shape[-1] ** -0.5)
        scores = (q @ k.transpose(-1, -2)).masked_fill(
            ~_key_mask(context_mask, m), float("-inf")
        )  # (M*B, H, S, S)
        probs = torch.softmax(scores, dim=-1)
        return self.out(_merge_heads(probs @ v, m))  # (M, B, S, D)


class SegmentSelfAttention(nn.Module):
    """``num_layers`` blocks of ``x <- LayerNorm(x + Dropout(MHA(x, x)))`` over a document's segments."""

    def __init__(self, num_members: int, dim: int, num_heads: int, num_layers: int, dropout: float) -> None:
        super().__init__()
        self.attn = nn.ModuleList(MultiHeadAttention(num_members, dim, num_heads) for _ in range(num_layers))
        self.norm = nn.ModuleList(MemberLayerNorm(num_members, dim) for _ in range(num_layers))
        self.dropout = dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for attn, norm in zip(self.attn, self.norm, strict=True):
            x = norm(x + member_dropout(attn(x, x, mask), self.dropout, self.training))
        return x  # (M, B, S, D)


class AttentionPool(nn.Module):
    """``h = Σ_n α_n x_n`` with ``α = softmax_n(w^T tanh(V x_n))`` over real segments only.

    Returns the pooled (M, B, D) embedding and the (M, B, S) weights ``α`` (zero on padding),
    the segment attention shown to users.
    """

    def __init__(self, num_members: int, dim: int) -> None:
        super().__init__()
        self.v = MemberLinear(num_members, dim, dim)
        self.w = MemberLinear(num_members, dim, 1, bias=False)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = torch.tanh(self.v(x).float()).to(x.dtype)  # float tanh: bf16 tanh is 2x slower on CPU
        scores = self.w(hidden).squeeze(-1).float()  # (M, B, S)
        scores = scores.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(scores, dim=-1)
        return torch.einsum("mbs,mbsd->mbd", alpha.to(x.dtype), x), alpha
