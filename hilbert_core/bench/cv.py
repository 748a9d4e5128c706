"""``hilbert bench cv``: the stacked, bf16 k-fold run against the plain fold-after-fold run, side by side."""

from __future__ import annotations

import logging
import platform
import resource
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from ..config import ExperimentConfig
from ..data.synthetic import make_features
from ..device import cpu_has_bf16_units, resolve_compute_dtype, resolve_device
from ..evaluation.cv import cross_validate
from ..losses import compute_objective
from ..training.members import build_members_model
from ..training.recipe import candidate_grid, member_specs, prepare

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchCVConfig:
    """What ``hilbert bench cv`` runs (defaults: the issue's paper-scale setting)."""

    documents: int = 200
    segments: int = 40
    audio_dim: int = 768
    text_dim: int = 384
    folds: int = 10
    epochs: int = 10
    method: str = "hilbert"
    tune: bool = False
    inner: int = 1
    seed: int = 0
    signal: float = 0.3
    skip_plain: bool = False


def matmul_gflops(dtype: torch.dtype, n: int = 2048, reps: int = 8) -> float:
    """The machine's own large square matrix-multiply rate in GFLOP/s."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(2):
        a @ b
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.perf_counter() - start) / 1e9


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_flops(cfg: ExperimentConfig, data, num_members: int) -> float:
    """FLOPs of one training step (forward + backward) of ``num_members`` stacked members."""
    specs, _ = member_specs(data, np.arange(len(data.y)), 0)
    specs = (specs * num_members)[:num_members]
    model = build_members_model(data.docs, data.y, len(data.classes), specs, cfg)
    b = min(cfg.train.batch_size, len(specs[0].train_idx))
    idx = np.stack([s.train_idx[:b] for s in specs])
    take = [None if x is None else torch.from_numpy(x[idx]) for x in (data.docs.audio, data.docs.text)]
    mask, target = torch.from_numpy(data.docs.mask[idx]), torch.from_numpy(data.y[idx])
    counter = FlopCounterMode(display=False)
    with counter:
        out = compute_objective(
            model(take[0], take[1], mask), target, cfg.eval.method, cfg.eval.losses, cfg.loss
        )
        out.total.sum().backward()
    return float(counter.get_total_flops())


def _timed_cv(feats, cfg: ExperimentConfig, flops_member_step: float) -> tuple[Any, dict[str, Any]]:
    """One timed cross-validation and its throughput figures."""
    start = time.perf_counter()
    report = cross_validate(feats.audio, feats.text, feats.labels, groups=feats.groups, config=cfg)
    seconds = time.perf_counter() - start
    num_models = len(report.fold_auc) * len(candidate_grid(cfg)) * cfg.train.num_inner
    # Exact count: every model's training steps (validation and prediction passes are not credited).
    total_flops = flops_member_step * report.timings["model_steps"]
    return report, {
        "seconds": seconds,
        "compute_dtype": cfg.train.compute_dtype,
        "batched_folds": cfg.train.batched_folds,
        "auc_macro": report.auc_macro,
        "auc_mean": report.auc_mean,
        "models_trained": num_models,
        "total_training_gflop": total_flops / 1e9,
        "achieved_gflops": total_flops / seconds / 1e9,
        "peak_rss_mb_after": _peak_rss_mb(),
    }


def _machine(device) -> dict[str, Any]:
    return {
        "device": str(device),
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
    }


def bench_cv(bc: BenchCVConfig) -> dict[str, Any]:
    """Run the benchmark and return its JSON-ready result."""
    feats = make_features(
        bc.documents,
        bc.segments,
        bc.audio_dim,
        bc.text_dim,
        num_classes=4,
        num_cues=4,
        strength=bc.signal,
        seed=bc.seed,
    )
    base = ExperimentConfig().replace(
        model={"dim": 128},  # the reference architecture: d = 128
        train={"epochs": bc.epochs, "patience": bc.epochs, "tune": bc.tune, "num_inner": bc.inner},
        eval={"method": bc.method, "n_splits": bc.folds, "seed": bc.seed},
    )
    device = resolve_device(base.train.device)
    fast_dtype = resolve_compute_dtype("auto", device)
    runs = {"optimized": base.replace(train={"batched_folds": True, "compute_dtype": fast_dtype})}
    if not bc.skip_plain:
        runs["plain"] = base.replace(train={"batched_folds": False, "compute_dtype": "float32"})
    result: dict[str, Any] = {"config": vars(bc), **_machine(device)}
    data = prepare(feats.audio, feats.text, feats.labels, feats.groups, base)
    flops_member_step = step_flops(base, data, 1)
    result["flops_per_step_per_model"] = flops_member_step
    # First, untimed against the others: the optimised run with another seed (other folds, weights,
    # batches). It warms the kernels up and measures run-to-run noise for judging the AUC differences.
    start = time.perf_counter()
    other = cross_validate(
        feats.audio,
        feats.text,
        feats.labels,
        groups=feats.groups,
        config=runs["optimized"].replace(eval={"seed": bc.seed + 1}),
    )
    result["noise_reference"] = {
        "auc_macro_other_seed": other.auc_macro,
        "seconds": time.perf_counter() - start,
    }
    reports = {}
    for name, cfg in runs.items():
        reports[name], result[name] = _timed_cv(feats, cfg, flops_member_step)
    result["machine_fp32_matmul_gflops"] = matmul_gflops(torch.float32)
    # Without bf16 matrix units a CPU emulates bf16 products ~100x slower than fp32: not worth minutes.
    has_bf16 = device.type == "cuda" or cpu_has_bf16_units()
    result["machine_bf16_matmul_gflops"] = matmul_gflops(torch.bfloat16) if has_bf16 else None
    noise = result["noise_reference"]
    noise["auc_diff_between_seeds"] = noise["auc_macro_other_seed"] - reports["optimized"].auc_macro
    if "plain" in reports:
        opt, plain = result["optimized"], result["plain"]
        result["speedup_vs_plain"] = plain["seconds"] / opt["seconds"]
        result["max_abs_diff_oof_proba"] = float(
            np.abs(reports["optimized"].oof_proba - reports["plain"].oof_proba).max()
        )
        result["auc_diff"] = opt["auc_macro"] - plain["auc_macro"]
    result["optimized_vs_fp32_matmul_rate"] = (
        result["optimized"]["achieved_gflops"] / result["machine_fp32_matmul_gflops"]
    )
    return result
