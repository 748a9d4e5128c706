"""Cross-modal attention and the joint encoder (docs/method.md eq. 1-2).

Shape legend: B documents, S segments, D width; the leading ``...`` is the member axis M then B
(see :mod:`.members`).
"""

from __future__ import annotations

import torch
from torch import nn

from .attention import AttentionPool, MultiHeadAttention, SegmentSelfAttention
from .members import MemberLinear


class CrossModalEncoder(nn.Module):
    """``H_{a→t} = softmax(Q_a K_t^T / sqrt(d)) V_t`` and ``H_{t→a}`` likewise (eq. 1), then
    ``h_j = AttnPool(SelfAttn(Linear([H_{a→t} ; H_{t→a}])))`` (eq. 2; concatenation per segment
    along features, 2D -> D). With ``pooling="gated"`` the pooling weights are gated attention
    scored on each segment's own projections ``[a_n ; t_n]`` (2D), before any attention mixes
    segments; with ``speaker_relative`` the pool also scores their deviations from the document's
    means and adds the values' mapped deviation (:class:`~.attention.AttentionPool`)."""

    def __init__(
        self,
        num_members: int,
        dim: int,
        num_heads: int,
        num_layers: int,
        dropout: float,
        anchored: bool = False,
        pooling: str = "attention",
        speaker_relative: bool = False,
    ) -> None:
        super().__init__()
        self.audio_to_text = MultiHeadAttention(num_members, dim, num_heads)
        self.text_to_audio = MultiHeadAttention(num_members, dim, num_heads)
        # Linear([H_at ; H_ta]) written as H_at W_1 + H_ta W_2: same map, no concatenated copy.
        self.merge_at = MemberLinear(num_members, dim, dim)
        self.merge_ta = MemberLinear(num_members, dim, dim, bias=False)
        self.self_attn = SegmentSelfAttention(num_members, dim, num_heads, num_layers, dropout, anchored)
        self.gated = pooling == "gated"
        key_dim = 2 * dim if self.gated else dim
        self.pool = AttentionPool(
            num_members, dim, mean_init=anchored, gated=self.gated, key_dim=key_dim, relative=speaker_relative
        )

    def forward(
        self, audio: torch.Tensor, text: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Args: audio, text (..., S, D); mask (..., S). Returns h_j (..., D) and its weights (..., S)."""
        h_at = self.audio_to_text(audio, text, mask)  # (..., S, D): audio queries text
        h_ta = self.text_to_audio(text, audio, mask)  # (..., S, D): text queries audio
        joint = self.merge_at(h_at) + self.merge_ta(h_ta)
        keys = torch.cat([audio, text], dim=-1) if self.gated else None  # (..., S, 2D): the segment's own
        return self.pool(self.self_attn(joint, mask), mask, keys=keys)
