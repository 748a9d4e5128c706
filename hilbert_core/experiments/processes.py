"""Which processes are alive, on which host: for jobs and sweep runs whose owner may have died.

A process id alone is not an identity: ids are reused once a process ends. So the registry stores each
pid with its process's start time (psutil's ``create_time``), and a pid whose process started at
another time is a different process: the one recorded is gone.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psutil

HOST = socket.gethostname()
SAME_START_S = 0.05  # create_time is derived from clock ticks since boot: equal for one process


def process_start(pid: int) -> float | None:
    """When the process ``pid`` started (seconds since the epoch), or None when there is none."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:  # someone else's: it exists, its start time is hidden on some systems
        return None


def own_start() -> float | None:
    """This process's start time (stored with ``os.getpid()``)."""
    return process_start(os.getpid())


def process_alive(pid: int, started: float | None = None) -> bool:
    """True when a process with this id runs on this host (and, when ``started`` is given, is the one
    that started then); a zombie (exited, not yet reaped) is dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux): trust the signal check
        stat = ""
    if stat and stat.rsplit(")", 1)[-1].split()[0] == "Z":  # the name in (...) may hold spaces
        return False
    if started is None:
        return True
    now = process_start(pid)
    return now is not None and abs(now - started) <= SAME_START_S
