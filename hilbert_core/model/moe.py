"""Mixture-of-Experts classifier (METHOD.md section 5) and the plain MLP classifier of ``transfer``.

Shape legend: M members, B documents, I input width, E experts, H expert width, C classes.
"""

from __future__ import annotations

import torch
from torch import nn

from .layers import MemberLinear, member_dropout


class _Head(nn.Module):
    """The classification head ``H -> head_hidden -> C`` shared by both classifiers."""

    def __init__(
        self, num_members: int, in_dim: int, hidden_dim: int, num_classes: int, dropout: float
    ) -> None:
        super().__init__()
        self.fc1 = MemberLinear(num_members, in_dim, hidden_dim)
        self.fc2 = MemberLinear(num_members, hidden_dim, num_classes)
        self.dropout = dropout

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.fc2(member_dropout(torch.relu(self.fc1(y)), self.dropout, self.training))


class MLPClassifier(nn.Module):
    """One expert without a gate: ``I -> H -> H -> head``; the classifier of ``transfer``."""

    def __init__(
        self, num_members: int, in_dim: int, hidden_dim: int, head_dim: int, num_classes: int, dropout: float
    ) -> None:
        super().__init__()
        self.fc1 = MemberLinear(num_members, in_dim, hidden_dim)
        self.fc2 = MemberLinear(num_members, hidden_dim, hidden_dim)
        self.head = _Head(num_members, hidden_dim, head_dim, num_classes, dropout)
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None, torch.Tensor]:
        h = member_dropout(torch.relu(self.fc1(x)), self.dropout, self.training)
        h = member_dropout(torch.relu(self.fc2(h)), self.dropout, self.training)
        return self.head(h).float(), None, x.new_zeros(x.shape[0], dtype=torch.float32)


class MoEClassifier(nn.Module):
    """``y = Σ_k π_k(x) e_k(x)``, ``π(x) = softmax(W_g x + b)``, then the head ``32 -> 16 -> C``.

    Each expert is an MLP with two hidden layers of ``hidden_dim`` units. All experts run on all
    documents (E is small); with ``gating="topk"`` only the ``top_k`` largest gate weights are
    kept (renormalised) and a Switch-style load-balancing term ``E Σ_e f_e P_e`` is returned.
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
    ) -> None:
        super().__init__()
        self.num_experts, self.hidden_dim = num_experts, hidden_dim
        self.gating, self.top_k, self.dropout = gating, top_k, dropout
        self.gate = MemberLinear(num_members, in_dim, num_experts)
        self.expert_in = MemberLinear(num_members, in_dim, num_experts * hidden_dim)  # all experts' layer 1
        self.expert_hidden = nn.Parameter(torch.empty(num_members, num_experts, hidden_dim, hidden_dim))
        self.expert_hidden_bias = nn.Parameter(torch.zeros(num_members, num_experts, hidden_dim))
        self.head = _Head(num_members, hidden_dim, head_dim, num_classes, dropout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        m, b = x.shape[:2]
        probs = torch.softmax(self.gate(x).float(), dim=-1)  # (M, B, E)
        aux = x.new_zeros(m, dtype=torch.float32)
        if self.gating == "topk":
            top = probs.topk(self.top_k, dim=-1).indices
            keep = torch.zeros_like(probs).scatter(-1, top, 1.0)
            routed = keep.mean(dim=1)  # (M, E) share of documents sent to each expert
            aux = self.num_experts * (routed * probs.mean(dim=1)).sum(-1)
            probs = probs * keep
            probs = probs / probs.sum(-1, keepdim=True)
        h = torch.relu(self.expert_in(x)).reshape(m, b, self.num_experts, self.hidden_dim)
        h = member_dropout(h, self.dropout, self.training)
        h = torch.einsum("mbeh,mehk->mbek", h, self.expert_hidden.to(h.dtype)) + self.expert_hidden_bias[
            :, None
        ].to(h.dtype)
        h = member_dropout(torch.relu(h), self.dropout, self.training)  # (M, B, E, H)
        y = torch.einsum("mbe,mbeh->mbh", probs.to(h.dtype), h)
        return self.head(y).float(), probs, aux
