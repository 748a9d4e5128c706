"""Uncertainty on every prediction: bundles keep their inner cross-validation's out-of-fold predictions,
a bundle finds the cross-validation of its recipe, and `hilbert predict` prints the set, the chance level
and the cross-validated AUC (text and JSON). Also the quick-check preset of the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hilbert_core.cli import main
from hilbert_core.config import ExperimentConfig
from hilbert_core.data.synthetic import make_features
from hilbert_core.training.bundle import load_bundle, train_final
from tests.tiny import TINY_SET


def test_a_bundle_keeps_its_inner_out_of_fold_predictions(tmp_path):
    f = make_features(num_documents=40, num_segments=(3, 5))
    cfg = ExperimentConfig().apply_overrides([*TINY_SET, "train.num_inner=2"])
    bundle = train_final(f.audio, f.text, f.labels, groups=f.groups, method="hilbert", config=cfg)
    oof = bundle.oof
    assert len(oof.index) == 40  # 2 inner folds: every document held out once
    np.testing.assert_allclose(oof.proba.sum(1), 1.0, atol=1e-5)
    assert [bundle.classes[k] for k in oof.y] == [f.labels[i] for i in oof.index]
    loaded = load_bundle(bundle.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.oof.proba, oof.proba)
    assert loaded.oof.source == oof.source


def _features(tmp_path):
    feats = tmp_path / "feats"
    assert main(["synth-features", str(feats), "--documents", "60", "--min-segments", "3",
                 "--max-segments", "5",
                 "--audio-dim", "6", "--text-dim", "4", "--signal", "1.5"]) == 0  # fmt: skip
    return feats


def test_predict_prints_the_set_chance_level_and_cv_auc(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HILBERT_WORKSPACE", raising=False)
    feats, ws, model = _features(tmp_path), tmp_path / "ws", tmp_path / "model"
    common = ["--features", str(feats), "--task", "label", "--method", "linear"]
    assert (
        main(["cv", *common, "--folds", "3", "--workspace", str(ws), "--out", str(tmp_path / "r.json")]) == 0
    )
    assert main(["train", *common, "--out", str(model)]) == 0
    assert "inner cross-validation of the probe (60 documents): pooled out-of-fold macro AUC" in (
        capsys.readouterr().out
    )
    doc = ["predict", str(model), "--features", str(feats), "--document", "doc0002"]
    # without a workspace: the bundle's own inner cross-validation calibrates the set
    assert main(doc) == 0
    text = capsys.readouterr().out
    assert "90% prediction set {" in text and "chance level 33% per class" in text
    assert "cross-validated pooled out-of-fold macro AUC" in text and "inner cross-validation" in text
    # with the workspace of its cross-validation: that run (the number Compare shows) calibrates it
    assert main([*doc, "--workspace", str(ws), "--coverage", "0.8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["uncertainty"]
    from hilbert_core.experiments.registry import RunRegistry

    (run,) = RunRegistry(ws / "registry.sqlite").list(kind="cv")
    assert f"run {run.id}" in out["calibration_source"] and out["cv_auc"] == pytest.approx(run.auc_macro)
    assert out["coverage"] == 0.8 and out["num_calibration"] == 60 and out["prediction_set"]
    assert out["cv_auc_kind"] == "pooled out-of-fold macro AUC" and out["chance_uniform"] == pytest.approx(
        1 / 3
    )


def test_a_bundle_without_out_of_fold_predictions_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HILBERT_WORKSPACE", raising=False)
    feats, model = _features(tmp_path), tmp_path / "model"
    assert (
        main(
            ["train", "--features", str(feats), "--task", "label", "--method", "linear", "--out", str(model)]
        )
        == 0
    )
    from safetensors.torch import load_file, save_file

    tensors = {k: v for k, v in load_file(model / "model.safetensors").items() if not k.startswith("oof.")}
    save_file(tensors, model / "model.safetensors")  # as saved before bundles kept them
    capsys.readouterr()
    assert main(["predict", str(model), "--features", str(feats), "--document", "doc0002"]) == 0
    assert "no prediction set" in capsys.readouterr().out


def test_the_quick_check_preset(tmp_path):
    import argparse

    from hilbert_core.cli.common import add_run_options, experiment_config

    parser = argparse.ArgumentParser()
    add_run_options(parser)
    cfg = experiment_config(parser.parse_args(["--task", "t", "--preset", "quick"]))
    assert (cfg.eval.n_splits, cfg.train.num_inner, cfg.train.epochs, cfg.train.patience) == (3, 1, 20, 5)
    cfg = experiment_config(
        parser.parse_args(["--task", "t", "--preset", "quick", "--folds", "4", "--set", "train.epochs=7"])
    )
    assert (cfg.eval.n_splits, cfg.train.epochs) == (4, 7)  # explicit options win over the preset
    with pytest.raises(SystemExit):
        parser.parse_args(["--task", "t", "--preset", "nope"])
