"""Member machinery: M independent models ("members") held in one set of stacked tensors.

Shape legend: M members, B documents, S segments, N rows, I input width, O output width, D width,
E experts, H and K expert widths.

Cross-validation trains one model per fold (and per tuning candidate). Holding the M models as
one stacked model turns M small matrix multiplies into one batched multiply per layer, which is
what makes k-fold training fast on CPUs and GPUs. Members never interact: every parameter has a
leading member axis and every loss is computed per member, so training M stacked members is
the same computation as training them one after another (up to floating-point rounding).

Everything that knows about the member axis lives here; the other model modules write shapes as
``(..., S, D)``, where the leading ``...`` is the member axis M followed by the batch axis B.
"""

from __future__ import annotations

import math

import torch
from torch import nn

_COMPUTE_DTYPE = {"float32": torch.float32, "bfloat16": torch.bfloat16}
_INITS = ("uniform", "zeros", "ones")
_RATE_STEPS = 256  # dropout rates are multiples of 1/256: keep_mask compares one random byte


def member_parameter(shape: tuple[int, ...], init: str = "uniform", decay: bool = True) -> nn.Parameter:
    """A stacked parameter (leading axis M) that declares its initialisation and weight decay.

    Args:
        shape: (M, ...).
        init: ``"uniform"`` (``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, PyTorch's Linear default, drawn
            by :func:`init_members`), ``"zeros"`` or ``"ones"``.
        decay: whether the trainer applies weight decay to it (see :func:`decayed_parameters`).
    """
    if init not in _INITS:
        raise ValueError(f"init={init!r} is not one of {', '.join(_INITS)}.")
    data = {"uniform": torch.empty, "zeros": torch.zeros, "ones": torch.ones}[init](shape)
    param = nn.Parameter(data)
    param.member_init = init  # read by init_members
    param.use_weight_decay = decay  # read by decayed_parameters
    return param


