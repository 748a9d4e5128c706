"""Delete a corpus and everything derived from it, after counting what goes.

Derived from the corpus ``corpora/<name>``:

- the corpus folder (for a linked corpus, its copies in the workspace: never the folder it links to);
- feature stores (``features/``) whose tag matches its documents.csv, that are named after it, or that
  its runs recorded;
- segment-feature cache entries written for it (listed in ``cache/owners/``);
- runs whose config or artefacts name the corpus or those stores, with their reports (per-document
  labels and out-of-fold probabilities) and fold metrics;
- background jobs whose spec or sweep file names it, or that recorded those runs: their rows, logs, loss
  curves and sweep files;
- model bundles trained on it (and the runs that trained them), and the cached 2-D projections
  (``cache/embeddings/``) of those models.

A corpus used by a queued or running job is not deleted (the message names the job and how to cancel
it): stopping someone's training as a side effect is worse than asking first. The registry rows go in
one transaction with SQLite's ``secure_delete`` on, then the database is compacted (``VACUUM``, unless a
job holds it) and the write-ahead log truncated, so the database file keeps no copy of the deleted
reports. MLflow logs (opt-in, ``--mlflow``) are not
touched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .access import require
from .audit import record
from .encoders.cache import owner_list
from .io import temp_path
from .workspace import Workspace, embeddings_cache, job_curves, store_matches

logger = logging.getLogger(__name__)
LIVE = ("queued", "running")


@dataclass(frozen=True)
class CorpusFootprint:
    """What deleting a corpus removes (and whether a job stops it)."""

    name: str
    paths: tuple[Path, ...]  # files and folders, the corpus folder first
    run_ids: tuple[str, ...]
    job_ids: tuple[str, ...]
    models: tuple[str, ...]
    features: tuple[str, ...]
    cache_entries: int
    embeddings: int
    num_files: int
    num_bytes: int
    busy_jobs: tuple[str, ...]  # queued or running jobs that use it

    def summary(self) -> str:
        """One line: what goes, counted."""
        parts = [
            _count(len(self.features), "feature store"),
            _count(self.cache_entries, "cache entry", "cache entries"),
            f"{_count(len(self.run_ids), 'run')} with their reports",
            f"{_count(len(self.job_ids), 'job')} with their logs", _count(len(self.models), "model"),
            _count(self.embeddings, "embedding projection"),
        ]  # fmt: skip
        return (
            f"corpus {self.name!r}: its folder, {', '.join(parts)}: {self.num_files} files, "
            f"{self.num_bytes / 1e6:.1f} MB"
        )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


@dataclass(frozen=True)
class DeleteOutput:
    footprint: CorpusFootprint
    seconds: float


def _forms(path: Path) -> set[str]:
    return {os.path.abspath(path), os.path.realpath(path)}


def _mentions(value: Any, targets: set[str]) -> bool:
    """Whether any string inside ``value`` (JSON-like) is one of ``targets`` or a path inside one."""
    if isinstance(value, str):
        return any(value == t or value.startswith(t.rstrip("/") + "/") for t in targets)
    if isinstance(value, dict):
        return any(_mentions(v, targets) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_mentions(v, targets) for v in value)
    return False


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _stores(ws: Workspace, name: str, corpus: Path) -> list[Path]:
    if not ws.features_dir.is_dir():
        return []
    fingerprint = hashlib.sha256((corpus / "documents.csv").read_bytes()).hexdigest()[:16]
    own = re.compile(rf"{re.escape(name)}-[0-9a-f]{{8}}")
    return sorted(
        s for s in ws.features_dir.iterdir()
        if s.is_dir() and not s.name.startswith(".")
        and (store_matches(s, fingerprint) or own.fullmatch(s.name))
    )  # fmt: skip


def _sweep_file(spec: dict[str, Any]) -> Any:
    path = spec.get("sweep_file")
    if not path or not Path(path).is_file():
        return None
    import yaml

    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _registry_matches(ws: Workspace, targets: set[str]):
    """(runs, jobs) of the registry that use the corpus; ``jobs`` are JobStatus objects."""
    if not ws.registry_path.is_file():
        return [], []
    from .experiments.jobs import list_jobs
    from .experiments.registry import RunRegistry

    runs = [r for r in RunRegistry(ws.registry_path).list() if _mentions([r.config, r.artefacts], targets)]
    run_jobs = {r.job_id for r in runs if r.job_id}
    jobs = [
        j for j in list_jobs(ws.root)
        if j.id in run_jobs or _mentions(j.spec, targets) or _mentions(_sweep_file(j.spec), targets)
    ]  # fmt: skip
    return runs, jobs


def _models(ws: Workspace, targets: set[str], run_artefacts: list[dict]) -> list[Path]:
    listed = {os.path.abspath(a["bundle"]) for a in run_artefacts if a.get("bundle")}
    info = {m: (_read_json(m / "bundle.json") or {}).get("info") for m in ws.models()}
    return [m for m, i in info.items() if os.path.abspath(m) in listed or _mentions(i, targets)]


def _embeddings(ws: Workspace, models: list[Path], documents: set[str]) -> list[Path]:
    folder = embeddings_cache(ws.root, "x").parent
    gone = {os.path.abspath(m) for m in models}
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = _read_json(path) or {}
        model = data.get("model_dir")
        ids = set(map(str, (data.get("frame") or {}).get("document_id", [])))
        # older projections do not name their model: those of this corpus's documents only go too
        if (model and os.path.abspath(model) in gone) or (not model and ids and ids <= documents):
            out.append(path)
    return out


def _cache_entries(ws: Workspace, corpus: Path) -> tuple[list[Path], list[Path]]:
    lists = sorted({owner_list(ws.cache_dir, form) for form in _forms(corpus)})
    entries = []
    for listing in lists:
        if listing.is_file():
            lines = listing.read_text(encoding="utf-8").splitlines()
            entries += [ws.cache_dir / line for line in dict.fromkeys(lines) if line and ".." not in line]
    return [e for e in entries if e.is_file()], [x for x in lists if x.is_file()]


def _size(paths: list[Path]) -> tuple[int, int]:
    files = size = 0
    for path in paths:
        items = [path] if path.is_symlink() or path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        files += len(items)
        size += sum(p.lstat().st_size for p in items)
    return files, size


def corpus_footprint(ws: Workspace, name: str) -> CorpusFootprint:
    """Count what :func:`delete_corpus` would remove; raises ValueError when there is no such corpus."""
    from .data.corpus import read_csv_table
    from .data.importing import corpus_path

    corpus = corpus_path(ws, name)
    if not (corpus / "documents.csv").is_file():
        known = ", ".join(p.name for p in ws.corpora()) or "none"
        raise ValueError(f"the workspace has no corpus called {name!r}; corpora: {known}.")
    stores = _stores(ws, name, corpus)
    targets = set().union(*(_forms(p) for p in [corpus, *stores]))
    runs, jobs = _registry_matches(ws, targets)
    recorded = {Path(r.artefacts["features"]).parent for r in runs if r.artefacts.get("features")}
    stores += sorted(s for s in recorded if s.parent == ws.features_dir and s.is_dir() and s not in stores)
    models = _models(ws, targets, [r.artefacts for r in runs] + [j.result for j in jobs])
    if models:  # and the runs that made those models (a final training names its bundle only)
        runs, jobs = _registry_matches(ws, targets.union(*(_forms(m) for m in models)))
    documents = set(read_csv_table(corpus / "documents.csv")["document_id"].dropna().astype(str))
    embeddings = _embeddings(ws, models, documents)
    entries, lists = _cache_entries(ws, corpus)
    candidates = [
        p for j in jobs for p in (j.log_path, job_curves(ws.root, j.id), j.spec.get("sweep_file")) if p
    ]  # fmt: skip
    job_files = [Path(p) for p in candidates if Path(p).is_file() and ws.jobs_dir in Path(p).parents]
    paths = tuple(dict.fromkeys([corpus, *stores, *models, *entries, *lists, *embeddings, *job_files]))
    num_files, num_bytes = _size(list(paths))
    return CorpusFootprint(
        name=name, paths=paths, run_ids=tuple(r.id for r in runs), job_ids=tuple(j.id for j in jobs),
        models=tuple(m.name for m in models), features=tuple(sorted({s.name for s in stores})),
        cache_entries=len(entries), embeddings=len(embeddings), num_files=num_files, num_bytes=num_bytes,
        busy_jobs=tuple(j.id for j in jobs if j.status in LIVE),
    )  # fmt: skip


def _refuse_busy(name: str, busy: tuple[str, ...] | list[str]) -> None:
    if busy:
        raise ValueError(
            f"corpus {name!r} is used by job {busy[0]}, which is still queued or running; cancel it first "
            f"(Train page, or `hilbert jobs cancel {busy[0]}`), then delete the corpus again."
        )


def _drop_rows(ws: Workspace, fp: CorpusFootprint, corpus: Path) -> Path:
    """Hide the corpus folder and delete its registry rows in one transaction; returns the hidden folder."""
    hidden = temp_path(ws.corpora_dir, f"{fp.name}.deleting")
    if not ws.registry_path.is_file():
        os.rename(corpus, hidden)
        return hidden
    from .experiments.jobs import list_jobs
    from .experiments.registry import RunRegistry

    registry = RunRegistry(ws.registry_path)
    with registry.transaction() as db:  # the write lock: no job starts or finishes meanwhile
        db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
        _refuse_busy(fp.name, [j.id for j in list_jobs(ws.root) if j.id in fp.job_ids and j.status in LIVE])
        marks = lambda ids: ", ".join("?" * len(ids))  # noqa: E731
        if fp.run_ids:  # results and fold metrics go with them (ON DELETE CASCADE)
            db.execute(f"DELETE FROM runs WHERE id IN ({marks(fp.run_ids)})", fp.run_ids)
        if fp.job_ids:
            db.execute(f"DELETE FROM jobs WHERE id IN ({marks(fp.job_ids)})", fp.job_ids)
        os.rename(corpus, hidden)  # last: a failure above leaves everything as it was
    with registry.connect() as db:
        db.execute("PRAGMA busy_timeout = 2000")
        try:  # give the freed (zeroed) pages back; skipped while a job holds the database
            db.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            logger.info("registry not compacted now (%s); its deleted rows are zeroed", exc)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy of the old pages in the WAL file
    return hidden


def delete_corpus(ws: Workspace, name: str) -> DeleteOutput:
    """Delete the corpus ``name`` and everything derived from it (see the module docstring).

    Raises:
        ValueError: no such corpus, a user who may not delete, or a queued or running job uses it.
    """
    start = time.perf_counter()
    actor = require(ws.root, "delete")
    fp = corpus_footprint(ws, name)
    _refuse_busy(name, fp.busy_jobs)
    corpus = fp.paths[0]
    hidden = _drop_rows(ws, fp, corpus)
    for path in (hidden, *fp.paths[1:]):
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)  # a (legacy) linked corpus: the link, never what it points to
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    record(
        ws.root, "delete corpus", name, actor, files=fp.num_files, bytes=fp.num_bytes, runs=len(fp.run_ids),
        jobs=len(fp.job_ids), models=len(fp.models),
    )  # fmt: skip
    logger.info("deleted %s", fp.summary())
    return DeleteOutput(fp, time.perf_counter() - start)
