"""Train service: requests to job specs (cv, final model, sweep YAML), the job table and curves."""

from __future__ import annotations

import pytest

from hilbert_core.experiments.job_spec import build_spec
from hilbert_core.experiments.sweep_file import load_sweep
from hilbert_core.service import train


def _request(**kw):
    base = dict(kind="cv", source="features: synth", task="label", methods=("hilbert",), folds=3)
    return train.TrainRequest(**{**base, **kw})


def test_sources_list_feature_folders_with_their_tasks(analysis_workspace):
    sources = train.sources(analysis_workspace)
    assert sources["features: synth"]["tasks"] == ["label"]


def test_cv_spec_carries_loss_weights_device_and_overrides(analysis_workspace):
    req = _request(loss_weights={"cka_weight": 0.5}, device="cpu", epochs=7, overrides=("train.lr=0.001",))
    spec = train.build_job_spec(analysis_workspace, req)
    assert spec["kind"] == "cv" and spec["folds"] == 3 and spec["losses"] == ["contrastive", "cka", "mi"]
    assert spec["set"] == ["loss.cka_weight=0.5", "train.device=cpu", "train.epochs=7", "train.lr=0.001"]
    cell = build_spec(spec).cells()[0]
    assert cell.config().loss.cka_weight == 0.5 and cell.config().train.lr == 0.001


def test_final_training_has_no_folds(analysis_workspace):
    spec = train.build_job_spec(analysis_workspace, _request(kind="train", methods=("transfer",)))
    assert spec["kind"] == "train" and "folds" not in spec and "losses" not in spec


def test_sweep_writes_a_yaml_the_sweep_loader_accepts(analysis_workspace):
    req = _request(kind="sweep", methods=("linear", "hilbert"), losses=("contrastive",))
    spec = train.build_job_spec(analysis_workspace, req)
    sweep = load_sweep(spec["sweep_file"])
    assert spec["sweep_file"].startswith(str(analysis_workspace / "jobs" / "sweeps"))
    assert {c.method for c in sweep.cells()} == {"linear", "hilbert"} and sweep.folds == 3
    assert next(c for c in sweep.cells() if c.method == "hilbert").losses == ("contrastive",)


def test_bad_requests_fail_with_one_sentence(analysis_workspace):
    with pytest.raises(ValueError, match="task 'mood' is not a label column"):
        train.build_job_spec(analysis_workspace, _request(task="mood"))
    with pytest.raises(ValueError, match="not a corpus or feature folder"):
        train.build_job_spec(analysis_workspace, _request(source="corpus: nope"))
    with pytest.raises(ValueError, match="folds=1"):
        _request(folds=1)
    with pytest.raises(ValueError, match="methods"):
        _request(methods=("best",))


def test_no_jobs_yet(tmp_path):
    assert train.jobs_table(tmp_path).empty


def test_live_curves_merge_chunks_and_skip_a_cut_off_line(tmp_path):
    from hilbert_core.experiments.curves import CurveWriter
    from hilbert_core.types import EpochRecord
    from hilbert_core.workspace import job_curves

    path = job_curves(tmp_path, "job1")
    path.parent.mkdir(parents=True)
    write = CurveWriter(path)
    # fold 0's models trained in two chunks (3 + 1 members); fold 1 in one
    write(EpochRecord("fold 0", 1, {"val_loss": 1.0, "mi_loss": float("nan")}, num_members=3, run="cell"))
    write(EpochRecord("fold 0", 1, {"val_loss": 2.0}, num_members=1, run="cell"))
    write(EpochRecord("fold 1", 1, {"val_loss": 3.0}, num_members=4, run="cell"))
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"label": "fold 1", "epoch": 2, "val')
    curves = train.live_curves(tmp_path, "job1")
    assert curves[["run", "epoch", "name", "folds"]].values.tolist() == [["cell", 1, "val_loss", 2]]
    assert curves["mean"].iloc[0] == pytest.approx((1.25 + 3.0) / 2)
    assert train.live_curves(tmp_path, "nojob").empty


def test_corpus_tasks_leave_out_every_reserved_column(tmp_path):
    folder = tmp_path / "corpora" / "mine"
    folder.mkdir(parents=True)
    (folder / "documents.csv").write_text(
        "document_id,subject_id,audio_path,transcript_path,num_segments,spectrum,site\n"
        "d1,s1,a.wav,a.json,3,asd,x\n",
        encoding="utf-8",
    )
    assert train.sources(tmp_path)["corpus: mine"]["tasks"] == ["spectrum", "site"]


def test_the_form_choices_come_from_the_service():
    from hilbert_core import config

    assert train.METHODS == config.METHODS and train.MODALITIES == config.MODALITIES
    assert train.AUX_LOSSES == config.AUX_LOSSES
    audio, text = train.audio_encoder_names(), train.text_encoder_names()
    assert "logmel" in audio and "minilm-l6" in text
    assert not any("<" in n for n in audio + text)  # hub models are named in the overrides box
