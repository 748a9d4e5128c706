"""A model finds the cross-validation of its recipe even when both were saved by an earlier version (their
configs lack fields added since: those take the values that version behaved with)."""

from __future__ import annotations

from hilbert_core.config import ExperimentConfig
from hilbert_core.config_saved import SAVED_BEFORE, config_from_saved


def test_the_demo_model_finds_its_cross_validation(demo_workspace):
    from hilbert_core.experiments.model_runs import bundle_calibration, matching_cv_run
    from hilbert_core.training.bundle import load_bundle
    from hilbert_core.workspace import models_dir

    for folder in sorted(p.parent for p in models_dir(demo_workspace).glob("*/bundle.json")):
        bundle = load_bundle(folder)
        assert matching_cv_run(demo_workspace, bundle.config.to_dict(), bundle.info) is not None, folder.name
        calibration = bundle_calibration(bundle, demo_workspace)
        assert calibration is not None and calibration.run_id is not None, folder.name


def test_a_saved_config_without_the_new_fields_behaves_as_before():
    saved = ExperimentConfig().to_dict()
    for section, key in SAVED_BEFORE:
        del saved[section][key]
    cfg = config_from_saved(saved)
    assert (cfg.model.anchor, cfg.loss.cka_estimator, cfg.train.choose_probe, cfg.train.probe_rule) == (
        "none",
        "biased",
        False,
        "best",
    )
    assert config_from_saved(ExperimentConfig().to_dict()) == ExperimentConfig()  # a complete one is kept
