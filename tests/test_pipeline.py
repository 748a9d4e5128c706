"""From a corpus folder to a prediction, through the command line: validate, extract, cv, train, predict.

The ``corpus`` fixture (24 short interviews) is in tests/conftest.py."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from hilbert_core.cli import main
from tests.tiny import TINY_ARGS


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
            [
                "train",
                str(corpus),
                "--task",
                "label",
                *enc,
                "--method",
                "hilbert",
                "--out",
                str(model),
                *TINY_ARGS,
            ]
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
                *TINY_ARGS,
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
