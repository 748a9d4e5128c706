"""Builds the analysis workspace of the app and service tests (the fixtures are in tests/conftest.py).

A workspace whose registry holds real cross-validations of tiny models on a synthetic feature folder
(registered as the cells of a small backbone grid: 2 audio x 2 text encoders x hilbert, plus a linear
probe and a transfer_moe run on the first pair), and a trained tiny ``hilbert`` bundle in ``models/``.
"""

from __future__ import annotations

from pathlib import Path

from hilbert_core.config import ExperimentConfig
from hilbert_core.data.features import load_features
from hilbert_core.evaluation.cv import cross_validate
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.training.bundle import train_final
from hilbert_core.workspace import open_workspace, registry_path
from tests.tiny import TINY_SET, write_tiny_features

AUDIO = ("egemaps", "logmel")
TEXT = ("lexicon", "minilm-l6")


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


def build_analysis_workspace(root: Path) -> Path:
    """Create the analysis workspace at ``root`` (takes tens of seconds: build it once per session)."""
    ws = open_workspace(root, seed=False)
    feats_dir = write_tiny_features(ws.features_dir / "synth")
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
