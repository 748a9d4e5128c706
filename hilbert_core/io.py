"""Atomic file writes (temporary file beside the target, then a rename) and folder-safe names.

Light on purpose (no torch): the CLI and the workspace import it at start-up.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path


def sanitize_name(name: str) -> str:
    """A folder-safe form of a name (``hf:/a/b@9`` -> ``hf_a_b_9``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100] or "encoder"


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
