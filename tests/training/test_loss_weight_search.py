"""MI and CKA weights searched on inner folds (train.cka_weight_grid, train.mi_weight_grid)."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core import ExperimentConfig, cross_validate
from hilbert_core.data.synthetic import make_features
from hilbert_core.training.recipe import candidate_grid, member_specs, prepare
from tests.tiny import TINY_SET


def _cfg(*extra: str) -> ExperimentConfig:
    return ExperimentConfig().apply_overrides([*TINY_SET, 'eval.method="hilbert"', *extra])


def test_grid_is_every_combination_of_the_searched_weights():
    grid = candidate_grid(_cfg("train.cka_weight_grid=0,1", "train.mi_weight_grid=0.5"))
    assert [(g["cka_weight"], g["mi_weight"]) for g in grid] == [(0, 0.5), (1, 0.5)]
    assert "cka_weight" not in candidate_grid(_cfg())[0]  # nothing searched by default
    assert len(candidate_grid(_cfg("train.tune=true", "train.cka_weight_grid=0,1"))) == 8


def test_members_carry_their_candidate_weights():
    f = make_features(num_documents=24, num_segments=4, audio_dim=6, text_dim=5, seed=1)
    cfg = _cfg("train.cka_weight_grid=0,2")
    data = prepare(f.audio, f.text, f.labels, f.groups, cfg)
    specs, cand_of = member_specs(data, np.arange(len(data.y)), 0)
    assert sorted({s.loss_weights["cka_weight"] for s in specs}) == [0.0, 2.0]
    assert all(
        s.loss_weights["cka_weight"] == candidate_grid(cfg)[c]["cka_weight"] for s, c in zip(specs, cand_of)
    )


def test_cross_validation_records_the_chosen_weight():
    f = make_features(num_documents=30, num_segments=(3, 5), audio_dim=6, text_dim=5, seed=2)
    cfg = _cfg("train.cka_weight_grid=0,1", "eval.n_splits=3")
    report = cross_validate(f.audio, f.text, f.labels, groups=f.groups, config=cfg)
    assert all(sel["cka_weight"] in (0, 1) for sel in report.selected)


@pytest.mark.parametrize("bad", ["-1", "0,x"])
def test_bad_grid_entries_are_refused(bad):
    with pytest.raises(ValueError, match="cka_weight_grid"):
        _cfg(f"train.cka_weight_grid={bad}")
