"""Run a sweep: extract each encoder once, cross-validate every cell, record everything in the registry.

The driver (this module, in one process) is the only writer of the registry and the workspace; tasks run
on an engine (:mod:`hilbert_core.experiments.engines`). Resumable by construction: a cell is claimed in
the registry before it runs and marked done in the same transaction that stores its results, so a sweep
killed at any moment (SIGKILL included) and started again skips what is done, reruns what was cut off, and
ends with every cell done exactly once (a unique index in the database guarantees it).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.features import save_features
from ..io import atomic_write_text
from ..workspace import cache_dir, encoder_folder, feature_store, registry_path
from .engines import create_engine
from .registry import RunRegistry
from .sweep_spec import Cell, ExtractJob, SweepSpec
from .tasks import cv_task, extract_task, transcribe_task

if TYPE_CHECKING:
    from ..types import EpochRecord

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
EpochCallback = Callable[["EpochRecord"], None]


@dataclass
class SweepOutput:
    """What a sweep did.

    Attributes:
        cells: cells in the grid; ``already_done`` of them were done before this call.
        ran: cells cross-validated by this call; ``extracted``: encoder runs by this call.
        failed: ``(cell or extraction label, error)`` for everything that failed.
        busy: cells left alone because another live process is running them.
        run_ids: registry ids of the cv runs this call finished.
        seconds: wall time of the call.
    """

    cells: int
    already_done: int = 0
    ran: int = 0
    extracted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    busy: int = 0
    run_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0


def features_folder(workspace: str | Path, job: ExtractJob) -> Path:
    """Where an encoder run of a sweep keeps its features (shared by every cell and later sweeps)."""
    store = feature_store(workspace, job.corpus.name, job.corpus.identity)
    return encoder_folder(store, job.role, job.encoder)


class _Driver:
    """State of one sweep call: what is pending, what runs where, what each result unlocks."""

    def __init__(self, spec: SweepSpec, workspace: Path, engine, job_id: str | None, hooks) -> None:
        self.spec, self.workspace, self.engine, self.job_id = spec, workspace, engine, job_id
        self.registry = RunRegistry(registry_path(workspace))
        self.hooks = hooks
        self.inflight: dict[Future, tuple[str, Any, str]] = {}  # future -> (kind, item, run id)
        self.ready: dict[str, Any] = {}  # extract key -> feature source for cv tasks
        self.broken: dict[str, str] = {}  # extract key -> error
        self.waiting: list[Cell] = []
        self.extract_queue: list[ExtractJob] = []
        # Never more tasks submitted than the engine runs at once: a run marked "running" is running,
        # and a cancelled or killed sweep leaves the cells it had not started untouched.
        self.capacity = max(1, int(engine.workers))
        self.progress: Progress | None = None
        self.on_epoch: EpochCallback | None = None
        self.total = 0

    def source(self, folder: Path) -> Any:
        return self.engine.feature_source(folder)

    def submit_extract(self, job: ExtractJob) -> None:
        folder = features_folder(self.workspace, job)
        done = self.registry.find_done(job.key)
        if done is not None and (folder / "documents.csv").is_file():
            self.ready[job.key] = self.source(folder)
            return
        config = {
            "corpus": job.corpus.name,
            "corpus_root": job.corpus.root,
            "role": job.role,
            "encoder": job.encoder,
            "whisper_model": job.whisper_model,
        }
        missing = "its features folder is missing" if done is not None else None
        run_id = self.registry.claim("extract", config, job.key, self.job_id, redo_done=missing)
        if run_id is None:  # being extracted by another live sweep: wait for it next time
            self.broken[job.key] = "being extracted by another running sweep; run this sweep again later"
            return
        self.registry.start(run_id, self.engine.name)
        cache = job.corpus.cache or str(cache_dir(self.workspace))
        args = (job.corpus.root, job.role, job.encoder, job.whisper_model, cache)
        self.inflight[self.engine.submit(extract_task, *args, gpu=True)] = ("extract", job, run_id)

    def fill(self, out: SweepOutput) -> None:
        """Submit encoder runs, then cells whose features are ready, up to the engine's capacity."""
        while self.extract_queue and len(self.inflight) < self.capacity:
            self.submit_extract(self.extract_queue.pop(0))
        still = []
        for cell in self.waiting:
            needs = self.needs(cell)
            broken = [self.broken[k] for k in needs if k in self.broken]
            if broken:
                out.failed.append((cell.label, f"features missing: {broken[0]}"))
            elif all(k in self.ready for k in needs) and len(self.inflight) < self.capacity:
                self.submit_cell(cell, out)
            else:
                still.append(cell)
        self.waiting = still

    def _cell_progress(self, cell: Cell) -> Progress:
        def report(fraction: float, message: str) -> None:
            done = self.total - len(self.waiting) - len(self.extract_queue) - len(self.inflight)
            self.progress((done + fraction) / max(self.total, 1), f"{cell.label}: {message}")

        return report

    def _cell_on_epoch(self, cell: Cell) -> EpochCallback | None:
        if self.on_epoch is None:
            return None
        on_epoch = self.on_epoch
        return lambda record: on_epoch(dataclasses.replace(record, run=cell.label))

    def needs(self, cell: Cell) -> list[str]:
        return [
            ExtractJob(cell.corpus, role, enc, self.spec.whisper_model).key
            for role, enc in (("audio", cell.audio_encoder), ("text", cell.text_encoder))
            if enc
        ]

    def submit_cell(self, cell: Cell, out: SweepOutput) -> None:
        config = {
            **cell.config().to_dict(),
            "task": cell.task,
            "cell": cell.describe(),
            "sweep": self.spec.name,
        }
        run_id = self.registry.claim("cv", config, cell.key, self.job_id)
        if run_id is None:  # finished meanwhile by another sweep, or being run by one
            if self.registry.find_done(cell.key) is not None:
                out.already_done += 1
            else:
                out.busy += 1
            return
        self.registry.start(run_id, self.engine.name)
        if cell.corpus.is_features:
            args = (None, None, cell.task, cell.config().to_dict(), self.source(Path(cell.corpus.root)))
        else:
            sources: dict[str, Any] = {"audio": None, "text": None}
            for role, enc in (("audio", cell.audio_encoder), ("text", cell.text_encoder)):
                if enc:
                    sources[role] = self.ready[
                        ExtractJob(cell.corpus, role, enc, self.spec.whisper_model).key
                    ]
            args = (sources["audio"], sources["text"], cell.task, cell.config().to_dict(), None)
        if self.engine.name == "sequential":  # same process: live progress and loss curves
            progress = None if self.progress is None else self._cell_progress(cell)
            args = (*args, progress, self._cell_on_epoch(cell))
        self.inflight[self.engine.submit(cv_task, *args, gpu=True)] = ("cv", cell, run_id)

    def collect(self, future: Future, out: SweepOutput) -> str:
        kind, item, run_id = self.inflight.pop(future)
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001  (recorded with the run; the sweep goes on)
            error = task_error(exc)
            self.registry.fail(run_id, error)
            out.failed.append((item.label, error))
            if kind == "extract":
                self.broken[item.key] = error
            return f"failed: {item.label}"
        if kind == "extract":
            feats, info = result
            folder = features_folder(self.workspace, item)
            save_features(folder, feats.table, feats.audio, feats.text)
            atomic_write_text(folder / "encoders.json", json.dumps(info, indent=2))
            self.registry.finish(run_id, {"info": info}, {"features": str(folder)}, device=info.get("device"))
            self.ready[item.key] = self.source(folder)
            out.extracted += 1
        else:
            if self.registry.finish(run_id, result, {}, device=result.get("device")):
                out.ran += 1
                out.run_ids.append(run_id)
                for hook in self.hooks:
                    try:
                        hook(run_id, item, result)
                    except Exception as exc:  # noqa: BLE001  (e.g. MLflow down: the result is saved)
                        name = getattr(hook, "__name__", hook)
                        logger.warning("after %s: %s failed: %s", item.label, name, exc)
        return f"{'extracted' if kind == 'extract' else 'done'}: {item.label}"


