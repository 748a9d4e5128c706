"""Background jobs: start, follow, cancel, see again later, and notice a job whose process vanished."""

from __future__ import annotations

import sqlite3
import time

import pytest

from hilbert_core.cli import main
from hilbert_core.jobs import cancel_job, get_job, list_jobs, start_job, wait_job
from hilbert_core.runs import RunRegistry
from hilbert_core.sweep import registry_path
from tests.sweeps.conftest import TINY_SET


def _cv_spec(feature_folder, **extra):
    return {
        "kind": "cv",
        "features": str(feature_folder),
        "task": "label",
        "method": "transfer",
        "folds": 3,
        "set": TINY_SET,
        **extra,
    }


def test_cv_job_runs_in_the_background_and_lands_in_the_registry(tmp_path, feature_folder, capsys):
    job_id = start_job(tmp_path / "ws", _cv_spec(feature_folder))
    job = wait_job(tmp_path / "ws", job_id, timeout_s=120)
    assert job.status == "done", open(job.log_path).read()
    assert job.progress == 1.0 and job.result["ran"] == 1
    (run_id,) = job.result["run_ids"]
    record = RunRegistry(registry_path(tmp_path / "ws")).get(run_id)
    assert record.status == "done" and record.job_id == job_id
    # seen again later, e.g. from a new browser session or the command line
    assert [j.id for j in list_jobs(tmp_path / "ws")] == [job_id]
    assert main(["jobs", "show", job_id, "--workspace", str(tmp_path / "ws")]) == 0
    assert f"{job_id} cv done 100%" in capsys.readouterr().out


def test_sweep_job_with_cancel(tmp_path, feature_folder):
    slow = [*TINY_SET, "train.epochs=400", "train.patience=400"]
    sweep = tmp_path / "slow.yaml"
    sweep.write_text(
        f"corpora:\n  - features: {feature_folder}\n    tasks: [label]\nmethods: [hilbert]\n"
        f"seeds: [0, 1, 2, 3]\nfolds: 3\nset: [{', '.join(slow)}]\n",
        encoding="utf-8",
    )
    job_id = start_job(
        tmp_path / "ws", {"kind": "sweep", "sweep_file": str(sweep), "engine": "local", "workers": 2}
    )
    registry = RunRegistry(registry_path(tmp_path / "ws"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not registry.list(kind="cv", status="running"):
        time.sleep(0.2)
    assert registry.list(kind="cv", status="running"), open(get_job(tmp_path / "ws", job_id).log_path).read()
    cancel_job(tmp_path / "ws", job_id)
    job = wait_job(tmp_path / "ws", job_id, timeout_s=60)
    assert job.status == "cancelled"
    statuses = {r.status for r in registry.list(kind="cv")}
    assert "running" not in statuses and "queued" not in statuses and "cancelled" in statuses


def test_a_job_whose_process_is_gone_is_reported_lost(tmp_path, feature_folder):
    job_id = start_job(tmp_path / "ws", _cv_spec(feature_folder))
    wait_job(tmp_path / "ws", job_id, timeout_s=120)
    with sqlite3.connect(registry_path(tmp_path / "ws")) as db:
        db.execute("UPDATE jobs SET status = 'running', pid = 2147483646 WHERE id = ?", (job_id,))
    assert get_job(tmp_path / "ws", job_id).status == "lost"


def test_bad_job_specs_fail_before_anything_starts(tmp_path, feature_folder):
    with pytest.raises(ValueError, match="job kind 'fit' is unknown"):
        start_job(tmp_path / "ws", {"kind": "fit"})
    with pytest.raises(ValueError, match="methods: 'best' is unknown"):
        start_job(tmp_path / "ws", _cv_spec(feature_folder, method="best"))
    assert not (tmp_path / "ws" / "registry.sqlite").exists() or list_jobs(tmp_path / "ws") == []


def test_train_job_saves_a_bundle(tmp_path, feature_folder):
    spec = {k: v for k, v in _cv_spec(feature_folder).items() if k != "folds"} | {"kind": "train"}
    job = wait_job(tmp_path / "ws", start_job(tmp_path / "ws", spec), timeout_s=120)
    assert job.status == "done", open(job.log_path).read()
    from hilbert_core.bundle import load_bundle

    bundle = load_bundle(job.result["bundle"])
    assert bundle.classes == ["class_0", "class_1", "class_2"]
    record = RunRegistry(registry_path(tmp_path / "ws")).get(job.result["run_id"])
    assert record.kind == "train" and record.artefacts["bundle"] == job.result["bundle"]
