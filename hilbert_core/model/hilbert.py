"""HilbertModel: every variant of METHOD.md section 6 on one code path.

Shape legend: M members, B documents, S segments, Da/Dt frozen feature widths, D width, K projector
output, E experts, C classes.

- ``transfer``: masked mean of the (standardised) frozen segment features, concatenated, MLP.
- ``transfer_moe``: the same input, MoE classifier.
- ``contrastive_moe`` and ``hilbert``: per-modality projection, segment self-attention, attention
  pooling, cross-modal joint encoder, shared projector ``g`` and MoE on ``[h_a ; h_t ; h_j]``.
  They differ only in the loss (see :mod:`hilbert_core.losses.objective`).
With ``modality="audio"`` or ``"text"`` only that modality's branch and classifier exist.
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import ModelConfig
from ..types import ModelOutput
from .attention import AttentionPool, SegmentSelfAttention
from .fusion import CrossModalEncoder
from .layers import MemberLinear, keep_mask
from .moe import MLPClassifier, MoEClassifier

ENCODER_METHODS = ("contrastive_moe", "hilbert")
NEURAL_METHODS = ("transfer", "transfer_moe", *ENCODER_METHODS)


class _Branch(nn.Module):
    """One modality: ``x W`` then segment self-attention then attention pooling."""

    def __init__(self, num_members: int, in_dim: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.proj = MemberLinear(num_members, in_dim, cfg.dim)
        self.self_attn = SegmentSelfAttention(
            num_members, cfg.dim, cfg.num_heads, cfg.num_layers, cfg.dropout
        )
        self.pool = AttentionPool(num_members, cfg.dim)


class HilbertModel(nn.Module):
    """M stacked, independent HILBERT models (M = 1 for a single model).

    Args:
        cfg: architecture.
        method: one of :data:`NEURAL_METHODS`.
        modality: ``"both"``, ``"audio"`` or ``"text"``.
        audio_dim, text_dim: widths of the frozen features (0 when the modality is unused).
        num_classes: C.
        num_members: M.
    """

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
        super().__init__()
        if method not in NEURAL_METHODS:
            raise ValueError(
                f"method={method!r} has no neural model; choose one of {', '.join(NEURAL_METHODS)}."
            )
        self.cfg, self.method, self.modality = cfg, method, modality
        self.use_audio, self.use_text = modality in ("both", "audio"), modality in ("both", "text")
        self.audio_dim = audio_dim if self.use_audio else 0
        self.text_dim = text_dim if self.use_text else 0
        self.num_classes, self.num_members = num_classes, num_members
        m = num_members
        for name, dim in (("audio", self.audio_dim), ("text", self.text_dim)):
            self.register_buffer(f"{name}_mean", torch.zeros(m, 1, 1, dim))
            self.register_buffer(f"{name}_std", torch.ones(m, 1, 1, dim))
        self.register_buffer("input_dropout", torch.full((m,), cfg.input_dropout))
        self.compute_dtype = torch.float32  # set by set_compute_dtype
        self.is_encoder = method in ENCODER_METHODS
        if self.is_encoder:
            self.audio = _Branch(m, self.audio_dim, cfg) if self.use_audio else None
            self.text = _Branch(m, self.text_dim, cfg) if self.use_text else None
            both = self.use_audio and self.use_text
            self.joint = (
                CrossModalEncoder(m, cfg.dim, cfg.num_heads, cfg.num_layers, cfg.dropout) if both else None
            )
            self.projector = nn.Sequential(
                MemberLinear(m, cfg.dim, cfg.dim), nn.ReLU(), MemberLinear(m, cfg.dim, cfg.proj_dim)
            )
            clf_in = cfg.dim * (3 if both else 1)
        else:
            clf_in = self.audio_dim + self.text_dim
        args = (m, clf_in, cfg.expert_hidden_dim, cfg.head_hidden_dim, num_classes)
        if method == "transfer":
            self.classifier = MLPClassifier(*args, cfg.dropout)
        else:
            self.classifier = MoEClassifier(*args, cfg.num_experts, cfg.dropout, cfg.gating, cfg.top_k)

    def set_standardization(self, audio_mean=None, audio_std=None, text_mean=None, text_std=None) -> None:
        """Set per-member feature statistics, each (M, Da) or (M, Dt), from training documents only."""
        with torch.no_grad():
            for name, value in (
                ("audio_mean", audio_mean),
                ("audio_std", audio_std),
                ("text_mean", text_mean),
                ("text_std", text_std),
            ):
                if value is not None:
                    getattr(self, name).copy_(torch.as_tensor(value).reshape(getattr(self, name).shape))

    def _prepare(self, x: torch.Tensor, name: str, num_docs: int) -> torch.Tensor:
        """``(x - μ) / σ`` with the member's training statistics, then input dropout, in one fused pass.

        Input dropout drops feature channels of a document's frozen features (the same channels in
        all its segments): a draw of (M, B, 1, D) instead of (M, B, S, D), which lets standardising
        and dropping be one ``addcmul`` over the big input. Padding rows are not zero afterwards;
        every later step masks them.
        """
        if x.dim() == 3:  # shared input (B, S, D) -> every member
            x = x.unsqueeze(0).expand(self.num_members, *x.shape)
        dt = self.compute_dtype
        scale = 1.0 / getattr(self, f"{name}_std")  # (M, 1, 1, D)
        if self.training:
            p = (self.input_dropout * 256).round().clamp(0, 255) / 256
            keep = keep_mask((self.num_members, num_docs, 1, scale.shape[-1]), p, x.device)
            scale = scale * keep / (1.0 - p).reshape(-1, 1, 1, 1)  # (M, B, 1, D)
        shift = -getattr(self, f"{name}_mean") * scale
        return torch.addcmul(shift.to(dt), x.to(dt), scale.to(dt))

    def forward(
        self, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> ModelOutput:
        """Args: audio (M, B, S, Da) or (B, S, Da); text likewise; mask (M, B, S) or (B, S), True = keep."""
        m = self.num_members
        if mask.dim() == 2:
            mask = mask.unsqueeze(0).expand(m, *mask.shape)
        if not self.is_encoder:
            return self._forward_transfer(audio, text, mask)
        a = self._prepare(audio, "audio", mask.shape[1]) if self.use_audio else None
        t = self._prepare(text, "text", mask.shape[1]) if self.use_text else None
        attn: dict[str, torch.Tensor] = {}
        pooled, embs = [], {}
        projected = {}
        for name, x in (("audio", a), ("text", t)):
            if x is None:
                continue
            branch = getattr(self, name)
            projected[name] = branch.proj(x)  # (M, B, S, D)
            h, attn[name] = branch.pool(branch.self_attn(projected[name], mask), mask)
            pooled.append(h)
            embs[name] = self.projector(h).float()  # (M, B, K)
        if self.joint is not None:
            h_j, attn["joint"] = self.joint(projected["audio"], projected["text"], mask)
            pooled.append(h_j)
            embs["joint"] = self.projector(h_j).float()
        logits, gates, aux = self.classifier(torch.cat(pooled, dim=-1))
        return ModelOutput(
            logits=logits,
            audio_emb=embs.get("audio"),
            text_emb=embs.get("text"),
            joint_emb=embs.get("joint"),
            gate_probs=gates,
            attn_weights=attn,
            aux_loss=aux,
        )

    def _forward_transfer(
        self, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> ModelOutput:
        count = mask.sum(-1, keepdim=True).clamp_min(1).to(torch.float32)  # (M, B, 1)
        means = []
        for name, x in (
            ("audio", audio if self.use_audio else None),
            ("text", text if self.use_text else None),
        ):
            if x is None:
                continue
            if x.dim() == 3:
                x = x.unsqueeze(0).expand(self.num_members, *x.shape)
            pooled = (x * mask.unsqueeze(-1).to(x.dtype)).float().sum(2) / count  # masked mean (M, B, D)
            # Standardising is linear, so standardising the mean equals the mean of standardised segments.
            means.append(self._prepare(pooled.unsqueeze(2), name, mask.shape[1]).squeeze(2))
        logits, gates, aux = self.classifier(torch.cat(means, dim=-1))
        uniform = mask / count  # mean pooling = equal attention on every real segment
        attn = {name: uniform for name in ("audio", "text") if getattr(self, f"use_{name}")}
        return ModelOutput(
            logits=logits,
            audio_emb=None,
            text_emb=None,
            joint_emb=None,
            gate_probs=gates,
            attn_weights=attn,
            aux_loss=aux,
        )
