from __future__ import annotations

import numpy as np
import pytest
import torch

from hilbert_core.config import LossConfig
from hilbert_core.losses import balanced_class_weight, compute_objective, weighted_cross_entropy
from hilbert_core.types import ModelOutput


def test_weighted_cross_entropy_matches_torch(rng):
    logits = torch.from_numpy(rng.normal(size=(10, 3)))
    target = torch.from_numpy(rng.integers(0, 3, 10))
    weight = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    expected = torch.nn.functional.cross_entropy(logits, target, weight=weight)
    torch.testing.assert_close(weighted_cross_entropy(logits, target, weight), expected)
    torch.testing.assert_close(
        weighted_cross_entropy(logits, target), torch.nn.functional.cross_entropy(logits, target)
    )


def test_sample_weight_drops_padding_rows(rng):
    logits = torch.from_numpy(rng.normal(size=(6, 2)))
    target = torch.from_numpy(rng.integers(0, 2, 6))
    keep = torch.tensor([1, 1, 1, 1, 0, 0], dtype=torch.float64)
    torch.testing.assert_close(
        weighted_cross_entropy(logits, target, sample_weight=keep),
        weighted_cross_entropy(logits[:4], target[:4]),
    )


def test_balanced_class_weight_matches_sklearn():
    from sklearn.utils.class_weight import compute_class_weight

    y = np.array([0, 0, 0, 1, 2, 2])
    got = balanced_class_weight(torch.from_numpy(y), 3).numpy()
    np.testing.assert_allclose(got, compute_class_weight("balanced", classes=np.arange(3), y=y), rtol=1e-6)


def _output(rng, m=2, b=6, k=4):
    def t(*shape):
        return torch.from_numpy(rng.normal(size=shape)).float()

    return ModelOutput(
        logits=t(m, b, 3),
        audio_emb=t(m, b, k),
        text_emb=t(m, b, k),
        joint_emb=t(m, b, k),
        gate_probs=None,
        attn_weights={},
        aux_loss=torch.zeros(m),
    )


@pytest.mark.parametrize("losses", [("contrastive",), ("cka",), ("mi",), ("contrastive", "cka", "mi")])
def test_total_is_weighted_sum_of_selected_parts(rng, losses):
    out = _output(rng)
    target = torch.from_numpy(rng.integers(0, 3, (2, 6)))
    cfg = LossConfig(contrastive_weight=0.3, cka_weight=0.7, mi_weight=1.1)
    res = compute_objective(out, target, "hilbert", losses, cfg)
    weights = {
        "ce_loss": 1.0,
        "moe_aux_loss": cfg.moe_aux_weight,
        "contrastive_loss": 0.3,
        "cka_loss": 0.7,
        "mi_loss": 1.1,
    }
    loss_parts = {k: v for k, v in res.parts.items() if k.endswith("_loss")}
    assert set(loss_parts) == {"ce_loss", "moe_aux_loss"} | {f"{name}_loss" for name in losses}
    torch.testing.assert_close(res.total, sum(weights[k] * v for k, v in loss_parts.items()))
    assert res.total.shape == (2,)
    for name in ("cka_audio_joint", "cka_text_joint", "mi_audio", "mi_text", "mi_ceiling"):
        assert res.parts[name].shape == (2,)
    assert (res.parts["mi_audio"] <= res.parts["mi_ceiling"] + 1e-6).all()


def test_transfer_uses_cross_entropy_only(rng):
    out = _output(rng)
    target = torch.from_numpy(rng.integers(0, 3, (2, 6)))
    res = compute_objective(out, target, "transfer_moe", ("contrastive", "cka", "mi"), LossConfig())
    assert {k for k in res.parts if k.endswith("_loss")} == {"ce_loss", "moe_aux_loss"}


def test_contrastive_moe_uses_clip_between_audio_and_text(rng):
    from hilbert_core.losses import contrastive_loss

    out = _output(rng)
    target = torch.from_numpy(rng.integers(0, 3, (2, 6)))
    res = compute_objective(out, target, "contrastive_moe", (), LossConfig(temperature=0.2))
    torch.testing.assert_close(
        res.parts["contrastive_loss"], contrastive_loss(out.audio_emb, out.text_emb, 0.2)
    )


def test_member_weights_override_the_config_per_member(rng):
    """A searched weight (train.cka_weight_grid) reaches each member: member 0 without CKA, member 1 at 2."""
    out = _output(rng)
    target = torch.from_numpy(rng.integers(0, 3, (2, 6)))
    cfg = LossConfig(contrastive_weight=0.3, cka_weight=0.7, mi_weight=1.1)
    losses = ("contrastive", "cka", "mi")
    plain = compute_objective(out, target, "hilbert", losses, cfg)
    got = compute_objective(
        out, target, "hilbert", losses, cfg, member_weights={"cka_weight": torch.tensor([0.0, 2.0])}
    )
    cka = plain.parts["cka_loss"]
    torch.testing.assert_close(got.total, plain.total + torch.tensor([-0.7, 1.3]) * cka)
