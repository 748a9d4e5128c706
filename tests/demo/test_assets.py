"""``hilbert demo-assets`` end to end on a tiny config, then seeding a workspace from what it wrote."""

from __future__ import annotations

import json
import textwrap

import pytest

from hilbert_core.data.features import load_features
from hilbert_core.data.transcripts import read_transcript
from hilbert_core.demo.assets import AssetsConfig, build_demo_assets, demo_specs
from hilbert_core.demo.assets_model import ModelConfig
from hilbert_core.demo.assets_samples import SampleConfig
from hilbert_core.demo.assets_store import sha256_file
from hilbert_core.demo.script import DemoConfig
from hilbert_core.demo.seed import MARKER, seed_state, seed_workspace
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.sweep import features_folder, plan_remaining
from hilbert_core.experiments.transfer import read_runs_file
from hilbert_core.report.results import ReportConfig
from hilbert_core.report.tables import build_report
from hilbert_core.training.bundle import load_bundle
from hilbert_core.workspace import open_workspace

TINY_DEMO = DemoConfig(num_documents=12, min_per_class=3, num_prompts=(3, 4), target_minutes=(0.15, 0.3))
TINY_SWEEP = """
    name: tiny-demo
    corpora:
      - path: ../demo/corpus
        name: demo
        tasks: [spectrum, sleep]
    audio_encoders: [{audio}]
    text_encoders: [lexicon]
    methods: [linear]
    modalities: [both, text]
    folds: 2
"""


def _config(tmp_path, audio: bool, **kw) -> AssetsConfig:
    sweep = tmp_path / "sweeps" / "tiny.yaml"
    sweep.parent.mkdir(parents=True, exist_ok=True)
    sweep.write_text(textwrap.dedent(TINY_SWEEP.format(audio="logmel" if audio else "")), encoding="utf-8")
    if not audio:  # no recordings: a text-only grid and model
        sweep.write_text(sweep.read_text().replace("audio_encoders: []\n", "").replace("both, ", ""))
    return AssetsConfig(
        out=tmp_path / "assets" / "demo",
        demo=TINY_DEMO,
        sweep_files=(sweep,),
        model=ModelConfig(method="linear", audio_encoder="logmel" if audio else "", text_encoder="lexicon"),
        samples=SampleConfig(
            transcript_minutes=(0.15, 0.3), audio_only_minutes=(0.3, 0.4), num_prompts=(3, 4)
        ),
        audio=audio,
        engine="sequential",
        **{"budget_mb": 5, **kw},
    )


@pytest.fixture(scope="module")
def tiny_assets(tmp_path_factory):
    from hilbert_core.demo.synth import check_espeak

    try:
        check_espeak()
    except ValueError:
        pytest.skip("espeak-ng is not installed")
    tmp = tmp_path_factory.mktemp("tiny_assets")
    cfg = _config(tmp, audio=True)
    return cfg, build_demo_assets(cfg)


def test_build_writes_every_asset_with_a_true_manifest(tiny_assets):
    cfg, out = tiny_assets
    root = cfg.out
    manifest = json.loads((root / "MANIFEST.json").read_text())
    assert manifest["corpus"]["documents"] == 12 and manifest["seed"] == 0
    for name, entry in manifest["files"].items():
        assert sha256_file(root / name) == entry["sha256"], name
    assert manifest["assets_bytes"] < cfg.budget_mb * 1e6
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")]  # scratch folders are gone
    runs = read_runs_file(root / "runs.json.gz")
    kinds = sorted(r["kind"] for r in runs)
    assert kinds.count("cv") == 2 * 2 and kinds.count("extract") == 2 and kinds.count("train") == 1
    assert "${WORKSPACE}" in json.dumps(runs) and str(root.parent) not in json.dumps(runs)
    bundle = load_bundle(root / "models" / "demo-spectrum-linear")
    assert bundle.info["audio_encoder"] == "logmel" and bundle.info["text_encoder"] == "lexicon"
    samples = json.loads((root / "samples" / "samples.json").read_text())["samples"]
    assert [s["labels"]["spectrum"] for s in samples] == ["depression", "bipolar"]
    segments = read_transcript(root / "samples" / samples[0]["transcript"])
    assert len(segments) == samples[0]["segments"] and segments[0].text
    assert samples[1]["transcript"] is None and (root / "samples" / samples[1]["audio"]).is_file()


def test_seeded_workspace_has_corpus_features_runs_and_model(tiny_assets, tmp_path):
    cfg, _ = tiny_assets
    ws = open_workspace(tmp_path / "ws", seed=False)
    out = seed_workspace(ws, cfg.out)
    assert out.features == 2 and out.runs_added == 2 * 2 + 2 + 1 and not out.already
    assert seed_state(ws.root) == "done"
    (spec,) = demo_specs(cfg.sweep_files, ws.root / "corpora" / "demo")
    todo, done = plan_remaining(spec, ws.root)
    assert not todo and len(done) == 4
    for job in spec.extract_jobs():
        feats = load_features(features_folder(ws.root, job))
        assert len(feats.table) == 12
    registry = RunRegistry(ws.registry_path)
    record = registry.get(next(r.id for r in registry.list(kind="cv")))
    assert record.config["cell"]["corpus_root"] == str(ws.root / "corpora" / "demo")
    report = build_report(registry, ReportConfig(num_resamples=100))
    assert report.tables and not any("no finished" in n for n in report.notes)
    bundle = load_bundle(ws.root / "models" / "demo-spectrum-linear")
    assert bundle.info["corpus"] == str(ws.root / "corpora" / "demo")
    again = seed_workspace(ws, cfg.out)
    assert again.already and len(registry.list()) == 7


