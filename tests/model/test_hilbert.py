from __future__ import annotations

import pytest
import torch

from hilbert_core.config import ModelConfig
from hilbert_core.model import (
    NEURAL_METHODS,
    HilbertModel,
    TransferModel,
    create_network,
    init_members,
    set_compute_dtype,
)

CFG = ModelConfig(
    dim=8,
    num_heads=2,
    proj_dim=6,
    num_experts=3,
    expert_hidden_dim=8,
    head_hidden_dim=4,
    input_dropout=0.0,
    dropout=0.0,
)


def _model(method, modality="both", members=2, cfg=CFG):
    model = create_network(cfg, method, modality, audio_dim=6, text_dim=5, num_classes=3, num_members=members)
    init_members(model, list(range(members)))
    return model.eval()


@pytest.mark.parametrize("method", NEURAL_METHODS)
@pytest.mark.parametrize("modality", ["both", "audio", "text"])
def test_every_variant_runs_and_exposes_what_users_see(tiny_batch, method, modality):
    audio, text, mask = tiny_batch
    out = _model(method, modality)(audio, text, mask)
    assert out.logits.shape == (2, 4, 3)
    expected_attn = {"both": {"audio", "text"}, "audio": {"audio"}, "text": {"text"}}[modality]
    if method in ("contrastive_moe", "hilbert") and modality == "both":
        expected_attn = expected_attn | {"joint"}
        assert out.joint_emb.shape == (2, 4, 6)
    assert set(out.attn_weights) == expected_attn
    for alpha in out.attn_weights.values():
        torch.testing.assert_close(alpha.sum(-1), torch.ones(2, 4))
        assert (alpha[:, ~mask] == 0).all()
    if method == "transfer":
        assert out.gate_probs is None
    else:
        torch.testing.assert_close(out.gate_probs.sum(-1), torch.ones(2, 4))


def test_stacked_members_equal_single_models(tiny_batch):
    audio, text, mask = tiny_batch
    stacked = HilbertModel(CFG, "hilbert", "both", 6, 5, 3, num_members=3)
    init_members(stacked, [11, 12, 13])
    stacked.eval()
    out = stacked(audio, text, mask)
    for m, seed in enumerate([11, 12, 13]):
        single = HilbertModel(CFG, "hilbert", "both", 6, 5, 3, num_members=1)
        init_members(single, [seed])
        single.eval()
        torch.testing.assert_close(single(audio, text, mask).logits[0], out.logits[m], atol=1e-5, rtol=1e-5)


def test_members_do_not_share_gradients(tiny_batch):
    audio, text, mask = tiny_batch
    model = _model("hilbert", members=2).train()
    model(audio, text, mask).logits[0].sum().backward()  # a loss of member 0 only
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert all(g[1].abs().sum() == 0 for g in grads)
    assert any(g[0].abs().sum() > 0 for g in grads)


def test_padding_does_not_change_predictions(tiny_batch):
    audio, text, mask = tiny_batch
    model = _model("hilbert")
    base = model(audio[2:3, :1], text[2:3, :1], mask[2:3, :1]).logits
    padded_audio = audio[2:3].clone()
    padded_audio[:, 1:] = 123.0  # garbage where the mask says padding
    torch.testing.assert_close(model(padded_audio, text[2:3], mask[2:3]).logits, base)


def test_topk_gating_keeps_k_experts_and_returns_balance_term(tiny_batch):
    audio, text, mask = tiny_batch
    cfg = ModelConfig(**{**CFG.__dict__, "gating": "topk", "top_k": 2})
    out = _model("hilbert", cfg=cfg)(audio, text, mask)
    assert ((out.gate_probs > 0).sum(-1) == 2).all()
    torch.testing.assert_close(out.gate_probs.sum(-1), torch.ones(2, 4))
    assert (out.aux_loss >= 1.0 - 1e-6).all()  # E Σ f_e P_e >= 1, equality when balanced


def test_bf16_compute_gives_close_probabilities(tiny_batch):
    audio, text, mask = tiny_batch
    model = _model("hilbert")
    ref = torch.softmax(model(audio, text, mask).logits, -1)
    set_compute_dtype(model, "bfloat16")
    out = model(audio, text, mask)
    assert out.logits.dtype == torch.float32
    torch.testing.assert_close(torch.softmax(out.logits, -1), ref, atol=0.05, rtol=0)


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="linear"):
        create_network(CFG, "linear", "both", 6, 5, 3)
    with pytest.raises(ValueError, match="create_network"):
        HilbertModel(CFG, "transfer", "both", 6, 5, 3)


