"""Where a sweep's tasks run: in the driver one after another, in a local process pool, or on Ray.

Every engine takes plain functions (``hilbert_core.sweep_tasks``) and returns
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
import socket
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any
from urllib.parse import urlparse

logger = logging.getLogger(__name__)

ENGINES = ("local", "ray", "sequential")


def _count_gpus() -> int:
    try:
        import torch

        return torch.cuda.device_count()
    except Exception:  # noqa: BLE001  (a broken CUDA set-up means: no GPUs for us)
        return 0


class SequentialEngine:
    """Runs tasks in this process, one at a time, when the driver waits for them (so each result is
    recorded before the next task starts)."""

    name = "sequential"
    by_value = False

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

    def put(self, value: Any) -> Any:
        return value

    def close(self, cancel: bool = False) -> None:
        self._pending.clear()


def _wait_any(futures: list[Future], timeout: float) -> set[Future]:
    return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)[0]


def _init_worker(devices: Any, threads: int) -> None:
    """Process-pool initializer: die with the driver, take one GPU (if any), limit torch's threads."""
    _die_with_parent()
    if devices is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(devices.get())
    import torch

    torch.set_num_threads(threads)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the driver dies, even by SIGKILL (no orphans left computing)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans finish their task and exit
        pass


class LocalEngine:
    """A process pool (spawned processes: safe with torch and CUDA)."""

    name = "local"
    by_value = False

    def __init__(self, workers: int | None = None) -> None:
        gpus = _count_gpus()
        cpus = os.cpu_count() or 1
        self.workers = workers or (gpus or cpus)
        if self.workers < 1:
            raise ValueError(f"--workers {self.workers} must be at least 1.")
        ctx = multiprocessing.get_context("spawn")
        devices = None
        if gpus:
            devices = ctx.Manager().Queue()
            for i in range(self.workers):
                devices.put(i % gpus)
        threads = max(1, cpus // self.workers)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_worker, initargs=(devices, threads)
        )
        logger.info("local engine: %d workers, %d GPUs, %d threads each", self.workers, gpus, threads)

    def submit(self, fn: Callable[..., Any], *args: Any, gpu: bool = False) -> Future:
        return self._pool.submit(fn, *args)

    def put(self, value: Any) -> Any:
        return value

    def wait(self, futures: list[Future], timeout: float) -> set[Future]:
        return _wait_any(futures, timeout)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # The executor cannot stop a running task: terminate its workers (private but stable map).
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


def check_ray_address(address: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, with a clear message, when nothing answers at a Ray address."""
    if address == "auto":
        return
    parsed = urlparse(address if "://" in address else f"ray://{address}")
    host, port = parsed.hostname, parsed.port
    if not host or not port:
        raise ValueError(
            f"--address {address!r} is not HOST:PORT or ray://HOST:PORT; give the head node's address "
            "(e.g. 10.0.0.5:6379), or leave --address out to start a local Ray."
        )
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise ValueError(
            f"nothing answers at Ray address {address} within {timeout_s:.0f} s ({exc.strerror or exc}); "
            "start the cluster (`ray start --head` on the head node), check the host and port, or leave "
            "--address out to start a local Ray."
        ) from None


class RayEngine:
    """Ray tasks; one GPU per task where the cluster has GPUs, one CPU otherwise."""

    name = "ray"
    by_value = True

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ValueError(
                "--engine ray needs Ray; install it with `pip install 'hilbert-studio[ray]'`."
            ) from None
        if address:
            check_ray_address(address)
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            else:
                kwargs["num_cpus"] = workers or os.cpu_count() or 1
                kwargs["num_gpus"] = _count_gpus()
            ray.init(**kwargs)
        resources = ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        self.workers = int(resources.get("CPU", 1)) if not self.gpus else self.gpus
        self._refs: list[Any] = []
        logger.info("ray engine: %s", resources)

    def submit(self, fn: Callable[..., Any], *args: Any, gpu: bool = False) -> Future:
        num_gpus = 1 if gpu and self.gpus else 0
        remote = self._ray.remote(fn).options(num_cpus=1, num_gpus=num_gpus, max_retries=0)
        ref = remote.remote(*args)
        self._refs.append(ref)
        return ref.future()

    def put(self, value: Any) -> Any:
        return self._ray.put(value)

    def wait(self, futures: list[Future], timeout: float) -> set[Future]:
        return _wait_any(futures, timeout)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for ref in self._refs:
                try:
                    self._ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001  (already finished)
                    pass
        if self._started:
            self._ray.shutdown()


def create_engine(name: str, workers: int | None = None, address: str | None = None):
    """Build the engine ``name`` (one of :data:`ENGINES`)."""
    if name not in ENGINES:
        raise ValueError(f"--engine {name!r} is unknown; choose one of {', '.join(ENGINES)}.")
    if address and name != "ray":
        raise ValueError("--address is for --engine ray; add --engine ray or drop --address.")
    if name == "sequential":
        return SequentialEngine()
    if name == "local":
        return LocalEngine(workers)
    return RayEngine(address, workers)
