"""Background jobs: start, follow, cancel, see again later, and notice a job whose process vanished."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest

from hilbert_core.cli import main
from hilbert_core.experiments.curves import read_curves
from hilbert_core.experiments.jobs import cancel_job, get_job, list_jobs, start_job, wait_job
from hilbert_core.experiments.processes import HOST
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.service import train
from hilbert_core.workspace import job_curves, registry_path
from tests.tiny import TINY_SET

# jobs that must still be training when they are cancelled: many epochs, and no early stop
SLOW_SET = [*TINY_SET, "train.epochs=400", "train.patience=400"]


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


def test_a_cv_job_streams_one_curve_line_per_fold_and_epoch(tmp_path, feature_folder):
    ws = tmp_path / "ws"
    job = wait_job(ws, start_job(ws, _cv_spec(feature_folder, method="hilbert")), timeout_s=120)
    assert job.status == "done", open(job.log_path).read()
    (run_id,) = job.result["run_ids"]
    report = RunRegistry(registry_path(ws)).report(run_id)
    records = read_curves(ws, job.id)
    for f, history in enumerate(report["diagnostics"]):
        assert [r.epoch for r in records if r.label == f"fold {f}"] == list(range(1, len(history) + 1))
    cell = {r.run for r in records}
    assert len(cell) == 1 and "hilbert" in next(iter(cell))  # the sweep cell's label
    # a line still being written (cut off) is skipped by the reader and the service
    lines = job_curves(ws, job.id).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(records) >= 3 * 2
    with open(job_curves(ws, job.id), "a", encoding="utf-8") as out:
        out.write(lines[0][:30])
    assert read_curves(ws, job.id) == records
    live = train.live_curves(ws, job.id)
    assert set(live["run"]) == cell and set(live["folds"]) == {3} and "mi_loss" in set(live["name"])
    # once done, the page shows the stored terms: the same numbers (one model per fold)
    done = train.job_curves(ws, job.id)
    assert set(done["run"]) == {f"run {run_id}"}
    both = live.merge(done, on=["epoch", "name"], suffixes=("_live", "_done"))
    assert len(both) == len(done) and np.allclose(both["mean_live"], both["mean_done"], rtol=1e-6)


def _job_row(workspace, spec, **fields) -> str:
    """A job recorded in the registry as ``fields`` say, with no process started for it."""
    RunRegistry(registry_path(workspace))  # creates the tables
    row = {
        "id": uuid.uuid4().hex[:12],
        "kind": spec["kind"],
        "status": "queued",
        "spec_json": json.dumps(spec),
        "created_at": time.time(),
        "host": HOST,
        **fields,
    }
    with sqlite3.connect(registry_path(workspace)) as db:
        db.execute(
            f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )
    return row["id"]


def _wait_for_running_run(registry, job_id, workspace):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not registry.list(kind="cv", status="running"):
        time.sleep(0.2)
    assert registry.list(kind="cv", status="running"), open(get_job(workspace, job_id).log_path).read()


def test_sweep_job_with_cancel(tmp_path, feature_folder):
    slow = SLOW_SET
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
    _wait_for_running_run(registry, job_id, tmp_path / "ws")
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
    from hilbert_core.training.bundle import load_bundle

    bundle = load_bundle(job.result["bundle"])
    assert bundle.classes == ["class_0", "class_1", "class_2"]
    record = RunRegistry(registry_path(tmp_path / "ws")).get(job.result["run_id"])
    assert record.kind == "train" and record.artefacts["bundle"] == job.result["bundle"]
    curves = read_curves(tmp_path / "ws", job.id)
    assert {r.label for r in curves} == {"final"} and [r.epoch for r in curves][:2] == [1, 2]
    assert set(train.job_curves(tmp_path / "ws", job.id)["run"]) == {"this job"}


def test_cancelling_a_cv_job_stops_its_cell(tmp_path, feature_folder):
    # a cv job runs its cell in-process (sequential engine), whose task errors must not swallow the cancel
    ws = tmp_path / "ws"
    job_id = start_job(ws, _cv_spec(feature_folder, method="hilbert", set=SLOW_SET))
    registry = RunRegistry(registry_path(ws))
    _wait_for_running_run(registry, job_id, ws)
    # while it trains, its loss curves grow epoch by epoch
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(read_curves(ws, job_id)) < 3 * 2:
        time.sleep(0.2)
    live = train.job_curves(ws, job_id)
    assert get_job(ws, job_id).status == "running" and live["epoch"].max() >= 2
    assert not any(run.startswith("run ") for run in live["run"])
    cancel_job(ws, job_id)
    job = wait_job(ws, job_id, timeout_s=60)
    assert job.status == "cancelled", open(job.log_path).read()
    (run,) = registry.list(kind="cv")
    assert run.status == "cancelled"
    assert not train.job_curves(ws, job_id).empty  # what it streamed stays visible


def test_a_job_cancelled_before_it_started_never_runs(tmp_path, feature_folder):
    ws = tmp_path / "ws"
    job_id = _job_row(ws, _cv_spec(feature_folder))
    assert cancel_job(ws, job_id).status == "cancelled"
    # its process starting late (e.g. slow imports) finds the job cancelled and leaves it so
    proc = subprocess.run(
        [sys.executable, "-m", "hilbert_core.experiments.jobs", str(ws), job_id],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    job = get_job(ws, job_id)
    assert job.status == "cancelled" and job.started_at is None
    assert RunRegistry(registry_path(ws)).list(kind="cv") == []


def test_a_job_whose_process_is_a_zombie_is_reported_lost(tmp_path, feature_folder):
    exited = subprocess.Popen(["true"])  # not reaped until wait(): a zombie meanwhile
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _proc_state(exited.pid) != "Z":
            time.sleep(0.05)
        assert _proc_state(exited.pid) == "Z"
        job_id = _job_row(tmp_path / "ws", _cv_spec(feature_folder), status="running", pid=exited.pid)
        assert get_job(tmp_path / "ws", job_id).status == "lost"
    finally:
        exited.wait()


def _proc_state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[-1].split()[0]


def test_cancel_refuses_a_job_running_on_another_machine(tmp_path, feature_folder):
    # a live process group here with the same pid must not be signalled for a job that runs elsewhere
    bystander = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        job_id = _job_row(
            tmp_path / "ws", _cv_spec(feature_folder), status="running", pid=bystander.pid, host="elsewhere"
        )
        with pytest.raises(ValueError, match=f"job {job_id} runs on another machine \\(elsewhere"):
            cancel_job(tmp_path / "ws", job_id)
        assert bystander.poll() is None
        assert get_job(tmp_path / "ws", job_id).status == "running"
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"engine": "spark"}, "--engine 'spark' is unknown"),
        ({"engine": "local", "workers": 0}, "--workers 0 must be a whole number of at least 1"),
        ({"engine": "local", "workers": "2"}, "--workers '2' must be a whole number"),
        ({"address": "10.0.0.1:6379"}, "--address is for --engine ray"),
        ({"engine": "ray", "address": "headnode"}, "--address 'headnode' is not HOST:PORT"),
    ],
)
def test_bad_engine_settings_fail_before_a_job_starts(tmp_path, feature_folder, extra, message):
    with pytest.raises(ValueError, match=message):
        start_job(tmp_path / "ws", _cv_spec(feature_folder, **extra))
    assert not (tmp_path / "ws" / "jobs").exists()


def test_sweep_cli_refuses_zero_workers(tmp_path, features_sweep, capsys):
    args = ["sweep", str(features_sweep), "--workspace", str(tmp_path / "ws"), "--workers", "0"]
    assert main(args) == 2
    assert main([*args, "--background"]) == 2
    err = capsys.readouterr().err
    assert err.count("error: --workers 0 must be a whole number of at least 1") == 2
    assert not (tmp_path / "ws" / "registry.sqlite").exists()


def test_train_job_marks_its_run_failed_when_it_cannot_start_it(tmp_path, feature_folder, monkeypatch):
    from hilbert_core.experiments.train_job import run_train_job

    def locked(self, run_id, device):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(RunRegistry, "start", locked)
    spec = {k: v for k, v in _cv_spec(feature_folder).items() if k != "folds"} | {"kind": "train"}
    with pytest.raises(sqlite3.OperationalError):
        run_train_job(tmp_path / "ws", "job-1", spec, lambda fraction, message: None)
    (run,) = RunRegistry(registry_path(tmp_path / "ws")).list(kind="train")
    assert run.status == "failed" and run.error == "database is locked"
