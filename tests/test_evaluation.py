from __future__ import annotations

import json

import numpy as np
import pytest

import hilbert_core as hc
from hilbert_core.config import METHODS


def _cv(feats, cfg, **kw):
    return hc.cross_validate(feats.audio, feats.text, feats.labels, groups=feats.groups, config=cfg, **kw)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_gives_a_complete_report(tiny_features, tiny_config, method):
    report = _cv(tiny_features, tiny_config, method=method)
    n = len(tiny_features.labels)
    assert report.method == method and report.classes == ["class_0", "class_1", "class_2"]
    assert report.oof_proba.shape == (n, 3)
    np.testing.assert_allclose(report.oof_proba.sum(1), 1.0, atol=1e-5)
    assert len(report.fold_auc) == 3 and 0.0 <= report.auc_macro <= 1.0
    assert np.sum(report.confusion) == n
    assert set(report.auc_per_class) == set(report.classes)
    assert report.labels == tiny_features.labels  # rows in input order


def test_diagnostics_report_losses_cka_and_mi_against_ceiling(tiny_features, tiny_config):
    report = _cv(tiny_features, tiny_config, method="hilbert")
    assert len(report.diagnostics) == 3
    epoch = report.diagnostics[0][0]
    for key in (
        "ce_loss",
        "contrastive_loss",
        "cka_loss",
        "mi_loss",
        "cka_audio_joint",
        "cka_text_joint",
        "mi_audio",
        "mi_text",
        "mi_ceiling",
        "val_loss",
    ):
        assert key in epoch
    for fold in report.diagnostics:
        for e in fold:
            assert e["mi_audio"] <= e["mi_ceiling"] + 1e-5 and e["mi_text"] <= e["mi_ceiling"] + 1e-5
            # the debiased CKA (the default) dips below 0 for near-independent representations
            assert -1.0 - 1e-6 <= e["cka_audio_joint"] <= 1.0 + 1e-6


@pytest.mark.parametrize(
    "losses",
    [
        ("contrastive",),
        ("cka",),
        ("mi",),
        ("contrastive", "cka"),
        ("cka", "mi"),
        ("contrastive", "mi"),
        ("contrastive", "cka", "mi"),
    ],
)
def test_every_ablation_trains_only_its_losses(tiny_features, tiny_config, losses):
    cfg = tiny_config.replace(eval={"losses": losses}, train={"epochs": 1})
    report = _cv(tiny_features, cfg, method="hilbert")
    trained = {
        k
        for k in report.diagnostics[0][0]
        if k.endswith("_loss") and k not in ("ce_loss", "moe_aux_loss", "val_loss")
    }
    assert trained == {f"{name}_loss" for name in losses}


@pytest.mark.parametrize("modality", ["audio", "text"])
def test_single_modality_versions(tiny_features, tiny_config, modality):
    cfg = tiny_config.replace(eval={"modality": modality})
    report = _cv(tiny_features, cfg, method="hilbert")
    assert report.modality == modality
    only = hc.cross_validate(
        tiny_features.audio if modality == "audio" else None,
        tiny_features.text if modality == "text" else None,
        tiny_features.labels,
        method="transfer",
        groups=tiny_features.groups,
        config=tiny_config,
    )
    assert only.modality == modality


def test_same_seed_same_numbers_and_lossless_json(tiny_features, tiny_config):
    a = _cv(tiny_features, tiny_config, method="hilbert", seed=3)
    b = _cv(tiny_features, tiny_config, method="hilbert", seed=3)
    np.testing.assert_array_equal(a.oof_proba, b.oof_proba)
    assert a.fold_auc == b.fold_auc and a.diagnostics == b.diagnostics
    back = hc.CVReport.from_json(a.to_json())
    np.testing.assert_array_equal(back.oof_proba, a.oof_proba)
    assert back.auc_macro == a.auc_macro and back.diagnostics == a.diagnostics
    assert json.loads(a.to_json())["config"]["eval"]["seed"] == 3


def test_grouped_folds_keep_subjects_apart(tiny_features, tiny_config):
    report = _cv(tiny_features, tiny_config, method="linear")
    folds_of_subject: dict[str, set[int]] = {}
    for g, f in zip(tiny_features.groups, report.fold_of, strict=True):
        folds_of_subject.setdefault(g, set()).add(f)
    assert all(len(s) == 1 for s in folds_of_subject.values())


