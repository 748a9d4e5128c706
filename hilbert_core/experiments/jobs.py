"""Background jobs: start a sweep, a cross-validation or a final training, follow it, cancel it.

A job runs in its own process (its own session, so it outlives the browser tab or terminal that started
it) and writes its status, progress and result to the ``jobs`` table of the workspace's registry; anyone
can read them back later, e.g. after reopening the app. Cancelling sends SIGTERM to the job's process
group: the job marks its unfinished runs cancelled and stops its workers. A job whose process vanished
(killed, machine rebooted) is reported as ``lost``; start it again and the sweep resumes where it stopped.
A process is known by its id *and* its start time (ids are reused), so a new process that happens to get
a dead job's id does not keep that job "running".

At most ``max_jobs`` jobs (a workspace setting, default 2) run at once in a workspace: one more is
refused when it is asked for, with a one-line error. Starting and cancelling need a researcher
(:mod:`hilbert_core.access`) and are written to the audit log with who did them.

Job specs are plain JSON (:mod:`hilbert_core.experiments.job_spec`).

Loss curves stream while a job trains: every epoch of a cv or train job, and of a sweep on the
``sequential`` engine, appends one JSON line per fold (an :class:`EpochRecord`) to
``<workspace>/jobs/<job id>.curves.jsonl`` (:mod:`hilbert_core.experiments.curves`). Sweeps on the
``local`` or ``ray`` engines train in worker processes and stream none: their curves are stored with each
finished run.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..access import require
from ..audit import record
from ..workspace import job_curves, job_log, registry_path
from .curves import CurveWriter
from .engine_checks import check_engine_args
from .job_spec import JOB_KINDS, build_spec, engine_name
from .processes import HOST, own_start, process_alive, process_start
from .recording import JobCancelled
from .registry import RunRegistry

logger = logging.getLogger(__name__)
FINAL = ("done", "failed", "cancelled", "lost")
SPAWN_GRACE_S = 60.0  # a queued job without a pid yet counts against the cap this long


@dataclass(frozen=True)
class JobStatus:
    """One background job as the registry knows it."""

    id: str
    kind: str
    status: str  # queued, running, done, failed, cancelled, lost
    spec: dict[str, Any]
    progress: float
    message: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    pid: int | None
    error: str | None
    log_path: str | None
    result: dict[str, Any]
    host: str | None = None  # the machine its process runs on
    started_by: str | None = None  # who asked for it (the audit log has the rest)
    pid_started: float | None = None  # when its process started: with pid, the process's identity

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


def _registry(workspace: str | Path) -> RunRegistry:
    return RunRegistry(registry_path(workspace))


def start_job(workspace: str | Path, spec: dict[str, Any]) -> str:
    """Check ``spec``, record the job and start it in a detached process; returns the job id.

    Raises:
        ValueError: a bad spec, a user who may not train, or ``max_jobs`` jobs already running.
    """
    from ..settings import load_settings

    kind = spec.get("kind")
    if kind not in JOB_KINDS:
        raise ValueError(f"job kind {kind!r} is unknown; choose one of {', '.join(JOB_KINDS)}.")
    actor = require(workspace, "train")
    build_spec(spec)  # fail here, in the caller, on a bad spec: not later in a log file
    if kind != "train":
        check_engine_args(engine_name(spec), spec.get("workers"), spec.get("address"))
    workspace = Path(workspace).resolve()
    cap = load_settings(workspace).max_jobs
    job_id = uuid.uuid4().hex[:12]
    log_path = job_log(workspace, job_id)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with _registry(workspace).transaction() as db:  # the count and the insert under one write lock
        running = _live_jobs(db)
        if len(running) >= cap:
            raise ValueError(
                f"this workspace already runs {len(running)} job(s) ({', '.join(running)}), its cap (setting "
                f"max_jobs = {cap}); wait for one to finish or cancel one (Train page, or `hilbert jobs "
                "cancel ID`)."
            )
        db.execute(
            "INSERT INTO jobs (id, kind, status, spec_json, created_at, log_path, host, started_by) "
            "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
            (job_id, kind, json.dumps(spec), time.time(), str(log_path), HOST, actor.name),
        )
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hilbert_core.experiments.jobs", str(workspace), job_id],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the app or terminal; cancel signals its whole group
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    _update(workspace, job_id, pid=proc.pid, pid_started=process_start(proc.pid))
    record(workspace, "start job", job_id, actor, kind=kind)
    return job_id


def _live_jobs(db) -> list[str]:
    """Ids of the jobs that are queued or running and not lost (caller holds the write lock)."""
    now, live = time.time(), []
    rows = db.execute(
        "SELECT id, pid, pid_started, host, created_at FROM jobs WHERE status IN ('queued', 'running')"
    ).fetchall()
    for job_id, pid, started, host, created in rows:
        if host != HOST:  # another machine's: cannot be checked from here, so it counts
            live.append(job_id)
        elif pid is None:
            if now - created < SPAWN_GRACE_S:
                live.append(job_id)
        elif process_alive(pid, started):
            live.append(job_id)
    return live


def get_job(workspace: str | Path, job_id: str) -> JobStatus:
    jobs = _select(workspace, "WHERE id = ?", (job_id,))
    if not jobs:
        raise ValueError(
            f"job {job_id!r} is not in {registry_path(workspace)}; list jobs with `hilbert jobs`."
        )
    return jobs[0]


def list_jobs(workspace: str | Path) -> list[JobStatus]:
    """Jobs, newest first."""
    return _select(workspace, "ORDER BY created_at DESC", ())


def cancel_job(workspace: str | Path, job_id: str) -> JobStatus:
    """Stop a queued or running job (its workers too); a finished job is left as it is.

    Raises:
        ValueError: the job runs on another machine (its process can only be signalled from there).
    """
    job = get_job(workspace, job_id)
    if job.is_final:
        return job
    record(workspace, "cancel job", job_id, require(workspace, "cancel"))
    if _cancel_queued(workspace, job_id):  # its process, if already up, sees this and exits unstarted
        return get_job(workspace, job_id)
    job = get_job(workspace, job_id)  # running, or it finished in the meantime
    if job.is_final:
        return job
    if job.host is not None and job.host != HOST:
        raise ValueError(
            f"job {job_id} runs on another machine ({job.host}, this is {HOST}); cancel it there with "
            f"`hilbert jobs cancel {job_id} --workspace WORKSPACE`."
        )
    if job.pid is not None and process_alive(job.pid, job.pid_started):
        try:
            os.killpg(job.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    else:
        _update(workspace, job_id, status="cancelled", finished_at=time.time(), message="cancelled")
    return get_job(workspace, job_id)


def _cancel_queued(workspace: str | Path, job_id: str) -> bool:
    """Mark the job cancelled if it has not started yet; True when it was queued."""
    with _registry(workspace).transaction() as db:
        cur = db.execute(
            "UPDATE jobs SET status = 'cancelled', finished_at = ?, message = 'cancelled before it started' "
            "WHERE id = ? AND status = 'queued'",
            (time.time(), job_id),
        )
        return cur.rowcount == 1


def _claim_start(workspace: str | Path, job_id: str) -> bool:
    """Mark the job running, in one statement, only if it is still queued (not cancelled meanwhile)."""
    with _registry(workspace).transaction() as db:
        cur = db.execute(
            "UPDATE jobs SET status = 'running', started_at = ?, pid = ?, pid_started = ? "
            "WHERE id = ? AND status = 'queued'",
            (time.time(), os.getpid(), own_start(), job_id),
        )
        return cur.rowcount == 1


def wait_job(workspace: str | Path, job_id: str, timeout_s: float = 600.0, poll_s: float = 0.2) -> JobStatus:
    """Block until the job is final (or ``timeout_s`` passes); returns its last status."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = get_job(workspace, job_id)
        if job.is_final or time.monotonic() > deadline:
            return job
        time.sleep(poll_s)


