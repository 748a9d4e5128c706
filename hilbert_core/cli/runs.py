"""``hilbert runs``: list the runs recorded in a workspace's registry."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.registry import STATUSES
from .common import workspace_arg, write


def cmd_runs(args: argparse.Namespace) -> int:
    from ..experiments.registry import RunRegistry
    from ..workspace import registry_path

    workspace = workspace_arg(args)
    if not workspace:
        raise ValueError("give --workspace DIR (or set HILBERT_WORKSPACE) to list its runs.")
    path = registry_path(workspace)
    if not path.is_file():
        raise ValueError(
            f"{path} does not exist; runs are recorded there by `hilbert cv --workspace {workspace}`."
        )
    from ..report.vocabulary import HEADLINE, pct

    write(f"# AUC = {HEADLINE} (%, 50 = chance) of a cross-validation")
    for r in RunRegistry(path).list(status=args.status):
        auc = "" if r.auc_macro is None else f" AUC {pct(r.auc_macro)} %"
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