class MemberLinear(nn.Module):
    """``y = x W_m + b_m`` for each member ``m``; x is (M, ..., I), y is (M, ..., O).

    The product runs in ``compute_dtype`` and the output stays in it: with bf16 the activations
    of the whole network are bf16 (the CPU's AMX/AVX512-BF16 units or GPU tensor cores), while
    parameters and their gradients stay float32 (the casts' backward returns float32 grads).
    """

    def __init__(
        self, num_members: int, in_dim: int, out_dim: int, bias: bool = True, init: str = "uniform"
    ) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.weight = member_parameter((num_members, in_dim, out_dim), init)
        self.bias = member_parameter((num_members, 1, out_dim), "zeros", decay=False) if bias else None
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
        self.weight = member_parameter((num_members, 1, dim), "ones", decay=False)
        self.bias = member_parameter((num_members, 1, dim), "zeros", decay=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.layer_norm(x, x.shape[-1:])
        shape = (x.shape[0],) + (1,) * (x.dim() - 2) + (x.shape[-1],)
        return y * self.weight.to(x.dtype).reshape(shape) + self.bias.to(x.dtype).reshape(shape)


def expert_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """One linear map per member and expert: x (M, B, E, H) @ weight (M, E, H, K) + bias (M, E, K)."""
    return torch.einsum("mbeh,mehk->mbek", x, weight.to(x.dtype)) + bias[:, None].to(x.dtype)


def broadcast_members(x: torch.Tensor, num_members: int, shared_dim: int) -> torch.Tensor:
    """A ``shared_dim``-dimensional input shared by all members -> (M, ...), as a view; an input
    that already has the member axis (``shared_dim + 1`` dimensions) is returned as it is."""
    return x.unsqueeze(0).expand(num_members, *x.shape) if x.dim() == shared_dim else x


def quantize_rate(p: torch.Tensor | float) -> torch.Tensor | float:
    """Dropout rate(s) rounded to multiples of 1/256 within [0, 255/256], the rates keep_mask draws."""
    if isinstance(p, torch.Tensor):
        return (p * _RATE_STEPS).round().clamp(0, _RATE_STEPS - 1) / _RATE_STEPS
    return round(min(max(p, 0.0), (_RATE_STEPS - 1) / _RATE_STEPS) * _RATE_STEPS) / _RATE_STEPS


def keep_mask(shape: tuple[int, ...], p: torch.Tensor | float, device: torch.device) -> torch.Tensor:
    """Bool mask, True with probability ``1 - p`` (``p`` a float or (M,) per-member rates, leading axis).

    Draws one random byte per element from packed 64-bit words: about 10x faster on CPUs than
    ``torch.bernoulli``, which dominated training time. Rates are rounded by :func:`quantize_rate`.
    """
    n = math.prod(shape)
    words = torch.empty((n + 7) // 8, dtype=torch.int64, device=device).random_(-(2**63), 2**63 - 1)
    bytes_ = words.view(torch.uint8)[:n].reshape(shape)
    if isinstance(p, torch.Tensor):
        threshold = (quantize_rate(p) * _RATE_STEPS).to(torch.uint8).reshape((-1,) + (1,) * (len(shape) - 1))
    else:
        threshold = torch.tensor(int(quantize_rate(p) * _RATE_STEPS), dtype=torch.uint8, device=device)
    return bytes_ >= threshold


def member_dropout(x: torch.Tensor, p: torch.Tensor | float, training: bool) -> torch.Tensor:
    """Inverted dropout with one rate, or one rate per member (``p`` of shape (M,))."""
    if not training or (not isinstance(p, torch.Tensor) and p <= 0):
        return x
    p_q = quantize_rate(p)
    if isinstance(p_q, torch.Tensor):
        scale = (1.0 / (1.0 - p_q)).reshape((-1,) + (1,) * (x.dim() - 1)).to(x.dtype)
    else:
        scale = 1.0 / (1.0 - p_q)
    # Multiplying by a mask of x's dtype: a bool mask would force a slow mixed-dtype path.
    return x * (keep_mask(tuple(x.shape), p_q, x.device).to(x.dtype) * scale)


def channel_dropout_scale(scale: torch.Tensor, p: torch.Tensor, num_docs: int) -> torch.Tensor:
    """``scale`` (M, 1, 1, D) times an inverted-dropout mask of feature channels per member and
    document, at the members' rates ``p`` (M,): (M, B, 1, D)."""
    p_q = quantize_rate(p)
    keep = keep_mask((scale.shape[0], num_docs, 1, scale.shape[-1]), p_q, scale.device)
    return scale * keep / (1.0 - p_q).reshape(-1, 1, 1, 1)


def where_members(
    keep: torch.Tensor, state: dict[str, torch.Tensor], other: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Stacked tensors (state dicts) taking member ``m`` from ``state`` where ``keep[m]``, else ``other``."""
    return {
        name: torch.where(keep.reshape((len(keep),) + (1,) * (value.dim() - 1)), value, other[name])
        for name, value in state.items()
    }


def init_members(module: nn.Module, seeds: list[int]) -> None:
    """Initialise member ``m`` of every stacked parameter from its own generator ``seeds[m]``.

    Member ``m``'s initial weights depend only on ``seeds[m]``, so a member trained alone or
    stacked with others starts from the same point. Each parameter is set as it declared at
    creation (:func:`member_parameter`).
    """
    # Parameters in sorted-name order: a stable draw order, independent of the order in which
    # modules are built (and the order every trained model so far drew its weights in).
    named = sorted(module.named_parameters(), key=lambda kv: kv[0])
    with torch.no_grad():
        for m, seed in enumerate(seeds):
            gen = torch.Generator().manual_seed(int(seed))
            for name, param in named:
                _init_member(param[m], _declared(param, name, "member_init"), gen)


def _init_member(target: torch.Tensor, init: str, gen: torch.Generator) -> None:
    if init == "zeros":
        target.zero_()
    elif init == "ones":
        target.fill_(1.0)
    else:
        bound = 1.0 / math.sqrt(target.shape[-2] if target.dim() >= 2 else target.shape[-1])
        target.copy_(torch.empty(target.shape).uniform_(-bound, bound, generator=gen))


def decayed_parameters(module: nn.Module) -> list[nn.Parameter]:
    """The parameters of ``module`` that declared weight decay (in ``parameters()`` order)."""
    return [p for name, p in module.named_parameters() if _declared(p, name, "use_weight_decay")]


def _declared(param: nn.Parameter, name: str, attr: str) -> str | bool:
    if not hasattr(param, attr):
        raise TypeError(
            f"parameter {name!r} has no {attr!r}; create stacked parameters with member_parameter() "
            "(copy models through state_dict, not copy.deepcopy, which drops the declaration)."
        )
    return getattr(param, attr)


def set_compute_dtype(module: nn.Module, dtype: str) -> None:
    """Run ``module`` (every part with a ``compute_dtype``) in ``dtype`` (``"float32"`` or ``"bfloat16"``)."""
    for sub in module.modules():
        if hasattr(sub, "compute_dtype"):
            sub.compute_dtype = _COMPUTE_DTYPE[dtype]
