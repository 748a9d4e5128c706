"""Seeding a workspace from the shipped demo assets (skipped when assets/demo is absent)."""

from __future__ import annotations

import json
import time

import pytest

from hilbert_core.cli import main
from hilbert_core.data.features import load_features
from hilbert_core.demo.seed import seed_workspace
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.sweep import features_folder, plan_remaining
from hilbert_core.experiments.sweep_file import load_sweep
from hilbert_core.report.results import ReportConfig
from hilbert_core.report.tables import build_report
from hilbert_core.training.bundle import load_bundle
from hilbert_core.workspace import ASSETS, open_workspace

DEMO = ASSETS / "demo"
SWEEPS = sorted((ASSETS / "sweeps").glob("demo*.yaml"))
pytestmark = pytest.mark.skipif(
    not (DEMO / "MANIFEST.json").is_file(), reason="no shipped demo assets (run `hilbert demo-assets`)"
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    ws = open_workspace(tmp_path_factory.mktemp("seed") / "ws", seed=False)
    started = time.perf_counter()
    out = seed_workspace(ws, DEMO)
    return ws.root, time.perf_counter() - started, out


def test_seeding_takes_seconds_and_fills_the_registry(seeded):
    root, seconds, out = seeded
    assert seconds < 20  # a few seconds on a laptop; generous for a busy CI machine
    manifest = json.loads((DEMO / "MANIFEST.json").read_text())
    assert out.runs_added == manifest["runs"]["exported"]
    assert out.features == len(manifest["features"])
    registry = RunRegistry(root / "registry.sqlite")
    assert len(registry.list(kind="cv", status="done")) == manifest["runs"]["cv"]
    report = build_report(registry, ReportConfig(num_resamples=100, task="sleep"))  # one task: fast
    assert report.tables


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda p: p.name)
def test_every_demo_sweep_cell_is_already_done(seeded, sweep, capsys):
    root, _, _ = seeded
    spec = load_sweep(sweep)
    todo, done = plan_remaining(spec, root)
    assert not todo and done
    for job in spec.extract_jobs():
        feats = load_features(features_folder(root, job))
        assert len(feats.table) == json.loads((DEMO / "MANIFEST.json").read_text())["corpus"]["documents"]
        assert (feats.audio if job.role == "audio" else feats.text) is not None
    assert main(["sweep", str(sweep), "--workspace", str(root), "--dry-run"]) == 0
    assert f"({len(done)} done, 0 to run), 0 encoder runs needed" in capsys.readouterr().out


def test_the_demo_model_scores_a_demo_document(seeded):
    root, _, out = seeded
    (model,) = out.models
    bundle = load_bundle(model)
    assert bundle.info["audio_encoder"] and bundle.info["text_encoder"]
    assert bundle.info["corpus"] == str(root / "corpora" / "demo")
    spec = load_sweep(ASSETS / "sweeps" / "demo.yaml")
    feats = {
        job.role: load_features(features_folder(root, job))
        for job in spec.extract_jobs()
        if job.encoder in (bundle.info["audio_encoder"], bundle.info["text_encoder"])
    }
    audio, _ = feats["audio"].document("doc0001")
    _, text = feats["text"].document("doc0001")
    pred = bundle.predict(audio, text)
    assert pred.classes == ["bipolar", "control", "depression", "schizophrenia"]
    assert abs(float(pred.proba.sum()) - 1) < 1e-5
