"""Where a sweep's tasks run: in the driver one after another, in a local process pool, or on Ray.

Every engine takes plain functions (``hilbert_core.experiments.tasks``) and returns
:class:`concurrent.futures.Future` s, so the sweep driver has one loop for all of them.

- ``sequential``: in the calling process, one task after another (the baseline of ``hilbert bench sweep``).
- ``local`` (default): a process pool sized to the machine: one worker per GPU (each sees only its own
  GPU), or without GPUs one worker per CPU core with one torch thread each.
- ``ray``: Ray tasks with resource requests (one GPU per task where the cluster has GPUs), on the
  cluster at ``address`` or on a local Ray started for the sweep. Workers must see the corpus folders
  (a shared file system); features travel through Ray's object store.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .engine_checks import check_engine_args, check_workers, count_gpus, wait_any

logger = logging.getLogger(__name__)

_WORKER_DIED = (
    "a worker process of the local engine died (killed, out of memory or crashed; see the log); "
    "run the sweep again: the cells already done are kept"
)


class SequentialEngine:
    """Runs tasks in this process, one at a time, when the driver waits for them (so each result is
    recorded before the next task starts)."""

    name = "sequential"

    def __init__(self) -> None:
        self.workers = 1
        self._pending: list[tuple[Future, Callable[..., Any], tuple]] = []

    def submit(self, fn: Callable[..., Any], *args: Any, gpu: bool = False) -> Future:
        future: Future = Future()
        self._pending.append((future, fn, args))
        return future

    def wait(self, futures: list[Future], timeout: float) -> set[Future]:
        """Run the oldest pending task; return the futures that are done."""
        done = {f for f in futures if f.done()}
        if not done and self._pending:
            future, fn, args = self._pending.pop(0)
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # noqa: BLE001  (the driver records it with the run)
                future.set_exception(exc)
            done.add(future)
        return done

    def feature_source(self, folder: str | Path) -> Any:
        """What a task gets for a feature folder: its path (the task loads it, once per process)."""
        return str(folder)

    def close(self, cancel: bool = False) -> None:
        self._pending.clear()


def _init_worker(devices: Any, threads: int, parent_pid: int) -> None:
    """Process-pool initializer: die with the driver, take one GPU (if any), limit torch's threads."""
    _die_with_parent(parent_pid)
    if devices is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(devices.get())
    import torch

    torch.set_num_threads(threads)


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this worker when the driver dies, even by SIGKILL (no orphans left computing).

    Linux sends the signal when the *thread* that spawned the worker exits: the pool spawns workers in
    the thread that calls ``submit``, so submit from a thread that lives as long as the pool.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans finish their task and exit
        pass
    if os.getppid() != parent_pid:  # the driver died before prctl: no signal will ever come
        os._exit(1)


class LocalEngine:
    """A process pool (spawned processes: safe with torch and CUDA)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        check_workers(workers)
        gpus = count_gpus()
        cpus = os.cpu_count() or 1
        self.workers = workers or (gpus or cpus)
        ctx = multiprocessing.get_context("spawn")
        self._devices = None  # GPU ids, one taken by each worker as it starts
        if gpus:
            self._devices = ctx.Queue()
            for i in range(self.workers):
                self._devices.put(i % gpus)
        threads = max(1, cpus // self.workers)
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(self._devices, threads, os.getpid()),
        )
        logger.info("local engine: %d workers, %d GPUs, %d threads each", self.workers, gpus, threads)

    def submit(self, fn: Callable[..., Any], *args: Any, gpu: bool = False) -> Future:
        """Queue a task; once a worker has died, the pool is unusable and every task fails with one line."""
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            future: Future = Future()
            future.set_exception(BrokenProcessPool(_WORKER_DIED))
            return future

    def feature_source(self, folder: str | Path) -> Any:
        """What a task gets for a feature folder: its path (each worker loads it once)."""
        return str(folder)

    def wait(self, futures: list[Future], timeout: float) -> set[Future]:
        return wait_any(futures, timeout)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # The executor cannot stop a running task: terminate its workers (private but stable map).
            processes = list(getattr(self._pool, "_processes", {}).values())
            for process in processes:
                process.terminate()
            for process in processes:  # gone before the caller marks their runs cancelled
                process.join(timeout=10)
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
        if self._devices is not None:
            self._devices.close()


def create_engine(
    name: str, workers: int | None = None, address: str | None = None, workspace: str | Path | None = None
):
    """Build the engine ``name`` (one of :data:`ENGINES`); a local Ray keeps its temporary folder in
    ``workspace``."""
    check_engine_args(name, workers, address)
    if name == "sequential":
        return SequentialEngine()
    if name == "local":
        return LocalEngine(workers)
    from .engines_ray import RayEngine

    return RayEngine(address, workers, workspace)
