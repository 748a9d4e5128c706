"""``hilbert bench cv|extract|sweep|interview|explain``: the benchmarks (JSON to stdout, and to ``--out``)."""

from __future__ import annotations

import argparse
import json
import sys

from ..config import METHODS


def _emit(result: dict, out: str | None) -> int:
    from ..io import atomic_write_text

    text = json.dumps(result, indent=2)
    if out:
        atomic_write_text(out, text)
    sys.stdout.write(text + "\n")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.cv import BenchCVConfig, bench_cv

    bc = BenchCVConfig(
        documents=args.documents,
        segments=args.segments,
        audio_dim=args.audio_dim,
        text_dim=args.text_dim,
        folds=args.folds,
        epochs=args.epochs,
        method=args.method,
        tune=args.tune,
        inner=args.inner,
        seed=args.seed,
        skip_plain=args.skip_plain,
    )
    return _emit(bench_cv(bc), args.out)


def cmd_bench_extract(args: argparse.Namespace) -> int:
    from ..bench.extract import BenchExtractConfig, bench_extract

    encoders = tuple(e for e in args.encoders.split(",") if e)
    cfg = BenchExtractConfig(minutes=args.minutes, encoders=encoders, text_encoder=args.text_encoder)
    return _emit(bench_extract(cfg), args.out)


def cmd_bench_sweep(args: argparse.Namespace) -> int:
    from ..bench.sweep import BenchSweepConfig, bench_sweep

    cfg = BenchSweepConfig(
        documents=args.documents,
        seeds=args.seeds,
        folds=args.folds,
        epochs=args.epochs,
        workers=args.workers,
        registry_jobs=args.registry_jobs,
    )
    return _emit(bench_sweep(cfg), args.out)


def cmd_bench_interview(args: argparse.Namespace) -> int:
    from ..bench.interview import BenchInterviewConfig, bench_interview

    cfg = BenchInterviewConfig(minutes=args.minutes, audio=args.audio, model=args.model, repeats=args.repeats)
    return _emit(bench_interview(cfg), args.out)


def cmd_bench_explain(args: argparse.Namespace) -> int:
    from ..bench.explain import BenchExplainConfig, bench_explain

    def names(text: str | None) -> tuple[str, ...] | None:
        return None if text is None else tuple(s.strip() for s in text.split(",") if s.strip())

    cfg = BenchExplainConfig(
        features=args.features,
        cues=args.cues,
        task=args.task,
        audio_encoder=args.audio_encoder,
        text_encoder=args.text_encoder,
        methods=names(args.methods),
        variants=tuple(args.variant or ()),
        overrides=tuple(args.set or ()),
        folds=args.folds,
        epochs=args.epochs,
        seeds=tuple(int(s) for s in names(args.seeds)),
        k=args.k,
        cue_kinds=names(args.cue_kinds),
        skip_labels=names(args.skip_labels),
        ig_steps=args.ig_steps,
        resamples=args.resamples,
    )
    return _emit(bench_explain(cfg), args.out)


def _add_explain_parser(bench) -> None:
    p = bench.add_parser(
        "explain", help="do the segment scores find the cue segments? out-of-fold models, lifts over chance"
    )
    p.add_argument("--features", default=None, help="a feature folder (default: the shipped demo features)")
    p.add_argument("--cues", default=None, help="cues.csv (default: the demo corpus's, or FEATURES/cues.csv)")
    p.add_argument("--task", default=None, help="task column (default: spectrum on the demo, else the first)")
    p.add_argument("--audio-encoder", default="whisper-tiny-en", help="demo audio features ('' = none)")
    p.add_argument("--text-encoder", default="minilm-l6", help="demo text features ('' = none)")
    p.add_argument(
        "--methods", default=None,
        help="comma-separated (default: hilbert on the demo; linear,transfer,hilbert on a feature folder)",
    )  # fmt: skip
    p.add_argument(
        "--variant", action="append", metavar="OVERRIDES",
        help="a further hilbert run with these comma-separated overrides, e.g. model.pooling=gated",
    )  # fmt: skip
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override for every run (repeatable)")
    p.add_argument("--folds", type=int, default=5, help="outer folds (subject-grouped)")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: the config's)")
    p.add_argument("--seeds", default="0", help="comma-separated seeds (folds and models)")
    p.add_argument("--k", type=int, default=3, help="top-k of the precision lift")
    p.add_argument(
        "--cue-kinds", default=None,
        help="cue names that count (default: the spectrum cues on the demo, any cue on a folder)",
    )  # fmt: skip
    p.add_argument(
        "--skip-labels",
        default=None,
        help="labels not scored (default: control on the demo, none on a folder)",
    )
    p.add_argument("--ig-steps", type=int, default=32, help="integrated-gradients steps")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.set_defaults(func=cmd_bench_explain)


def add_bench_parser(sub) -> None:
    """Register ``bench cv``, ``extract``, ``sweep``, ``interview`` and ``explain``."""
    bench = sub.add_parser("bench", help="benchmarks writing JSON").add_subparsers(
        dest="bench", required=True
    )
    p = bench.add_parser("cv", help="stacked bf16 k-fold training vs the plain fold-after-fold run")
    for name, default in (
        ("documents", 200),
        ("segments", 40),
        ("audio-dim", 768),
        ("text-dim", 384),
        ("folds", 10),
        ("epochs", 10),
        ("seed", 0),
    ):
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument("--method", choices=METHODS[1:], default="hilbert")
    p.add_argument(
        "--tune", action="store_true", help="include the dropout x weight-decay grid (4x the models)"
    )
    p.add_argument(
        "--inner", type=int, default=1, help="inner folds per outer fold (the recipe's default is 5)"
    )
    p.add_argument("--skip-plain", action="store_true", help="time only the optimised run")
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.set_defaults(func=cmd_bench)

    p = bench.add_parser("extract", help="encoder speed and peak memory on a generated recording")
    p.add_argument("--minutes", type=float, default=5.0, help="length of the generated recording")
    p.add_argument(
        "--encoders", default="logmel,egemaps,whisper-tiny-en", help="comma-separated audio encoders"
    )
    p.add_argument("--text-encoder", default="minilm-l6", help="text encoder to time ('' for none)")
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.set_defaults(func=cmd_bench_extract)

    p = bench.add_parser("sweep", help="a small grid: local process pool vs one job after another")
    for name, default in (
        ("documents", 120),
        ("seeds", 4),
        ("folds", 5),
        ("epochs", 20),
        ("registry-jobs", 200),
    ):
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument(
        "--workers", type=int, default=None, help="local pool size (default: GPUs, else CPU cores)"
    )
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.set_defaults(func=cmd_bench_sweep)

    p = bench.add_parser("interview", help="upload-to-prediction time of one audio-only interview")
    p.add_argument("--minutes", type=float, default=5.0, help="length of the generated speech recording")
    p.add_argument("--audio", default=None, help="time this recording instead")
    p.add_argument("--model", default=None, help="a model bundle (default: whisper-tiny-en + minilm-l6)")
    p.add_argument("--repeats", type=int, default=2, help="requests to time (the first loads the models)")
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.set_defaults(func=cmd_bench_interview)
    _add_explain_parser(bench)
