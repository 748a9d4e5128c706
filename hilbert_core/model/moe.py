"""Mixture-of-Experts classifier (docs/method.md §5) and the plain MLP classifier of ``transfer``.

Shape legend: B documents, I input width, E experts, H expert width, C classes. The leading
``...`` of every shape is the member axis M (see :mod:`.members`); documents are the axis B
after it, explicit because the load-balancing term averages over them.
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import ModelConfig
from .members import MemberLinear, expert_linear, member_dropout, member_parameter


class _Head(nn.Module):
    """The classification head ``H -> head_hidden -> C`` shared by both classifiers."""

    def __init__(
        self,
        num_members: int,
        in_dim: int,
        hidden_dim: int,
        num_classes: int,
        dropout: float,
        zero_last: bool = False,
    ) -> None:
        super().__init__()
        self.fc1 = MemberLinear(num_members, in_dim, hidden_dim)
        # zero_last: the logits start at zero (a correction on top of an anchor's logits)
        self.fc2 = MemberLinear(
            num_members, hidden_dim, num_classes, init="zeros" if zero_last else "uniform"
        )
        self.dropout = dropout

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.fc2(member_dropout(torch.relu(self.fc1(y)), self.dropout, self.training))


class MLPClassifier(nn.Module):
    """One expert without a gate: ``I -> H -> H -> head``; the classifier of ``transfer``."""

    def __init__(
        self,
        num_members: int,
        in_dim: int,
        hidden_dim: int,
        head_dim: int,
        num_classes: int,
        dropout: float,
        zero_last: bool = False,
    ) -> None:
        super().__init__()
        self.fc1 = MemberLinear(num_members, in_dim, hidden_dim)
        self.fc2 = MemberLinear(num_members, hidden_dim, hidden_dim)
        self.head = _Head(num_members, hidden_dim, head_dim, num_classes, dropout, zero_last)
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None, torch.Tensor]:
        """Args: x (..., B, I). Returns logits (..., B, C), no gate, a zero balance term (...,)."""
        h = member_dropout(torch.relu(self.fc1(x)), self.dropout, self.training)
        h = member_dropout(torch.relu(self.fc2(h)), self.dropout, self.training)
        return self.head(h).float(), None, x.new_zeros(x.shape[:-2], dtype=torch.float32)


class MoEClassifier(nn.Module):
    """``y = Σ_k π_k(x) e_k(x)``, ``π(x) = softmax(W_g x + b)``, then the classification head.

    Each expert is an MLP with two hidden layers of ``hidden_dim`` units
    (``ModelConfig.expert_hidden_dim``); the head is ``hidden_dim -> head_dim -> C``
    (``ModelConfig.head_hidden_dim``). All experts run on all documents (E is small); with
    ``gating="topk"`` only the ``top_k`` largest gate weights are kept (renormalised) and a
    Switch-style load-balancing term ``E Σ_e f_e P_e`` is returned.
    """

    def __init__(
        self,
        num_members: int,
        in_dim: int,
        hidden_dim: int,
        head_dim: int,
        num_classes: int,
        num_experts: int,
        dropout: float,
        gating: str = "dense",
        top_k: int = 2,
        zero_last: bool = False,
    ) -> None:
        super().__init__()
        self.num_experts, self.hidden_dim = num_experts, hidden_dim
        self.gating, self.top_k, self.dropout = gating, top_k, dropout
        self.gate = MemberLinear(num_members, in_dim, num_experts)
        self.expert_in = MemberLinear(num_members, in_dim, num_experts * hidden_dim)  # all experts' layer 1
        # All experts' layer 2, as raw stacked parameters (their names are part of saved bundles).
        self.expert_hidden = member_parameter((num_members, num_experts, hidden_dim, hidden_dim))
        self.expert_hidden_bias = member_parameter(
            (num_members, num_experts, hidden_dim), init="zeros", decay=False
        )
        self.head = _Head(num_members, hidden_dim, head_dim, num_classes, dropout, zero_last)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Args: x (..., B, I). Returns logits (..., B, C), gate weights (..., B, E), balance term (...,)."""
        probs = torch.softmax(self.gate(x).float(), dim=-1)  # (..., B, E)
        aux = x.new_zeros(x.shape[:-2], dtype=torch.float32)
        if self.gating == "topk":
            top = probs.topk(self.top_k, dim=-1).indices
            keep = torch.zeros_like(probs).scatter(-1, top, 1.0)
            routed = keep.mean(dim=-2)  # (..., E) share of documents sent to each expert
            aux = self.num_experts * (routed * probs.mean(dim=-2)).sum(-1)
            probs = probs * keep
            probs = probs / probs.sum(-1, keepdim=True)
        h = torch.relu(self.expert_in(x)).reshape(*x.shape[:-1], self.num_experts, self.hidden_dim)
        h = member_dropout(h, self.dropout, self.training)  # (..., B, E, H)
        h = expert_linear(h, self.expert_hidden, self.expert_hidden_bias)
        h = member_dropout(torch.relu(h), self.dropout, self.training)  # (..., B, E, H)
        y = torch.einsum("...e,...eh->...h", probs.to(h.dtype), h)  # (..., B, H)
        return self.head(y).float(), probs, aux


def create_classifier(
    cfg: ModelConfig, use_experts: bool, num_members: int, in_dim: int, num_classes: int
) -> MoEClassifier | MLPClassifier:
    """The classifier on a document embedding of width ``in_dim``, sized by ``cfg``: the MoE, or (without
    experts) the plain MLP of ``transfer``."""
    args = (num_members, in_dim, cfg.expert_hidden_dim, cfg.head_hidden_dim, num_classes)
    zero_last = cfg.anchor == "probe"  # a correction on the probe's logits starts at zero
    if not use_experts:
        return MLPClassifier(*args, cfg.dropout, zero_last=zero_last)
    return MoEClassifier(*args, cfg.num_experts, cfg.dropout, cfg.gating, cfg.top_k, zero_last=zero_last)
