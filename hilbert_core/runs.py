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

SCHEMA_VERSION = 1
STATUSES = ("queued", "running", "done", "failed", "cancelled")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    cell_key TEXT,
    config_json TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    device TEXT,
    pid INTEGER,
    package_version TEXT NOT NULL,
    error TEXT,
    artefacts_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_cell ON runs (cell_key, status);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    auc_macro REAL,
    auc_mean REAL,
    auc_sd REAL,
    report_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fold_metrics (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fold INTEGER NOT NULL,
    auc REAL,
    PRIMARY KEY (run_id, fold)
);
"""


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
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ValueError(
                    f"{self.path} was written by a newer hilbert-studio (registry schema {version}, "
                    f"this version reads up to {SCHEMA_VERSION}); upgrade hilbert-studio or use another "
                    "workspace."
                )
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    def create(self, kind: str, config: dict[str, Any], cell_key: str | None = None) -> str:
        """Register a queued run and return its id."""
        from . import __version__

        run_id = uuid.uuid4().hex[:12]
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (id, kind, status, cell_key, config_json, created_at, package_version) "
                "VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (run_id, kind, cell_key, json.dumps(config, sort_keys=True), time.time(), __version__),
            )
        return run_id

    def start(self, run_id: str, device: str) -> None:
        self._set(run_id, "running", started_at=time.time(), device=device, pid=os.getpid())

    def finish(self, run_id: str, report: dict[str, Any], artefacts: dict[str, str] | None = None) -> None:
        """Store a run's report and mark it done, in one transaction."""
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
            self._update(
                db, run_id, "done", finished_at=time.time(), artefacts_json=json.dumps(artefacts or {})
            )

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
            "device, pid, package_version, error, artefacts_json, results.auc_macro FROM runs "
            f"LEFT JOIN results ON results.run_id = runs.id {tail}"
        )
        with self._connect() as db:
            rows = db.execute(query, args).fetchall()
        return [
            RunRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                json.loads(r[4]),
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                json.loads(r[12]),
                r[13],
            )
            for r in rows
        ]