@pytest.mark.parametrize(("method", "cls"), [("transfer", TransferModel), ("hilbert", HilbertModel)])
def test_create_network_picks_the_class(method, cls):
    assert type(create_network(CFG, method, "both", 6, 5, 3)) is cls


@pytest.mark.parametrize("method", NEURAL_METHODS)
def test_member_view_is_that_member_of_the_stack_without_the_member_axis(tiny_batch, method):
    audio, text, mask = tiny_batch
    model = _model(method, members=3)
    out = model(audio, text, mask)
    for m in range(3):
        one = model.member(m)(audio, text, mask)
        assert one.logits.shape == (4, 3) and one.aux_loss.shape == ()
        assert torch.equal(one.logits, out.logits[m]) and torch.equal(one.aux_loss, out.aux_loss[m])
        for name in ("audio_emb", "text_emb", "joint_emb", "gate_probs"):
            got, stacked = getattr(one, name), getattr(out, name)
            assert (got is None and stacked is None) or torch.equal(got, stacked[m])
        assert set(one.attn_weights) == set(out.attn_weights)
        for name, alpha in one.attn_weights.items():
            assert alpha.shape == (4, 5) and torch.equal(alpha, out.attn_weights[name][m])
    with pytest.raises(ValueError, match="m=3"):
        model.member(3)


@pytest.mark.parametrize("method", NEURAL_METHODS)
def test_one_batch_per_member_equals_a_shared_batch(tiny_batch, method):
    audio, text, mask = tiny_batch
    model = _model(method, members=2)
    shared = model(audio, text, mask)
    stacked = model(*(x.unsqueeze(0).expand(2, *x.shape) for x in (audio, text, mask)))
    torch.testing.assert_close(stacked.logits, shared.logits)
    for name, alpha in shared.attn_weights.items():
        torch.testing.assert_close(stacked.attn_weights[name], alpha)


@pytest.mark.parametrize("method", NEURAL_METHODS)
def test_select_and_concat_members_keep_each_member(tiny_batch, method):
    audio, text, mask = tiny_batch
    model = _model(method, members=3)
    logits = model(audio, text, mask).logits
    picked = model.select_members([2, 0])
    assert type(picked) is type(model) and picked.num_members == 2 and not picked.training
    torch.testing.assert_close(picked(audio, text, mask).logits, logits[[2, 0]])
    joined = picked.concat_members([model.select_members([1])])
    torch.testing.assert_close(joined(audio, text, mask).logits, logits[[2, 0, 1]])


@pytest.mark.parametrize("pooling", ["gated", "attention"])
@pytest.mark.parametrize("relative", [False, True], ids=["own", "speaker_relative"])
@pytest.mark.parametrize("anchor", ["probe", "none"])
def test_pooling_keeps_members_padding_and_trains_its_scorer(tiny_batch, anchor, relative, pooling):
    audio, text, mask = tiny_batch
    cfg = ModelConfig(**{**CFG.__dict__, "pooling": pooling, "anchor": anchor, "speaker_relative": relative})
    stacked = _model("hilbert", members=2, cfg=cfg)
    out = stacked(audio, text, mask)
    single = _model("hilbert", members=1, cfg=cfg)  # seeds 0: member 0 of the stack
    torch.testing.assert_close(single(audio, text, mask).logits[0], out.logits[0], atol=1e-5, rtol=1e-5)
    padded_audio = audio[2:3].clone()
    padded_audio[:, 1:] = 123.0
    torch.testing.assert_close(
        stacked(padded_audio, text[2:3], mask[2:3]).logits,
        stacked(audio[2:3, :1], text[2:3, :1], mask[2:3, :1]).logits,
    )
    for name in ("audio", "text", "joint"):
        pool = getattr(stacked, name).pool
        assert (pool.u is not None) == (pooling == "gated") and (pool.r is not None) == relative
    if anchor == "none":  # anchored, the correction's zero last layer stops gradients at step 0
        stacked.train()
        stacked(audio, text, mask).logits.square().sum().backward()
        for name in ("audio", "text", "joint"):
            pool = getattr(stacked, name).pool
            trained = [pool.w, pool.v] + [p for p in (pool.u, pool.r) if p is not None]
            assert all(p.weight.grad.abs().sum() > 0 for p in trained)
