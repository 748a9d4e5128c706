"""The work a sweep hands to its engine: pure functions of their arguments, with no registry access.

The sweep's driver process owns the registry and the workspace files; a task only computes and returns
its result, so the same task runs in a local process pool, in a Ray worker on another machine, or in
the driver itself.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from pathlib import Path
from typing import Any

from ..data.features import FeatureSet, load_features

logger = logging.getLogger(__name__)


def describe_device() -> str:
    """``cuda:0 (NVIDIA H100)`` or ``cpu (N threads)``, for the registry."""
    import torch

    if torch.cuda.is_available():
        return f"cuda:{torch.cuda.current_device()} ({torch.cuda.get_device_name()})"
    return f"cpu ({torch.get_num_threads()} threads)"


def transcribe_task(corpus_root: str, whisper_model: str) -> dict[str, Any]:
    """Transcribe and segment the documents of a corpus that have no segments yet (writes segments.csv)."""
    from ..data.corpus import load_corpus
    from ..encoders.extract import ensure_segments

    start = time.perf_counter()
    count = ensure_segments(load_corpus(corpus_root), whisper_model)
    return {"transcribed": count, "seconds": time.perf_counter() - start, "device": describe_device()}


def extract_task(
    corpus_root: str, role: str, encoder: str, whisper_model: str, cache_dir: str | None
) -> tuple[FeatureSet, dict[str, Any]]:
    """One encoder over every document of a corpus (through the feature cache when ``cache_dir``)."""
    from ..encoders.extract import ExtractConfig, extract_corpus

    cfg = ExtractConfig(
        audio_encoder=encoder if role == "audio" else "",
        text_encoder=encoder if role == "text" else "",
        whisper_model=whisper_model,
        cache_dir=Path(cache_dir) if cache_dir else None,
    )
    start = time.perf_counter()
    feats, info = extract_corpus(corpus_root, cfg)
    return feats, {**info, "seconds": time.perf_counter() - start, "device": describe_device()}


@functools.lru_cache(maxsize=8)
def _load_cached(folder: str) -> FeatureSet:
    return load_features(folder)


def _features(source: str | FeatureSet) -> FeatureSet:
    """A feature folder path (loaded once per worker process) or a FeatureSet passed by value."""
    return _load_cached(source) if isinstance(source, str) else source


def cv_task(
    audio: str | FeatureSet | None,
    text: str | FeatureSet | None,
    task: str,
    config: dict[str, Any],
    modality_source: str | FeatureSet | None = None,
    progress=None,
    on_epoch=None,
) -> dict[str, Any]:
    """Cross-validate one sweep cell; returns the CVReport as a dict (with ``device``).

    Args:
        audio, text: feature folders (or FeatureSets) holding the audio / text features of the corpus;
            None when the cell does not use that modality.
        task: the label column.
        config: an ExperimentConfig dict.
        modality_source: a feature folder holding both modalities (a user's own feature folder); then
            ``audio`` and ``text`` are ignored.
        progress: ``progress(fraction, message)`` within this cell (only in the driver's own process).
        on_epoch: per-epoch :class:`EpochRecord` callback (likewise only in the driver's own process:
            workers of the local and Ray engines do not stream loss curves).
    """
    from ..config import ExperimentConfig
    from ..evaluation.cv import cross_validate

    if modality_source is not None:
        feats = _features(modality_source)
        a_docs, t_docs, labels, groups, ids = feats.task_view(task)
    else:
        parts = {name: _features(src) for name, src in (("audio", audio), ("text", text)) if src is not None}
        first = next(iter(parts.values()))
        merged = FeatureSet(
            table=first.table,
            audio=parts["audio"].audio if "audio" in parts else None,
            text=parts["text"].text if "text" in parts else None,
        )
        if "audio" in parts and "text" in parts:
            check_same_documents(parts["audio"], parts["text"])
        a_docs, t_docs, labels, groups, ids = merged.task_view(task)
    cfg = ExperimentConfig.from_dict(config)
    report = cross_validate(
        a_docs, t_docs, labels, groups=groups, config=cfg, progress=progress, on_epoch=on_epoch
    ).to_dict()
    report["document_ids"] = ids
    report["groups"] = groups
    report["device"] = describe_device()
    report["worker_pid"] = os.getpid()
    return report


def check_same_documents(a: FeatureSet, b: FeatureSet) -> None:
    ids_a = a.table["document_id"].astype(str).tolist()
    ids_b = b.table["document_id"].astype(str).tolist()
    counts_a = a.table["num_segments"].tolist()
    counts_b = b.table["num_segments"].tolist()
    if ids_a != ids_b or counts_a != counts_b:
        raise ValueError(
            "the audio and text features were extracted from different documents or segmentations; "
            "delete the workspace's features folder for this corpus and run the sweep again."
        )
