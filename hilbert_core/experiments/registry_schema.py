"""The run registry's SQLite schema and its upgrades (version in ``PRAGMA user_version``).

An upgrade is one transaction: every table, index and column it adds and the new version number are
committed together, or (on any error, or a kill) none of them is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 3
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
# Schema 2: a sweep cell is done at most once (enforced by the database), runs know their host and
# background job, and background jobs have their own table (see hilbert_core.experiments.jobs).
_SCHEMA_2 = """
CREATE UNIQUE INDEX IF NOT EXISTS runs_done_once ON runs (cell_key) WHERE status = 'done';
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    pid INTEGER,
    host TEXT,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT,
    log_path TEXT,
    result_json TEXT NOT NULL DEFAULT '{}'
);
"""
_RUN_COLUMNS_2 = {"host": "TEXT", "job_id": "TEXT"}
# Schema 3: a process is known by its id and its start time (ids are reused); runs and jobs record who
# asked for them.
_RUN_COLUMNS_3 = {"pid_started": "REAL", "created_by": "TEXT"}
_JOB_COLUMNS_3 = {"pid_started": "REAL", "started_by": "TEXT"}


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _add_columns(db: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    for column, sql_type in columns.items():
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")


def _upgrade(db: sqlite3.Connection) -> None:
    """Every step from any older version to :data:`SCHEMA_VERSION` (each one safe to repeat)."""
    for statement in _statements(_SCHEMA):
        db.execute(statement)
    _add_columns(db, "runs", _RUN_COLUMNS_2)
    for statement in _statements(_SCHEMA_2):
        db.execute(statement)
    _add_columns(db, "runs", _RUN_COLUMNS_3)
    _add_columns(db, "jobs", _JOB_COLUMNS_3)


def upgrade_schema(db: sqlite3.Connection, path: Path) -> None:
    """Bring the registry open on ``db`` to :data:`SCHEMA_VERSION`; a current one is left untouched.

    Raises:
        ValueError: the registry was written by a newer version.
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{path} was written by a newer hilbert-studio (registry schema {version}, "
            f"this version reads up to {SCHEMA_VERSION}); upgrade hilbert-studio or use another "
            "workspace."
        )
    if version == SCHEMA_VERSION:  # nothing to write: a read-only workspace opens too
        return
    db.execute("BEGIN IMMEDIATE")  # one transaction (executescript would commit statement by statement)
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:  # not done meanwhile
            _upgrade(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
