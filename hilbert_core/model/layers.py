"""Stacked ("member") layers: M independent models held in one set of tensors.

Shape legend: M members, N rows, I input width, O output width.

Cross-validation trains one model per fold (and per tuning candidate). Holding the M models as
one stacked model turns M small matrix multiplies into one batched multiply per layer, which is
what makes k-fold training fast on CPUs and GPUs. Members never interact: every parameter has a
leading member axis and every loss is computed per member, so training M stacked members is
the same computation as training them one after another (up to floating-point rounding).
"""

from __future__ import annotations

import math

import torch
from torch import nn

_COMPUTE_DTYPE = {"float32": torch.float32, "bfloat16": torch.bfloat16}


class MemberLinear(nn.Module):
    """``y = x W_m + b_m`` for each member ``m``; x is (M, ..., I), y is (M, ..., O).

    Matrix products run in ``compute_dtype`` (bf16 uses the CPU's AMX/AVX512-BF16 units or GPU
    tensor cores); parameters, gradients and outputs stay float32.
    """

    def __init__(self, num_members: int, in_dim: int, out_dim: int, bias: bool = True) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.weight = nn.Parameter(torch.empty(num_members, in_dim, out_dim))
        self.bias = nn.Parameter(torch.zeros(num_members, 1, out_dim)) if bias else None
        self.compute_dtype = torch.float32

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[1:-1]
        flat = x.reshape(x.shape[0], -1, self.in_dim)  # (M, N, I)
        if self.compute_dtype == torch.float32:
            out = torch.bmm(flat, self.weight) if self.bias is None else torch.baddbmm(self.bias, flat, self.weight)
        else:
            out = torch.bmm(flat.to(self.compute_dtype), self.weight.to(self.compute_dtype)).float()
            if self.bias is not None:
                out = out + self.bias
        return out.reshape(x.shape[0], *lead, self.out_dim)


class MemberLayerNorm(nn.Module):
    """LayerNorm over the last axis with per-member affine parameters; x is (M, ..., D)."""

    def __init__(self, num_members: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_members, 1, dim))
        self.bias = nn.Parameter(torch.zeros(num_members, 1, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.layer_norm(x, x.shape[-1:])
        shape = (x.shape[0],) + (1,) * (x.dim() - 2) + (x.shape[-1],)
        return y * self.weight.reshape(shape) + self.bias.reshape(shape)


def member_dropout(x: torch.Tensor, p: torch.Tensor | float, training: bool) -> torch.Tensor:
    """Inverted dropout with a rate per member: ``p`` is a float or an (M,) tensor."""
    if not training:
        return x
    if not isinstance(p, torch.Tensor):
        return nn.functional.dropout(x, p, training=True)
    keep = (1.0 - p).reshape((-1,) + (1,) * (x.dim() - 1)).to(x.dtype)  # (M, 1, ..., 1)
    mask = torch.rand_like(x) < keep
    return x * mask / keep.clamp_min(1e-6)


def init_members(module: nn.Module, seeds: list[int]) -> None:
    """Initialise member ``m`` of every stacked parameter from its own generator ``seeds[m]``.

    Member ``m``'s initial weights depend only on ``seeds[m]``, so a member trained alone or
    stacked with others starts from the same point. Weights get ``U(-1/sqrt(I), 1/sqrt(I))``
    (PyTorch's Linear default), biases zeros, LayerNorm scales ones.
    """
    named = sorted(module.named_parameters(), key=lambda kv: kv[0])
    with torch.no_grad():
        for m, seed in enumerate(seeds):
            gen = torch.Generator().manual_seed(int(seed))
            for name, param in named:
                target = param[m]
                if name.endswith("bias"):
                    target.zero_()
                elif isinstance(_owner(module, name), MemberLayerNorm):
                    target.fill_(1.0)
                else:
                    bound = 1.0 / math.sqrt(target.shape[-2] if target.dim() >= 2 else target.shape[-1])
                    values = torch.empty(target.shape).uniform_(-bound, bound, generator=gen)
                    target.copy_(values)


def set_compute_dtype(module: nn.Module, dtype: str) -> None:
    """Run every :class:`MemberLinear` of ``module`` in ``dtype`` (``"float32"`` or ``"bfloat16"``)."""
    for sub in module.modules():
        if isinstance(sub, MemberLinear):
            sub.compute_dtype = _COMPUTE_DTYPE[dtype]


def _owner(module: nn.Module, param_name: str) -> nn.Module:
    path = param_name.rsplit(".", 1)[0] if "." in param_name else ""
    return module.get_submodule(path) if path else module
