"""``hilbert demo-corpus OUT`` writes the synthetic demo corpus; ``hilbert demo-assets`` rebuilds the
shipped demo assets (corpus, features, runs, model, samples). Each prints one summary line."""

from __future__ import annotations

import argparse
import sys

from ..demo.formats import AUDIO_FORMATS


def cmd_demo_corpus(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..demo.corpus import write_demo_corpus
    from ..demo.script import DemoConfig
    from ..demo.synth import SynthConfig

    config = DemoConfig(seed=args.seed, num_documents=args.documents)
    synth = SynthConfig(audio_format=args.format)
    with tqdm(total=1000, desc="demo-corpus", file=sys.stderr, leave=False, disable=None) as bar:

        def update(fraction: float, message: str) -> None:
            bar.n = int(1000 * fraction)
            bar.set_postfix_str(message, refresh=True)

        result = write_demo_corpus(
            args.out, config, audio=not args.no_audio, synth=synth, overwrite=args.overwrite, progress=update
        )
    sys.stdout.write(result.summary() + "\n")
    return 0


def add_demo_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``demo-corpus`` to the ``hilbert`` sub-commands."""
    p = sub.add_parser("demo-corpus", help="write a synthetic corpus of spoken interviews (espeak-ng)")
    p.add_argument("out", help="corpus folder to create")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--documents", type=int, default=120, help="interviews (at least 5 per class)")
    p.add_argument("--no-audio", action="store_true", help="skip synthesis; segment times are estimates")
    p.add_argument("--format", choices=AUDIO_FORMATS, default="opus", help="opus (small, default) or flac")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier demo corpus in OUT")
    p.set_defaults(func=cmd_demo_corpus)
    add_assets_parser(sub)


def cmd_demo_assets(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from ..demo.assets import AssetsConfig, build_demo_assets
    from ..demo.script import DemoConfig

    config = AssetsConfig(
        out=Path(args.out),
        demo=DemoConfig(seed=args.seed, num_documents=args.documents),
        engine=args.engine,
        workers=args.jobs,
        budget_mb=args.budget_mb,
        cache_dir=Path(args.cache) if args.cache else None,
    )
    with tqdm(total=1000, desc="demo-assets", file=sys.stderr, leave=False, disable=None) as bar:

        def update(fraction: float, message: str) -> None:
            bar.n = int(1000 * fraction)
            bar.set_postfix_str(message[:70], refresh=True)

        result = build_demo_assets(config, progress=update)
    sys.stdout.write(result.summary() + "\n")
    return 0


def add_assets_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``demo-assets`` to the ``hilbert`` sub-commands."""
    from ..workspace import ASSETS

    p = sub.add_parser(
        "demo-assets",
        help="rebuild the shipped demo assets: corpus, features, finished runs, model and sample interviews",
    )
    p.add_argument(
        "--out", default=str(ASSETS / "demo"), help="assets folder to replace (default: %(default)s)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--documents", type=int, default=100, help="interviews in the demo corpus")
    p.add_argument("--engine", choices=("local", "sequential", "ray"), default="local")
    p.add_argument("--jobs", type=int, default=None, help="sweep workers (default: one per CPU core)")
    p.add_argument("--cache", default=None, help="feature cache kept between builds (default: none)")
    p.add_argument("--budget-mb", type=float, default=25.0, help="most MB the whole assets folder may hold")
    p.set_defaults(func=cmd_demo_assets)
