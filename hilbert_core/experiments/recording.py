"""Recording one run in the registry: the open / start / fail / cancel / finish scaffold every command
and job repeats, written once as :func:`recorded_run`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .registry import RunRegistry


class JobCancelled(BaseException):
    """Raised inside a job's process when it receives SIGTERM.

    A BaseException (like KeyboardInterrupt), so that the ``except Exception`` blocks that record a
    failed task and carry on (sequential engine, sweep driver) do not swallow the cancel.
    """


@dataclass
class RecordedRun:
    """The run a :func:`recorded_run` block records (``id`` None when there is no registry)."""

    registry: RunRegistry | None
    id: str | None

    def finish(self, results: dict[str, Any], artefacts: dict[str, str]) -> None:
        """Store the results and mark the run done, in one transaction (nothing without a registry)."""
        if self.registry is not None:
            self.registry.finish(self.id, results, artefacts)


@contextmanager
def recorded_run(
    registry: RunRegistry | None,
    kind: str,
    config: dict[str, Any],
    device: str | Callable[[], str],
    job_id: str | None = None,
) -> Iterator[RecordedRun]:
    """Create a run, start it on ``device`` and yield it; the block calls ``run.finish(...)``.

    ``device`` may be a callable (e.g. resolving ``train.device``): it is called once the run exists, so a
    bad device name fails the run instead of leaving it queued.

    Any failure inside the block, the registry's own included, marks the run failed with a one-line
    error (a cancelled job marks it cancelled) and is raised again. With ``registry=None`` nothing is
    recorded and the block just runs.
    """
    if registry is None:
        yield RecordedRun(None, None)
        return
    run_id = registry.create(kind, config, None, job_id)
    try:
        registry.start(run_id, device() if callable(device) else device)
        yield RecordedRun(registry, run_id)
    except JobCancelled:
        registry.cancel(run_id)
        raise
    except BaseException as exc:
        registry.fail(run_id, str(exc) or type(exc).__name__)
        raise
