"""Seed a workspace from the shipped demo assets: corpus, features, finished runs and the demo model.

Takes a few seconds: files are copied and the runs imported, nothing is computed. Features land in the
very folders :func:`hilbert_core.experiments.sweep.features_folder` gives for the demo sweeps (their keys
depend on the corpus's documents.csv, not its location), so the demo sweeps are done in a seeded
workspace. A marker file is written first as ``started`` and last as ``done``; an interrupted seed is
redone by the next :func:`hilbert_core.workspace.open_workspace`, and every step may safely run twice.
Seeding holds an exclusive lock (``<root>/.seed.lock``), so sessions (threads or processes) that open a
new workspace at once wait for one seed instead of racing it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..experiments.registry import RunRegistry
from ..experiments.transfer import import_runs, replace_paths
from ..io import atomic_write_text
from . import assets_store as store

logger = logging.getLogger(__name__)
MARKER = ".demo-seed.json"
LOCK_FILE = ".seed.lock"


@dataclass(frozen=True)
class SeedOutput:
    """What :func:`seed_workspace` did.

    Attributes:
        corpus: the demo corpus folder in the workspace.
        features: feature folders restored.
        runs_added: runs imported into the registry (0 when they were there already).
        models: model bundle folders copied.
        seconds: wall time.
        already: the workspace was seeded before; nothing was done.
    """

    corpus: Path
    features: int
    runs_added: int
    models: list[Path]
    seconds: float
    already: bool = False


def seed_state(root: str | Path) -> str | None:
    """``"done"``, ``"started"`` (interrupted: seed again) or None (never seeded) for a workspace root."""
    try:
        return json.loads((Path(root) / MARKER).read_text(encoding="utf-8")).get("status")
    except (OSError, json.JSONDecodeError, AttributeError):
        return None


def _copy_folder(src: Path, dst: Path, placeholder_root: Path | None = None) -> None:
    """Copy ``src`` to ``dst`` through a temporary sibling, replacing an earlier (partial) copy."""
    if not src.is_dir():
        raise ValueError(f"{src} is missing; rebuild the demo assets with `hilbert demo-assets`.")
    tmp = dst.parent / f".{dst.name}.tmp-{secrets.token_hex(4)}"
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(src, tmp)
        if placeholder_root is not None and (tmp / "bundle.json").is_file():
            meta = json.loads((tmp / "bundle.json").read_text(encoding="utf-8"))
            meta = replace_paths(meta, {store.PLACEHOLDER: str(placeholder_root)})
            atomic_write_text(tmp / "bundle.json", json.dumps(meta, indent=2, sort_keys=True))
        if dst.exists():
            shutil.rmtree(dst)
        os.replace(tmp, dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone after the rename; a partial copy otherwise


def _restore_features(assets: Path, root: Path) -> int:
    folder = assets / store.FEATURES_DIR
    index = store.read_json(folder / store.INDEX_FILE, "demo features index")
    documents = (folder / "documents.csv").read_text(encoding="utf-8")
    for entry in index:
        target = root / entry["folder"]
        target.mkdir(parents=True, exist_ok=True)
        store.unpack_feature_file(
            folder / entry["file"], target, entry["role"], documents, entry["encoders_json"]
        )
    return len(index)


@contextmanager
def seed_lock(root: str | Path) -> Iterator[None]:
    """Hold the workspace's seed lock (``fcntl.flock`` on ``<root>/.seed.lock``; blocks until free).

    Without ``fcntl`` (Windows) nothing is locked. Raises ValueError when the lock file cannot be opened.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    path = Path(root) / LOCK_FILE
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - closed below, after the lock is released
    except OSError as exc:
        raise _seed_error(Path(root), exc) from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # releases the lock


def _seed_error(root: Path, exc: OSError) -> ValueError:
    where, reason = exc.filename or root, exc.strerror or str(exc)
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _, where, reason = exc.args[0][0]  # copytree collects (src, dst, why) per file: name the first
    return ValueError(
        f"cannot seed the workspace {root} with the demo: {where} cannot be written ({reason}); "
        "free some disk space or make the workspace writable, or set HILBERT_NO_SEED=1 to skip the demo."
    )


def _clear_stale_copies(ws) -> None:
    """Remove half-copied folders (``.<name>.tmp-*``) an earlier, interrupted seed left behind."""
    for folder in (ws.corpora_dir, ws.models_dir):
        for stale in folder.glob(".*.tmp-*") if folder.is_dir() else []:
            shutil.rmtree(stale, ignore_errors=True)


def seed_if_new(ws, assets_dir: str | Path) -> SeedOutput | None:
    """Seed ``ws`` when it is new or its seed was interrupted (checked and done under the seed lock).

    Returns:
        What was done, or None when the workspace needed no seed.
    """
    with seed_lock(ws.root):
        if ws.is_empty() or seed_state(ws.root) == "started":
            return _seed(ws, Path(assets_dir), None)
    return None


def seed_workspace(
    ws, assets_dir: str | Path, progress: Callable[[float, str], None] | None = None
) -> SeedOutput:
    """Copy the demo assets into workspace ``ws`` (a :class:`hilbert_core.workspace.Workspace`).

    Raises:
        ValueError: the assets folder is incomplete or was written by a newer version, or the workspace
            cannot be written.
    """
    with seed_lock(ws.root):
        return _seed(ws, Path(assets_dir), progress)


def _seed(ws, assets: Path, progress: Callable[[float, str], None] | None) -> SeedOutput:
    root = Path(ws.root)
    try:
        return _copy_assets(ws, assets, progress or (lambda f, m: None))
    except OSError as exc:
        raise _seed_error(root, exc) from None


def _copy_assets(ws, assets: Path, progress: Callable[[float, str], None]) -> SeedOutput:
    root = Path(ws.root)
    started = time.perf_counter()
    corpus = ws.corpora_dir / store.CORPUS_NAME
    if seed_state(root) == "done":
        return SeedOutput(corpus, 0, 0, [], time.perf_counter() - started, already=True)
    manifest = store.read_json(assets / store.MANIFEST_FILE, "demo assets manifest")
    atomic_write_text(root / MARKER, json.dumps({"status": "started"}))
    _clear_stale_copies(ws)
    progress(0.0, "copying the demo corpus")
    _copy_folder(assets / store.CORPUS_DIR, corpus)
    progress(0.4, "restoring the demo features")
    num_features = _restore_features(assets, root)
    progress(0.7, "importing the demo runs")
    runs = import_runs(RunRegistry(ws.registry_path), assets / store.RUNS_FILE, {store.PLACEHOLDER: root})
    models = []
    for src in sorted((assets / store.MODELS_DIR).iterdir()) if (assets / store.MODELS_DIR).is_dir() else []:
        _copy_folder(src, ws.models_dir / src.name, placeholder_root=root)
        models.append(ws.models_dir / src.name)
    done = {"status": "done", "assets_sha256": store.sha256_file(assets / store.MANIFEST_FILE)}
    atomic_write_text(root / MARKER, json.dumps({**done, "seed": manifest.get("seed")}))
    progress(1.0, "demo workspace ready")
    out = SeedOutput(corpus, num_features, runs.added, models, time.perf_counter() - started)
    logger.info("seeded %s from %s in %.1f s (%d runs)", root, assets, out.seconds, runs.added)
    return out
