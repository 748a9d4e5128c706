"""Sweep fixtures: a synthetic feature folder and a sweep file with tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sweeps.sweeps_helper import write_sweep
from tests.tiny import TINY_SET, write_tiny_features


@pytest.fixture(scope="session")
def feature_folder(tmp_path_factory) -> Path:
    return write_tiny_features(tmp_path_factory.mktemp("sweep") / "feats")


@pytest.fixture
def features_sweep(tmp_path, feature_folder) -> Path:
    """4 cells (linear and transfer x seeds 0 and 1) on the synthetic feature folder."""
    return write_sweep(
        tmp_path,
        f"""
        name: tiny
        corpora:
          - features: {feature_folder}
            tasks: [label]
        methods: [linear, transfer]
        seeds: [0, 1]
        folds: 3
        set: [{", ".join(TINY_SET)}]
        """,
    )
