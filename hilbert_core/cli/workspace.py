"""``hilbert corpus delete`` and ``hilbert workspace clean|audit``: a workspace's data lifecycle."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import write


def _workspace(args: argparse.Namespace):
    from ..workspace import default_root, open_workspace

    root = Path(args.workspace or default_root())
    if not root.is_dir():
        raise ValueError(f"workspace {root} does not exist; give --workspace or set $HILBERT_WORKSPACE.")
    return open_workspace(root, seed=False)


def cmd_corpus_delete(args: argparse.Namespace) -> int:
    from ..derived import corpus_footprint, delete_corpus

    ws = _workspace(args)
    footprint = corpus_footprint(ws, args.name)
    write(f"deleting removes {footprint.summary()}")
    if footprint.busy_jobs or args.dry_run:
        if footprint.busy_jobs:
            delete_corpus(ws, args.name)  # refuses with the job's id and how to cancel it
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValueError("not deleting without a confirmation: pass --yes (or run it in a terminal).")
        if input(f"type {args.name} to delete it: ").strip() != args.name:
            write("nothing deleted")
            return 1
    out = delete_corpus(ws, args.name)
    write(
        f"deleted {out.footprint.num_files} files ({out.footprint.num_bytes / 1e6:.1f} MB) "
        f"in {out.seconds:.1f} s"
    )
    return 0


def cmd_workspace(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    if args.action == "clean":
        from ..lifecycle import clean_workspace

        out = clean_workspace(ws)
        write(f"removed {out.temporaries} stale temporaries and {out.uploads} expired upload folders")
        return 0
    from ..audit import read_audit

    for entry in read_audit(ws.root, args.last):
        extra = {
            k: v for k, v in entry.items() if k not in ("time", "user", "role", "via", "action", "target")
        }
        write(f"{entry.get('time')} {entry.get('user')} ({entry.get('role')}, {entry.get('via')}) "
              f"{entry.get('action')} {entry.get('target')}" + (f" {extra}" if extra else ""))  # fmt: skip
    return 0


def add_workspace_parsers(sub) -> None:
    p = sub.add_parser("corpus", help="delete a corpus of a workspace and everything derived from it")
    p.add_argument("action", choices=("delete",))
    p.add_argument("name", help="the corpus (a folder name of WORKSPACE/corpora)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.set_defaults(func=cmd_corpus_delete)

    p = sub.add_parser("workspace", help="housekeeping: clean (stale temporaries, expired uploads), audit")
    p.add_argument("action", choices=("clean", "audit"))
    p.add_argument("--last", type=int, default=50, help="audit: show the last N entries")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.set_defaults(func=cmd_workspace)
