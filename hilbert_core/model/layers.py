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

    The product runs in ``compute_dtype`` and the output stays in it: with bf16 the activations
    of the whole network are bf16 (the CPU's AMX/AVX512-BF16 units or GPU tensor cores), while
    parameters and their gradients stay float32 (the casts' backward returns float32 grads).
    """

    def __init__(self, num_members: int, in_dim: int, out_dim: int, bias: bool = True) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.weight = nn.Parameter(torch.empty(num_members, in_dim, out_dim))
        self.bias = nn.Parameter(torch.zeros(num_members, 1, out_dim)) if bias else None
        self.compute_dtype = torch.float32

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dt = self.compute_dtype
        lead = x.shape[1:-1]
        flat = x.reshape(x.shape[0], -1, self.in_dim).to(dt)  # (M, N, I)
        weight = self.weight.to(dt)
        out = torch.bmm(flat, weight) if self.bias is None else torch.baddbmm(self.bias.to(dt), flat, weight)
        return out.reshape(x.shape[0], *lead, self.out_dim)


class MemberLayerNorm(nn.Module):
    """LayerNorm over the last axis with per-member affine parameters; x is (M, ..., D), dtype kept."""

    def __init__(self, num_members: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_members, 1, dim))
        self.bias = nn.Parameter(torch.zeros(num_members, 1, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.layer_norm(x, x.shape[-1:])
        shape = (x.shape[0],) + (1,) * (x.dim() - 2) + (x.shape[-1],)
        return y * self.weight.to(x.dtype).reshape(shape) + self.bias.to(x.dtype).reshape(shape)


def keep_mask(shape: tuple[int, ...], p: torch.Tensor | float, device: torch.device) -> torch.Tensor:
    """Bool mask, True with probability ``1 - p`` (``p`` a float or (M,) per-member rates, leading axis).

    Draws one random byte per element from packed 64-bit words: about 10x faster on CPUs than
    ``torch.bernoulli``, which dominated training time. Rates are rounded to multiples of 1/256.
    """
    n = math.prod(shape)
    words = torch.empty((n + 7) // 8, dtype=torch.int64, device=device).random_(-(2**63), 2**63 - 1)
    bytes_ = words.view(torch.uint8)[:n].reshape(shape)
    if isinstance(p, torch.Tensor):
        threshold = (p * 256).round().clamp(0, 255).to(torch.uint8).reshape((-1,) + (1,) * (len(shape) - 1))
    else:
        threshold = torch.tensor(round(min(max(p, 0.0), 255 / 256) * 256), dtype=torch.uint8, device=device)
    return bytes_ >= threshold


def member_dropout(x: torch.Tensor, p: torch.Tensor | float, training: bool) -> torch.Tensor:
    """Inverted dropout with one rate, or one rate per member (``p`` of shape (M,))."""
    if not training or (not isinstance(p, torch.Tensor) and p <= 0):
        return x
    p_q = (
        (p * 256).round().clamp(0, 255) / 256
        if isinstance(p, torch.Tensor)
        else round(min(p, 255 / 256) * 256) / 256
    )
    if isinstance(p, torch.Tensor):
        scale = (1.0 / (1.0 - p_q)).reshape((-1,) + (1,) * (x.dim() - 1)).to(x.dtype)
    else:
        scale = 1.0 / (1.0 - p_q)
    # Multiplying by a mask of x's dtype: a bool mask would force a slow mixed-dtype path.
    return x * (keep_mask(tuple(x.shape), p_q, x.device).to(x.dtype) * scale)


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
    """Run ``module`` (every part with a ``compute_dtype``) in ``dtype`` (``"float32"`` or ``"bfloat16"``)."""
    for sub in module.modules():
        if hasattr(sub, "compute_dtype"):
            sub.compute_dtype = _COMPUTE_DTYPE[dtype]


def _owner(module: nn.Module, param_name: str) -> nn.Module:
    path = param_name.rsplit(".", 1)[0] if "." in param_name else ""
    return module.get_submodule(path) if path else module
