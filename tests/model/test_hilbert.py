from __future__ import annotations

import pytest
import torch

from hilbert_core.config import ModelConfig
from hilbert_core.model import NEURAL_METHODS, HilbertModel, init_members, set_compute_dtype

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
    model = HilbertModel(cfg, method, modality, audio_dim=6, text_dim=5, num_classes=3, num_members=members)
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
        HilbertModel(CFG, "linear", "both", 6, 5, 3)
