"""The audit log: who changed the workspace, when, and what (``<workspace>/audit.jsonl``).

One JSON object a line: ``time`` (UTC, ISO 8601), ``user``, ``role``, ``via`` (``studio`` or ``cli``),
``action`` and ``target`` (a corpus, job or model name), plus counts for some actions. It never holds
what a recording says: no transcript text, no labels, no file contents, no passwords. Lines are
appended with one ``write`` each (O_APPEND), so writers in several processes do not interleave.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from .access import Actor, current_actor
from .workspace import audit_path

logger = logging.getLogger(__name__)


def record(
    workspace: str | Path, action: str, target: str, actor: Actor | None = None, **counts: Any
) -> None:
    """Append one entry; ``actor`` defaults to whoever acts in this thread (see :mod:`hilbert_core.access`).

    ``counts`` are numbers or short names (e.g. ``files=12``), never patient data.
    """
    from .settings import load_settings

    who = actor or current_actor(load_settings(workspace).shared)
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "user": who.name if who else "(nobody)",
        "role": who.role if who else "",
        "via": who.via if who else "",
        "action": action,
        "target": target,
        **counts,
    }
    line = (json.dumps(entry, sort_keys=False) + "\n").encode("utf-8")
    path = audit_path(workspace)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_audit(workspace: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The entries, oldest first (the last ``limit`` of them); unreadable lines are skipped."""
    path = audit_path(workspace)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            logger.warning("%s: a line that is not JSON was skipped", path)
    return entries[-limit:] if limit else entries
