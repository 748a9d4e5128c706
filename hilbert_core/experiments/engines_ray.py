"""The Ray engine: extraction and training tasks on a local Ray or a cluster, one GPU per task there.

Kept apart from :mod:`hilbert_core.experiments.engines` so that the local engines never import Ray; an
address is checked (TCP, then a real driver connection under a deadline) before anything starts.

A local Ray keeps its temporary folder (sockets, logs, objects spilled to disk) in the workspace
(``<workspace>/.ray``), never in the system's temporary folder. Ray's socket paths must stay under 108
bytes; for a workspace whose path is too long for that, sockets and logs go to a private (0700)
temporary folder removed at shutdown, and spilled objects still go to the workspace.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from .engine_checks import RAY_CONNECT_S, check_workers, count_gpus, parse_ray_address, wait_any

logger = logging.getLogger(__name__)


def check_ray_address(address: str, timeout_s: float = 5.0, connect_s: float = RAY_CONNECT_S) -> None:
    """Fail in seconds, with a one-line ValueError, unless a Ray cluster answers at ``address``.

    First a TCP connection (nothing listening: fails within ``timeout_s``), then a real Ray driver
    connection in a child process, killed after ``connect_s``: ``ray.init`` retries for minutes
    against a listener that is not Ray, and a hung ``ray.init`` cannot be stopped in this process.
    """
    hostport = parse_ray_address(address)
    if hostport is not None:
        try:
            socket.create_connection(hostport, timeout=timeout_s).close()
        except OSError as exc:
            raise ValueError(
                f"nothing answers at Ray address {address} within {timeout_s:.0f} s ({exc.strerror or exc}); "
                "start the cluster (`ray start --head` on the head node), check the host and port, or "
                "leave --address out to start a local Ray."
            ) from None
    _probe_ray(address, connect_s)


_RAY_PROBE = (
    "import sys, ray; "
    "ray.init(address=sys.argv[1], include_dashboard=False, log_to_driver=False, logging_level='error'); "
    "ray.shutdown()"
)


def _probe_ray(address: str, timeout_s: float) -> None:
    """Connect a throw-away Ray driver to ``address`` in a child process, under a deadline."""
    probe = subprocess.Popen(
        [sys.executable, "-c", _RAY_PROBE, address],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group: killed with anything it started
    )
    try:
        _, err = probe.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(probe.pid, signal.SIGKILL)
        probe.communicate()
        raise ValueError(
            f"something answers at Ray address {address}, but no Ray cluster accepted a connection within "
            f"{timeout_s:.0f} s; give the head node's GCS port (`ray start --head` prints it, default 6379) "
            "or its Ray Client port as ray://HOST:10001, or leave --address out to start a local Ray."
        ) from None
    if probe.returncode != 0:
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {probe.returncode}"
        raise ValueError(
            f"cannot connect to the Ray cluster at {address} ({reason[:300]}); check the address and that "
            "this machine runs the same Ray and Python versions as the cluster, or leave --address out."
        )


RAY_TEMP_MAX = 44  # + "/session_<date>_<time>_<us>_<pid>/sockets/plasma_store" <= 107 bytes


def local_ray_kwargs(workspace: str | Path | None, workers: int | None) -> tuple[dict[str, Any], Path | None]:
    """``ray.init`` arguments of a local Ray whose temporary files stay in ``workspace``, and a private
    temporary folder to remove at shutdown (None when the workspace holds them all)."""
    from ..workspace import ray_temp_dir

    kwargs: dict[str, Any] = {"num_cpus": workers or os.cpu_count() or 1, "num_gpus": count_gpus()}
    if workspace is None:
        return kwargs, None
    temp = ray_temp_dir(Path(workspace).resolve())
    temp.mkdir(mode=0o700, exist_ok=True)
    if len(str(temp)) <= RAY_TEMP_MAX:
        return {**kwargs, "_temp_dir": str(temp)}, None
    private = Path(tempfile.mkdtemp(prefix="hilbert-ray-"))  # 0700; sockets and logs only
    spill = {"type": "filesystem", "params": {"directory_path": str(temp / "spill")}}
    logger.warning(
        "workspace path too long for Ray's sockets: Ray logs go to %s (removed at shutdown), spilled "
        "objects to %s",
        private,
        temp / "spill",
    )
    return {
        **kwargs,
        "_temp_dir": str(private),
        "_system_config": {"object_spilling_config": json.dumps(spill)},
    }, private


class RayEngine:
    """Ray tasks; one GPU per task where the cluster has GPUs, one CPU otherwise."""

    name = "ray"

    def __init__(
        self, address: str | None = None, workers: int | None = None, workspace: str | Path | None = None
    ) -> None:
        try:
            import ray
        except ImportError:
            raise ValueError(
                "--engine ray needs Ray; install it with `pip install 'hilbert-studio[ray]'`."
            ) from None
        check_workers(workers)
        if address:
            check_ray_address(address)
        self._ray = ray
        self._started = not ray.is_initialized()
        self._private_temp: Path | None = None
        if self._started:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            else:
                local, self._private_temp = local_ray_kwargs(workspace, workers)
                kwargs.update(local)
            ray.init(**kwargs)
        resources = ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        self.workers = int(resources.get("CPU", 1)) if not self.gpus else self.gpus
        self._refs: list[Any] = []
        self._features: dict[str, Any] = {}  # feature folder -> object ref, put once per sweep
        logger.info("ray engine: %s", resources)

    def submit(self, fn: Callable[..., Any], *args: Any, gpu: bool = False) -> Future:
        num_gpus = 1 if gpu and self.gpus else 0
        remote = self._ray.remote(fn).options(num_cpus=1, num_gpus=num_gpus, max_retries=0)
        ref = remote.remote(*args)
        self._refs.append(ref)
        return ref.future()

    def feature_source(self, folder: str | Path) -> Any:
        """An object ref to the folder's features, put in the object store once for every cell."""
        key = str(Path(folder).resolve())
        if key not in self._features:
            from ..data.features import load_features

            self._features[key] = self._ray.put(load_features(key))
        return self._features[key]

    def wait(self, futures: list[Future], timeout: float) -> set[Future]:
        return wait_any(futures, timeout)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for ref in self._refs:
                try:
                    self._ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001  (already finished)
                    pass
        self._features.clear()  # frees the object store of a Ray this engine did not start
        if self._started:
            self._ray.shutdown()
        if self._private_temp is not None:
            shutil.rmtree(self._private_temp, ignore_errors=True)
