"""Document embeddings of a trained model, projected to 2-D with t-SNE or UMAP, cached on disk.

Source (said on the page): cross-validation reports do not keep per-document embeddings, so they come
from a trained model bundle scoring the documents it was trained on. They are therefore *in-sample*:
the model has seen every document it embeds. ``fold`` is the outer cross-validation fold each document
falls into under the bundle's own config (folds, seed), so out-of-fold runs of the same config can be
read against it. A projection is cached under ``<workspace>/cache/embeddings/`` keyed by a hash of
the bundle's files and the projection settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_write_text
from ..workspace import cache_dir, embeddings_cache, models_dir
from . import background
from .background import Progress
from .demo_marks import is_demo_model  # noqa: F401  (the Embeddings page's banner)

logger = logging.getLogger(__name__)
SPACES = ("z_joint", "z_audio", "z_text")
PROJECTIONS = ("tsne", "umap")
COLOURS = ("label", "prediction", "fold", "subject")
SOURCE_NOTE = (
    "In-sample embeddings: a trained model scoring the documents it was trained on (cross-validation "
    "does not store per-document embeddings). Member 0 of the model's ensemble; 'fold' is the outer "
    "fold of each document under the model's own cross-validation settings. A class has one colour "
    "everywhere (by label and by prediction alike). Axes of t-SNE / UMAP have no units: only "
    "neighbourhoods mean something."
)


@dataclass(frozen=True)
class EmbeddingConfig:
    """What to project and how."""

    space: str = "z_joint"
    projection: str = "tsne"
    perplexity: float = 15.0  # t-SNE; capped below the number of documents
    n_neighbors: int = 15  # UMAP
    seed: int = 0

    def __post_init__(self) -> None:
        if self.space not in SPACES:
            raise ValueError(f"space={self.space!r} is unknown; choose one of {', '.join(SPACES)}.")
        if self.projection not in PROJECTIONS:
            raise ValueError(f"projection={self.projection!r} is unknown; choose tsne or umap.")
        if self.perplexity <= 0 or self.n_neighbors < 2:
            raise ValueError("perplexity must be > 0 and n_neighbors >= 2; e.g. 15 and 15.")


@dataclass
class DocumentOutputs:
    """A trained model's outputs for each of its training documents (rows aligned)."""

    document_ids: list[str]
    labels: list[str]
    subjects: list[str]
    folds: list[str]
    predictions: list[str]
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)  # space -> (N, K)
    gate_probs: np.ndarray | None = None  # (N, E)


@dataclass
class EmbeddingOutput:
    """A 2-D projection: ``frame`` has document_id, x, y, label, prediction, fold, subject."""

    model: str
    config: EmbeddingConfig
    frame: pd.DataFrame
    seconds: float
    source: str = SOURCE_NOTE


def model_choices(workspace: str | Path) -> dict[str, Path]:
    """Trained model bundles of the workspace with a network (a linear probe has no embeddings)."""
    out = {}
    for path in sorted(models_dir(workspace).glob("*/bundle.json")):
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("config", {}).get("eval", {}).get("method") != "linear":
            out[path.parent.name] = path.parent
    return out


def _features(bundle, workspace: Path, progress: Progress):
    """The bundle's training features: its feature folder, a sweep's stored features of its corpus, or its
    corpus re-encoded through the cache."""
    from ..data.features import load_features
    from ..encoders.extract import ExtractConfig, extract_corpus
    from ..experiments.stored import stored_features

    info = bundle.info
    if info.get("features") and Path(info["features"]).is_dir():
        return load_features(info["features"])
    if info.get("corpus") and Path(info["corpus"]).is_dir():
        stored = stored_features(
            workspace, info["corpus"], info.get("audio_encoder", ""), info.get("text_encoder", "")
        )
        if stored is not None:  # a sweep already encoded this corpus with these encoders
            return stored
        cfg = ExtractConfig(
            info.get("audio_encoder", ""),
            info.get("text_encoder", ""),
            info.get("whisper_model", "bundled-tiny.en"),
            cache_dir(workspace),
        )
        return extract_corpus(info["corpus"], cfg, lambda f, m: progress(0.4 * f, m))[0]
    raise ValueError(
        "this model does not say where its training documents are (no existing 'features' or 'corpus' "
        "folder in its bundle.json); train it again from the Train page."
    )


def document_outputs(
    model_dir: str | Path, workspace: str | Path, progress: Progress | None = None
) -> DocumentOutputs:
    """Score every training document of the bundle in ``model_dir``; returns its embeddings and gates."""
    from ..data import encode_labels, make_folds
    from ..training.bundle import load_bundle

    progress = progress or (lambda f, m: None)
    bundle = load_bundle(model_dir)
    if bundle.model is None:
        raise ValueError(f"{Path(model_dir).name} is a linear probe: it has no embeddings; pick a network.")
    feats = _features(bundle, Path(workspace), progress)
    audio, text, labels, groups, ids = feats.task_view(bundle.info.get("task") or feats.tasks[0])
    preds, spaces, gates = [], {s: [] for s in SPACES}, []
    for i, doc in enumerate(ids):
        if i % 10 == 0:
            progress(0.4 + 0.4 * i / len(ids), f"scoring document {i + 1} of {len(ids)}")
        pred = bundle.predict(None if audio is None else audio[i], None if text is None else text[i])
        preds.append(pred.classes[int(np.argmax(pred.proba))])
        for space in SPACES:
            spaces[space].append(getattr(pred, space))
        gates.append(pred.gate_probs)
    y, _ = encode_labels(labels)
    ev = bundle.config.eval
    try:
        folds = np.empty(len(y), dtype=object)
        for f, (_, test) in enumerate(
            make_folds(y, None if groups is None else np.asarray(groups), ev.n_splits, ev.seed)
        ):
            folds[test] = str(f)
        fold_list = [str(f) for f in folds]
    except ValueError:
        fold_list = ["n/a"] * len(ids)
    return DocumentOutputs(
        document_ids=list(ids),
        labels=list(labels),
        subjects=list(groups) if groups is not None else list(ids),
        folds=fold_list,
        predictions=preds,
        embeddings={s: np.stack(v) for s, v in spaces.items() if v and v[0] is not None},
        gate_probs=np.stack(gates) if gates and gates[0] is not None else None,
    )


