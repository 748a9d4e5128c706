"""Workspaces for the app tests: an empty one, and a demo one with a corpus, a model and finished runs.

``demo_workspace`` is seeded from ``assets/demo`` when the shipped demo assets (and their seeder) are
there; otherwise a tiny workspace is built here: a 12-interview synthetic corpus (espeak-ng), a tiny
``hilbert`` model for ``spectrum`` (logmel + lexicon encoders, no weights to download) and two finished
cross-validations (linear and hilbert) recorded by a one-corpus sweep.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.tiny import TINY_SET

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
NO_SEED = "HILBERT_NO_SEED"
ENCODERS = {"audio_encoder": "logmel", "text_encoder": "lexicon"}


@pytest.fixture
def empty_workspace(tmp_path, monkeypatch) -> Path:
    """HILBERT_WORKSPACE -> an empty folder, with demo seeding turned off (HILBERT_NO_SEED=1)."""
    root = tmp_path / "empty_ws"
    root.mkdir()
    monkeypatch.setenv("HILBERT_WORKSPACE", str(root))
    monkeypatch.setenv(NO_SEED, "1")
    return root


def _shipped_assets() -> Path | None:
    demo = ROOT / "assets" / "demo"
    try:
        import hilbert_core.demo.seed  # noqa: F401
    except ImportError:
        return None
    return demo if any((demo / "models").glob("*/bundle.json")) else None


def _tiny_corpus(root: Path) -> Path:
    from hilbert_core.demo import DemoConfig, write_demo_corpus

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (needed to synthesise the tiny demo corpus)")
    cfg = DemoConfig(num_documents=12, min_per_class=3, num_prompts=(3, 3), target_minutes=(0.2, 0.3))
    return write_demo_corpus(root, cfg).root


def _tiny_model(ws, corpus: Path) -> Path:
    from hilbert_core.config import ExperimentConfig
    from hilbert_core.encoders.extract import ExtractConfig, extract_corpus
    from hilbert_core.training.bundle import train_final

    feats, encoders = extract_corpus(corpus, ExtractConfig(**ENCODERS, cache_dir=ws.root / "cache"))
    audio, text, labels, groups, _ = feats.task_view("spectrum")
    cfg = ExperimentConfig().apply_overrides(TINY_SET)
    bundle = train_final(
        audio, text, labels, groups=groups, method="hilbert", config=cfg,
        info={"task": "spectrum", **encoders, "corpus": str(corpus)},
    )  # fmt: skip
    return bundle.save(ws.models_dir / "spectrum-hilbert")


def _tiny_runs(ws, corpus: Path) -> None:
    from hilbert_core.experiments.sweep import run_sweep
    from hilbert_core.experiments.sweep_file import parse_sweep_text

    body = f"""
    name: studio-tests
    corpora:
      - path: {corpus}
        tasks: [spectrum]
    audio_encoders: [{ENCODERS["audio_encoder"]}]
    text_encoders: [{ENCODERS["text_encoder"]}]
    methods: [linear, hilbert]
    folds: 3
    set: [{", ".join(TINY_SET)}]
    """
    spec = parse_sweep_text(textwrap.dedent(body), ws.root / "sweep.yaml")
    out = run_sweep(spec, ws.root, engine="sequential")
    assert not out.failed, out.failed


@pytest.fixture(scope="session")
def _demo_workspace_root(tmp_path_factory) -> Path:
    from hilbert_core.workspace import open_workspace

    root = tmp_path_factory.mktemp("demo_ws") / "workspace"
    shipped = _shipped_assets()
    if shipped is not None:
        from hilbert_core.demo.seed import seed_workspace

        ws = open_workspace(root, seed=False)
        seed_workspace(ws, shipped)
        return ws.root
    ws = open_workspace(root, seed=False)
    corpus = _tiny_corpus(ws.corpora_dir / "demo")
    _tiny_model(ws, corpus)
    _tiny_runs(ws, corpus)
    return ws.root


@pytest.fixture
def demo_workspace(_demo_workspace_root, monkeypatch) -> Path:
    """HILBERT_WORKSPACE -> a session-wide demo workspace (corpus, model, finished runs); seeding off.

    Shared by every test of the session: tests must not change what is in it (uploads go under their
    own session folder, which is harmless)."""
    monkeypatch.setenv("HILBERT_WORKSPACE", str(_demo_workspace_root))
    monkeypatch.setenv(NO_SEED, "1")
    return _demo_workspace_root


@pytest.fixture(scope="session")
def sample_interview(_demo_workspace_root) -> tuple[Path, Path | None]:
    """(recording, transcript or None) of a sample interview: the shipped one with a transcript when
    present, else the first document of the demo workspace's corpus with an SRT written from its segments."""
    samples = ROOT / "assets" / "demo" / "samples"
    for audio in sorted(samples.glob("*")) if samples.is_dir() else []:
        for ext in (".srt", ".vtt", ".csv"):
            if (
                audio.suffix not in (".srt", ".vtt", ".csv", ".json", ".md")
                and audio.with_suffix(ext).is_file()
            ):
                return audio, audio.with_suffix(ext)
    return _sample_from_corpus(_demo_workspace_root)


def _sample_from_corpus(ws_root: Path) -> tuple[Path, Path]:
    from hilbert_core.data import load_corpus

    corpus = load_corpus(sorted((ws_root / "corpora").glob("*/documents.csv"))[0].parent)
    doc = corpus.document_ids[0]
    out = ws_root.parent / "sample"
    out.mkdir(exist_ok=True)
    audio = out / f"interview{corpus.audio_path(doc).suffix}"
    shutil.copyfile(corpus.audio_path(doc), audio)
    srt = out / "interview.srt"
    srt.write_text(_srt(corpus.segments_for(doc)), encoding="utf-8")
    return audio, srt


def _srt(segments) -> str:
    def clock(t: float) -> str:
        ms = round(t * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "\n".join(
        f"{i}\n{clock(s.start_s)} --> {clock(s.end_s)}\n{s.text}\n" for i, s in enumerate(segments, start=1)
    )
