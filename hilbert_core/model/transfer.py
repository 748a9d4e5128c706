"""TransferModel: the baselines ``transfer`` and ``transfer_moe`` of docs/method.md §6.

Shape legend: B documents, S segments, Da/Dt frozen feature widths, C classes. The leading
``...`` of every shape is the member axis M then B (see :mod:`.members`).

The masked mean of each modality's frozen segment features, standardised, concatenated, then a
classifier: an MLP (``transfer``) or the MoE classifier (``transfer_moe``). No attention, no
embeddings; the segment "attention" reported is the uniform weight of mean pooling.
"""

from __future__ import annotations

import torch

from ..config import ModelConfig
from ..types import ModelOutput
from .base import StackedModel
from .members import broadcast_members
from .moe import create_classifier

TRANSFER_METHODS = ("transfer", "transfer_moe")


class TransferModel(StackedModel):
    """M stacked, independent baseline models (M = 1 for a single model); arguments of
    :class:`~hilbert_core.model.base.StackedModel`, ``method`` one of :data:`TRANSFER_METHODS`."""

    METHODS = TRANSFER_METHODS

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
        self.classifier = create_classifier(
            cfg, method == "transfer_moe", num_members, self.audio_dim + self.text_dim, num_classes
        )

    def forward(
        self, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> ModelOutput:
        """Args: audio (..., S, Da); text (..., S, Dt); mask (..., S), True = keep. The member axis
        may be left out of all three (one batch shared by every member)."""
        # The mask gets the member axis: the attention reported is per member, like HilbertModel's.
        mask = broadcast_members(mask, self.num_members, shared_dim=2)  # (..., S)
        count = mask.sum(-1, keepdim=True).clamp_min(1).to(torch.float32)  # (..., 1)
        means = []
        for name, x in self._inputs(audio, text):
            pooled = (x * mask.unsqueeze(-1).to(x.dtype)).float().sum(-2) / count  # masked mean (..., D)
            # Standardising is linear, so standardising the mean equals the mean of standardised segments.
            means.append(self._prepare(pooled.unsqueeze(-2), name).squeeze(-2))
        logits, gates, aux = self.classifier(torch.cat(means, dim=-1))  # (..., C)
        logits = self.anchored(logits, audio, text, mask)
        uniform = mask / count  # mean pooling = equal attention on every real segment
        return ModelOutput(
            logits=logits,
            audio_emb=None,
            text_emb=None,
            joint_emb=None,
            gate_probs=gates,
            attn_weights={name: uniform for name in ("audio", "text") if getattr(self, f"use_{name}")},
            aux_loss=aux,
        )
