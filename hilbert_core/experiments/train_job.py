"""A final-training job: features (cached in the workspace), one model on all documents, a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..workspace import cache_dir, models_dir, registry_path
from .job_spec import build_spec
from .recording import recorded_run
from .registry import RunRegistry


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

    cell = build_spec(spec).cells()[0]
    cfg = cell.config()
    registry = RunRegistry(registry_path(workspace))
    config = {**cfg.to_dict(), "task": cell.task, "cell": cell.describe()}
    device = lambda: str(resolve_device(cfg.train.device))  # noqa: E731  (called once the run exists)
    with recorded_run(registry, "train", config, device, job_id) as run:
        if cell.corpus.is_features:
            feats, source = load_features(cell.corpus.root), {"features": cell.corpus.root}
        else:
            extract = ExtractConfig(
                cell.audio_encoder,
                cell.text_encoder,
                spec.get("whisper_model", "bundled-tiny.en"),
                Path(cell.corpus.cache or cache_dir(workspace)),
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
        out = models_dir(workspace) / f"{cell.task}-{cfg.eval.method}-{run.id}"
        bundle.save(out)
        summary = {"classes": bundle.classes, "training": bundle.info.get("training", {})}
        run.finish(summary, {"bundle": str(out)})
    return {"bundle": str(out), "run_id": run.id}
