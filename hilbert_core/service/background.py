"""Background tasks of the Studio process: a slow computation runs in a worker thread, the page polls it.

Used for work that takes seconds to a minute and belongs to no registry job (a UMAP projection, scoring
a corpus with a trained model). Tasks are keyed by a content hash of what they compute, so two browser
sessions asking for the same thing share one computation and nothing user-visible names it.

A task that failed stays failed (its error is shown) until the user asks again: :func:`submit` with
``retry=True``, which a page passes once per click of its button (:func:`click` and :func:`new_click`
count clicks in the session's state, so a page or fragment rerun never restarts a failed task). The
process keeps at most :data:`MAX_TASKS` tasks; the least recently used finished ones are dropped first
(running ones never).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

MAX_TASKS = 32
_TASKS: OrderedDict[str, TaskState] = OrderedDict()  # least recently used first
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


def submit(key: str, compute: Callable[[Progress], Any], retry: bool = False) -> TaskState:
    """Start ``compute(progress)`` in the background unless a task with ``key`` runs, succeeded, or
    failed (a failed one starts again only with ``retry``: the user asked again)."""
    with _LOCK:
        state = _TASKS.get(key)
        if state is not None and not (retry and state.error is not None):
            _TASKS.move_to_end(key)
            return state
        state = _TASKS[key] = TaskState(key)
        _TASKS.move_to_end(key)
        _evict()
    _POOL.submit(_run, state, compute)
    return state


def _evict() -> None:
    """Drop the least recently used finished tasks beyond :data:`MAX_TASKS` (caller holds the lock)."""
    for key in [k for k, s in _TASKS.items() if s.done][: max(len(_TASKS) - MAX_TASKS, 0)]:
        del _TASKS[key]


def get(key: str) -> TaskState | None:
    """The task started under ``key``, or None."""
    with _LOCK:
        state = _TASKS.get(key)
        if state is not None:
            _TASKS.move_to_end(key)
        return state


def click(store: MutableMapping[str, Any], name: str) -> None:
    """Count one click of button ``name`` in ``store`` (a browser session's state)."""
    store[f"{name}:clicks"] = int(store.get(f"{name}:clicks", 0)) + 1


def new_click(store: MutableMapping[str, Any], name: str) -> bool:
    """True once per click of ``name`` (the first call after it); False on every other rerun."""
    clicks = int(store.get(f"{name}:clicks", 0))
    if clicks <= int(store.get(f"{name}:handled", 0)):
        return False
    store[f"{name}:handled"] = clicks
    return True


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
