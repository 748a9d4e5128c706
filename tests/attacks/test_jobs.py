"""Attack: more jobs than the workspace's cap; a job whose process id now belongs to another process."""

from __future__ import annotations

import pytest

from hilbert_core.experiments.jobs import get_job, start_job, wait_job
from hilbert_core.experiments.processes import own_start, process_alive
from hilbert_core.service import train
from tests.attacks.conftest import add_job_row
from tests.tiny import TINY_SET, write_tiny_features


@pytest.fixture
def features(ws):
    return write_tiny_features(ws.features_dir / "feats")  # a feature folder of the workspace


def _spec(features) -> dict:
    return {"kind": "cv", "features": str(features), "task": "label", "method": "linear", "folds": 2,
            "set": TINY_SET}  # fmt: skip


def test_a_job_started_at_the_cap_is_refused(ws, features, sleeper, monkeypatch):
    monkeypatch.setenv("HILBERT_MAX_JOBS", "1")
    add_job_row(ws, "busy00000001", {"kind": "cv"}, sleeper.pid)
    with pytest.raises(ValueError, match=r"already runs 1 job\(s\) \(busy00000001\), its cap \(setting "
                       r"max_jobs = 1\); wait for one to finish or cancel one") as info:  # fmt: skip
        start_job(ws.root, _spec(features))
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="its cap"):  # the Studio's Train page calls this
        train.start_training(ws.root, train.TrainRequest(kind="cv", source="features: feats", task="label"))
    assert [j.id for j in train.list_jobs(ws.root)] == ["busy00000001"]  # nothing was started


def test_dead_and_impostor_processes_do_not_count_against_the_cap(ws, features, sleeper, monkeypatch):
    monkeypatch.setenv("HILBERT_MAX_JOBS", "2")
    add_job_row(ws, "busy00000001", {"kind": "cv"}, sleeper.pid)
    add_job_row(ws, "dead00000001", {"kind": "cv"}, 2147483646)  # no such process
    impostor = add_job_row(ws, "reused000001", {"kind": "cv"}, sleeper.pid)  # its pid, reused by another
    import sqlite3

    with sqlite3.connect(ws.registry_path) as db:
        db.execute("UPDATE jobs SET pid_started = pid_started - 3600 WHERE id = ?", (impostor,))
    assert get_job(ws.root, "reused000001").status == "lost"  # pid alive, but not the process recorded
    assert get_job(ws.root, "busy00000001").status == "running"
    job_id = start_job(ws.root, _spec(features))  # 1 live job of 2: allowed
    assert wait_job(ws.root, job_id, timeout_s=120).status == "done"


def test_process_identity_is_pid_and_start_time(sleeper):
    from hilbert_core.experiments.processes import process_start

    started = process_start(sleeper.pid)
    assert process_alive(sleeper.pid, started)
    assert not process_alive(sleeper.pid, started - 1.0)  # same id, another process
    assert process_alive(sleeper.pid)  # the id alone: what a pid-only check would (wrongly) trust
    assert own_start() is not None
