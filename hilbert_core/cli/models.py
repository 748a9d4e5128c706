"""``hilbert cv``, ``train``, ``predict`` and ``synth-features``: models on a corpus or a feature folder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..experiments.recording import recorded_run
from .common import (
    add_run_options,
    device_of,
    experiment_config,
    progress_bar,
    run_registry,
    workspace_arg,
    write,
)


def cmd_synth_features(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..data.features import save_features
    from ..data.synthetic import cue_table, make_features
    from ..io import atomic_write_text

    feats = make_features(
        args.documents,
        (args.min_segments, args.max_segments),
        args.audio_dim,
        args.text_dim,
        args.classes,
        num_cues=args.cues,
        strength=args.signal,
        seed=args.seed,
        baseline=args.baseline,
    )
    ids = [f"doc{i:04d}" for i in range(args.documents)]
    table = pd.DataFrame({"document_id": ids, "subject_id": feats.groups, "label": feats.labels})
    out = save_features(args.out, table, feats.audio, feats.text)
    atomic_write_text(out / "cues.csv", cue_table(feats, ids).to_csv(index=False))
    write(f"wrote {args.documents} synthetic documents (task 'label'; cue segments: cues.csv) to {out}")
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

    cfg = experiment_config(args)
    config = {**cfg.to_dict(), "task": args.task}
    registry = run_registry(args)
    update, close = progress_bar(f"cv {cfg.eval.method}")
    with recorded_run(registry, "cv", config, device_of(config)) as run:
        try:
            (audio, text, labels, groups, _), source = _task_data(args, update)
            report = cross_validate(audio, text, labels, groups=groups, config=cfg, progress=update)
        finally:
            close()
        report.config["source"] = source
        out = Path(args.out or f"cv_{args.task}_{cfg.eval.method}_{cfg.eval.modality}.json")
        atomic_write_text(out, report.to_json())
        run.finish(report.to_dict(), {"report": str(out.resolve())})
    write(report.summary())
    write(f"report: {out}" + (f" (run {run.id} in {registry.path})" if registry is not None else ""))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..training.bundle import train_final

    cfg = experiment_config(args)
    config = {**cfg.to_dict(), "task": args.task}
    update, close = progress_bar(f"train {cfg.eval.method}")
    with recorded_run(run_registry(args), "train", config, device_of(config)) as run:
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
        finally:
            close()
        summary = {"classes": bundle.classes, "training": bundle.info.get("training", {}), "source": source}
        run.finish(summary, {"bundle": str(Path(args.out).resolve())})
    write(
        f"saved {cfg.eval.method} model for task '{args.task}' ({len(bundle.classes)} classes) to {args.out}"
    )
    if bundle.oof is not None and len(bundle.oof.y):
        from ..evaluation.metrics import macro_auc
        from ..report.vocabulary import headline

        auc = macro_auc(bundle.oof.y, bundle.oof.proba)
        write(f"its {bundle.oof.source} ({len(bundle.oof.y)} documents): {headline(auc)}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from ..training.bundle import load_bundle

    if args.report:
        return _predict_report(args)
    bundle = load_bundle(args.model)
    segments = None
    if args.features:
        from ..data.features import load_features

        if not args.document:
            raise ValueError("--features needs --document ID (the document to score).")
        audio, text = load_features(args.features).document(args.document)
        pred = bundle.predict(audio, text)
        evidence = bundle.explain(audio, text) if args.explain else None
    elif args.audio:
        from ..encoders.extract import predict_recording

        update, close = progress_bar("predict")
        try:
            result = predict_recording(bundle, args.audio, args.transcript, update, explain=args.explain)
        finally:
            close()
        pred, segments, evidence = result.prediction, result.segments, result.evidence
    else:
        raise ValueError("give an AUDIO file to score, or --features DIR --document ID.")
    spread = _uncertainty(args, bundle, pred)
    if args.json:
        return _write_json(pred, spread, segments, evidence)
    task = bundle.info.get("task", "task")
    order = np.argsort(pred.proba)[::-1]
    write(f"{task}: " + ", ".join(f"{pred.classes[k]} {pred.proba[k]:.3f}" for k in order))
    write(
        spread.sentence()
        if spread is not None
        else "no prediction set: this bundle keeps no out-of-fold predictions and no cross-validation of its "
        "recipe is in the workspace; retrain it, or give --workspace with its cross-validation run."
    )
    labels = [f'{g.start_s:.1f}-{g.end_s:.1f}s "{g.text[:60]}"' for g in segments] if segments else None
    for name, weights in pred.attention.items():
        top = np.argsort(weights)[::-1][: args.top]
        where = [f" {labels[i]}" if labels else "" for i in top]
        write(
            f"most attended segments ({name}): "
            + "; ".join(f"#{i} ({weights[i]:.2f}){w}" for i, w in zip(top, where, strict=True))
        )
    if evidence is not None:
        from ..explain.words import describe

        for line in describe(evidence, args.top, labels=labels):
            write(line)
    return 0


def _write_json(pred, spread, segments, evidence) -> int:
    """``hilbert predict --json``: the prediction, its uncertainty, segments and evidence as one object."""
    out = pred.to_dict()
    out["uncertainty"] = spread.to_dict() if spread is not None else None
    if segments is not None:
        out["segments"] = [vars(s) for s in segments]
    if evidence is not None:
        out["evidence"] = evidence.to_dict()
    write(json.dumps(out))
    return 0


def _predict_report(args: argparse.Namespace) -> int:
    """Score one recording as the Interview page does (evidence, marks) and write its report."""
    from ..service.interview import InterviewScorer
    from ..service.interview_report import build_report, write_report

    if not args.audio:
        raise ValueError("--report needs a recording to score (AUDIO), not --features; give the AUDIO file.")
    if Path(args.report).suffix.lower() not in (".html", ".htm", ".pdf"):
        raise ValueError(f"--report {args.report!r} must end in .html or .pdf; rename it.")
    workspace = workspace_arg(args)
    update, close = progress_bar("predict")
    try:
        transcript = Path(args.transcript) if args.transcript else None
        result = InterviewScorer(beam_size=5).score(
            Path(args.audio), [Path(args.model)], transcript, progress=update, workspace=workspace
        )
    finally:
        close()
    report = build_report(result, args.coverage, None, workspace)
    path = write_report(report, args.report)
    write(f"{report.task}: {report.headline}; {report.novelty.sentence()}")
    write(f"report written to {path}")
    return 0


def _uncertainty(args: argparse.Namespace, bundle, pred):
    """The prediction set at ``--coverage``, chance levels and cross-validated AUC (None: no calibration)."""
    from ..evaluation.uncertainty import uncertainty
    from ..experiments.model_runs import bundle_calibration

    calibration = bundle_calibration(bundle, workspace_arg(args))
    if calibration is None:
        return None
    return uncertainty(calibration, pred.proba, args.coverage, pred.proba_sd)


def add_model_parsers(sub) -> None:
    p = sub.add_parser("cv", help="cross-validate a method on a feature folder")
    add_run_options(p)
    p.add_argument("--out", default=None, help="report JSON path")
    p.set_defaults(func=cmd_cv)

    p = sub.add_parser("train", help="train a final model on all documents and save a bundle")
    add_run_options(p, folds=False)
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
    p.add_argument(
        "--report", default=None,
        help="write the Interview report a clinician can file (evidence, marks, disclaimer): .html or .pdf",
    )  # fmt: skip
    p.add_argument(
        "--explain", action="store_true",
        help="also measure which segments moved the prediction (occlusion, integrated gradients); "
        "printed as the top segments per direction, or under 'evidence' with --json",
    )  # fmt: skip
    p.add_argument(
        "--coverage", type=float, default=0.9, help="coverage of the conformal prediction set (default 0.9)"
    )
    p.add_argument(
        "--workspace", default=None,
        help="calibrate on the cross-validation of the model's recipe in this workspace ($HILBERT_WORKSPACE)",
    )  # fmt: skip
    p.set_defaults(func=cmd_predict)


def add_synth_parser(sub) -> None:
    p = sub.add_parser("synth-features", help="write a synthetic feature folder (for trying things out)")
    p.add_argument("out")
    p.add_argument("--documents", type=int, default=120)
    p.add_argument("--min-segments", type=int, default=8)
    p.add_argument("--max-segments", type=int, default=16)
    p.add_argument("--audio-dim", type=int, default=32)
    p.add_argument("--text-dim", type=int, default=16)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--cues", type=int, default=2, help="segments per document that carry the label")
    p.add_argument("--signal", type=float, default=1.0, help="size of the label's shift on a cue segment")
    p.add_argument(
        "--baseline", type=float, default=0.0,
        help="scale of each subject's own baseline, added to all its segments (0 = none; e.g. 3 for a corpus "
        "where the label sits in a few segments that deviate from the speaker's usual)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_synth_features)
