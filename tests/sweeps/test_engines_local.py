"""The local process-pool engine: a worker that dies, one GPU per worker, workers that outlive the driver.

Task functions live in this small module so that spawned workers import little.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

import hilbert_core.experiments.engines as engines
from hilbert_core.experiments.engines import LocalEngine
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.sweep import run_sweep
from hilbert_core.experiments.sweep_file import load_sweep
from hilbert_core.workspace import registry_path


def _die() -> None:
    os._exit(1)


def _device_once_both_run(folder: str) -> tuple[int, str]:
    """(pid, CUDA_VISIBLE_DEVICES) of the worker, returned only once two workers hold a task."""
    Path(folder, str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(os.listdir(folder)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.getpid(), os.environ.get("CUDA_VISIBLE_DEVICES", "")


def test_a_dead_worker_fails_the_runs_after_it_in_one_line(tmp_path, features_sweep, monkeypatch):
    engine = LocalEngine(workers=1)
    with pytest.raises(BrokenProcessPool):
        engine.submit(_die).result(timeout=120)
    later = engine.submit(pow, 2, 3)  # the pool is unusable now: a failed future, not an exception
    assert "worker process of the local engine died" in str(later.exception(timeout=0))
    monkeypatch.setattr("hilbert_core.experiments.sweep.create_engine", lambda *args: engine)
    out = run_sweep(load_sweep(features_sweep), tmp_path / "ws", engine="local")
    assert out.ran == 0 and len(out.failed) == out.cells == 4
    runs = RunRegistry(registry_path(tmp_path / "ws")).list(kind="cv")
    assert {r.status for r in runs} == {"failed"}
    assert all(
        r.error.startswith("BrokenProcessPool: a worker process") and "\n" not in r.error for r in runs
    )


def test_each_local_worker_takes_its_own_gpu(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "count_gpus", lambda: 2)
    engine = LocalEngine(workers=2)
    try:
        futures = [engine.submit(_device_once_both_run, str(tmp_path)) for _ in range(2)]
        results = [f.result(timeout=120) for f in futures]
    finally:
        engine.close()
    assert len({pid for pid, _ in results}) == 2
    assert sorted(device for _, device in results) == ["0", "1"]


def test_a_worker_whose_driver_already_died_exits():
    code = (
        "import os; from hilbert_core.experiments.engines import _die_with_parent\n"
        "_die_with_parent(os.getppid()); print('kept', flush=True)\n"
        "_die_with_parent(os.getppid() + 1); print('not reached')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (1, "kept\n"), proc.stderr
