"""What the command modules share: one-line output, a progress bar, the workspace argument, the
experiment config from the arguments, the registry a command records its run in, and common options."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..config import METHODS, MODALITIES, ExperimentConfig
from ..presets import PRESETS, get_preset, preset_overrides
from ..workspace import ENV_VAR, registry_path


def write(text: str) -> None:
    """One line (or block) to standard output: the commands' results, never logging."""
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def workspace_arg(args: argparse.Namespace) -> str | None:
    """``--workspace``, else ``$HILBERT_WORKSPACE``, else None."""
    return args.workspace or os.environ.get(ENV_VAR)


def run_registry(args: argparse.Namespace):
    """The workspace's RunRegistry when one is given (--workspace or $HILBERT_WORKSPACE), else None."""
    workspace = workspace_arg(args)
    if not workspace:
        return None
    from ..experiments.registry import RunRegistry

    return RunRegistry(registry_path(workspace))


def device_of(config: dict) -> Callable[[], str]:
    """The device a run with this config trains on, resolved when the run starts."""

    def resolve() -> str:
        from ..device import resolve_device

        return str(resolve_device(config.get("train", {}).get("device", "auto")))

    return resolve


def progress_bar(desc: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(
        total=1000,
        desc=desc,
        file=sys.stderr,
        leave=False,
        disable=None,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    )

    def update(fraction: float, message: str) -> None:
        bar.n = int(1000 * min(max(fraction, 0.0), 1.0))
        bar.set_postfix_str(message, refresh=True)

    return update, bar.close


def experiment_config(args: argparse.Namespace) -> ExperimentConfig:
    cfg = ExperimentConfig()
    if getattr(args, "config", None):
        path = Path(args.config)
        try:
            cfg = ExperimentConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"--config {path}: cannot read it as JSON ({exc}).") from None
    evals = {k: v for k, v in (("method", args.method), ("modality", args.modality)) if v is not None}
    preset = getattr(args, "preset", None)
    if getattr(args, "folds", None) is not None:
        evals["n_splits"] = args.folds
    elif preset and hasattr(args, "folds"):
        evals["n_splits"] = get_preset(preset).folds
    if getattr(args, "seed", None) is not None:
        evals["seed"] = args.seed
    if getattr(args, "losses", None):
        names = tuple(s.strip() for s in args.losses.split(",") if s.strip())
        evals["losses"] = () if names == ("none",) else names
    cfg = cfg.replace(eval=evals) if evals else cfg
    return cfg.apply_overrides([*(preset_overrides(preset) if preset else []), *(args.set or [])])


def add_encoder_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--audio-encoder", default="whisper-tiny-en", help="logmel, egemaps, whisper-tiny-en, hf:ID[@layer]"
    )
    p.add_argument("--text-encoder", default="minilm-l6", help="minilm-l6, lexicon, st:ID, hf:ID, clap:ID")
    p.add_argument("--whisper-model", default="bundled-tiny.en", help="transcription model name or folder")
    p.add_argument("--cache", default=None, help="feature cache folder (default CORPUS/.hilbert/cache)")


def add_run_options(p: argparse.ArgumentParser, folds: bool = True) -> None:
    p.add_argument(
        "corpus", nargs="?", default=None, help="corpus folder (documents.csv, audio, segments.csv)"
    )
    p.add_argument(
        "--features", default=None, help="feature folder (documents.csv + audio.npy/text.npy) instead"
    )
    add_encoder_options(p)
    p.add_argument("--task", required=True, help="label column of documents.csv")
    p.add_argument("--method", choices=METHODS, default=None)
    p.add_argument(
        "--modality", choices=MODALITIES, default=None, help="both (default), audio-only or text-only"
    )
    p.add_argument(
        "--losses",
        default=None,
        help="hilbert's auxiliary losses, e.g. contrastive,cka (ablations); none = cross-entropy only",
    )
    if folds:
        p.add_argument("--folds", type=int, default=None, help="outer folds (default 25)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--config", default=None, help="ExperimentConfig JSON file")
    p.add_argument(
        "--preset", choices=list(PRESETS), default=None,
        help="named settings applied before --set: "
        + "; ".join(f"{name}: {preset.description}" for name, preset in PRESETS.items()),
    )  # fmt: skip
    p.add_argument(
        "--workspace", default=None, help="record the run in WORKSPACE/registry.sqlite ($HILBERT_WORKSPACE)"
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override a config value, e.g. --set train.epochs=30 (repeatable)",
    )
