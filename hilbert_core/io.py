"""Atomic file writes (temporary file beside the target, then a rename), folders replaced in one rename,
and folder-safe names.

Light on purpose (no torch): the CLI and the workspace import it at start-up.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

# what temp_path names (the prefixes the package uses), with the id of the process writing it
TEMP_NAME = re.compile(r"^\.(?P<what>import|unzip|.+\.(new|old|deleting))-(?P<pid>\d+)-[0-9a-f]{8}$")


def temp_path(parent: str | Path, prefix: str) -> Path:
    """A new hidden temporary path in ``parent`` named after this process (``.PREFIX-PID-RANDOM``), so
    one a killed process left behind can be told from one in use (:data:`TEMP_NAME`)."""
    return Path(parent) / f".{prefix}-{os.getpid()}-{os.urandom(4).hex()}"


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


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot; rename twice instead
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def replace_folder(new: str | Path, target: str | Path) -> None:
    """Put the complete folder ``new`` at ``target`` in one rename, replacing a folder already there.

    A new ``target`` appears by one rename. An existing one is swapped with ``new`` in one atomic step
    where the system can (Linux), else renamed aside first (then ``target`` is briefly absent, never
    half-written); the old folder is deleted afterwards.
    """
    import shutil

    new, target = Path(new), Path(target)
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        os.replace(new, target)  # onto nothing, or onto an empty folder: one rename
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # now the old folder
        return
    old = temp_path(target.parent, f"{target.name}.old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
