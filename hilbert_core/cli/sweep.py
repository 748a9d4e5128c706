"""``hilbert sweep``, ``hilbert report`` and ``hilbert jobs``: experiments at scale from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.engine_checks import ENGINES, check_engine_args
from ..workspace import registry_path
from .common import progress_bar, workspace_arg, write


def _workspace(args: argparse.Namespace, must_exist: bool = False) -> Path:
    workspace = workspace_arg(args)
    if not workspace:
        raise ValueError("give --workspace DIR (or set HILBERT_WORKSPACE): runs are recorded there.")
    path = Path(workspace)
    if must_exist and not registry_path(path).is_file():
        raise ValueError(
            f"{path} has no registry.sqlite yet; run `hilbert sweep` or `hilbert cv` with it first."
        )
    return path


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..experiments.sweep import pending_extractions, plan_remaining, run_sweep
    from ..experiments.sweep_file import load_sweep

    check_engine_args(args.engine, args.workers, args.address)  # e.g. --workers 0: say so, before any work
    spec = load_sweep(args.sweep_file)
    workspace = _workspace(args)
    todo, done = plan_remaining(spec, workspace)
    extracts = pending_extractions(spec, todo, workspace)
    write(
        f"sweep {spec.name!r}: {len(todo) + len(done)} cells ({len(done)} done, {len(todo)} to run), "
        f"{len(extracts)} encoder runs needed"
    )
    if args.dry_run:
        for cell in todo:
            write(f"  to run: {cell.label}")
        return 0
    if args.background:
        from ..experiments.jobs import start_job

        job_spec = {
            "kind": "sweep",
            "sweep_file": str(Path(args.sweep_file).resolve()),
            "engine": args.engine,
        }
        job_spec |= {k: v for k, v in (("workers", args.workers), ("address", args.address)) if v is not None}
        job_id = start_job(workspace, job_spec | ({"mlflow": args.mlflow} if args.mlflow is not None else {}))
        write(f"started job {job_id}; follow it with `hilbert jobs show {job_id} --workspace {workspace}`")
        return 0
    hooks = ()
    if args.mlflow is not None:
        from ..experiments.mlflow_log import make_mlflow_hook

        hooks = (make_mlflow_hook(args.mlflow, workspace, spec.name),)
    update, close = progress_bar(f"sweep {spec.name}")
    try:
        out = run_sweep(spec, workspace, args.engine, args.workers, args.address, update, hooks=hooks)
    finally:
        close()
    write(
        f"ran {out.ran} cells and {out.extracted} encoder runs in {out.seconds:.0f} s; "
        f"{out.already_done} were already done; {len(out.failed)} failed"
        + (f"; {out.busy} left to another running sweep" if out.busy else "")
    )
    for label, error in out.failed:
        write(f"  failed: {label}: {error}")
    write(f"tables: `hilbert report --workspace {workspace}`")
    return 1 if out.failed else 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..experiments.registry import RunRegistry
    from ..report.export import CAPTIONS, to_markdown, write_report
    from ..report.results import ReportConfig
    from ..report.tables import build_report

    workspace = _workspace(args, must_exist=True)
    cfg = ReportConfig(
        num_resamples=args.resamples, unit=args.unit, seed=args.seed, corpus=args.corpus, task=args.task
    )
    output = build_report(RunRegistry(registry_path(workspace)), cfg)
    for name, table in output.tables.items():
        write(f"## {name}\n\n{CAPTIONS[name.partition('_')[0]]}.\n")
        write(to_markdown(table))
    for note in output.notes:
        write(f"note: {note}")
    if args.out:
        formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
        files = write_report(output, args.out, formats)
        write(f"wrote {len(files)} files to {args.out}")
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from ..experiments.jobs import cancel_job, get_job, list_jobs, wait_job

    workspace = _workspace(args, must_exist=True)
    if args.action == "list":
        for job in list_jobs(workspace):
            write(f"{job.id} {job.kind:5s} {job.status:9s} {100 * job.progress:3.0f}% {job.message}")
        return 0
    if not args.job_id:
        raise ValueError(f"`hilbert jobs {args.action}` needs a job id; list them with `hilbert jobs list`.")
    if args.action == "cancel":
        job = cancel_job(workspace, args.job_id)
    elif args.action == "wait":
        job = wait_job(workspace, args.job_id, timeout_s=args.timeout)
    else:
        job = get_job(workspace, args.job_id)
    write(f"{job.id} {job.kind} {job.status} {100 * job.progress:.0f}% {job.message}")
    if job.error:
        write(f"error: {job.error}")
    if job.result:
        write(f"result: {job.result}")
    if job.log_path:
        write(f"log: {job.log_path}")
    return 0 if job.status not in ("failed", "lost") else 1


def add_sweep_parsers(sub) -> None:
    p = sub.add_parser(
        "sweep", help="cross-validate a grid of corpora x tasks x encoders x methods (resumable)"
    )
    p.add_argument("sweep_file", help="sweep YAML file (see the README, 'Sweeps')")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.add_argument(
        "--engine", choices=ENGINES, default="local", help="local process pool (default), ray, sequential"
    )
    p.add_argument("--workers", type=int, default=None, help="parallel tasks (default: GPUs, else CPU cores)")
    p.add_argument("--address", default=None, help="existing Ray cluster HOST:PORT (with --engine ray)")
    p.add_argument("--dry-run", action="store_true", help="list the cells still to run, run nothing")
    p.add_argument("--background", action="store_true", help="run as a background job (see `hilbert jobs`)")
    p.add_argument(
        "--mlflow", nargs="?", const="", default=None, metavar="URI", help="also log cells to MLflow"
    )
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("report", help="paper tables (AUC, CIs, DeLong tests) from a workspace's registry")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.add_argument("--out", default=None, help="folder for the CSV / Markdown / LaTeX files")
    p.add_argument("--format", default="csv,md,tex", help="comma-separated: csv, md, tex")
    p.add_argument("--corpus", default=None, help="only this corpus")
    p.add_argument("--task", default=None, help="only this task")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples per interval")
    p.add_argument(
        "--unit",
        choices=("auto", "document", "subject"),
        default="auto",
        help="what the pooled-AUC CI, the paired bootstrap and DeLong treat as independent: auto "
        "(subjects when any subject has several documents), document or subject (the fold-mean CI "
        "resamples documents within folds)",
    )
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("jobs", help="background jobs of a workspace: list, show, wait, cancel")
    p.add_argument("action", choices=("list", "show", "wait", "cancel"), nargs="?", default="list")
    p.add_argument("job_id", nargs="?", default=None)
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds `wait` waits at most")
    p.set_defaults(func=cmd_jobs)
