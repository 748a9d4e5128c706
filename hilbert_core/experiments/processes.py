"""Which processes are alive, on which host: for jobs and sweep runs whose owner may have died."""

from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = socket.gethostname()


def process_alive(pid: int) -> bool:
    """True when a process with this id runs on this host; a zombie (exited, not yet reaped) is dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux): trust the signal check
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"  # the name in (...) may hold spaces
