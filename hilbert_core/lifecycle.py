"""Housekeeping of a workspace: temporary folders a killed process left, and expired interview uploads.

- :func:`remove_stale_temp` deletes the hidden temporary files and folders of imports, unzips, bundle
  and corpus replacements, and atomic writes whose process is gone (named by
  :func:`hilbert_core.io.temp_path`, with the process id), or, for names without one, that are older
  than :data:`UNNAMED_TEMP_AGE_S`. Run when the Studio opens a workspace, and by
  ``hilbert workspace clean``.
- :func:`remove_expired_uploads` deletes the upload folders of browser sessions not written to for the
  workspace's ``upload_retention_hours`` (default 24).
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .experiments.processes import process_alive
from .io import TEMP_NAME
from .workspace import Workspace

logger = logging.getLogger(__name__)
UNNAMED_TEMP_AGE_S = 3600.0
# temporaries named without a process id: mkstemp files of atomic writes, older imports and seed copies
UNNAMED_TEMP = re.compile(
    r"^\.(.+\.[a-z0-9_]{8}\.tmp|import-[0-9a-f]{8}|unzip-[0-9a-f]{8}|.+\.tmp-[0-9a-f]{8})$"
)
SESSION_ID = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass(frozen=True)
class CleanOutput:
    """What :func:`remove_stale_temp` and :func:`remove_expired_uploads` removed."""

    temporaries: int
    uploads: int


def _scanned(ws: Workspace) -> list[Path]:
    """The folders the Studio writes temporaries in (never deep inside a corpus's own sub-folders)."""
    folders = [ws.root, ws.corpora_dir, ws.models_dir, ws.features_dir, ws.jobs_dir, ws.jobs_dir / "sweeps",
               ws.cache_dir, ws.cache_dir / "embeddings", ws.uploads_dir, ws.exports_dir]  # fmt: skip
    for parent, depth in ((ws.corpora_dir, 1), (ws.features_dir, 2), (ws.uploads_dir, 2)):
        level = [parent]
        for _ in range(depth):
            level = [c for p in level if p.is_dir() for c in p.iterdir() if c.is_dir() and not c.is_symlink()]
            folders += [c for c in level if not c.name.startswith(".")]
    return [f for f in folders if f.is_dir()]


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether a temporary's writer is gone (a dead process id in its name, or an unnamed old one)."""
    match = TEMP_NAME.match(path.name)
    if match:
        return not process_alive(int(match["pid"]))
    if UNNAMED_TEMP.match(path.name):
        try:
            age = (now or time.time()) - path.lstat().st_mtime
        except OSError:
            return False
        return age > UNNAMED_TEMP_AGE_S
    return False


def remove_stale_temp(ws: Workspace) -> int:
    """Delete the stale temporaries of the workspace; returns how many went."""
    removed, now = 0, time.time()
    for folder in _scanned(ws):
        for path in list(folder.iterdir()):
            if not path.name.startswith(".") or not is_stale(path, now):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
            logger.info("removed a stale temporary: %s", path.relative_to(ws.root))
    return removed


def remove_expired_uploads(ws: Workspace, max_age_hours: float | None = None) -> int:
    """Delete ``uploads/<session>`` folders not written to for ``max_age_hours`` (default: the setting
    ``upload_retention_hours``); returns how many."""
    from .settings import load_settings

    hours = load_settings(ws.root).upload_retention_hours if max_age_hours is None else max_age_hours
    cutoff = time.time() - hours * 3600
    removed = 0
    for folder in ws.uploads_dir.iterdir() if ws.uploads_dir.is_dir() else []:
        if not folder.is_dir() or folder.is_symlink() or not SESSION_ID.match(folder.name):
            continue
        try:
            newest = max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.rglob("*")])
        except OSError:
            continue
        if newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def clean_workspace(ws: Workspace) -> CleanOutput:
    """Both of the above (what ``hilbert workspace clean`` runs; fit for a daily cron job)."""
    return CleanOutput(remove_stale_temp(ws), remove_expired_uploads(ws))
