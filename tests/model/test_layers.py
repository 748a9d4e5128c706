from __future__ import annotations

import torch

from hilbert_core.model.layers import MemberLinear, init_members, keep_mask, member_dropout, set_compute_dtype


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