def project(points: np.ndarray, cfg: EmbeddingConfig) -> np.ndarray:
    """(N, K) -> (N, 2) with t-SNE or UMAP (seeded: the same settings give the same picture)."""
    n = len(points)
    if n < 5:
        raise ValueError(f"only {n} documents: a 2-D projection needs at least 5.")
    if cfg.projection == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(cfg.perplexity, (n - 1) / 3)
        return TSNE(2, perplexity=perplexity, init="pca", random_state=cfg.seed).fit_transform(points)
    import umap

    reducer = umap.UMAP(n_neighbors=min(cfg.n_neighbors, n - 1), random_state=cfg.seed, n_jobs=1)
    return np.asarray(reducer.fit_transform(points))


def cache_key(model_dir: str | Path, cfg: EmbeddingConfig) -> str:
    """Hash of the bundle's metadata, its weights file (size and mtime) and the settings."""
    model_dir = Path(model_dir)
    meta = (model_dir / "bundle.json").read_bytes()
    weights = model_dir / "model.safetensors"
    stamp = f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}" if weights.exists() else ""
    digest = hashlib.sha256(meta + stamp.encode() + json.dumps(asdict(cfg), sort_keys=True).encode())
    return digest.hexdigest()[:24]


def _cache_path(workspace: str | Path, key: str) -> Path:
    return embeddings_cache(workspace, key)


def cached_embedding(
    workspace: str | Path, model_dir: str | Path, cfg: EmbeddingConfig
) -> EmbeddingOutput | None:
    """The projection computed earlier with these settings, or None."""
    path = _cache_path(workspace, cache_key(model_dir, cfg))
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return EmbeddingOutput(Path(model_dir).name, cfg, pd.DataFrame(data["frame"]), float(data["seconds"]))


def compute_embedding(
    workspace: str | Path, model_dir: str | Path, cfg: EmbeddingConfig, progress: Progress | None = None
) -> EmbeddingOutput:
    """Score the documents, project them, write the cache; returns the projection."""
    start = time.perf_counter()
    progress = progress or (lambda f, m: None)
    outputs = document_outputs(model_dir, workspace, progress)
    if cfg.space not in outputs.embeddings:
        have = ", ".join(outputs.embeddings) or "none"
        raise ValueError(f"this model has no {cfg.space} (it has: {have}); choose another embedding.")
    progress(0.8, f"{cfg.projection} of {len(outputs.document_ids)} documents")
    xy = project(outputs.embeddings[cfg.space], cfg)
    frame = pd.DataFrame(
        {
            "document_id": outputs.document_ids,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "label": outputs.labels,
            "prediction": outputs.predictions,
            "fold": outputs.folds,
            "subject": outputs.subjects,
        }
    )
    out = EmbeddingOutput(Path(model_dir).name, cfg, frame, time.perf_counter() - start)
    payload = {
        "frame": frame.to_dict(orient="list"), "seconds": out.seconds, "config": asdict(cfg),
        "model_dir": str(Path(model_dir).resolve()),  # so deleting the model's corpus finds it
    }  # fmt: skip
    atomic_write_text(_cache_path(workspace, cache_key(model_dir, cfg)), json.dumps(payload))
    return out


def _task_key(workspace: str | Path, model_dir: str | Path, cfg: EmbeddingConfig) -> str:
    return f"embedding:{Path(workspace).resolve()}:{cache_key(model_dir, cfg)}"


def start_embedding(
    workspace: str | Path, model_dir: str | Path, cfg: EmbeddingConfig, retry: bool = False
) -> background.TaskState:
    """Compute the projection in the background (a finished one comes straight from the disk cache);
    a failed computation starts again only with ``retry`` (the user pressed the button again)."""
    key = _task_key(workspace, model_dir, cfg)
    cached = cached_embedding(workspace, model_dir, cfg)
    if cached is not None:
        background.forget(key)  # the result is on disk: the process need not keep it
        return background.TaskState(key, 1.0, "loaded from the cache", True, None, cached)
    return background.submit(
        key, lambda progress: compute_embedding(workspace, model_dir, cfg, progress), retry=retry
    )


def task_state(
    workspace: str | Path, model_dir: str | Path, cfg: EmbeddingConfig
) -> background.TaskState | None:
    """The background task for these settings, if one was started in this Studio process."""
    return background.get(_task_key(workspace, model_dir, cfg))
