"""From a corpus folder to segment features: segments (given, imported or transcribed), then frozen
encoders over each recording, through the on-disk feature cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..audio.reader import audio_sha256, iter_windows
from ..audio.transcribe import BUNDLED, transcribe
from ..data.corpus import Corpus, load_corpus, write_segments
from ..data.features import FeatureSet
from ..data.transcripts import Segment
from ..training.engine import Progress
from . import AUDIO_ENCODERS, TEXT_ENCODERS, FeatureCache, encode_recording, make_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractConfig:
    """Which frozen encoders to run, and where features are cached.

    Attributes:
        audio_encoder: a name of ``AUDIO_ENCODERS`` (``logmel``, ``egemaps``, ``whisper-tiny-en``,
            ``hf:<id or path>[@layer]``, ``clap:<id or path>``), or ``""`` for no audio.
        text_encoder: a name of ``TEXT_ENCODERS`` (``minilm-l6``, ``st:<id or path>``, ``hf:<id or path>``,
            ``clap:<id or path>``), or ``""`` for no text.
        whisper_model: transcription model for documents without segments or transcript.
        cache_dir: feature cache folder (default: ``<corpus>/.hilbert/cache``).
    """

    audio_encoder: str = "whisper-tiny-en"
    text_encoder: str = "minilm-l6"
    whisper_model: str = BUNDLED
    cache_dir: Path | None = None

    def encoders_info(self) -> dict[str, str]:
        return {"audio_encoder": self.audio_encoder, "text_encoder": self.text_encoder}


def ensure_segments(corpus: Corpus, whisper_model: str = BUNDLED, progress: Progress | None = None) -> int:
    """Transcribe and segment documents that have no segments and no transcript, writing each finished
    recording's segments to ``segments.csv`` at once (atomically; the user can inspect and correct them).
    A run killed midway loses at most the recording it was on: the next one starts with the rest.
    Returns how many were transcribed."""
    missing = [d for d in corpus.documents["document_id"].astype(str) if not corpus.segments_for(d)]
    for i, doc_id in enumerate(missing):
        if progress is not None:
            progress(i / len(missing), f"transcribing {doc_id} ({i + 1}/{len(missing)})")
        corpus.segments[doc_id] = transcribe(str(corpus.audio_path(doc_id)), whisper_model)
        write_segments(corpus.root, corpus.segments)
    if missing:
        logger.info(
            "transcribed %d documents; segments written to %s", len(missing), corpus.root / "segments.csv"
        )
    return len(missing)


class Extractor:
    """Runs one audio and one text encoder over recordings, with caching. Encoders load lazily, once."""

    def __init__(self, cfg: ExtractConfig, cache_dir: Path | None, owner: Path | None = None) -> None:
        self.cfg = cfg
        self.cache = FeatureCache(cache_dir, owner) if cache_dir is not None else None
        self._audio = None
        self._text = None

    @property
    def audio_encoder(self):
        if self._audio is None and self.cfg.audio_encoder:
            self._audio = AUDIO_ENCODERS.build(self.cfg.audio_encoder)
        return self._audio

    @property
    def text_encoder(self):
        if self._text is None and self.cfg.text_encoder:
            self._text = TEXT_ENCODERS.build(self.cfg.text_encoder)
        return self._text

    def audio_features(self, path: Path, segments: list[Segment]) -> np.ndarray | None:
        enc = self.audio_encoder
        if enc is None:
            return None
        spans = [(s.start_s, s.end_s) for s in segments]
        return self._cached(
            lambda: audio_sha256(path),
            spans,
            enc,
            lambda: encode_recording(enc, iter_windows(path, window_s=enc.max_window_s), spans),
        )

    def text_features(self, segments: list[Segment]) -> np.ndarray | None:
        enc = self.text_encoder
        if enc is None:
            return None
        texts = [s.text for s in segments]
        return self._cached(
            lambda: "text", texts, enc, lambda: np.asarray(enc.encode(texts), dtype=np.float32)
        )

    def _cached(self, content_key, segments, enc, compute) -> np.ndarray:
        """``compute()``, served from the cache when this content, segmentation and encoder were seen.
        ``content_key`` is a callable so a one-off extraction never hashes the audio file."""
        if self.cache is None:
            return compute()
        key = make_key(content_key(), segments, enc.name, enc.revision)
        feats = self.cache.get(key)
        if feats is None:
            feats = compute()
            self.cache.put(key, feats)
        return feats

    def revisions(self) -> dict[str, str]:
        out = {}
        for role, enc in (("audio", self.audio_encoder), ("text", self.text_encoder)):
            if enc is not None:
                out[f"{role}_encoder_revision"] = enc.revision
        return out


def extract_corpus(
    root: str | Path, cfg: ExtractConfig | None = None, progress: Progress | None = None
) -> tuple[FeatureSet, dict[str, str]]:
    """Features of every document of a corpus; returns the feature set and the encoders' names/revisions."""
    cfg = cfg or ExtractConfig()
    if not cfg.audio_encoder and not cfg.text_encoder:
        raise ValueError("both encoders are empty; name at least one of --audio-encoder, --text-encoder.")
    corpus = load_corpus(root)
    ensure_segments(corpus, cfg.whisper_model, progress)
    extractor = Extractor(cfg, Path(cfg.cache_dir or Path(root) / ".hilbert" / "cache"), owner=Path(root))
    ids = corpus.documents["document_id"].astype(str).tolist()
    audio, text = [], []
    for i, doc_id in enumerate(ids):
        if progress is not None:
            progress(i / len(ids), f"encoding {doc_id}")
        segments = corpus.segments_for(doc_id)
        audio.append(extractor.audio_features(corpus.audio_path(doc_id), segments))
        text.append(extractor.text_features(segments))
    if progress is not None:
        progress(1.0, f"encoded {len(ids)} documents")
    keep = (
        ["document_id"] + (["subject_id"] if "subject_id" in corpus.documents.columns else []) + corpus.tasks
    )
    table = corpus.documents[keep].reset_index(drop=True)
    table.insert(1, "num_segments", [len(corpus.segments_for(d)) for d in ids])
    feats = FeatureSet(
        table=pd.DataFrame(table),
        audio=audio if cfg.audio_encoder else None,
        text=text if cfg.text_encoder else None,
    )
    return feats, {**cfg.encoders_info(), **extractor.revisions()}


