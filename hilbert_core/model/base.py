"""What every network shares: feature standardisation, input dropout, the probe anchor, and the
single-model view.

Shape legend: M members, B documents, S segments, Da/Dt frozen feature widths, C classes.
Inputs are (B, S, D) when shared by all members or (M, B, S, D) with one batch per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import torch
from torch import nn

from ..config import ModelConfig
from ..types import ModelOutput
from .members import broadcast_members, channel_dropout_scale

_Features = TypeVar("_Features", torch.Tensor, np.ndarray)


class StackedModel(nn.Module):
    """Base of the networks: M stacked, independent models (M = 1 for a single model).

    Holds the per-member standardisation statistics and input-dropout rates (buffers, saved with
    the weights) and turns the frozen features into the network's input (:meth:`_prepare`).

    Args:
        cfg: architecture.
        method: one of the subclass's ``METHODS``.
        modality: ``"both"``, ``"audio"`` or ``"text"``.
        audio_dim, text_dim: widths of the frozen features (0 when the modality is unused).
        num_classes: C.
        num_members: M.
    """

    METHODS: tuple[str, ...] = ()

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
        if method not in self.METHODS:
            raise ValueError(
                f"method={method!r} is not built by {type(self).__name__} (methods: "
                f"{', '.join(self.METHODS)}); build networks with create_network(), which picks the class."
            )
        self.cfg, self.method, self.modality = cfg, method, modality
        self.use_audio, self.use_text = modality in ("both", "audio"), modality in ("both", "text")
        self.audio_dim = audio_dim if self.use_audio else 0
        self.text_dim = text_dim if self.use_text else 0
        self.num_classes, self.num_members = num_classes, num_members
        for name, dim in (("audio", self.audio_dim), ("text", self.text_dim)):
            self.register_buffer(f"{name}_mean", torch.zeros(num_members, 1, 1, dim))
            self.register_buffer(f"{name}_std", torch.ones(num_members, 1, 1, dim))
        self.register_buffer("input_dropout", torch.full((num_members,), cfg.input_dropout))
        if cfg.anchor == "probe":  # a linear probe per member, on its mean-pooled raw features
            f = self.audio_dim + self.text_dim
            self.register_buffer("probe_mean", torch.zeros(num_members, 1, f))
            self.register_buffer("probe_scale", torch.ones(num_members, 1, f))
            self.register_buffer("probe_coef", torch.zeros(num_members, f, num_classes))
            self.register_buffer("probe_bias", torch.zeros(num_members, 1, num_classes))
        self.compute_dtype = torch.float32  # set by set_compute_dtype

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

    def fit_standardization(
        self,
        audio: np.ndarray | None,
        text: np.ndarray | None,
        mask: np.ndarray,
        member_docs: Sequence[np.ndarray],
    ) -> None:
        """Set each member's feature statistics from the real segments of its own training documents.

        Args:
            audio, text: (N, S, Da) and (N, S, Dt) padded frozen features of the corpus (None = absent).
            mask: (N, S), True = a real segment.
            member_docs: for each member, the indices of its training documents.
        """
        stats = {}
        for name, x in self._inputs(audio, text):
            pairs = [_mean_std(x[idx][mask[idx]]) for idx in member_docs]
            stats[f"{name}_mean"] = torch.from_numpy(np.stack([p[0] for p in pairs]).astype(np.float32))
            stats[f"{name}_std"] = torch.from_numpy(np.stack([p[1] for p in pairs]).astype(np.float32))
        self.set_standardization(**stats)

    def _prepare(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """``(x - μ) / σ`` with each member's training statistics, then input dropout, in one fused pass.

        Input dropout drops feature channels of a document's frozen features (the same channels in
        all its segments): a draw of (M, B, 1, D) instead of (M, B, S, D), which lets standardising
        and dropping be one ``addcmul`` over the big input. Padding rows are not zero afterwards;
        every later step masks them.

        Args:
            x: (B, S, D) shared by all members, or (M, B, S, D).
            name: ``"audio"`` or ``"text"``.

        Returns:
            (M, B, S, D) in the compute dtype.
        """
        x = broadcast_members(x, self.num_members, shared_dim=3)
        dt = self.compute_dtype
        scale = 1.0 / getattr(self, f"{name}_std")  # (M, 1, 1, D)
        if self.training:
            scale = channel_dropout_scale(scale, self.input_dropout, x.shape[-3])  # (M, B, 1, D)
        shift = -getattr(self, f"{name}_mean") * scale
        return torch.addcmul(shift.to(dt), x.to(dt), scale.to(dt))

    def set_probes(self, probes: Sequence) -> None:
        """Set member m's anchor to ``probes[m]`` (a fitted linear probe: ``mean``, ``scale`` (F,),
        ``coef`` (C, F) or (1, F) for a binary task, ``intercept``), fitted on that member's training
        documents (see :class:`hilbert_core.training.probe.LinearProbe`)."""
        if len(probes) != self.num_members:
            raise ValueError(f"got {len(probes)} probes for {self.num_members} members; give one per member.")
        with torch.no_grad():
            for m, probe in enumerate(probes):
                coef, bias = np.asarray(probe.coef, np.float64).T, np.asarray(probe.intercept, np.float64)
                if coef.shape[1] == 1:  # binary: logits (0, z), the softmax of which is the logistic
                    coef, bias = np.concatenate([np.zeros_like(coef), coef], 1), np.r_[0.0, bias]
                self.probe_mean[m, 0] = torch.from_numpy(np.asarray(probe.mean, np.float64))
                self.probe_scale[m, 0] = torch.from_numpy(np.asarray(probe.scale, np.float64))
                self.probe_coef[m] = torch.from_numpy(coef)
                self.probe_bias[m, 0] = torch.from_numpy(bias)

    def anchored(
        self, logits: torch.Tensor, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> torch.Tensor:
        """``logits`` plus each member's probe logits on the mean-pooled raw features (``anchor="probe"``);
        ``logits`` unchanged otherwise. logits (M, B, C); inputs as in ``forward``."""
        if self.cfg.anchor != "probe":
            return logits
        mask = broadcast_members(mask, self.num_members, shared_dim=2).float()  # (M, B, S)
        count = mask.sum(-1, keepdim=True).clamp_min(1)  # (M, B, 1)
        parts = [
            (broadcast_members(x, self.num_members, shared_dim=3).float() * mask[..., None]).sum(-2) / count
            for _, x in self._inputs(audio, text)
        ]  # (M, B, Da), (M, B, Dt): the probe's input, in its order (audio, then text)
        z = (torch.cat(parts, dim=-1) - self.probe_mean) / self.probe_scale  # (M, B, F)
        return logits + torch.baddbmm(self.probe_bias, z, self.probe_coef)  # (M, B, C)

    def _inputs(self, audio: _Features | None, text: _Features | None) -> list[tuple[str, _Features]]:
        """The (name, features) pairs of the modalities this network uses (tensors or arrays)."""
        pairs = (("audio", audio if self.use_audio else None), ("text", text if self.use_text else None))
        return [(name, x) for name, x in pairs if x is not None]

    def member(self, m: int) -> MemberView:
        """Member ``m`` as a single model: (B, S, D) inputs, outputs without the member axis."""
        if not 0 <= m < self.num_members:
            raise ValueError(f"member m={m} does not exist; this model has {self.num_members} members.")
        return MemberView(self, m)

    def select_members(self, members: Sequence[int]) -> StackedModel:
        """A new stacked model of the same class holding only ``members`` (in that order), in eval mode."""
        index = torch.as_tensor(members, dtype=torch.long)
        return self._like({k: v.index_select(0, index) for k, v in self.state_dict().items()})

    def concat_members(self, others: Sequence[StackedModel]) -> StackedModel:
        """A new stacked model holding this model's members, then those of ``others``, in eval mode."""
        states = [model.state_dict() for model in (self, *others)]
        return self._like({k: torch.cat([state[k] for state in states]) for k in states[0]})

    def _like(self, state: dict[str, torch.Tensor]) -> StackedModel:
        """A model of the same class and settings holding the stacked ``state`` (its M from ``state``)."""
        num_members = len(state["input_dropout"])
        model = type(self)(
            self.cfg, self.method, self.modality, self.audio_dim, self.text_dim, self.num_classes, num_members
        )
        model.load_state_dict(state)
        return model.eval()