def _select(workspace: str | Path, tail: str, args: tuple) -> list[JobStatus]:
    query = (
        "SELECT id, kind, status, spec_json, progress, message, created_at, started_at, finished_at, pid, "
        f"error, log_path, result_json, host, started_by, pid_started FROM jobs {tail}"
    )
    with _registry(workspace).connect() as db:
        rows = db.execute(query, args).fetchall()
    out = []
    for r in rows:
        status = r[2]
        if status in ("queued", "running") and r[13] == HOST and r[9] is not None:
            status = status if process_alive(r[9], r[15]) else "lost"
        out.append(JobStatus(r[0], r[1], status, json.loads(r[3]), *r[4:12], json.loads(r[12]), *r[13:]))
    return out


def _update(workspace: str | Path, job_id: str, **fields: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    with _registry(workspace).transaction() as db:
        db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))


class _Throttled:
    """Writes progress to the registry at most every ``every_s`` seconds (and always the last one)."""

    def __init__(self, workspace: Path, job_id: str, every_s: float = 0.5) -> None:
        self.workspace, self.job_id, self.every_s = workspace, job_id, every_s
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last >= self.every_s or fraction >= 1.0:
            self.last = now
            _update(self.workspace, self.job_id, progress=float(fraction), message=message[:500])


def _raise_cancelled(signum: int, frame: Any) -> None:
    raise JobCancelled()


