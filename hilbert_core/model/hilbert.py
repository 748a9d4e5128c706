"""HilbertModel: the encoder methods of docs/method.md §6, ``contrastive_moe`` and ``hilbert``.

Shape legend: B documents, S segments, Da/Dt frozen feature widths, D width, K projector output,
E experts, C classes. The leading ``...`` of every shape is the member axis M then B (see
:mod:`.members`).

Per modality: projection, segment self-attention, attention pooling; with both modalities also
the cross-modal joint encoder; then the shared projector ``g`` and the MoE classifier on
``[h_a ; h_t ; h_j]``. The two methods differ only in the loss (see
:mod:`hilbert_core.losses.objective`). With ``modality="audio"`` or ``"text"`` only that
modality's branch exists.
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import ModelConfig
from ..types import ModelOutput
from .attention import AttentionPool, SegmentSelfAttention
from .base import StackedModel
from .fusion import CrossModalEncoder
from .members import MemberLinear
from .moe import create_classifier

ENCODER_METHODS = ("contrastive_moe", "hilbert")


class _Branch(nn.Module):
    """One modality: ``x W`` then segment self-attention then attention pooling (scored on the
    self-attention output, or with ``pooling="gated"`` on the projection ``x W`` itself; with
    ``speaker_relative`` also on the keys' deviations from their document's mean, and pooling
    values that add their mapped deviation)."""

    def __init__(self, num_members: int, in_dim: int, cfg: ModelConfig) -> None:
        super().__init__()
        anchored = cfg.anchor == "probe"
        self.proj = MemberLinear(num_members, in_dim, cfg.dim)
        self.self_attn = SegmentSelfAttention(
            num_members, cfg.dim, cfg.num_heads, cfg.num_layers, cfg.dropout, identity_init=anchored
        )
        self.gated = cfg.pooling == "gated"
        self.pool = AttentionPool(
            num_members, cfg.dim, mean_init=anchored, gated=self.gated, relative=cfg.speaker_relative
        )

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Args: x (..., S, Din) prepared features; mask (..., S). Returns the projection (..., S, D),
        the pooled embedding (..., D) and the pooling weights (..., S)."""
        projected = self.proj(x)  # (..., S, D)
        context = self.self_attn(projected, mask)  # (..., S, D)
        h, alpha = self.pool(context, mask, keys=projected if self.gated else None)
        return projected, h, alpha


class HilbertModel(StackedModel):
    """M stacked, independent HILBERT models (M = 1 for a single model); arguments of
    :class:`~hilbert_core.model.base.StackedModel`, ``method`` one of :data:`ENCODER_METHODS`."""

    METHODS = ENCODER_METHODS

    def __init__(
        self,
        cfg: ModelConfig,
        method: str,
        modality: str,
        audio_dim: int,
        text_dim: int,
        num_classes: int,
        num_members: int = 1,
    ) -> None:
        super().__init__(cfg, method, modality, audio_dim, text_dim, num_classes, num_members)
        m = num_members
        self.audio = _Branch(m, self.audio_dim, cfg) if self.use_audio else None
        self.text = _Branch(m, self.text_dim, cfg) if self.use_text else None
        both = self.use_audio and self.use_text
        self.joint = (
            CrossModalEncoder(
                m,
                cfg.dim,
                cfg.num_heads,
                cfg.num_layers,
                cfg.dropout,
                cfg.anchor == "probe",
                cfg.pooling,
                cfg.speaker_relative,
            )
            if both
            else None
        )
        self.projector = nn.Sequential(
            MemberLinear(m, cfg.dim, cfg.dim), nn.ReLU(), MemberLinear(m, cfg.dim, cfg.proj_dim)
        )
        self.classifier = create_classifier(cfg, True, m, cfg.dim * (3 if both else 1), num_classes)

    def forward(
        self, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> ModelOutput:
        """Args: audio (..., S, Da); text (..., S, Dt); mask (..., S), True = keep. The member axis
        may be left out of all three (one batch shared by every member)."""
        attn: dict[str, torch.Tensor] = {}
        pooled, embs, projected = [], {}, {}
        # Both modalities are prepared first: their input-dropout draws come before any other.
        inputs = {name: self._prepare(x, name) for name, x in self._inputs(audio, text)}  # (..., S, Da|Dt)
        for name, x in inputs.items():
            projected[name], h, attn[name] = getattr(self, name)(x, mask)  # (..., S, D), (..., D), (..., S)
            pooled.append(h)
            embs[name] = self.projector(h).float()  # (..., K)
        if self.joint is not None:
            h_j, attn["joint"] = self.joint(projected["audio"], projected["text"], mask)
            pooled.append(h_j)
            embs["joint"] = self.projector(h_j).float()
        logits, gates, aux = self.classifier(torch.cat(pooled, dim=-1))  # (..., C), (..., E)
        logits = self.anchored(logits, audio, text, mask)
        return ModelOutput(
            logits=logits,
            audio_emb=embs.get("audio"),
            text_emb=embs.get("text"),
            joint_emb=embs.get("joint"),
            gate_probs=gates,
            attn_weights=attn,
            aux_loss=aux,
        )