def test_an_interrupted_seed_is_redone(tiny_assets, tmp_path):
    cfg, _ = tiny_assets
    ws = open_workspace(tmp_path / "ws", seed=False)
    seed_workspace(ws, cfg.out)
    (ws.root / MARKER).write_text(json.dumps({"status": "started"}))
    (ws.root / "corpora" / "demo" / "segments.csv").unlink()
    out = seed_workspace(ws, cfg.out)
    assert (
        not out.already and out.runs_added == 0 and (ws.root / "corpora" / "demo" / "segments.csv").is_file()
    )


def test_over_budget_fails_and_keeps_the_old_assets(tmp_path, monkeypatch):
    import hilbert_core.demo.assets as assets

    def fake_stage(cfg, scratch, progress):  # what the build writes, without building it
        (scratch / "stage").mkdir(parents=True)
        (scratch / "stage" / "big.bin").write_bytes(b"x" * 5000)
        return {"corpus": {"documents": 0}, "runs": {"cv": 0}, "features": []}

    monkeypatch.setattr(assets, "_stage_assets", fake_stage)
    cfg = _config(tmp_path, audio=False, budget_mb=0.004)
    cfg.out.mkdir(parents=True)
    (cfg.out / "old.txt").write_text("old")
    with pytest.raises(ValueError, match="would hold 0.0 MB, over budget_mb=0.004"):
        build_demo_assets(cfg)
    assert [p.name for p in cfg.out.parent.iterdir()] == ["demo"]
    assert (cfg.out / "old.txt").read_text() == "old"
    cfg = _config(tmp_path, audio=False, budget_mb=0.01)
    out = build_demo_assets(cfg)
    assert sorted(p.name for p in cfg.out.iterdir()) == ["MANIFEST.json", "big.bin"]
    assert out.manifest["files"]["big.bin"]["bytes"] == 5000


def test_a_full_folder_around_out_fails_before_anything_is_built(tmp_path, monkeypatch):
    import hilbert_core.demo.assets as assets

    def no_stage(cfg, scratch, progress):
        raise AssertionError("the build started although the folder around --out was already over budget")

    monkeypatch.setattr(assets, "_stage_assets", no_stage)
    cfg = _config(tmp_path, audio=False, budget_mb=0.004)
    cfg.out.parent.mkdir(parents=True)
    (cfg.out.parent / "someone-elses.bin").write_bytes(b"x" * 5000)
    with pytest.raises(ValueError, match=r"already holds 0.0 MB besides demo/.*build into an empty folder"):
        build_demo_assets(cfg)
    assert sorted(p.name for p in cfg.out.parent.iterdir()) == ["someone-elses.bin"]


def test_open_workspace_seeds_a_new_workspace_and_finishes_an_interrupted_seed(
    tiny_assets, tmp_path, monkeypatch
):
    import hilbert_core.workspace as workspace

    cfg, _ = tiny_assets
    monkeypatch.setattr(workspace, "ASSETS", cfg.out.parent)
    ws = workspace.open_workspace(tmp_path / "ws")
    assert seed_state(ws.root) == "done" and [p.name for p in ws.corpora()] == ["demo"]
    assert [p.name for p in ws.models()] == ["demo-spectrum-linear"]
    (ws.root / MARKER).write_text(json.dumps({"status": "started"}))
    (ws.root / "corpora" / "demo" / "documents.csv").unlink()  # a corpus cut off mid-copy
    workspace.open_workspace(tmp_path / "ws")
    assert seed_state(ws.root) == "done" and (ws.root / "corpora" / "demo" / "documents.csv").is_file()


def test_same_audio_written_twice_is_byte_identical(tmp_path):
    import numpy as np

    from hilbert_core.demo.synth import SynthConfig, write_audio

    audio = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        write_audio(str(tmp_path / name / "x.opus"), audio, SynthConfig())
    first, second = ((tmp_path / n / "x.opus").read_bytes() for n in ("a", "b"))
    assert first == second and first[:4] == b"OggS"


def test_shipped_assets_folder_stays_under_25_mb():
    from hilbert_core.workspace import ASSETS

    total = sum(p.stat().st_size for p in ASSETS.rglob("*") if p.is_file())
    assert total < 25e6, f"assets/ holds {total / 1e6:.1f} MB; the budget is 25 MB"


def test_the_demo_model_follows_the_named_demo_sweep():
    from types import SimpleNamespace

    from hilbert_core.demo.assets_model import model_spec

    specs = [SimpleNamespace(name="demo"), SimpleNamespace(name="demo-ablations")]
    assert model_spec(specs, ModelConfig()).name == "demo"
    assert model_spec(specs, ModelConfig(sweep="demo-ablations")).name == "demo-ablations"
    assert AssetsConfig().model.sweep == "demo-ablations"  # the network, not the probe the recipe keeps
    with pytest.raises(
        ValueError, match=r"sweep 'demo-x' is not among the demo sweeps \(demo, demo-ablations\)"
    ):
        model_spec(specs, ModelConfig(sweep="demo-x"))
