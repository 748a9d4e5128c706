"""Streaming a recording into per-segment clips, for clip-level encoders (CLAP).

CLAP embeds whole clips rather than frames, so - unlike every frame encoder - it sees each segment's own
audio. The recording is still read once, window by window: a segment's samples are gathered while windows
pass, and the clip is encoded (in batches) as soon as the windows have moved beyond its end, so at most the
open segments' audio is held in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np

from .base import SAMPLE_RATE, ClipAudioEncoder

logger = logging.getLogger(__name__)


def encode_clips_streaming(
    encoder: ClipAudioEncoder, windows: Iterable[tuple[float, np.ndarray]], spans: np.ndarray
) -> np.ndarray:
    """Encode each (start_s, end_s) span's audio with ``encoder.encode_clips``.

    Args:
        encoder: a clip-level encoder.
        windows: time-ordered, non-overlapping ``(start_s, (L,) float32 16 kHz)`` pairs.
        spans: (N, 2) float64 spans in seconds.

    Returns:
        (N, D) float32.
    """
    out = np.zeros((len(spans), encoder.dim), dtype=np.float32)
    pending: dict[int, list[np.ndarray]] = {}
    done = np.zeros(len(spans), dtype=bool)
    queue: list[tuple[int, np.ndarray]] = []
    batch_size = max(1, int(getattr(encoder, "batch_size", 1)))
    for start_s, samples in windows:
        samples = np.asarray(samples, dtype=np.float32)
        end_s = start_s + len(samples) / SAMPLE_RATE
        for i in np.flatnonzero(~done & (spans[:, 0] < end_s) & (spans[:, 1] > start_s)):
            a = max(0, round((spans[i, 0] - start_s) * SAMPLE_RATE))
            b = min(len(samples), round((spans[i, 1] - start_s) * SAMPLE_RATE))
            if b > a:
                pending.setdefault(int(i), []).append(samples[a:b].copy())
        for i in np.flatnonzero(~done & (spans[:, 1] <= end_s)):
            queue.append((int(i), _join(pending.pop(int(i), []))))
            done[i] = True
        if len(queue) >= batch_size:
            _flush(encoder, queue, out)
            queue = []
        if done.all():
            break
    for i in np.flatnonzero(~done):  # spans running past the end of the recording
        queue.append((int(i), _join(pending.pop(int(i), []))))
    if queue:
        _flush(encoder, queue, out)
    return out


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _flush(encoder: ClipAudioEncoder, queue: list[tuple[int, np.ndarray]], out: np.ndarray) -> None:
    empty = [i for i, clip in queue if len(clip) == 0]
    if empty:
        logger.warning(
            "%d segment(s) hold no audio (past the end of the recording?); encoding silence.", len(empty)
        )
    out[[i for i, _ in queue]] = encoder.encode_clips([clip for _, clip in queue])