def task_error(exc: BaseException) -> str:
    """One line naming what went wrong in a task; a Ray task's error names its cause, not the wrapper."""
    cause = getattr(exc, "cause", None)  # ray.exceptions.RayTaskError keeps the task's own exception
    if isinstance(cause, BaseException):
        exc = cause
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line]
    return f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"[:500]


def plan_remaining(spec: SweepSpec, workspace: str | Path) -> tuple[list[Cell], list[Cell]]:
    """(cells still to run, cells already done) according to the workspace's registry."""
    registry = RunRegistry(registry_path(workspace))
    todo, done = [], []
    for cell in spec.cells():
        (done if registry.find_done(cell.key) else todo).append(cell)
    return todo, done


def pending_extractions(spec: SweepSpec, cells: list[Cell], workspace: str | Path) -> list[ExtractJob]:
    """The encoder runs ``cells`` need that the workspace does not hold yet."""
    registry = RunRegistry(registry_path(workspace))
    return [
        job
        for job in spec.extract_jobs(cells)
        if registry.find_done(job.key) is None
        or not (features_folder(workspace, job) / "documents.csv").is_file()
    ]


def run_sweep(
    spec: SweepSpec,
    workspace: str | Path,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    progress: Progress | None = None,
    job_id: str | None = None,
    hooks: tuple[Callable[[str, Cell, dict], None], ...] = (),
    on_epoch: EpochCallback | None = None,
) -> SweepOutput:
    """Run every cell of ``spec`` not yet done in ``workspace``'s registry.

    Args:
        engine: ``local`` (process pool), ``ray`` or ``sequential`` (see
            :mod:`hilbert_core.experiments.engines`).
        workers: pool size (default: one per GPU, else one per CPU core); for a local Ray, its CPUs.
        address: an existing Ray cluster (``HOST:PORT`` or ``ray://HOST:PORT``).
        progress: ``progress(fraction, message)``.
        job_id: the background job this sweep runs in (recorded with each run).
        hooks: called as ``hook(run_id, cell, report)`` after each finished cell (e.g. MLflow logging).
        on_epoch: per training epoch of a cell, an :class:`EpochRecord` whose ``run`` is the cell's
            label; only the ``sequential`` engine calls it (other engines train in worker processes).
    """
    start = time.perf_counter()
    workspace = Path(workspace)
    todo, done = plan_remaining(spec, workspace)
    out = SweepOutput(cells=len(todo) + len(done), already_done=len(done))
    if not todo:
        out.seconds = time.perf_counter() - start
        return out
    runner = create_engine(engine, workers, address, workspace)
    driver = _Driver(spec, workspace, runner, job_id, hooks)
    driver.registry.interrupt_stale()
    cancelled = True
    try:
        _segment_corpora(spec, todo, runner)
        driver.extract_queue = spec.extract_jobs(todo)
        driver.waiting = list(todo)
        total = driver.total = len(todo) + len(driver.extract_queue)
        driver.progress, driver.on_epoch = progress, on_epoch
        driver.fill(out)
        while driver.inflight:
            for future in runner.wait(list(driver.inflight), timeout=0.5):
                message = driver.collect(future, out)
                if progress is not None:
                    settled = total - len(driver.waiting) - len(driver.extract_queue) - len(driver.inflight)
                    progress(settled / max(total, 1), message)
            driver.fill(out)
        for cell in driver.waiting:  # only when an input never came (should not happen)
            out.failed.append((cell.label, "its features were never extracted"))
        cancelled = False
    finally:
        runner.close(cancel=cancelled)  # workers stopped first: none can mark its run running afterwards
        if cancelled:
            for run_id in _stranded_runs(driver, job_id):
                driver.registry.cancel(run_id)
    out.seconds = time.perf_counter() - start
    return out


def _segment_corpora(spec: SweepSpec, cells: list[Cell], engine) -> None:
    """Transcribe documents without segments once per corpus, before encoders run in parallel."""
    from ..data.corpus import load_corpus

    roots = {c.corpus.root for c in cells if not c.corpus.is_features}
    futures = []
    for root in sorted(roots):
        corpus = load_corpus(root)
        if any(not corpus.segments_for(d) for d in corpus.document_ids):
            futures.append(engine.submit(transcribe_task, root, spec.whisper_model, gpu=True))
    while futures:
        for future in engine.wait(futures, timeout=0.5):
            future.result()
            futures.remove(future)


def _stranded_runs(driver: _Driver, job_id: str | None) -> set[str]:
    """Runs a cancelled sweep leaves unfinished: those in flight, and (for a job) any of the job's runs
    still queued or running, e.g. one a worker had started while the cancel arrived between its
    submission and its entry in ``inflight``."""
    runs = {run_id for _, _, run_id in driver.inflight.values()}
    if job_id is not None:
        unfinished = ("queued", "running")
        runs |= {r.id for r in driver.registry.list() if r.job_id == job_id and r.status in unfinished}
    return runs
