"""Fixtures of the analysis pages (Train, Compare, Embeddings, Diagnostics) and their services.

``analysis_workspace``: a workspace whose registry holds real cross-validations of tiny models on a
synthetic feature folder (registered as the cells of a small backbone grid: 2 audio x 2 text encoders
x hilbert, plus a linear probe and a transfer_moe run on the first pair), and a trained tiny ``hilbert``
bundle in ``models/``. Test modules import the fixtures under private aliases (pytest registers them
under their own names).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hilbert_core.cli import main
from hilbert_core.config import ExperimentConfig
from hilbert_core.data.features import load_features
from hilbert_core.evaluation.cv import cross_validate
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.sweep import registry_path
from hilbert_core.training.bundle import train_final
from hilbert_core.workspace import open_workspace

TINY_SET = [
    "model.dim=8",
    "model.proj_dim=8",
    "model.num_experts=2",
    "model.expert_hidden_dim=8",
    "model.head_hidden_dim=4",
    "train.epochs=3",
    "train.num_inner=1",
    "train.compute_dtype=float32",
]
AUDIO = ("egemaps", "logmel")
TEXT = ("lexicon", "minilm-l6")
ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "analysis_template_fixture",
    "analysis_workspace_fixture",
    "empty_analysis_workspace_fixture",
    "TINY_SET",
    "ROOT",
    "register_cv",
]


def _synthetic_features(folder: Path) -> Path:
    args = ["synth-features", str(folder), "--documents", "30", "--classes", "3", "--seed", "2"]
    assert (
        main([*args, "--audio-dim", "6", "--text-dim", "5", "--min-segments", "3", "--max-segments", "5"])
        == 0
    )
    return folder


def register_cv(registry: RunRegistry, feats, cell: dict, seed: int) -> str:
    """Cross-validate ``cell['method']`` on ``feats`` and record it under ``cell`` as a finished run."""
    cfg = (
        ExperimentConfig()
        .apply_overrides(TINY_SET)
        .replace(eval={"method": cell["method"], "n_splits": 3, "seed": seed})
    )
    audio, text, labels, groups, ids = feats.task_view("label")
    report = cross_validate(audio, text, labels, groups=groups, config=cfg).to_dict()
    report.update(document_ids=ids, groups=groups)
    full = {
        "corpus": "synth",
        "corpus_root": "synth",
        "task": "label",
        "modality": "both",
        "losses": None,
        "seed": 0,
        "folds": 3,
        "overrides": list(TINY_SET),
        **cell,
    }
    if full["method"] == "hilbert":
        full["losses"] = ["contrastive", "cka", "mi"]
    run_id = registry.create("cv", {**cfg.to_dict(), "task": "label", "cell": full}, None)
    registry.start(run_id, "cpu")
    registry.finish(run_id, report)
    return run_id


# Built once per test process: each test module that imports the fixture gets its own FixtureDef,
# so a session scope alone would rebuild the template once per module.
_TEMPLATE: list[Path] = []


@pytest.fixture(scope="session", name="analysis_template")
def analysis_template_fixture(tmp_path_factory) -> Path:
    """The template workspace (read-only: tests use :func:`analysis_workspace_fixture`'s copy)."""
    if not _TEMPLATE:
        _TEMPLATE.append(_build_template(tmp_path_factory.mktemp("analysis") / "ws"))
    return _TEMPLATE[0]


def _build_template(root: Path) -> Path:
    ws = open_workspace(root, seed=False)
    feats_dir = _synthetic_features(ws.features_dir / "synth")
    feats = load_features(feats_dir)
    registry = RunRegistry(registry_path(root))
    for k, (a, t) in enumerate((a, t) for a in AUDIO for t in TEXT):
        for method in ("linear", "hilbert") if k == 0 else ("hilbert",):  # the probe is the slow one
            register_cv(registry, feats, {"audio_encoder": a, "text_encoder": t, "method": method}, seed=k)
    register_cv(
        registry, feats, {"audio_encoder": AUDIO[0], "text_encoder": TEXT[0], "method": "transfer_moe"}, 0
    )
    audio, text, labels, groups, _ = feats.task_view("label")
    cfg = ExperimentConfig().apply_overrides(TINY_SET).replace(eval={"method": "hilbert", "n_splits": 3})
    bundle = train_final(
        audio, text, labels, groups=groups, config=cfg, info={"task": "label", "features": str(feats_dir)}
    )
    bundle.save(ws.models_dir / "label-hilbert-tiny")
    return root


@pytest.fixture(name="analysis_workspace")
def analysis_workspace_fixture(analysis_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the template workspace, set as ``HILBERT_WORKSPACE``."""
    root = tmp_path / "ws"
    shutil.copytree(analysis_template, root)
    # the bundle and the feature folder name absolute paths inside the template: point them here
    for meta in (root / "models").glob("*/bundle.json"):
        meta.write_text(meta.read_text().replace(str(analysis_template), str(root)))
    monkeypatch.setenv("HILBERT_WORKSPACE", str(root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return root


@pytest.fixture(name="empty_analysis_workspace")
def empty_analysis_workspace_fixture(tmp_path, monkeypatch) -> Path:
    """A new workspace with nothing in it (no demo seeding), set as ``HILBERT_WORKSPACE``."""
    root = tmp_path / "empty"
    open_workspace(root, seed=False)
    monkeypatch.setenv("HILBERT_WORKSPACE", str(root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return root
