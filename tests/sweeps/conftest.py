"""Sweep fixtures: a synthetic feature folder and a sweep file with tiny models."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hilbert_core.cli import main

TINY_SET = [
    "model.dim=8",
    "model.proj_dim=8",
    "model.num_experts=2",
    "model.expert_hidden_dim=8",
    "model.head_hidden_dim=4",
    "train.epochs=2",
    "train.num_inner=1",
    "train.compute_dtype=float32",
]


@pytest.fixture(scope="session")
def feature_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweep") / "feats"
    args = ["synth-features", str(folder), "--documents", "30", "--classes", "3", "--seed", "2"]
    assert (
        main([*args, "--audio-dim", "6", "--text-dim", "5", "--min-segments", "3", "--max-segments", "5"])
        == 0
    )
    return folder


def write_sweep(folder: Path, body: str) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


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