def test_batched_and_plain_training_agree(tiny_features, tiny_config):
    cfg = tiny_config.replace(model={"dropout": 0.0, "input_dropout": 0.0}, train={"epochs": 2})
    batched = _cv(tiny_features, cfg.replace(train={"batched_folds": True}), method="hilbert")
    plain = _cv(tiny_features, cfg.replace(train={"batched_folds": False}), method="hilbert")
    np.testing.assert_allclose(batched.oof_proba, plain.oof_proba, atol=1e-4)


def test_tuning_picks_from_the_grid_on_inner_validation(tiny_features, tiny_config):
    cfg = tiny_config.replace(
        train={"tune": True, "input_dropout_grid": [0.0, 0.5], "weight_decay_grid": [0.0]}
    )
    report = _cv(tiny_features, cfg, method="transfer_moe")
    for sel in report.selected:
        assert sel["input_dropout"] in (0.0, 0.5) and sel["weight_decay"] == 0.0
        # epoch 0 is the anchored network before training: its probe, kept when training never beat it
        assert all(0 <= e <= cfg.train.epochs for e in sel["best_epoch"])


def test_inner_cross_validation_ensembles(tiny_features, tiny_config):
    cfg = tiny_config.replace(train={"num_inner": 2})
    report = _cv(tiny_features, cfg, method="transfer")
    assert all(len(sel["best_epoch"]) == 2 for sel in report.selected)


def test_learns_a_clear_signal(tiny_config):
    from hilbert_core.data.synthetic import make_features

    feats = make_features(
        num_documents=60,
        num_segments=(4, 6),
        audio_dim=6,
        text_dim=5,
        num_classes=2,
        num_cues=4,
        strength=3.0,
        seed=2,
    )
    cfg = tiny_config.replace(train={"epochs": 30, "lr": 3e-3})
    for method in ("linear", "transfer", "hilbert"):
        assert _cv(feats, cfg, method=method).auc_macro > 0.85, method


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"labels": ["a"] * 35 + ["b"]}, "class 'b' has 1 subject: the fold that tests it"),
        ({"labels": ["a"] * 36}, "one class"),
        ({"labels": ["a", "b"] * 5}, "labels has 10 entries for 36 documents"),
        ({"groups": ["s"] * 3}, "groups has 3 entries"),
        ({"method": "bert"}, "method='bert' is unknown"),
        ({"n_splits": 1}, "n_splits=1"),
    ],
)
def test_bad_input_fails_before_training(tiny_features, tiny_config, kwargs, match):
    args = {"labels": tiny_features.labels, "groups": tiny_features.groups, **kwargs}
    with pytest.raises(ValueError, match=match):
        hc.cross_validate(tiny_features.audio, tiny_features.text, config=tiny_config, **args)


def test_ragged_and_nan_documents_fail_before_training(tiny_features, tiny_config):
    audio = list(tiny_features.audio)
    audio[4] = audio[4].copy()
    audio[4][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"audio\[4\] holds NaN or inf"):
        hc.cross_validate(audio, tiny_features.text, tiny_features.labels, config=tiny_config)
    text = list(tiny_features.text)
    text[2] = text[2][:-1]
    with pytest.raises(ValueError, match="document 2 has"):
        hc.cross_validate(tiny_features.audio, text, tiny_features.labels, config=tiny_config)


def test_speaker_relative_pooling_finds_answers_that_stand_out_from_the_speakers_usual(tiny_config):
    """Sparse deviation: two of 10-14 answers move along the label direction from a per-speaker baseline
    that differs between speakers far more than the labels do. Mean pooling (linear) stays near chance and
    gated pooling on the answers alone learns little; pooling that also sees each answer's deviation from
    its own interview's mean finds them."""
    from hilbert_core.data.synthetic import make_features

    feats = make_features(
        num_documents=80, num_segments=(10, 14), audio_dim=8, text_dim=6, num_classes=2,
        num_cues=2, strength=3.0, seed=3, baseline=2.0,
    )  # fmt: skip
    cfg = tiny_config.replace(train={"epochs": 60, "lr": 3e-3, "patience": 60, "choose_probe": False})
    auc = {
        rel: _cv(feats, cfg.replace(model={"speaker_relative": rel}), method="hilbert", n_splits=4).auc_macro
        for rel in (True, False)
    }
    linear = _cv(feats, cfg, method="linear", n_splits=4).auc_macro
    assert auc[True] > 0.85 and auc[True] > max(auc[False], linear) + 0.2, (auc, linear)
