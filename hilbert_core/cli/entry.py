"""The ``hilbert`` command line. ``main(argv) -> exit status``; user mistakes print one line, exit 2."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from ..config import METHODS, MODALITIES, ExperimentConfig
from .bench import add_bench_parser
from .demo import add_demo_parser
from .runs import add_runs_parser, open_run
from .runs import write as _write
from .sweep import add_sweep_parsers

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


def cmd_synth_features(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..data.features import save_features
    from ..data.synthetic import make_features

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


def _task_data(args: argparse.Namespace, progress) -> tuple[tuple, dict[str, str]]:
    """(audio, text, labels, groups, ids) for ``--task`` from ``--features DIR`` or a corpus folder."""
    from ..data.features import load_features

    if bool(args.corpus) == bool(args.features):
        raise ValueError("give either a corpus folder (positional) or --features DIR, not both or neither.")
    if args.features:
        return load_features(args.features).task_view(args.task), {"features": str(args.features)}
    from ..encoders.extract import ExtractConfig, extract_corpus

    cfg = ExtractConfig(args.audio_encoder, args.text_encoder, args.whisper_model, args.cache)
    feats, encoders = extract_corpus(args.corpus, cfg, progress)
    return feats.task_view(args.task), {
        **encoders,
        "corpus": str(args.corpus),
        "whisper_model": args.whisper_model,
    }


def cmd_cv(args: argparse.Namespace) -> int:
    from ..evaluation.cv import cross_validate
    from ..io import atomic_write_text

    cfg = _config(args)
    registry, run_id = open_run(args, "cv", {**cfg.to_dict(), "task": args.task})
    update, close = _progress_bar(f"cv {cfg.eval.method}")
    try:
        (audio, text, labels, groups, _), source = _task_data(args, update)
        report = cross_validate(audio, text, labels, groups=groups, config=cfg, progress=update)
    except BaseException as exc:
        if registry is not None:
            registry.fail(run_id, str(exc) or type(exc).__name__)
        raise
    finally:
        close()
    report.config["source"] = source
    out = Path(args.out or f"cv_{args.task}_{cfg.eval.method}_{cfg.eval.modality}.json")
    atomic_write_text(out, report.to_json())
    if registry is not None:
        registry.finish(run_id, report.to_dict(), {"report": str(out.resolve())})
    _write(report.summary())
    _write(f"report: {out}" + (f" (run {run_id} in {registry.path})" if registry is not None else ""))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..training.bundle import train_final

    cfg = _config(args)
    registry, run_id = open_run(args, "train", {**cfg.to_dict(), "task": args.task})
    update, close = _progress_bar(f"train {cfg.eval.method}")
    try:
        (audio, text, labels, groups, _), source = _task_data(args, update)
        bundle = train_final(
            audio,
            text,
            labels,
            groups=groups,
            config=cfg,
            progress=update,
            info={"task": args.task, **source},
        )
        bundle.save(args.out, overwrite=args.overwrite)
    except BaseException as exc:
        if registry is not None:
            registry.fail(run_id, str(exc) or type(exc).__name__)
        raise
    finally:
        close()
    if registry is not None:
        summary = {"classes": bundle.classes, "training": bundle.info.get("training", {}), "source": source}
        registry.finish(run_id, summary, {"bundle": str(Path(args.out).resolve())})
    _write(
        f"saved {cfg.eval.method} model for task '{args.task}' ({len(bundle.classes)} classes) to {args.out}"
    )
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from ..training.bundle import load_bundle

    bundle = load_bundle(args.model)
    segments = None
    if args.features:
        from ..data.features import load_features

        if not args.document:
            raise ValueError("--features needs --document ID (the document to score).")
        audio, text = load_features(args.features).document(args.document)
        pred = bundle.predict(audio, text)
    elif args.audio:
        from ..encoders.extract import predict_recording

        update, close = _progress_bar("predict")
        try:
            result = predict_recording(bundle, args.audio, args.transcript, update)
        finally:
            close()
        pred, segments = result.prediction, result.segments
    else:
        raise ValueError("give an AUDIO file to score, or --features DIR --document ID.")
    if args.json:
        out = pred.to_dict()
        if segments is not None:
            out["segments"] = [vars(s) for s in segments]
        _write(json.dumps(out))
        return 0
    task = bundle.info.get("task", "task")
    order = np.argsort(pred.proba)[::-1]
    _write(f"{task}: " + ", ".join(f"{pred.classes[k]} {pred.proba[k]:.3f}" for k in order))
    for name, weights in pred.attention.items():
        top = np.argsort(weights)[::-1][: args.top]
        parts = []
        for i in top:
            where = (
                f' {segments[i].start_s:.1f}-{segments[i].end_s:.1f}s "{segments[i].text[:60]}"'
                if segments
                else ""
            )
            parts.append(f"#{i} ({weights[i]:.2f}){where}")
        _write(f"most attended segments ({name}): " + "; ".join(parts))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..data.validate import validate_corpus

    problems = validate_corpus(args.corpus, n_splits=args.folds, tasks=[args.task] if args.task else None)
    for p in problems:
        _write(str(p))
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found in {args.corpus}\n")
        return 2
    _write(f"{args.corpus}: no problems found")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from ..data.features import save_features
    from ..encoders.cache import sanitize_name
    from ..encoders.extract import ExtractConfig, extract_corpus
    from ..io import atomic_write_text

    cfg = ExtractConfig(args.audio_encoder, args.text_encoder, args.whisper_model, args.cache)
    out = Path(
        args.out
        or Path(args.corpus)
        / ".hilbert"
        / "features"
        / f"{sanitize_name(args.audio_encoder or 'none')}+{sanitize_name(args.text_encoder or 'none')}"
    )
    config = {**cfg.encoders_info(), "corpus": str(Path(args.corpus).resolve()), "out": str(out)}
    registry, run_id = open_run(args, "extract", config)
    update, close = _progress_bar("extract")
    try:
        feats, encoders = extract_corpus(args.corpus, cfg, update)
        save_features(out, feats.table, feats.audio, feats.text)
        atomic_write_text(out / "encoders.json", json.dumps(encoders, indent=2))
    except BaseException as exc:
        if registry is not None:
            registry.fail(run_id, str(exc) or type(exc).__name__)
        raise
    finally:
        close()
    if registry is not None:
        registry.finish(
            run_id, {"info": encoders, "documents": len(feats.table)}, {"features": str(out.resolve())}
        )
    _write(f"features of {len(feats.table)} documents written to {out}")
    return 0


def _add_encoder_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--audio-encoder", default="whisper-tiny-en", help="logmel, egemaps, whisper-tiny-en, hf:ID[@layer]"
    )
    p.add_argument("--text-encoder", default="minilm-l6", help="minilm-l6, lexicon, st:ID, hf:ID, clap:ID")
    p.add_argument("--whisper-model", default="bundled-tiny.en", help="transcription model name or folder")
    p.add_argument("--cache", default=None, help="feature cache folder (default CORPUS/.hilbert/cache)")


def _add_run_options(p: argparse.ArgumentParser, folds: bool = True) -> None:
    p.add_argument(
        "corpus", nargs="?", default=None, help="corpus folder (documents.csv, audio, segments.csv)"
    )
    p.add_argument(
        "--features", default=None, help="feature folder (documents.csv + audio.npy/text.npy) instead"
    )
    _add_encoder_options(p)
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
        "--workspace", default=None, help="record the run in WORKSPACE/registry.sqlite ($HILBERT_WORKSPACE)"
    )
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

    p = sub.add_parser("predict", help="score one recording (or one document of a feature folder)")
    p.add_argument("model", help="model bundle folder")
    p.add_argument(
        "audio", nargs="?", default=None, help="recording to score (transcribed unless --transcript)"
    )
    p.add_argument("--transcript", default=None, help="SRT, WebVTT, CSV or TSV transcript of the recording")
    p.add_argument("--features", default=None, help="feature folder, with --document")
    p.add_argument("--document", default=None, help="document_id in the feature folder's documents.csv")
    p.add_argument("--top", type=int, default=3, help="most attended segments to list")
    p.add_argument("--json", action="store_true", help="print the full prediction as JSON")
    p.set_defaults(func=cmd_predict)

    add_runs_parser(sub)

    p = sub.add_parser("validate", help="check a corpus folder before any heavy work")
    p.add_argument("corpus")
    p.add_argument("--folds", type=int, default=None, help="check that every class can fill this many folds")
    p.add_argument("--task", default=None, help="check only this label column")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("extract", help="segment, transcribe if needed, and encode a corpus (cached)")
    p.add_argument("corpus")
    _add_encoder_options(p)
    p.add_argument(
        "--out", default=None, help="feature folder to write (default CORPUS/.hilbert/features/A+T)"
    )
    p.add_argument(
        "--workspace", default=None, help="record the run in WORKSPACE/registry.sqlite ($HILBERT_WORKSPACE)"
    )
    p.set_defaults(func=cmd_extract)

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

    add_sweep_parsers(sub)
    add_bench_parser(sub)
    add_demo_parser(sub)
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