def _mean_std(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D,) mean and standard deviation (at least 1e-6) of (N, D) rows, in float64."""
    return rows.mean(0, dtype=np.float64), np.maximum(rows.std(0, dtype=np.float64), 1e-6)


class MemberView:
    """One member of a stacked model, called like a single model.

    It runs the stacked pass and keeps member ``m``'s slice, so its numbers are exactly the ones
    member ``m`` has in the stack (a separate one-member copy differs in the last bits: batched
    matrix multiplies of other batch counts take other kernels).
    """

    def __init__(self, stack: StackedModel, m: int) -> None:
        self.stack, self.m = stack, m

    def __call__(
        self, audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor
    ) -> ModelOutput:
        """Args: audio (B, S, Da), text (B, S, Dt), mask (B, S) True = keep. Returns (B, ...) outputs."""
        out = self.stack(audio, text, mask)

        def pick(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t[self.m]

        return ModelOutput(
            logits=pick(out.logits),
            audio_emb=pick(out.audio_emb),
            text_emb=pick(out.text_emb),
            joint_emb=pick(out.joint_emb),
            gate_probs=pick(out.gate_probs),
            attn_weights={name: a[self.m] for name, a in out.attn_weights.items()},
            aux_loss=out.aux_loss[self.m],
        )
