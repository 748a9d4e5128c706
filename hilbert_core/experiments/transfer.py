"""Move finished runs between registries: export to one gzipped JSON file, import them elsewhere.

Paths inside a run (corpus roots, feature folders, bundles) are written with placeholders
(``{"/home/me/ws": "${WORKSPACE}"}``) and filled in on import (``{"${WORKSPACE}": "/new/ws"}``), so the
demo runs built in one folder show up in every researcher's workspace. Run ids are kept; importing a
file twice adds nothing, and a cell already done in the target registry keeps its own run.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..io import atomic_write_bytes
from .registry import RunRegistry

FORMAT = "hilbert-runs"
FORMAT_VERSION = 1
KINDS = ("extract", "cv", "train")
_RUN_FIELDS = (
    "id",
    "kind",
    "status",
    "cell_key",
    "config_json",
    "created_at",
    "started_at",
    "finished_at",
    "device",
    "package_version",
    "error",
    "artefacts_json",
)


@dataclass(frozen=True)
class ImportOutput:
    """What :func:`import_runs` did: runs ``added``, and runs ``skipped`` (already there, or cell done)."""

    added: int
    skipped: int


def replace_paths(value: Any, mapping: Mapping[str, str]) -> Any:
    """``value`` (JSON-like) with every occurrence of each key of ``mapping`` in its strings replaced."""
    if isinstance(value, str):
        for old, new in mapping.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [replace_paths(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: replace_paths(v, mapping) for k, v in value.items()}
    return value


def export_runs(
    registry: RunRegistry,
    path: str | Path,
    root_placeholders: Mapping[str, str],
    kinds: tuple[str, ...] = KINDS,
) -> int:
    """Write the registry's finished runs of ``kinds`` (with results and fold metrics) to ``path``.

    Args:
        root_placeholders: real path -> placeholder, e.g. ``{"/tmp/build": "${WORKSPACE}"}``. Longer
            paths are replaced first.

    Returns:
        The number of runs written.
    """
    mapping = {str(k): v for k, v in sorted(root_placeholders.items(), key=lambda kv: -len(str(kv[0])))}
    marks = ",".join("?" * len(kinds))
    with registry.connect() as db:
        rows = db.execute(
            f"SELECT {', '.join(_RUN_FIELDS)} FROM runs WHERE status = 'done' AND kind IN ({marks}) "
            "ORDER BY created_at, id",
            kinds,
        ).fetchall()
        results = {
            r[0]: r[1:]
            for r in db.execute("SELECT run_id, auc_macro, auc_mean, auc_sd, report_json FROM results")
        }
        folds: dict[str, list[list]] = {}
        for run_id, fold, auc in db.execute("SELECT run_id, fold, auc FROM fold_metrics ORDER BY fold"):
            folds.setdefault(run_id, []).append([fold, auc])
    runs = []
    for row in rows:
        run = dict(zip(_RUN_FIELDS, row, strict=True))
        run["config"] = json.loads(run.pop("config_json"))
        run["artefacts"] = json.loads(run.pop("artefacts_json"))
        if run["id"] in results:
            auc_macro, auc_mean, auc_sd, report = results[run["id"]]
            run["result"] = {
                "auc_macro": auc_macro,
                "auc_mean": auc_mean,
                "auc_sd": auc_sd,
                "report": json.loads(report),
            }
        run["folds"] = folds.get(run["id"], [])
        runs.append(replace_paths(run, mapping))
    body = {"format": FORMAT, "version": FORMAT_VERSION, "runs": runs}
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    atomic_write_bytes(path, gzip.compress(data, compresslevel=9, mtime=0))
    return len(runs)


def read_runs_file(path: str | Path) -> list[dict[str, Any]]:
    """The runs of an export file; raises ValueError naming the file for anything unreadable or newer."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the runs file ({exc.strerror or exc}).") from None
    try:
        body = json.loads(gzip.decompress(data))
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(
            f"{path} is not a gzipped JSON runs file; export it again with export_runs."
        ) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("runs"), list):
        raise ValueError(f"{path} is not a {FORMAT} file; export it again with export_runs.")
    version = body.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path} has runs format version {version!r} but this hilbert-studio reads up to "
            f"{FORMAT_VERSION}; upgrade hilbert-studio to import it."
        )
    return body["runs"]


def import_runs(registry: RunRegistry, path: str | Path, roots: Mapping[str, str | Path]) -> ImportOutput:
    """Add the runs of an export file to ``registry``, in one transaction.

    Args:
        roots: placeholder -> real path, e.g. ``{"${WORKSPACE}": "/home/me/ws"}``.

    Raises:
        ValueError: the file is unreadable, not a runs file, or of a newer format.
    """
    mapping = {k: str(v) for k, v in roots.items()}
    runs = [replace_paths(r, mapping) for r in read_runs_file(path)]
    added = 0
    with registry.transaction() as db:
        for run in runs:
            if db.execute("SELECT 1 FROM runs WHERE id = ?", (run["id"],)).fetchone():
                continue
            if (
                run.get("cell_key")
                and db.execute(
                    "SELECT 1 FROM runs WHERE cell_key = ? AND status = 'done'", (run["cell_key"],)
                ).fetchone()
            ):
                continue
            _insert(db, run)
            added += 1
    return ImportOutput(added=added, skipped=len(runs) - added)


def _insert(db, run: dict[str, Any]) -> None:
    values = {k: run.get(k) for k in _RUN_FIELDS if k not in ("config_json", "artefacts_json")}
    values["config_json"] = json.dumps(run.get("config", {}), sort_keys=True)
    values["artefacts_json"] = json.dumps(run.get("artefacts", {}))
    columns = list(values)
    db.execute(
        f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [values[c] for c in columns],
    )
    result = run.get("result")
    if result is not None:
        db.execute(
            "INSERT INTO results (run_id, auc_macro, auc_mean, auc_sd, report_json) VALUES (?, ?, ?, ?, ?)",
            (
                run["id"],
                result.get("auc_macro"),
                result.get("auc_mean"),
                result.get("auc_sd"),
                json.dumps(result.get("report", {})),
            ),
        )
    db.executemany(
        "INSERT INTO fold_metrics (run_id, fold, auc) VALUES (?, ?, ?)",
        [(run["id"], int(f), auc) for f, auc in run.get("folds", [])],
    )
