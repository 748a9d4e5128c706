"""What every engine shares and what can be checked before one starts: engine names, worker counts,
Ray addresses (parsed, never contacted), GPU count, waiting on futures. No Ray import here."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any
from urllib.parse import urlparse

ENGINES = ("local", "ray", "sequential")
RAY_CONNECT_S = 8.0  # a Ray cluster that does not complete a driver connection in this time is not one


def check_workers(workers: Any) -> None:
    """Raise ValueError unless ``workers`` is None (engine default) or a whole number of at least 1."""
    if workers is None:
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(
            f"--workers {workers!r} must be a whole number of at least 1; give e.g. --workers 2, or leave "
            "it out for one worker per GPU (without GPUs, one per CPU core)."
        )


def check_engine_args(name: Any, workers: Any = None, address: Any = None) -> None:
    """Check an engine's settings without starting anything (no processes, no network)."""
    if name not in ENGINES:
        raise ValueError(f"--engine {name!r} is unknown; choose one of {', '.join(ENGINES)}.")
    check_workers(workers)
    if address and name != "ray":
        raise ValueError(
            f"--address is for --engine ray (got --engine {name}); add --engine ray or drop --address."
        )
    if address:
        parse_ray_address(address)


def count_gpus() -> int:
    """CUDA devices torch sees (0 without torch's CUDA, or with a broken CUDA set-up)."""
    try:
        import torch

        return torch.cuda.device_count()
    except Exception:  # noqa: BLE001  (a broken CUDA set-up means: no GPUs for us)
        return 0


def parse_ray_address(address: Any) -> tuple[str, int] | None:
    """(host, port) of a Ray address, None for ``auto``; raises ValueError for anything else."""
    if address == "auto":
        return None
    host = port = None
    if isinstance(address, str):
        parsed = urlparse(address if "://" in address else f"ray://{address}")
        try:
            host, port = parsed.hostname, parsed.port
        except ValueError:  # a port that is not a number
            pass
    if not host or not port:
        raise ValueError(
            f"--address {address!r} is not HOST:PORT or ray://HOST:PORT; give the head node's address "
            "(e.g. 10.0.0.5:6379), or leave --address out to start a local Ray."
        )
    return host, port


def wait_any(futures: list[Future], timeout: float) -> set[Future]:
    """The futures that are done after at most ``timeout`` seconds (at least one, unless it timed out)."""
    return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)[0]
