"""Background tasks of the Studio process: a slow computation runs in a worker thread, the page polls it.

Used for work that takes seconds to a minute and belongs to no registry job (a UMAP projection, scoring
a corpus with a trained model). Tasks are keyed by a content hash of what they compute, so two browser
sessions asking for the same thing share one computation and nothing user-visible names it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

_TASKS: dict[str, TaskState] = {}
_LOCK = threading.Lock()
# One worker: the machine is small and these tasks are CPU-bound; a second request waits its turn.
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hilbert-background")


@dataclass
class TaskState:
    """Where one background task stands. ``result`` is set when ``done`` and ``error`` is None."""

    key: str
    progress: float = 0.0
    message: str = "waiting for the previous task"
    done: bool = False
    error: str | None = None
    result: Any = None


def submit(key: str, compute: Callable[[Progress], Any]) -> TaskState:
    """Start ``compute(progress)`` in the background unless a task with ``key`` runs or succeeded."""
    with _LOCK:
        state = _TASKS.get(key)
        if state is not None and state.error is None:
            return state
        state = _TASKS[key] = TaskState(key)
    _POOL.submit(_run, state, compute)
    return state


def get(key: str) -> TaskState | None:
    """The task started under ``key``, or None."""
    with _LOCK:
        return _TASKS.get(key)


def forget(key: str) -> None:
    """Drop a finished task (its result is cached elsewhere, e.g. on disk)."""
    with _LOCK:
        state = _TASKS.get(key)
        if state is not None and state.done:
            del _TASKS[key]


def _run(state: TaskState, compute: Callable[[Progress], Any]) -> None:
    def progress(fraction: float, message: str) -> None:
        state.progress, state.message = min(max(float(fraction), 0.0), 1.0), message

    progress(0.0, "started")
    try:
        state.result = compute(progress)
    except ValueError as exc:  # a problem the user can fix: the message says how
        state.error = str(exc)
    except Exception as exc:  # noqa: BLE001  (shown as a sentence; the traceback goes to the log)
        logger.exception("background task %s failed", state.key)
        state.error = f"the computation failed ({type(exc).__name__}: {exc}); see the Studio's log and retry."
    else:
        progress(1.0, "done")
    state.done = True
