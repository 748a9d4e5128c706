"""What a frozen encoder is (the protocols every encoder family implements) and the input checks they share.

How frame features become one vector per segment is :mod:`hilbert_core.encoders.pooling`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import numpy as np

SAMPLE_RATE = 16_000


@runtime_checkable
class AudioEncoder(Protocol):
    """A frame-level audio encoder over 16 kHz mono windows.

    Attributes:
        name: the spec it was built from (``"logmel"``, ``"hf:facebook/wav2vec2-base@9"``).
        revision: content-based identity (hash of weights and config, or library version + parameters).
        dim: ``D``, width of a frame feature.
        frame_rate: output frames per second of audio.
        max_window_s: longest window ``encode_window`` accepts, in seconds.
    """

    name: str
    revision: str
    dim: int
    frame_rate: float
    max_window_s: float

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        """Map a (L,) float32 16 kHz window (L <= max_window_s * 16000) to frame features (T, D)."""
        ...


@runtime_checkable
class ClipAudioEncoder(Protocol):
    """A clip-level audio encoder (CLAP): one vector per clip, so it embeds each segment's own audio.

    Attributes:
        max_window_s: window length to stream the recording with (clips may be longer; the encoder
            splits them).
    """

    name: str
    revision: str
    dim: int
    max_window_s: float

    def encode_clips(self, clips: list[np.ndarray]) -> np.ndarray:
        """Map N 16 kHz float32 clips of any length to (N, D)."""
        ...


@runtime_checkable
class TextEncoder(Protocol):
    """A sentence encoder: ``encode(texts) -> (N, D)`` float32, batching internally."""

    name: str
    revision: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def check_spans(spans: Iterable[tuple[float, float]]) -> np.ndarray:
    """Validate segment spans in seconds; returns them as a (N, 2) float64 array."""
    arr = np.asarray(list(spans), dtype=np.float64).reshape(-1, 2)
    if arr.size and (not np.isfinite(arr).all() or (arr[:, 1] < arr[:, 0]).any() or (arr < 0).any()):
        bad = next(tuple(s) for s in arr.tolist() if not (0 <= s[0] <= s[1] < np.inf))
        raise ValueError(
            f"segment span {bad} is invalid; spans are (start_s, end_s) with 0 <= start_s <= end_s (finite)."
        )
    return arr


def check_window(audio: np.ndarray, max_window_s: float, name: str) -> np.ndarray:
    """Return ``audio`` as a contiguous (L,) float32 array; raises ValueError if not mono or too long."""
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(
            f"{name}: audio window has shape {audio.shape}; pass a mono (L,) 16 kHz array (average channels)."
        )
    if len(audio) > round(max_window_s * SAMPLE_RATE):
        raise ValueError(
            f"{name}: window of {len(audio) / SAMPLE_RATE:.2f} s exceeds max_window_s={max_window_s}; "
            "use encode_recording, which splits long windows."
        )
    return audio
