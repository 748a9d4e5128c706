"""Integration on real speech: ../shared/data/ravdess (skipped when absent). Marked slow."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

RAVDESS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RAVDESS.is_dir(), reason="../shared/data/ravdess is absent"),
]


def _subset(tmp_path: Path, emotions=("angry", "sad", "happy", "neutral")) -> Path:
    docs = pd.read_csv(RAVDESS / "documents.csv", dtype=str)
    docs = docs[docs["emotion"].isin(emotions)].copy()
    docs["audio_path"] = [str(RAVDESS / p) for p in docs["audio_path"]]
    segs = pd.read_csv(RAVDESS / "segments.csv", dtype={"document_id": str})
    docs.to_csv(tmp_path / "documents.csv", index=False)
    segs[segs["document_id"].isin(docs["document_id"])].to_csv(tmp_path / "segments.csv", index=False)
    return tmp_path


def test_validate_is_clean():
    from hilbert_core.data.validate import validate_corpus

    assert validate_corpus(RAVDESS, n_splits=5) == []


def test_emotion_is_predicted_above_chance_from_logmel(tmp_path):
    import hilbert_core as hc
    from hilbert_core.encoders.extract import ExtractConfig, extract_corpus

    corpus = _subset(tmp_path)
    feats, encoders = extract_corpus(corpus, ExtractConfig(audio_encoder="logmel", text_encoder="minilm-l6"))
    assert encoders["audio_encoder"] == "logmel" and feats.text[0].shape[1] == 384
    audio, text, labels, groups, _ = feats.task_view("emotion")
    for method in ("linear", "hilbert"):
        report = hc.cross_validate(audio, text, labels, method=method, n_splits=4, groups=groups)
        assert report.auc_macro > 0.7, (method, report.auc_macro)
    # Cached: a second extraction computes nothing and gives the same arrays.
    again, _ = extract_corpus(corpus, ExtractConfig(audio_encoder="logmel", text_encoder="minilm-l6"))
    assert all((a == b).all() for a, b in zip(feats.audio, again.audio, strict=True))


def test_whisper_tiny_features_for_a_few_documents(tmp_path):
    from hilbert_core.encoders.extract import ExtractConfig, extract_corpus

    corpus = _subset(tmp_path, emotions=("angry",))
    feats, _ = extract_corpus(corpus, ExtractConfig(audio_encoder="whisper-tiny-en", text_encoder=""))
    assert feats.audio[0].shape == (8, 384) and feats.text is None
