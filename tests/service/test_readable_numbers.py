"""The plain-Python parts of "words for every number": live job progress, the overfitting note, notes for
identical rows, the fixed class palette, demo marks, the sample interviews and the AUC vocabulary."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from hilbert_core.experiments.curves import curve_progress
from hilbert_core.experiments.jobs import JobStatus
from hilbert_core.report import vocabulary
from hilbert_core.service import demo_marks, diagnostics, palette, ranking, samples
from hilbert_core.service.job_progress import job_progress, max_epochs
from hilbert_core.workspace import job_curves


def _job(status: str, spec: dict, **kw) -> JobStatus:
    return JobStatus(
        "j1",
        "cv",
        status,
        spec,
        kw.get("progress", 0.5),
        kw.get("message", ""),
        time.time(),
        time.time(),
        None,
        None,
        None,
        None,
        {},
        None,
    )


def _write_curves(ws, lines: list[dict]) -> None:
    path = job_curves(ws, "j1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_job_progress_says_fold_epoch_and_eta(tmp_path):
    spec = {"kind": "cv", "folds": 3, "set": ["train.epochs=150", "train.epochs=40"]}
    assert max_epochs(spec) == 40  # the last override wins
    assert job_progress(tmp_path, _job("queued", spec)).step.startswith("queued")
    assert job_progress(tmp_path, _job("running", spec, message="extracting")).step == "extracting"
    t0 = 1000.0

    def rec(label: str, e: int, t: float) -> dict:
        return {"label": label, "epoch": e, "values": {}, "num_members": 1, "run": "", "time": t}

    _write_curves(tmp_path, [rec(f"fold {f}", e, t0 + 2 * e + 0.1 * f) for e in (1, 2, 3) for f in range(3)])
    live = job_progress(tmp_path, _job("running", spec))
    assert live.folds == "folds 1–3 of 3 (trained together)" and live.epoch == "epoch 3 of at most 40"
    assert live.eta == "≤ 74 s"  # 37 epochs x 2 s
    assert "≤ 74 s left, at most (early stopping often ends sooner)" in live.text
    assert live.fraction == pytest.approx(3 / 40) and "fold" in live.text
    _write_curves(tmp_path, [rec("fold 1", 1, t0)])  # one fold at a time (unbatched)
    assert job_progress(tmp_path, _job("running", spec)).folds == "fold 2 of 3"
    progress = curve_progress(tmp_path, "j1")
    assert progress.epoch == 1 and progress.seconds_per_epoch is None


def test_overfitting_note_only_when_validation_rises_while_training_falls():
    epochs = np.arange(1, 21)
    val = np.r_[np.linspace(1.6, 1.38, 5), np.linspace(1.45, 2.0, 15)]
    ce = np.linspace(1.5, 0.2, 20)
    frame = pd.DataFrame(
        [(e, "val_loss", v) for e, v in zip(epochs, val)] + [(e, "ce_loss", c) for e, c in zip(epochs, ce)],
        columns=["epoch", "name", "mean"],
    )
    note = diagnostics.overfitting_note(frame)
    assert note.startswith("Overfitting") and "1.38 (epoch 5) to 2.00 (epoch 20)" in note
    healthy = frame.assign(mean=np.where(frame.name == "val_loss", np.linspace(1.6, 1.0, 40), frame["mean"]))
    assert diagnostics.overfitting_note(healthy) is None
    assert diagnostics.overfitting_note(frame[frame.name == "val_loss"]) is None  # no training loss


def test_identical_predictions_get_a_note():
    p, q = (
        np.random.default_rng(0).dirichlet(np.ones(3), 10),
        np.random.default_rng(1).dirichlet(np.ones(3), 10),
    )
    ids = [str(i) for i in range(10)]
    results = {
        "a": SimpleNamespace(proba=p, document_ids=ids),
        "b": SimpleNamespace(proba=p.copy(), document_ids=ids),
        "c": SimpleNamespace(proba=q, document_ids=ids),
    }
    part = pd.DataFrame(
        {
            "run_id": ["a", "b", "c"],
            "backbone": ["x"] * 3,
            "method": ["hilbert (text only)", "contrastive_moe (text only)", "linear"],
        }
    )
    notes = ranking.identical_notes(SimpleNamespace(results=results), part)
    assert set(notes) == {"a", "b"} and "same predictions as x | contrastive_moe (text only)" in notes["a"]
    assert "nothing to align" in notes["a"]


def test_one_colour_per_class_whatever_the_order():
    a = palette.class_colours(["schizophrenia", "bipolar", "control", "depression"])
    b = palette.class_colours(["control", "depression", "bipolar", "schizophrenia", "bipolar"])
    assert a == b and len(set(a.values())) == 4 and set(a.values()) <= set(palette.OKABE_ITO)


def test_demo_marks_and_samples(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    assert not demo_marks.is_demo_corpus(corpus)
    (corpus / "plan.json").write_text("{}")
    (corpus / "cues.csv").write_text("")
    assert demo_marks.is_demo_corpus(corpus)
    assert demo_marks.is_demo_run({"cell": {"corpus_root": str(corpus)}})
    assert demo_marks.is_demo_run({"sweep": "demo-ablations"}) and not demo_marks.is_demo_run({"cell": {}})
    shipped = samples.sample_interviews()
    if shipped:  # the demo assets ship two samples
        assert {s.transcript is None for s in shipped} == {True, False}
        audio, transcript = samples.sample_upload(shipped[0])
        assert audio[1] and (transcript is None or transcript[1])
    assert samples.sample_interviews(tmp_path) == []


def test_the_auc_vocabulary():
    assert vocabulary.headline(0.8181, (0.768, 0.853)) == "pooled out-of-fold macro AUC 81.8 % [76.8, 85.3]"
    assert vocabulary.fold_mean_text(0.783, 0.074, 5) == "fold-mean macro AUC 78.3 ± 7.4 % over 5 folds"
    assert vocabulary.auc_text(float("nan")) == "n/a" and vocabulary.pct(None) == "n/a"
