"""The ``hilbert`` command line's entry point: builds the parser from the command modules and runs one
command. ``main(argv) -> exit status``; user mistakes print one line and exit 2."""

from __future__ import annotations

import argparse
import logging
import sys

from .bench import add_bench_parser
from .data import add_data_parsers
from .demo import add_demo_parser
from .models import add_model_parsers, add_synth_parser
from .runs import add_runs_parser
from .sweep import add_sweep_parsers
from .users import add_users_parser
from .workspace import add_workspace_parsers

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hilbert", description="HILBERT: audio-text models of long interviews."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    add_model_parsers(sub)
    add_runs_parser(sub)
    add_data_parsers(sub)
    add_synth_parser(sub)
    add_sweep_parsers(sub)
    add_bench_parser(sub)
    add_demo_parser(sub)
    add_users_parser(sub)
    add_workspace_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from ..access import acting_as, local_actor

    try:
        with acting_as(local_actor("cli")):  # the command line runs as the workspace's owner: a researcher
            return args.func(args)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except BrokenPipeError:  # `hilbert runs | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    except OSError as exc:  # e.g. a read-only corpus folder for the default cache location
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(
            f"error: cannot read or write{where} ({exc.strerror or exc}); check the path and its "
            "permissions, or pass --cache / --out to a writable folder.\n"
        )
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
