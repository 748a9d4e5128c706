from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from hilbert_core.config import ModelConfig
from hilbert_core.model import NEURAL_METHODS, create_network
from hilbert_core.model.members import (
    MemberLayerNorm,
    MemberLinear,
    decayed_parameters,
    init_members,
    keep_mask,
    member_dropout,
    member_parameter,
    quantize_rate,
    set_compute_dtype,
    where_members,
)

# The paper network (anchor="none") keeps the initialisation of the name-based algorithm exactly.
CFG = ModelConfig(
    dim=8, num_heads=2, proj_dim=6, num_experts=3, expert_hidden_dim=8, head_hidden_dim=4, anchor="none"
)
VARIANTS = [(method, modality) for method in NEURAL_METHODS for modality in ("both", "audio", "text")]


def _old_init_members(module: nn.Module, seeds: list[int]) -> None:
    """The name-based initialisation this package used before parameters declared theirs (reference)."""

    def owner(name: str) -> nn.Module:
        path = name.rsplit(".", 1)[0] if "." in name else ""
        return module.get_submodule(path) if path else module

    named = sorted(module.named_parameters(), key=lambda kv: kv[0])
    with torch.no_grad():
        for m, seed in enumerate(seeds):
            gen = torch.Generator().manual_seed(int(seed))
            for name, param in named:
                target = param[m]
                if name.endswith("bias"):
                    target.zero_()
                elif isinstance(owner(name), MemberLayerNorm):
                    target.fill_(1.0)
                else:
                    bound = 1.0 / math.sqrt(target.shape[-2] if target.dim() >= 2 else target.shape[-1])
                    target.copy_(torch.empty(target.shape).uniform_(-bound, bound, generator=gen))


def _old_decay_names(module: nn.Module) -> list[str]:
    return [name for name, _ in module.named_parameters() if not name.endswith("bias") and "norm" not in name]


@pytest.mark.parametrize(("method", "modality"), VARIANTS)
def test_init_draws_equal_the_name_based_algorithm(method, modality):
    new = create_network(CFG, method, modality, 6, 5, 3, num_members=3)
    old = create_network(CFG, method, modality, 6, 5, 3, num_members=3)
    init_members(new, [4, 0, 9])
    _old_init_members(old, [4, 0, 9])
    old_params = dict(old.named_parameters())
    for name, param in new.named_parameters():
        assert torch.equal(param, old_params[name]), name


@pytest.mark.parametrize(("method", "modality"), VARIANTS)
def test_decay_set_equals_the_name_based_set(method, modality):
    model = create_network(CFG, method, modality, 6, 5, 3, num_members=2)
    names = {id(p): name for name, p in model.named_parameters()}
    assert [names[id(p)] for p in decayed_parameters(model)] == _old_decay_names(model)


def test_declarations_survive_moving_the_model():
    layer = MemberLinear(2, 4, 3).to(torch.float64)
    assert layer.weight.member_init == "uniform" and layer.weight.use_weight_decay
    assert layer.bias.member_init == "zeros" and not layer.bias.use_weight_decay
    assert decayed_parameters(layer) == [layer.weight]


def test_undeclared_parameters_and_unknown_inits_are_errors():
    module = nn.Module()
    module.weight = nn.Parameter(torch.zeros(2, 3, 3))
    with pytest.raises(TypeError, match="member_parameter"):
        init_members(module, [0, 1])
    with pytest.raises(ValueError, match="init='normal'"):
        member_parameter((2, 3), init="normal")


def test_member_linear_is_per_member_linear():
    layer = MemberLinear(3, 4, 5)
    init_members(layer, [0, 1, 2])
    with torch.no_grad():
        layer.bias.normal_()
    x = torch.randn(3, 2, 7, 4)
    y = layer(x)
    for m in range(3):
        torch.testing.assert_close(y[m], x[m] @ layer.weight[m] + layer.bias[m, 0])


def test_init_depends_only_on_member_seed():
    a, b = MemberLinear(2, 4, 3), MemberLinear(3, 4, 3)
    init_members(a, [7, 9])
    init_members(b, [5, 9, 7])
    torch.testing.assert_close(a.weight[0], b.weight[2])
    torch.testing.assert_close(a.weight[1], b.weight[1])
    assert not torch.equal(b.weight[0], b.weight[1])


def test_bf16_compute_keeps_float32_parameters_and_is_close():
    layer = MemberLinear(1, 16, 8)
    init_members(layer, [0])
    x = torch.randn(1, 10, 16)
    ref = layer(x)
    set_compute_dtype(layer, "bfloat16")
    out = layer(x)
    assert out.dtype == torch.bfloat16 and layer.weight.dtype == torch.float32
    torch.testing.assert_close(out.float(), ref, atol=0.05, rtol=0.05)
    out.float().sum().backward()
    assert layer.weight.grad.dtype == torch.float32


@pytest.mark.parametrize("p", [-0.1, 0.0, 0.001, 0.1, 0.2, 0.25, 0.3337, 0.5, 0.95, 0.998, 1.0])
def test_quantized_rates_equal_the_three_former_formulas(p):
    tensor = torch.tensor([p])
    # keep_mask (tensor and float thresholds), member_dropout (float rate) and the input dropout.
    threshold = (tensor * 256).round().clamp(0, 255).to(torch.uint8)
    assert (quantize_rate(tensor) * 256).to(torch.uint8) == threshold
    assert int(quantize_rate(p) * 256) == round(min(max(p, 0.0), 255 / 256) * 256)
    if p > 0:
        assert quantize_rate(p) == round(min(p, 255 / 256) * 256) / 256
    assert torch.equal(quantize_rate(tensor), (tensor * 256).round().clamp(0, 255) / 256)
    assert quantize_rate(p) == pytest.approx(float(quantize_rate(tensor)))


def test_keep_mask_rates_per_member():
    torch.manual_seed(0)
    mask = keep_mask((3, 20000), torch.tensor([0.0, 0.25, 0.5]), torch.device("cpu"))
    rates = mask.float().mean(1)
    torch.testing.assert_close(rates, torch.tensor([1.0, 0.75, 0.5]), atol=0.02, rtol=0)


def test_dropout_preserves_expectation_and_is_identity_in_eval():
    torch.manual_seed(0)
    x = torch.ones(2, 50000)
    out = member_dropout(x, torch.tensor([0.1, 0.4]), training=True)
    torch.testing.assert_close(out.mean(1), torch.ones(2), atol=0.02, rtol=0)
    assert torch.equal(member_dropout(x, 0.5, training=False), x)


def test_where_members_picks_each_member_from_one_state():
    new = {"w": torch.ones(3, 2, 2), "b": torch.ones(3)}
    old = {"w": torch.zeros(3, 2, 2), "b": torch.zeros(3)}
    out = where_members(torch.tensor([True, False, True]), new, old)
    assert out["w"][:, 0, 0].tolist() == [1.0, 0.0, 1.0] and out["b"].tolist() == [1.0, 0.0, 1.0]
