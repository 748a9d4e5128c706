"""The ``hilbert runs`` command and what every command that records a run shares: the workspace argument,
opening a run in its registry, and one-line output."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..experiments.registry import STATUSES
from ..workspace import ENV_VAR


def write(text: str) -> None:
    """One line (or block) to standard output: the commands' results, never logging."""
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def workspace_arg(args: argparse.Namespace) -> str | None:
    """``--workspace``, else ``$HILBERT_WORKSPACE``, else None."""
    return args.workspace or os.environ.get(ENV_VAR)


def open_run(args: argparse.Namespace, kind: str, config: dict):
    """(registry, run id) when a workspace is given (--workspace or $HILBERT_WORKSPACE), else (None, None)."""
    workspace = workspace_arg(args)
    if not workspace:
        return None, None
    from ..device import resolve_device
    from ..experiments.registry import RunRegistry
    from ..experiments.sweep import registry_path

    registry = RunRegistry(registry_path(workspace))
    run_id = registry.create(kind, config)
    try:
        registry.start(run_id, str(resolve_device(config.get("train", {}).get("device", "auto"))))
    except BaseException as exc:  # e.g. a bad device name: the run must not stay queued
        registry.fail(run_id, f"{type(exc).__name__}: {exc}".splitlines()[0])
        raise
    return registry, run_id


def cmd_runs(args: argparse.Namespace) -> int:
    from ..experiments.registry import RunRegistry
    from ..experiments.sweep import registry_path

    workspace = workspace_arg(args)
    if not workspace:
        raise ValueError("give --workspace DIR (or set HILBERT_WORKSPACE) to list its runs.")
    path = registry_path(workspace)
    if not path.is_file():
        raise ValueError(
            f"{path} does not exist; runs are recorded there by `hilbert cv --workspace {workspace}`."
        )
    for r in RunRegistry(path).list(status=args.status):
        auc = "" if r.auc_macro is None else f" AUC {r.auc_macro:.4f}"
        took = "" if r.seconds is None else f" {r.seconds:.0f}s"
        error = f" error: {r.error}" if r.error else ""
        write(f"{r.id} {r.kind:7s} {r.status:9s} {run_summary(r.kind, r.config)}{auc}{took}{error}")
    return 0


def run_summary(kind: str, config: dict) -> str:
    """One line of what a run did, for `hilbert runs`."""
    if kind == "extract":
        encoders = [config.get(k) for k in ("encoder", "audio_encoder", "text_encoder") if config.get(k)]
        corpus = Path(config.get("corpus_root") or config.get("corpus", "?")).name
        return f"corpus={corpus} encoders={','.join(encoders)}"
    ev, cell = config.get("eval", {}), config.get("cell", {})
    pair = "+".join(e for e in (cell.get("audio_encoder"), cell.get("text_encoder")) if e)
    return (
        f"task={config.get('task', '?')} method={ev.get('method', '?')} modality={ev.get('modality', '?')}"
        + (f" encoders={pair}" if pair else "")
        + (f" sweep={config['sweep']}" if config.get("sweep") else "")
    )


def add_runs_parser(sub) -> None:
    p = sub.add_parser("runs", help="list the runs recorded in a workspace's registry")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.add_argument("--status", choices=STATUSES, default=None)
    p.set_defaults(func=cmd_runs)
