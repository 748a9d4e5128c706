"""The run registry: an embedded SQLite database (no server) recording every job and its results.

A run is ``queued`` -> ``running`` -> ``done`` | ``failed`` | ``cancelled``. Results (report JSON,
per-fold metrics) and the ``done`` status are written in one transaction, so a crash at any moment
never leaves a half-written run that looks finished. A database written by a newer schema version
is refused rather than mangled.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..access import current_actor, local_actor
from .processes import HOST, own_start, process_alive
from .registry_schema import SCHEMA_VERSION, upgrade_schema  # noqa: F401  (SCHEMA_VERSION: public)

STATUSES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(frozen=True)
class RunRecord:
    """One row of the registry."""

    id: str
    kind: str
    status: str
    cell_key: str | None
    config: dict[str, Any]
    created_at: float
    started_at: float | None
    finished_at: float | None
    device: str | None
    pid: int | None
    package_version: str
    error: str | None
    artefacts: dict[str, str]
    auc_macro: float | None = None
    host: str | None = None
    job_id: str | None = None

    @property
    def seconds(self) -> float | None:
        return (
            None
            if self.started_at is None or self.finished_at is None
            else self.finished_at - self.started_at
        )


class RunRegistry:
    """Open (or create) ``path``; raises ValueError for a registry written by a newer version."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            upgrade_schema(db, self.path)

    def transaction(self):
        """A write transaction on the registry (``BEGIN IMMEDIATE``), for the package's other tables."""
        return self._transaction()

    def connect(self):
        """A read connection on the registry."""
        return self._connect()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def create(
        self, kind: str, config: dict[str, Any], cell_key: str | None = None, job_id: str | None = None
    ) -> str:
        """Register a queued run and return its id."""
        with self._transaction() as db:
            return self._insert(db, kind, config, cell_key, job_id)

    @staticmethod
    def _insert(db, kind: str, config: dict[str, Any], cell_key: str | None, job_id: str | None) -> str:
        from ..version import __version__

        run_id = uuid.uuid4().hex[:12]
        db.execute(
            "INSERT INTO runs (id, kind, status, cell_key, config_json, created_at, package_version, job_id, "
            "pid, pid_started, host, created_by) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                kind,
                cell_key,
                json.dumps(config, sort_keys=True),
                time.time(),
                __version__,
                job_id,
                os.getpid(),
                own_start(),
                HOST,
                (current_actor(shared=False) or local_actor()).name,  # a job's process: its account
            ),
        )
        return run_id

    def claim(
        self,
        kind: str,
        config: dict[str, Any],
        cell_key: str,
        job_id: str | None = None,
        redo_done: str | None = None,
    ) -> str | None:
        """Queue a run of a sweep cell unless the cell is done or being run by a live process.

        Runs of the cell left ``queued``/``running`` by a process that is gone (killed, crashed) are
        marked failed first. ``redo_done`` (a reason, e.g. "features folder missing") demotes the
        cell's done run to failed in the same transaction, so the cell is run again. Returns the new
        run's id, or None when there is nothing to do (see :meth:`find_done` to tell done from busy).
        """
        with self._transaction() as db:
            if redo_done:
                for (run_id,) in db.execute(
                    "SELECT id FROM runs WHERE cell_key = ? AND status = 'done'", (cell_key,)
                ).fetchall():
                    self._update(db, run_id, "failed", error=f"redone: {redo_done}")
            if db.execute(
                "SELECT 1 FROM runs WHERE cell_key = ? AND status = 'done'", (cell_key,)
            ).fetchone():
                return None
            for run_id, pid, started, host in db.execute(
                "SELECT id, pid, pid_started, host FROM runs "
                "WHERE cell_key = ? AND status IN ('queued', 'running')",
                (cell_key,),
            ).fetchall():
                if pid is not None and pid != os.getpid() and host == HOST and process_alive(pid, started):
                    return None
                self._update(
                    db, run_id, "failed", finished_at=time.time(), error="interrupted (its process is gone)"
                )
            return self._insert(db, kind, config, cell_key, job_id)

    def start(self, run_id: str, device: str) -> None:
        fields = {"started_at": time.time(), "device": device, "pid": os.getpid(), "pid_started": own_start()}
        self._set(run_id, "running", **fields, host=HOST)

    def finish(
        self,
        run_id: str,
        report: dict[str, Any],
        artefacts: dict[str, str] | None = None,
        device: str | None = None,
    ) -> bool:
        """Store a run's report and mark it done, in one transaction.

        Returns False (and marks the run cancelled) when another run finished the same sweep cell
        first: the database keeps every cell done at most once.
        """
        try:
            self._store(run_id, report, artefacts, device)
        except sqlite3.IntegrityError:
            self._set(
                run_id, "cancelled", finished_at=time.time(), error="duplicate: the cell was done elsewhere"
            )
            return False
        return True

    def _store(
        self, run_id: str, report: dict[str, Any], artefacts: dict[str, str] | None, device: str | None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO results (run_id, auc_macro, auc_mean, auc_sd, report_json) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    run_id,
                    report.get("auc_macro"),
                    report.get("auc_mean"),
                    report.get("auc_sd"),
                    json.dumps(report),
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO fold_metrics (run_id, fold, auc) VALUES (?, ?, ?)",
                [(run_id, f, auc) for f, auc in enumerate(report.get("fold_auc", []))],
            )
            extra = {"device": device} if device else {}
            self._update(
                db,
                run_id,
                "done",
                finished_at=time.time(),
                artefacts_json=json.dumps(artefacts or {}),
                **extra,
            )

    def interrupt_stale(self) -> int:
        """Mark runs whose process on this host is gone as failed; returns how many."""
        with self._transaction() as db:
            stale = [
                run_id
                for run_id, pid, started in db.execute(
                    "SELECT id, pid, pid_started FROM runs "
                    "WHERE status IN ('queued', 'running') AND host = ?",
                    (HOST,),
                ).fetchall()
                if pid is not None and not process_alive(pid, started)
            ]
            for run_id in stale:
                self._update(
                    db, run_id, "failed", finished_at=time.time(), error="interrupted (its process is gone)"
                )
        return len(stale)

    def fail(self, run_id: str, error: str) -> None:
        self._set(run_id, "failed", finished_at=time.time(), error=error)

    def cancel(self, run_id: str) -> None:
        self._set(run_id, "cancelled", finished_at=time.time())

    def _set(self, run_id: str, status: str, **fields: Any) -> None:
        with self._transaction() as db:
            self._update(db, run_id, status, **fields)

    @staticmethod
    def _update(db: sqlite3.Connection, run_id: str, status: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in ["status", *fields])
        cur = db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (status, *fields.values(), run_id))
        if cur.rowcount != 1:
            raise ValueError(f"run {run_id!r} is not in {db.execute('PRAGMA database_list').fetchone()[2]}.")

    def get(self, run_id: str) -> RunRecord:
        rows = self._select("WHERE runs.id = ?", (run_id,))
        if not rows:
            raise ValueError(f"run {run_id!r} is not in {self.path}; list runs with `hilbert runs`.")
        return rows[0]

    def list(self, kind: str | None = None, status: str | None = None) -> list[RunRecord]:
        """Runs, newest first, optionally filtered."""
        clauses, args = [], []
        for column, value in (("kind", kind), ("status", status)):
            if value is not None:
                clauses.append(f"runs.{column} = ?")
                args.append(value)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._select(where + " ORDER BY runs.created_at DESC", tuple(args))

    def find_done(self, cell_key: str) -> RunRecord | None:
        """The finished run of a sweep cell, if any (so finished work is never redone)."""
        rows = self._select("WHERE runs.cell_key = ? AND runs.status = 'done'", (cell_key,))
        return rows[0] if rows else None

    def report(self, run_id: str) -> dict[str, Any]:
        with self._connect() as db:
            row = db.execute("SELECT report_json FROM results WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"run {run_id!r} has no results (status {self.get(run_id).status}).")
        return json.loads(row[0])

    def _select(self, tail: str, args: tuple) -> list[RunRecord]:
        query = (
            "SELECT runs.id, kind, status, cell_key, config_json, created_at, started_at, finished_at, "
            "device, pid, package_version, error, artefacts_json, results.auc_macro, host, job_id FROM runs "
            f"LEFT JOIN results ON results.run_id = runs.id {tail}"
        )
        with self._connect() as db:
            rows = db.execute(query, args).fetchall()
        return [RunRecord(*r[:4], json.loads(r[4]), *r[5:12], json.loads(r[12]), *r[13:]) for r in rows]

    def done_results(self, kind: str = "cv") -> list[tuple[RunRecord, dict[str, Any]]]:
        """Every finished run of ``kind`` with its report, oldest first (what ``hilbert report`` reads)."""
        with self._connect() as db:
            reports = dict(
                db.execute(
                    "SELECT results.run_id, report_json FROM results JOIN runs ON runs.id = results.run_id "
                    "WHERE runs.kind = ? AND runs.status = 'done'",
                    (kind,),
                ).fetchall()
            )
        runs = self._select("WHERE runs.kind = ? AND runs.status = 'done' ORDER BY runs.created_at", (kind,))
        return [(r, json.loads(reports[r.id])) for r in runs if r.id in reports]
