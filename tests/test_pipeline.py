"""From a corpus folder to a prediction, through the command line: validate, extract, cv, train, predict."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from hilbert_core.cli import main
from tests.test_cli import TINY

TINY = [*TINY, "--set", "train.num_inner=1"]
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
def corpus(tmp_path):
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
    # One document brings an SRT transcript instead of rows in segments.csv.
    srt = "\n\n".join(f"{k + 1}\n00:00:0{k},000 --> 00:00:0{k},900\n{TEXTS['high']}" for k in range(4))
    (root / "int00.srt").write_text(srt + "\n", encoding="utf-8")
    docs[0]["transcript_path"] = "int00.srt"
    segs = [s for s in segs if s["document_id"] != "int00"]
    pd.DataFrame(docs).to_csv(root / "documents.csv", index=False)
    pd.DataFrame(segs).to_csv(root / "segments.csv", index=False)
    return root


def test_validate_extract_cv_train_predict(corpus, tmp_path, tiny_bert_dir, capsys):
    enc = ["--audio-encoder", "logmel", "--text-encoder", f"hf:{tiny_bert_dir}"]
    assert main(["validate", str(corpus), "--folds", "3"]) == 0
    assert "no problems" in capsys.readouterr().out

    feats = tmp_path / "feats"
    assert main(["extract", str(corpus), *enc, "--out", str(feats)]) == 0
    table = pd.read_csv(feats / "documents.csv")
    assert len(table) == 24 and (table["num_segments"] == 4).all()
    assert json.loads((feats / "encoders.json").read_text())["audio_encoder"] == "logmel"
    cached = sorted((corpus / ".hilbert" / "cache").rglob("*.npy"))
    assert len(cached) == 24 + 2  # audio per document; text is keyed by content: two distinct transcripts
    stamps = [p.stat().st_mtime_ns for p in cached]
    assert main(["extract", str(corpus), *enc, "--out", str(feats)]) == 0  # nothing recomputed
    assert [p.stat().st_mtime_ns for p in sorted((corpus / ".hilbert" / "cache").rglob("*.npy"))] == stamps

    report = tmp_path / "cv.json"
    assert (
        main(
            [
                "cv",
                str(corpus),
                "--task",
                "label",
                *enc,
                "--method",
                "linear",
                "--folds",
                "3",
                "--out",
                str(report),
            ]
        )
        == 0
    )
    data = json.loads(report.read_text())
    assert data["auc_macro"] > 0.9 and data["config"]["source"]["audio_encoder"] == "logmel"

    model = tmp_path / "model"
    assert (
        main(
            ["train", str(corpus), "--task", "label", *enc, "--method", "hilbert", "--out", str(model), *TINY]
        )
        == 0
    )
    meta = json.loads((model / "bundle.json").read_text())
    assert meta["info"]["audio_encoder"] == "logmel" and meta["info"]["text_encoder"].startswith("hf:")
    capsys.readouterr()
    assert (
        main(
            [
                "predict",
                str(model),
                str(corpus / "audio" / "int03.wav"),
                "--transcript",
                str(corpus / "int00.srt"),
                "--json",
            ]
        )
        == 0
    )
    pred = json.loads(capsys.readouterr().out)
    assert abs(sum(pred["proba"]) - 1) < 1e-5 and len(pred["segments"]) == 4
    assert len(pred["attention"]["joint"]) == 4


def test_changed_transcript_is_not_served_from_cache(corpus, tiny_bert_dir):
    from hilbert_core.encoders.extract import ExtractConfig, extract_corpus

    cfg = ExtractConfig(audio_encoder="logmel", text_encoder=f"hf:{tiny_bert_dir}")
    before, _ = extract_corpus(corpus, cfg)
    segs = pd.read_csv(corpus / "segments.csv")
    segs.loc[segs["document_id"] == "int01", "text"] = "i sleep well"
    segs.loc[segs["document_id"] == "int01", "end_s"] -= 0.5
    segs.to_csv(corpus / "segments.csv", index=False)
    after, _ = extract_corpus(corpus, cfg)
    assert not np.allclose(before.text[1], after.text[1])
    assert not np.allclose(before.audio[1], after.audio[1])
    np.testing.assert_array_equal(before.audio[2], after.audio[2])


def test_validate_reports_problems_and_exits_2(corpus, capsys):
    segs = pd.read_csv(corpus / "segments.csv")
    segs.loc[0, "end_s"] = 99.0
    segs.to_csv(corpus / "segments.csv", index=False)
    (corpus / "audio" / "int05.wav").unlink()
    assert main(["validate", str(corpus)]) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert any("int05.wav" in line for line in out) and any("99" in line for line in out)
    assert all("Traceback" not in line for line in out)


def test_cli_errors_for_corpus_commands(corpus, tmp_path, capsys):
    assert main(["cv", str(corpus), "--features", str(tmp_path), "--task", "label"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["extract", str(corpus), "--audio-encoder", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


@pytest.mark.slow
def test_predict_transcribes_when_no_transcript_is_given(corpus, tmp_path, tiny_bert_dir, capsys):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    enc = ["--audio-encoder", "logmel", "--text-encoder", f"hf:{tiny_bert_dir}"]
    model = tmp_path / "model"
    assert (
        main(
            [
                "train",
                str(corpus),
                "--task",
                "label",
                *enc,
                "--method",
                "transfer",
                "--out",
                str(model),
                *TINY,
            ]
        )
        == 0
    )
    wav = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "I feel tired. I do not sleep well at night."], check=True)
    capsys.readouterr()
    assert main(["predict", str(model), str(wav)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("label: ") and "most attended segments" in out


def test_unwritable_cache_gives_a_one_line_error(corpus, capsys, monkeypatch):
    from hilbert_core.encoders import FeatureCache

    def refuse(self, key, array):
        raise PermissionError(13, "Permission denied", str(corpus / ".hilbert" / "cache"))

    monkeypatch.setattr(FeatureCache, "put", refuse)
    assert main(["extract", str(corpus), "--audio-encoder", "logmel", "--text-encoder", ""]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read or write") and "--cache" in err and err.count("\n") == 1