@dataclass
class RecordingPrediction:
    """A bundle's prediction for one recording, with the segments it was made from."""

    segments: list[Segment]
    prediction: object  # hilbert_core.types.Prediction
    evidence: object | None = None  # hilbert_core.explain.evidence.SegmentEvidence, when asked for


def predict_recording(
    bundle,
    audio_path: str | Path,
    transcript: str | Path | None = None,
    progress: Progress | None = None,
    *,
    explain: bool = False,
) -> RecordingPrediction:
    """Segment (from ``transcript`` or by transcription), encode with the bundle's own encoders, predict;
    with ``explain`` also the segment evidence (:meth:`Bundle.explain`)."""
    from ..data.transcripts import read_transcript

    info = bundle.info
    if "audio_encoder" not in info and "text_encoder" not in info:
        raise ValueError(
            "this model bundle does not record its encoders (it was trained on a feature folder); "
            "score documents with `hilbert predict MODEL --features DIR --document ID` instead."
        )
    cfg = ExtractConfig(
        audio_encoder=info.get("audio_encoder", ""), text_encoder=info.get("text_encoder", "")
    )
    path = Path(audio_path)
    if transcript is not None:
        segments = read_transcript(transcript)
    else:
        if progress is not None:
            progress(0.0, "transcribing")
        segments = transcribe(str(path), info.get("whisper_model", BUNDLED))
    extractor = Extractor(cfg, None)  # one-off: features of a single upload are not cached
    if progress is not None:
        progress(0.6, "encoding")
    audio = extractor.audio_features(path, segments) if bundle.audio_dim else None
    text = extractor.text_features(segments) if bundle.text_dim else None
    pred = bundle.predict(audio, text)
    evidence = None
    if explain:
        if progress is not None:
            progress(0.9, "explaining")
        evidence = bundle.explain(audio, text)
    if progress is not None:
        progress(1.0, "done")
    return RecordingPrediction(segments=segments, prediction=pred, evidence=evidence)
