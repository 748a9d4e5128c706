"""Files that come from the browser: written only inside the workspace, never outside it.

- :func:`save_upload` puts one uploaded file under ``workspace/uploads/<session id>/`` (one folder per
  browser session, so one session never sees another's uploads).
- :func:`discard_upload` deletes the folder of one upload; :func:`remove_old_uploads` deletes session
  folders idle longer than the workspace's ``upload_retention_hours`` (default 24; run whenever a
  browser session opens the Studio, and by ``hilbert workspace clean``).
- :class:`SessionUploads` is kept in a browser session's state: when Streamlit drops the session (its tab
  closed, after Streamlit's few minutes of waiting for a reconnect) or the Studio stops, the session's
  upload folder is deleted.
- Unpacking an uploaded zip safely is :mod:`hilbert_core.data.archive`.
"""

from __future__ import annotations

import re
import shutil
import uuid
import weakref
from pathlib import Path, PurePosixPath

from ..io import atomic_write_bytes
from ..lifecycle import SESSION_ID, remove_expired_uploads
from ..workspace import Workspace

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


def remove_old_uploads(ws: Workspace, max_age_hours: float | None = None) -> int:
    """Delete ``uploads/<session>`` folders not written to for ``max_age_hours`` (default: the setting
    ``upload_retention_hours``, 24 h unless the workspace says otherwise); returns how many."""
    return remove_expired_uploads(ws, max_age_hours)


def _remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


class SessionUploads:
    """Held in one browser session's state: when that state is dropped (the session ended) or the
    process exits, the session's upload folder is deleted."""

    def __init__(self, ws: Workspace, session_id: str) -> None:
        self.folder = session_dir(ws, session_id)
        self._finalizer = weakref.finalize(self, _remove_folder, str(self.folder))

    def remove_now(self) -> None:
        self._finalizer()
