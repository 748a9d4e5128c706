"""The attacks suite: what a shared server must refuse, each as a test (see the README, 'Running the
Studio for a team'). Corpora here are tiny: a few short tones and CSV files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hilbert_core.workspace import open_workspace
from tests.data.conftest import write_tone

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[2]


def write_corpus(root: Path, documents: str, audio: tuple[str, ...] = ("audio/d1.wav",)) -> Path:
    """A corpus folder: ``documents`` as documents.csv and a 1 s tone at each ``audio`` path."""
    root.mkdir(parents=True, exist_ok=True)
    for rel in audio:
        write_tone(root / rel, 1.0)
    (root / "documents.csv").write_text(documents, encoding="utf-8")
    return root


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """An empty laptop workspace (sign-in off), HILBERT_WORKSPACE pointing at it, no seeding."""
    for var in ("HILBERT_SHARED", "HILBERT_SIGN_IN", "HILBERT_IMPORT_ROOTS", "HILBERT_DATA_ROOTS",
                "HILBERT_MAX_JOBS", "HILBERT_UPLOAD_RETENTION_HOURS"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    workspace = open_workspace(tmp_path / "ws", seed=False)
    monkeypatch.setenv("HILBERT_WORKSPACE", str(workspace.root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    return workspace


@pytest.fixture
def seeded_ws(tmp_path, monkeypatch):
    """A freshly seeded demo workspace (its corpus, features, runs and model), as a new user gets it."""
    from hilbert_core.workspace import ASSETS

    if not (ASSETS / "demo" / "MANIFEST.json").is_file():
        pytest.skip("the shipped demo assets are not there")
    from hilbert_core.demo.seed import seed_workspace

    workspace = open_workspace(tmp_path / "demo_ws", seed=False)
    seed_workspace(workspace, ASSETS / "demo")
    monkeypatch.setenv("HILBERT_WORKSPACE", str(workspace.root))
    monkeypatch.setenv("HILBERT_NO_SEED", "1")
    return workspace


@pytest.fixture
def sleeper():
    """A real process in its own session (a stand-in for a job's process), killed afterwards."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def add_job_row(ws, job_id: str, spec: dict, pid: int | None, status: str = "running") -> str:
    """A job row as experiments.jobs writes it, for a process that is (or is not) alive."""
    import json
    import sqlite3
    import time

    from hilbert_core.experiments.processes import HOST, process_start
    from hilbert_core.experiments.registry import RunRegistry

    RunRegistry(ws.registry_path)  # the schema
    started = process_start(pid) if pid else None
    with sqlite3.connect(ws.registry_path) as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, spec_json, created_at, pid, pid_started, host) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, spec.get("kind", "cv"), status, json.dumps(spec), time.time(), pid, started, HOST),
        )
    return job_id
