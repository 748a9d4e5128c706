"""Shared tiny fixtures: every test runs on CPU in seconds, with no network.

The tiny training configuration itself is ``tests.tiny.TINY_SET`` (a plain module, importable by tests).
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from hilbert_core.config import ExperimentConfig  # noqa: E402
from hilbert_core.data.synthetic import make_features  # noqa: E402
from tests.tiny import TINY_SET, VOCAB, tiny_vocab  # noqa: E402


@pytest.fixture(scope="session")
def _tiny_config() -> ExperimentConfig:
    # The library tests were written against 3 epochs and batches of 8 (the 36 tiny documents make several
    # steps per epoch, and per-epoch curves have more than two points), cross-validated with 3 folds.
    extra = ["train.epochs=3", "train.batch_size=8", "eval.n_splits=3"]
    return ExperimentConfig().apply_overrides([*TINY_SET, *extra])


@pytest.fixture
def tiny_config(_tiny_config: ExperimentConfig) -> ExperimentConfig:
    return _tiny_config  # frozen dataclass: safe to share


@pytest.fixture(scope="session")
def _tiny_features():
    return make_features(
        num_documents=36, num_segments=(3, 6), audio_dim=6, text_dim=5, num_classes=3, seed=1
    )


@pytest.fixture
def tiny_features(_tiny_features):
    return copy.deepcopy(_tiny_features)


@pytest.fixture
def tiny_batch():
    """(B=4) documents with ragged masks: audio (4, 5, 6), text (4, 5, 5), mask (4, 5)."""
    gen = torch.Generator().manual_seed(0)
    lengths = torch.tensor([5, 3, 1, 4])
    mask = torch.arange(5)[None, :] < lengths[:, None]
    audio = torch.randn(4, 5, 6, generator=gen) * mask[..., None]
    text = torch.randn(4, 5, 5, generator=gen) * mask[..., None]
    return audio, text, mask


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> str:
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_bert")
    tokenizer = BertTokenizerFast(vocab=tiny_vocab(path), model_max_length=32)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


TEXTS = {"low": "i feel tired", "high": "i sleep well"}


def _recording(label: str, seed: int, sr: int = 22050) -> np.ndarray:
    """Four 1 s tones (200 Hz for 'low', 600 Hz for 'high') with 0.25 s pauses, stereo."""
    rng = np.random.default_rng(seed)
    freq = 200.0 if label == "low" else 600.0
    t = np.arange(int(sr * 1.0)) / sr
    tone = 0.3 * np.sin(2 * np.pi * freq * t)
    pause = np.zeros(int(sr * 0.25))
    mono = np.concatenate([np.concatenate([tone, pause]) for _ in range(4)])
    mono = mono + 0.01 * rng.standard_normal(len(mono))
    return np.stack([mono, 0.5 * mono], axis=1)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A corpus folder of 24 short interviews (12 subjects, labels 'low'/'high') with 4 segments each;
    one document brings an SRT transcript instead of rows in segments.csv."""
    root = tmp_path / "corpus"
    (root / "audio").mkdir(parents=True)
    docs, segs = [], []
    for i in range(24):
        label = "low" if i % 2 else "high"
        doc = f"int{i:02d}"
        sf.write(root / "audio" / f"{doc}.wav", _recording(label, i), 22050)
        docs.append(
            {
                "document_id": doc,
                "audio_path": f"audio/{doc}.wav",
                "subject_id": f"s{i // 2:02d}",
                "label": label,
                "transcript_path": "",
            }
        )
        for k in range(4):
            segs.append(
                {"document_id": doc, "start_s": 1.25 * k, "end_s": 1.25 * k + 1.0, "text": TEXTS[label]}
            )
    srt = "\n\n".join(f"{k + 1}\n00:00:0{k},000 --> 00:00:0{k},900\n{TEXTS['high']}" for k in range(4))
    (root / "int00.srt").write_text(srt + "\n", encoding="utf-8")
    docs[0]["transcript_path"] = "int00.srt"
    segs = [s for s in segs if s["document_id"] != "int00"]
    pd.DataFrame(docs).to_csv(root / "documents.csv", index=False)
    pd.DataFrame(segs).to_csv(root / "segments.csv", index=False)
    return root


@pytest.fixture(scope="session")
def analysis_template(tmp_path_factory) -> Path:
    """The analysis workspace of the app and service tests (see tests/analysis_helper.py), built once;
    read-only: tests use :func:`analysis_workspace`'s copy."""
    # imported here: the helper imports most of hilbert_core, which the other tests need not load
    from tests.analysis_helper import build_analysis_workspace

    return build_analysis_workspace(tmp_path_factory.mktemp("analysis") / "ws")


@pytest.fixture
def analysis_workspace(analysis_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the analysis workspace, set as ``HILBERT_WORKSPACE``."""
    root = tmp_path / "ws"
    shutil.copytree(analysis_template, root)
    # the bundle and the feature folder name absolute paths inside the template: point them here
    for meta in (root / "models").glob("*/bundle.json"):
        meta.write_text(meta.read_text().replace(str(analysis_template), str(root)))
    monkeypatch.setenv("HILBERT_WORKSPACE", str(root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return root


@pytest.fixture
def empty_analysis_workspace(tmp_path, monkeypatch) -> Path:
    """A new workspace with nothing in it (no demo seeding), set as ``HILBERT_WORKSPACE``."""
    from hilbert_core.workspace import open_workspace

    root = tmp_path / "empty"
    open_workspace(root, seed=False)
    monkeypatch.setenv("HILBERT_WORKSPACE", str(root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return root
