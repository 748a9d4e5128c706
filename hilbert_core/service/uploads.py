"""Files that come from the browser: written only inside the workspace, never outside it.

- :func:`save_upload` puts one uploaded file under ``workspace/uploads/<session id>/`` (one folder per
  browser session, so one session never sees another's uploads).
- :func:`discard_upload` deletes the folder of one upload; :func:`remove_old_uploads` deletes session
  folders older than :data:`RETENTION_DAYS` (run when the Studio starts).
- Unpacking an uploaded zip safely is :mod:`hilbert_core.data.archive`.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from pathlib import Path, PurePosixPath

from ..io import atomic_write_bytes
from ..workspace import Workspace

SESSION_ID = re.compile(r"^[0-9a-f]{8,64}$")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
RETENTION_DAYS = 7  # upload folders of sessions idle longer than this are deleted at Studio start


def safe_filename(name: str, default: str = "upload") -> str:
    """The last path part of ``name`` with anything but letters, digits, '.', '_', '-' replaced."""
    base = SAFE_NAME.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip("._")
    return base[:120] or default


def session_dir(ws: Workspace, session_id: str) -> Path:
    """``workspace/uploads/<session id>``; the id must be the hex id :mod:`hilbert_core.ui.state` makes."""
    if not SESSION_ID.match(session_id or ""):
        raise ValueError(f"session id {session_id!r} is not a hex id; reload the page to get a new session.")
    return ws.uploads_dir / session_id


def save_upload(ws: Workspace, session_id: str, name: str, data: bytes) -> Path:
    """Write one uploaded file (atomically) into a new folder of this session's upload folder."""
    if not data:
        raise ValueError(f"the uploaded file {name!r} is empty; choose the file again.")
    folder = session_dir(ws, session_id) / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_filename(name)
    atomic_write_bytes(path, data)
    return path


def discard_upload(ws: Workspace, session_id: str, path: str | Path | None) -> None:
    """Delete the folder :func:`save_upload` made for ``path`` (nothing outside the session's folder)."""
    if path is None:
        return
    base = session_dir(ws, session_id).resolve()
    folder = Path(path).resolve().parent
    if folder.parent == base:
        shutil.rmtree(folder, ignore_errors=True)


def remove_old_uploads(ws: Workspace, max_age_days: float = RETENTION_DAYS) -> int:
    """Delete ``uploads/<session>`` folders not written to for ``max_age_days``; returns how many."""
    cutoff = time.time() - max_age_days * 86400
    removed = 0
    for folder in ws.uploads_dir.iterdir() if ws.uploads_dir.is_dir() else []:
        if not folder.is_dir() or folder.is_symlink() or not SESSION_ID.match(folder.name):
            continue
        try:
            newest = max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()])
        except OSError:
            continue
        if newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
