"""Configs saved by earlier versions (a bundle's ``bundle.json``, a registry run): a field they lack takes
the value those versions behaved with, not today's default."""

from __future__ import annotations

from typing import Any

from .config import ExperimentConfig

# Fields added after configs were first saved, with the behaviour of the versions that lacked them:
# networks were not anchored to a probe, CKA was the biased estimator, no per-fold choice of the probe,
# the probe's C was the best inner score, attention pooling scored the self-attention output,
# and pooling scores did not see a segment's deviation from its interview's mean.
SAVED_BEFORE: dict[tuple[str, str], Any] = {
    ("model", "anchor"): "none",
    ("loss", "cka_estimator"): "biased",
    ("train", "choose_probe"): False,
    ("train", "probe_rule"): "best",
    ("model", "pooling"): "attention",
    ("model", "speaker_relative"): False,
}


def config_from_saved(data: dict[str, Any]) -> ExperimentConfig:
    """The config of a saved ``to_dict()``, fields it lacks filled from :data:`SAVED_BEFORE`."""
    filled = {section: dict(values) for section, values in data.items() if isinstance(values, dict)}
    for (section, key), value in SAVED_BEFORE.items():
        filled.setdefault(section, {}).setdefault(key, value)
    return ExperimentConfig.from_dict(filled)
