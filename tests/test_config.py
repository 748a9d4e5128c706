from __future__ import annotations

import pytest

from hilbert_core.config import ExperimentConfig


def test_paper_defaults():
    cfg = ExperimentConfig()
    assert (
        cfg.model.num_experts == 8 and cfg.model.expert_hidden_dim == 32 and cfg.model.head_hidden_dim == 16
    )
    assert cfg.model.proj_dim == 128 and cfg.eval.n_splits == 25 and cfg.model.gating == "dense"


def test_dict_round_trip_and_overrides():
    cfg = ExperimentConfig().apply_overrides(["train.lr=0.0003", "eval.losses=cka,mi", "model.gating=topk"])
    assert cfg.train.lr == 3e-4 and cfg.eval.losses == ("cka", "mi") and cfg.model.gating == "topk"
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize(
    "overrides,match",
    [
        (["model.dim=10", "model.num_heads=4"], "not divisible"),
        (["train.lr=0"], "train.lr=0"),
        (["eval.losses=cka,style"], "style"),
        (["model.input_dropout=1.5"], "model.input_dropout"),
        (["train.nope=1"], "train.nope=1"),
        (["loss.temperature=-1"], "loss.temperature"),
        (['model.pooling="max"'], "model.pooling='max' is not one of attention, gated"),
    ],
)
def test_bad_values_are_named(overrides, match):
    with pytest.raises(ValueError, match=match):
        ExperimentConfig().apply_overrides(overrides)


def test_unknown_section_key_in_dict():
    with pytest.raises(ValueError, match="unknown keys"):
        ExperimentConfig.from_dict({"train": {"epoch": 3}})
