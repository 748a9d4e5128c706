"""recorded_run: the one open / start / fail / cancel / finish scaffold of the CLI and the jobs."""

from __future__ import annotations

import pytest

from hilbert_core.experiments.recording import JobCancelled, recorded_run
from hilbert_core.experiments.registry import RunRegistry


@pytest.fixture
def registry(tmp_path):
    return RunRegistry(tmp_path / "registry.sqlite")


def test_a_finished_block_leaves_a_done_run_with_its_results(registry):
    with recorded_run(registry, "cv", {"task": "t"}, "cpu") as run:
        run.finish({"auc_macro": 0.75}, {"report": "r.json"})
    record = registry.get(run.id)
    assert record.status == "done" and record.device == "cpu"
    assert record.artefacts == {"report": "r.json"} and registry.report(run.id)["auc_macro"] == 0.75


def test_a_failure_inside_the_block_fails_the_run_and_is_raised(registry):
    with pytest.raises(ValueError, match="bad labels"):
        with recorded_run(registry, "cv", {}, "cpu") as run:
            raise ValueError("bad labels")
    record = registry.get(run.id)
    assert record.status == "failed" and record.error == "bad labels"


def test_a_cancelled_job_cancels_its_run(registry):
    with pytest.raises(JobCancelled):
        with recorded_run(registry, "train", {}, "cpu", job_id="job1") as run:
            raise JobCancelled()
    assert registry.get(run.id).status == "cancelled"


def test_a_device_that_cannot_be_resolved_fails_the_run_instead_of_leaving_it_queued(registry):
    def bad_device() -> str:
        raise ValueError("train.device='tpu' is unknown")

    with pytest.raises(ValueError, match="tpu"):
        with recorded_run(registry, "cv", {}, bad_device):
            pytest.fail("the block must not run")
    (record,) = registry.list()
    assert record.status == "failed" and "tpu" in record.error


def test_without_a_registry_the_block_just_runs():
    with recorded_run(None, "cv", {}, "cpu") as run:
        run.finish({"auc_macro": 1.0}, {})
    assert run.id is None
