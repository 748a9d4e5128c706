"""The ``hilbert`` command line. ``main(argv) -> exit status``; user mistakes print one line, exit 2."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .config import METHODS, MODALITIES, ExperimentConfig

logger = logging.getLogger(__name__)


def _progress_bar(desc: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
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


def _config(args: argparse.Namespace) -> ExperimentConfig:
    cfg = ExperimentConfig()
    if getattr(args, "config", None):
        path = Path(args.config)
        try:
            cfg = ExperimentConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"--config {path}: cannot read it as JSON ({exc}).") from None
    evals = {k: v for k, v in (("method", args.method), ("modality", args.modality)) if v is not None}
    if getattr(args, "folds", None) is not None:
        evals["n_splits"] = args.folds
    if getattr(args, "seed", None) is not None:
        evals["seed"] = args.seed
    if getattr(args, "losses", None):
        evals["losses"] = tuple(s for s in args.losses.split(",") if s)
    cfg = cfg.replace(eval=evals) if evals else cfg
    return cfg.apply_overrides(args.set or [])


def _write(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def cmd_synth_features(args: argparse.Namespace) -> int:
    import pandas as pd

    from .features_io import save_features
    from .synthetic import make_features

    feats = make_features(
        args.documents,
        (args.min_segments, args.max_segments),
        args.audio_dim,
        args.text_dim,
        args.classes,
        num_cues=args.cues,
        strength=args.signal,
        seed=args.seed,
    )
    table = pd.DataFrame(
        {
            "document_id": [f"doc{i:04d}" for i in range(args.documents)],
            "subject_id": feats.groups,
            "label": feats.labels,
        }
    )
    save_features(args.out, table, feats.audio, feats.text)
    _write(f"wrote {args.documents} synthetic documents (task 'label') to {args.out}")
    return 0


def cmd_cv(args: argparse.Namespace) -> int:
    from .evaluation import cross_validate
    from .features_io import load_features
    from .io import atomic_write_text

    cfg = _config(args)
    audio, text, labels, groups, _ = load_features(args.features).task_view(args.task)
    update, close = _progress_bar(f"cv {cfg.eval.method}")
    try:
        report = cross_validate(audio, text, labels, groups=groups, config=cfg, progress=update)
    finally:
        close()
    out = Path(args.out or f"cv_{args.task}_{cfg.eval.method}_{cfg.eval.modality}.json")
    atomic_write_text(out, report.to_json())
    _write(report.summary())
    _write(f"report: {out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .bundle import train_final
    from .features_io import load_features

    cfg = _config(args)
    audio, text, labels, groups, _ = load_features(args.features).task_view(args.task)
    update, close = _progress_bar(f"train {cfg.eval.method}")
    try:
        bundle = train_final(
            audio,
            text,
            labels,
            groups=groups,
            config=cfg,
            progress=update,
            info={"task": args.task, "features": str(args.features)},
        )
    finally:
        close()
    bundle.save(args.out, overwrite=args.overwrite)
    _write(
        f"saved {cfg.eval.method} model for task '{args.task}' ({len(bundle.classes)} classes) to {args.out}"
    )
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from .bundle import load_bundle
    from .features_io import load_features

    bundle = load_bundle(args.model)
    audio, text = load_features(args.features).document(args.document)
    pred = bundle.predict(audio, text)
    if args.json:
        _write(json.dumps(pred.to_dict()))
        return 0
    task = bundle.info.get("task", "task")
    _write(f"{task}: " + ", ".join(f"{c} {p:.3f}" for c, p in zip(pred.classes, pred.proba, strict=True)))
    for name, weights in pred.attention.items():
        top = np.argsort(weights)[::-1][: args.top]
        _write(f"most attended segments ({name}): " + ", ".join(f"#{i} ({weights[i]:.2f})" for i in top))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import BenchCVConfig, bench_cv
    from .io import atomic_write_text

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
    result = bench_cv(bc)
    text = json.dumps(result, indent=2)
    if args.out:
        atomic_write_text(args.out, text)
    _write(text)
    return 0


def _add_run_options(p: argparse.ArgumentParser, folds: bool = True) -> None:
    p.add_argument("--features", required=True, help="feature folder (documents.csv + audio.npy/text.npy)")
    p.add_argument("--task", required=True, help="label column of documents.csv")
    p.add_argument("--method", choices=METHODS, default=None)
    p.add_argument(
        "--modality", choices=MODALITIES, default=None, help="both (default), audio-only or text-only"
    )
    p.add_argument(
        "--losses", default=None, help="hilbert's auxiliary losses, e.g. contrastive,cka (ablations)"
    )
    if folds:
        p.add_argument("--folds", type=int, default=None, help="outer folds (default 25)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--config", default=None, help="ExperimentConfig JSON file")
    p.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override a config value, e.g. --set train.epochs=30 (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hilbert", description="HILBERT: audio-text models of long interviews."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("cv", help="cross-validate a method on a feature folder")
    _add_run_options(p)
    p.add_argument("--out", default=None, help="report JSON path")
    p.set_defaults(func=cmd_cv)

    p = sub.add_parser("train", help="train a final model on all documents and save a bundle")
    _add_run_options(p, folds=False)
    p.add_argument("--out", required=True, help="model bundle folder")
    p.add_argument("--overwrite", action="store_true", help="replace a bundle already in --out")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="score one document of a feature folder with a model bundle")
    p.add_argument("model", help="model bundle folder")
    p.add_argument("--features", required=True)
    p.add_argument("--document", required=True, help="document_id in documents.csv")
    p.add_argument("--top", type=int, default=3, help="most attended segments to list")
    p.add_argument("--json", action="store_true", help="print the full prediction as JSON")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("synth-features", help="write a synthetic feature folder (for trying things out)")
    p.add_argument("out")
    p.add_argument("--documents", type=int, default=120)
    p.add_argument("--min-segments", type=int, default=8)
    p.add_argument("--max-segments", type=int, default=16)
    p.add_argument("--audio-dim", type=int, default=32)
    p.add_argument("--text-dim", type=int, default=16)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--cues", type=int, default=2, help="segments per document that carry the label")
    p.add_argument("--signal", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_synth_features)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
