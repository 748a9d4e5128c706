"""``hilbert bench sweep``: a small grid by the local engine vs the same grid one job after another, and
the registry's own cost per job."""

from __future__ import annotations

import logging
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.features import save_features
from ..data.synthetic import make_features
from ..experiments.registry import RunRegistry
from ..experiments.sweep import run_sweep
from ..experiments.sweep_file import load_sweep
from ..workspace import registry_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchSweepConfig:
    """The grid: ``len(methods) x seeds`` cells on one synthetic feature folder."""

    documents: int = 120
    min_segments: int = 10
    max_segments: int = 20
    audio_dim: int = 64
    text_dim: int = 32
    methods: tuple[str, ...] = ("linear", "transfer", "hilbert")
    seeds: int = 4
    folds: int = 5
    epochs: int = 20
    workers: int | None = None
    registry_jobs: int = 200


def _write_inputs(cfg: BenchSweepConfig, root: Path) -> Path:
    feats = make_features(
        cfg.documents,
        (cfg.min_segments, cfg.max_segments),
        cfg.audio_dim,
        cfg.text_dim,
        num_classes=3,
        seed=0,
    )
    table = pd.DataFrame(
        {
            "document_id": [f"doc{i:04d}" for i in range(cfg.documents)],
            "subject_id": feats.groups,
            "label": feats.labels,
        }
    )
    save_features(root / "features", table, feats.audio, feats.text)
    sweep = root / "bench.yaml"
    sweep.write_text(
        "name: bench\n"
        f"corpora:\n  - features: {root / 'features'}\n    tasks: [label]\n"
        f"methods: [{', '.join(cfg.methods)}]\n"
        f"seeds: [{', '.join(str(s) for s in range(cfg.seeds))}]\n"
        f"folds: {cfg.folds}\n"
        f"set: [train.epochs={cfg.epochs}, train.patience={cfg.epochs}, train.num_inner=1]\n",
        encoding="utf-8",
    )
    return sweep


def _registry_cost(root: Path, report: dict[str, Any], jobs: int) -> float:
    """Seconds per job of what the driver does in the registry: claim, start, finish with a report."""
    registry = RunRegistry(root / "overhead" / "registry.sqlite")
    start = time.perf_counter()
    for i in range(jobs):
        run_id = registry.claim("cv", {"cell": {"i": i}}, f"bench-{i}")
        registry.start(run_id, "cpu")
        registry.finish(run_id, report, {}, device="cpu")
    return (time.perf_counter() - start) / jobs


def _aucs(workspace: Path) -> dict[str, float]:
    return {
        r.cell_key: r.auc_macro for r in RunRegistry(registry_path(workspace)).list(kind="cv", status="done")
    }


def bench_sweep(cfg: BenchSweepConfig) -> dict[str, Any]:
    """Run the grid sequentially, then with the local engine; compare times and results."""
    with tempfile.TemporaryDirectory(prefix="hilbert-bench-sweep-") as tmp:
        root = Path(tmp)
        spec = load_sweep(_write_inputs(cfg, root))
        cells = len(spec.cells())
        seq = run_sweep(spec, root / "sequential", engine="sequential")
        par = run_sweep(spec, root / "local", engine="local", workers=cfg.workers)
        a, b = _aucs(root / "sequential"), _aucs(root / "local")
        records = RunRegistry(registry_path(root / "sequential")).list(kind="cv", status="done")
        per_cell = [r.seconds for r in records if r.seconds is not None]
        report = RunRegistry(registry_path(root / "sequential")).report(records[0].id)
        per_job = _registry_cost(root, report, cfg.registry_jobs)
        workers = par_workers(cfg)
    return {
        "benchmark": "sweep",
        "config": asdict(cfg),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "cells": cells,
        "sequential_s": round(seq.seconds, 3),
        "local_s": round(par.seconds, 3),
        "local_workers": workers,
        "speedup": round(seq.seconds / par.seconds, 3),
        "cell_seconds_median": round(float(np.median(per_cell)), 3),
        "registry_ms_per_job": round(1000 * per_job, 3),
        "registry_overhead_pct_of_median_cell": round(100 * per_job / float(np.median(per_cell)), 4),
        "registry_report_kb": round(len(str(report)) / 1024, 1),
        # not bitwise: workers use 1 torch thread, the sequential run all cores (other summation orders)
        "max_auc_difference": round(max(abs(a[k] - b[k]) for k in a), 6) if a.keys() == b.keys() else None,
        "failed": len(seq.failed) + len(par.failed),
    }


def par_workers(cfg: BenchSweepConfig) -> int:
    from ..experiments.engine_checks import count_gpus

    return cfg.workers or count_gpus() or os.cpu_count() or 1