def run_job(workspace: str | Path, job_id: str) -> int:
    """Body of a job's process (``python -m hilbert_core.experiments.jobs WORKSPACE JOB_ID``)."""
    workspace = Path(workspace)
    signal.signal(signal.SIGTERM, _raise_cancelled)
    try:
        if not _claim_start(workspace, job_id):
            logger.info("job %s was cancelled before it started; nothing to do", job_id)
            return 130
        result = _execute(workspace, get_job(workspace, job_id), _Throttled(workspace, job_id))
    except JobCancelled:
        _update(workspace, job_id, status="cancelled", finished_at=time.time(), message="cancelled")
        return 130
    except Exception as exc:  # noqa: BLE001  (recorded for the user; the traceback goes to the log)
        logger.exception("job %s failed", job_id)
        error = f"{exc}" if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        _update(workspace, job_id, status="failed", finished_at=time.time(), error=error)
        return 1
    _update(
        workspace,
        job_id,
        status="done",
        finished_at=time.time(),
        progress=1.0,
        result_json=json.dumps(result),
        message="done",
    )
    return 0


def _execute(workspace: Path, job: JobStatus, progress) -> dict[str, Any]:
    spec = job.spec
    on_epoch = CurveWriter(job_curves(workspace, job.id))
    if spec["kind"] == "train":
        from .train_job import run_train_job

        return run_train_job(workspace, job.id, spec, progress, on_epoch)
    from .sweep import run_sweep

    hooks = ()
    if spec.get("mlflow") is not None:
        from .mlflow_log import make_mlflow_hook

        hooks = (make_mlflow_hook(spec["mlflow"], workspace, spec.get("name", "hilbert")),)
    out = run_sweep(
        build_spec(spec),
        workspace,
        engine=engine_name(spec),
        workers=spec.get("workers"),
        address=spec.get("address"),
        progress=progress,
        job_id=job.id,
        hooks=hooks,
        on_epoch=on_epoch,
    )
    if out.failed and not out.ran:
        raise ValueError(f"{len(out.failed)} cell(s) failed; first: {out.failed[0][0]}: {out.failed[0][1]}")
    return {
        "cells": out.cells,
        "already_done": out.already_done,
        "ran": out.ran,
        "failed": out.failed,
        "run_ids": out.run_ids,
        "seconds": out.seconds,
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(run_job(sys.argv[1], sys.argv[2]))
