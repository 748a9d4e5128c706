from __future__ import annotations

import torch

from hilbert_core.model.attention import AttentionPool, SegmentSelfAttention, with_deviation
from hilbert_core.model.fusion import CrossModalEncoder
from hilbert_core.model.members import init_members


def _pool(m=2, d=6):
    pool = AttentionPool(m, d)
    init_members(pool, list(range(m)))
    return pool


def test_pool_weights_sum_to_one_and_are_zero_on_padding():
    x = torch.randn(2, 3, 5, 6)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    h, alpha = _pool()(x, mask)
    assert h.shape == (2, 3, 6) and alpha.shape == (2, 3, 5)
    torch.testing.assert_close(alpha.sum(-1), torch.ones(2, 3))
    assert (alpha[:, ~mask] == 0).all()


def test_padding_does_not_change_pool_output():
    pool = _pool()
    x = torch.randn(2, 1, 3, 6)
    h_short, a_short = pool(x, torch.ones(1, 3, dtype=torch.bool))
    padded = torch.cat([x, 99 * torch.randn(2, 1, 4, 6)], dim=2)  # garbage in the padding
    mask = torch.tensor([[1, 1, 1, 0, 0, 0, 0]], dtype=torch.bool)
    h_long, a_long = pool(padded, mask)
    torch.testing.assert_close(h_short, h_long)
    torch.testing.assert_close(a_short, a_long[..., :3])


def test_self_attention_ignores_padded_keys():
    attn = SegmentSelfAttention(1, 8, 2, 1, dropout=0.0)
    init_members(attn, [0])
    attn.eval()
    x = torch.randn(1, 1, 3, 8)
    mask = torch.tensor([[1, 1, 1, 0]], dtype=torch.bool)
    short = attn(x, torch.ones(1, 3, dtype=torch.bool))
    long = attn(torch.cat([x, torch.randn(1, 1, 1, 8) * 50], dim=2), mask)
    torch.testing.assert_close(short, long[:, :, :3])


def test_cross_modal_encoder_shapes_and_weights():
    enc = CrossModalEncoder(2, 8, 2, 1, 0.0)
    init_members(enc, [0, 1])
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.bool)
    h, alpha = enc(torch.randn(2, 2, 3, 8), torch.randn(2, 2, 3, 8), mask)
    assert h.shape == (2, 2, 8)
    torch.testing.assert_close(alpha.sum(-1), torch.ones(2, 2))


def test_gated_pool_scores_each_segment_from_its_own_key():
    pool = AttentionPool(2, 6, gated=True, key_dim=4)
    init_members(pool, [0, 1])
    x, keys = torch.randn(2, 1, 5, 6), torch.randn(2, 1, 5, 4)
    mask = torch.ones(1, 5, dtype=torch.bool)
    h, alpha = pool(x, mask, keys=keys)
    changed = x.clone()
    changed[..., 4, :] += 10.0  # another segment's value: no effect on the weights
    _, alpha_values = pool(changed, mask, keys=keys)
    torch.testing.assert_close(alpha, alpha_values)
    other = keys.clone()
    other[..., 4, :] = torch.randn(4)  # another segment's key: the ratios of the rest are kept
    _, alpha_other = pool(x, mask, keys=other)
    torch.testing.assert_close(alpha[..., :4] / alpha[..., :1], alpha_other[..., :4] / alpha_other[..., :1])
    torch.testing.assert_close(h, torch.einsum("mbs,mbsd->mbd", alpha, x))


def test_deviation_keys_subtract_the_mean_of_the_real_segments_only():
    x = torch.randn(2, 3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    keys = with_deviation(x, mask)
    assert keys.shape == (2, 3, 5, 8)
    torch.testing.assert_close(keys[..., :4], x)
    torch.testing.assert_close(keys[:, 0, :3, 4:], x[:, 0, :3] - x[:, 0, :3].mean(-2, keepdim=True))
    torch.testing.assert_close(keys[:, 1, :, 4:], x[:, 1] - x[:, 1].mean(-2, keepdim=True))
    torch.testing.assert_close(keys[:, 2, 0, 4:], torch.zeros(2, 4))  # one answer: no deviation
    shifted = with_deviation(x + torch.randn(2, 3, 1, 4), mask)  # another speaker's baseline
    real = mask.expand(2, 3, 5)
    torch.testing.assert_close(shifted[..., 4:][real], keys[..., 4:][real])


def test_a_relative_pool_adds_the_mapped_deviation_of_what_it_weights():
    pool = AttentionPool(2, 6, gated=True, key_dim=4, relative=True)
    init_members(pool, [0, 1])
    x, keys = torch.randn(2, 3, 5, 6), torch.randn(2, 3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], dtype=torch.bool)
    h, alpha = pool(x, mask, keys=keys)
    plain = AttentionPool(2, 6, gated=True, key_dim=8)  # scores the keys and their deviations itself
    plain.load_state_dict({k: v for k, v in pool.state_dict().items() if not k.startswith("r.")})
    h_plain, alpha_plain = plain(x, mask, keys=with_deviation(keys, mask))
    torch.testing.assert_close(alpha, alpha_plain)  # the weights come from the keys alone
    mean = (x * mask[..., None]).sum(-2) / mask.sum(-1)[..., None]  # (2, 3, 6) of the real segments
    torch.testing.assert_close(h, h_plain + pool.r(h_plain - mean))
    moved = x.clone()
    moved[:, 1] += torch.randn(2, 1, 6)  # another speaker's baseline under document 1 (all 5 real)
    torch.testing.assert_close(pool(moved, mask, keys=keys)[0][:, 1] - h[:, 1], moved[:, 1, 0] - x[:, 1, 0])


def test_a_mean_initialised_gated_pool_is_the_mean():
    pool = AttentionPool(1, 6, mean_init=True, gated=True, relative=True)
    init_members(pool, [0])
    x = torch.randn(1, 2, 4, 6)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=torch.bool)
    h, alpha = pool(x, mask, keys=torch.randn(1, 2, 4, 6))
    torch.testing.assert_close(alpha, (mask / mask.sum(-1, keepdim=True)).expand(1, 2, 4))
    torch.testing.assert_close(h[0, 0], x[0, 0, :3].mean(0))
