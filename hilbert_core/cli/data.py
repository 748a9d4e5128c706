"""``hilbert validate`` and ``hilbert extract``: check a corpus, and encode it (cached)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..experiments.recording import recorded_run
from .common import add_encoder_options, device_of, progress_bar, run_registry, write


def cmd_validate(args: argparse.Namespace) -> int:
    from ..data.validate import validate_corpus

    problems = validate_corpus(args.corpus, n_splits=args.folds, tasks=[args.task] if args.task else None)
    for p in problems:
        write(str(p))
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found in {args.corpus}\n")
        return 2
    write(f"{args.corpus}: no problems found")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from ..data.features import save_features
    from ..encoders.extract import ExtractConfig, extract_corpus
    from ..io import atomic_write_text, sanitize_name

    cfg = ExtractConfig(args.audio_encoder, args.text_encoder, args.whisper_model, args.cache)
    out = Path(
        args.out
        or Path(args.corpus)
        / ".hilbert"
        / "features"
        / f"{sanitize_name(args.audio_encoder or 'none')}+{sanitize_name(args.text_encoder or 'none')}"
    )
    config = {**cfg.encoders_info(), "corpus": str(Path(args.corpus).resolve()), "out": str(out)}
    update, close = progress_bar("extract")
    with recorded_run(run_registry(args), "extract", config, device_of(config)) as run:
        try:
            feats, encoders = extract_corpus(args.corpus, cfg, update)
            save_features(out, feats.table, feats.audio, feats.text)
            atomic_write_text(out / "encoders.json", json.dumps(encoders, indent=2))
        finally:
            close()
        run.finish({"info": encoders, "documents": len(feats.table)}, {"features": str(out.resolve())})
    write(f"features of {len(feats.table)} documents written to {out}")
    return 0


def add_data_parsers(sub) -> None:
    p = sub.add_parser("validate", help="check a corpus folder before any heavy work")
    p.add_argument("corpus")
    p.add_argument("--folds", type=int, default=None, help="check that every class can fill this many folds")
    p.add_argument("--task", default=None, help="check only this label column")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("extract", help="segment, transcribe if needed, and encode a corpus (cached)")
    p.add_argument("corpus")
    add_encoder_options(p)
    p.add_argument(
        "--out", default=None, help="feature folder to write (default CORPUS/.hilbert/features/A+T)"
    )
    p.add_argument(
        "--workspace", default=None, help="record the run in WORKSPACE/registry.sqlite ($HILBERT_WORKSPACE)"
    )
    p.set_defaults(func=cmd_extract)
