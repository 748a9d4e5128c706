"""A final-training job: features (cached in the workspace), one model on all documents, a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .registry import RunRegistry
from .sweep import registry_path


def run_train_job(
    workspace: Path, job_id: str, spec: dict[str, Any], progress, on_epoch=None
) -> dict[str, Any]:
    """Train the final model a ``train`` job spec describes; returns ``{"bundle", "run_id"}``.

    ``on_epoch`` receives an :class:`EpochRecord` (label ``"final"``) after every training epoch.
    """
    from ..data.features import load_features
    from ..device import resolve_device
    from ..encoders.extract import ExtractConfig, extract_corpus
    from ..training.bundle import train_final
    from .jobs import JobCancelled, build_spec

    cell = build_spec(spec).cells()[0]
    cfg = cell.config()
    registry = RunRegistry(registry_path(workspace))
    run_id = registry.create(
        "train", {**cfg.to_dict(), "task": cell.task, "cell": cell.describe()}, None, job_id
    )
    try:  # from here on, any failure (the registry's own included) marks the run failed
        registry.start(run_id, str(resolve_device(cfg.train.device)))
        if cell.corpus.is_features:
            feats, source = load_features(cell.corpus.root), {"features": cell.corpus.root}
        else:
            extract = ExtractConfig(
                cell.audio_encoder,
                cell.text_encoder,
                spec.get("whisper_model", "bundled-tiny.en"),
                Path(cell.corpus.cache or workspace / "cache"),
            )
            feats, source = extract_corpus(cell.corpus.root, extract, lambda f, m: progress(0.3 * f, m))
            source = {**source, "corpus": cell.corpus.root, "whisper_model": extract.whisper_model}
        audio, text, labels, groups, _ = feats.task_view(cell.task)
        bundle = train_final(
            audio,
            text,
            labels,
            groups=groups,
            config=cfg,
            progress=lambda f, m: progress(0.3 + 0.7 * f, m),
            on_epoch=on_epoch,
            info={"task": cell.task, **source},
        )
        out = workspace / "models" / f"{cell.task}-{cfg.eval.method}-{run_id}"
        bundle.save(out)
    except JobCancelled:
        registry.cancel(run_id)
        raise
    except BaseException as exc:
        registry.fail(run_id, str(exc) or type(exc).__name__)
        raise
    registry.finish(
        run_id, {"classes": bundle.classes, "training": bundle.info.get("training", {})}, {"bundle": str(out)}
    )
    return {"bundle": str(out), "run_id": run_id}
