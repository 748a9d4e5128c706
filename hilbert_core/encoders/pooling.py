"""How frame features become one vector per segment: stream a recording, pool frames by segment span.

Shapes: ``T`` frames of one window, ``N`` segments (spans), ``D`` feature dim. Frame ``i`` of a window
that starts at ``o`` seconds is taken to be centred at ``o + (i + 0.5) / frame_rate``; a segment averages
the frames whose centres fall in ``[start, end)``, or takes the single nearest frame when none does (very
short spans).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np

from .base import SAMPLE_RATE, AudioEncoder, ClipAudioEncoder, check_spans
from .clips import encode_clips_streaming

logger = logging.getLogger(__name__)


class SpanAccumulator:
    """Running per-span frame sums and counts, fed one window of frames at a time.

    Memory is O(N * D) whatever the recording length: frames are folded in and dropped.
    """

    def __init__(self, spans: np.ndarray, dim: int) -> None:
        self.spans = spans  # (N, 2)
        self.mids = spans.mean(axis=1) if len(spans) else np.zeros(0)
        self.sums = np.zeros((len(spans), dim), dtype=np.float64)  # (N, D)
        self.counts = np.zeros(len(spans), dtype=np.int64)
        self.nearest = np.zeros((len(spans), dim), dtype=np.float32)  # fallback for very short spans
        self.nearest_dist = np.full(len(spans), np.inf)

    def add(self, frames: np.ndarray, frame_rate: float, offset_s: float) -> None:
        """Fold in (T, D) frames of a window starting at ``offset_s``."""
        num_frames = len(frames)
        if num_frames == 0 or len(self.spans) == 0:
            return
        if frames.ndim != 2 or frames.shape[1] != self.sums.shape[1]:
            raise ValueError(f"frames have shape {frames.shape}; expected (T, {self.sums.shape[1]}).")
        centres = offset_s + (np.arange(num_frames) + 0.5) / frame_rate  # (T,)
        lo = np.searchsorted(centres, self.spans[:, 0], side="left")
        hi = np.searchsorted(centres, self.spans[:, 1], side="left")
        hit = hi > lo
        if hit.any():
            prefix = np.zeros((num_frames + 1, frames.shape[1]), dtype=np.float64)  # (T + 1, D)
            np.cumsum(frames, axis=0, out=prefix[1:])
            self.sums[hit] += prefix[hi[hit]] - prefix[lo[hit]]
            self.counts[hit] += hi[hit] - lo[hit]
        idx = np.clip(np.rint((self.mids - offset_s) * frame_rate - 0.5), 0, num_frames - 1).astype(np.int64)
        dist = np.abs(centres[idx] - self.mids)
        closer = dist < self.nearest_dist
        self.nearest_dist[closer] = dist[closer]
        self.nearest[closer] = frames[idx[closer]]

    def result(self) -> np.ndarray:
        """Per-span means (N, D) float32; spans without a frame centre take their nearest frame."""
        empty = self.counts == 0
        missing = empty & np.isinf(self.nearest_dist)
        if missing.any():
            first = tuple(self.spans[np.argmax(missing)].tolist())
            raise ValueError(
                f"no audio frames lie near {int(missing.sum())} segment(s) (first: {first}); the recording "
                "is empty or shorter than its segments: check the segment times against the audio."
            )
        out = self.sums / np.maximum(self.counts, 1)[:, None]
        out[empty] = self.nearest[empty]
        return out.astype(np.float32)


def pool_segments(
    frames: np.ndarray, frame_rate: float, spans: list[tuple[float, float]], frame_offset_s: float = 0.0
) -> np.ndarray:
    """Mean-pool (T, D) frames into (N, D) segment features.

    Args:
        frames: (T, D) frame features; frame ``i`` is centred at ``frame_offset_s + (i + 0.5) / frame_rate``.
        frame_rate: frames per second.
        spans: N ``(start_s, end_s)`` pairs.
        frame_offset_s: time of the first frame's start.

    Returns:
        (N, D) float32: the mean of frames centred in ``[start_s, end_s)``, or the nearest frame.
    """
    frames = np.asarray(frames)
    if frames.ndim != 2:
        raise ValueError(f"frames have shape {frames.shape}; pass a (T, D) array of frame features.")
    acc = SpanAccumulator(check_spans(spans), frames.shape[1])
    acc.add(frames, frame_rate, frame_offset_s)
    return acc.result()


def encode_recording(
    encoder: AudioEncoder | ClipAudioEncoder,
    windows: Iterable[tuple[float, np.ndarray]],
    spans: list[tuple[float, float]],
) -> np.ndarray:
    """Encode a recording once, window by window, and pool per segment.

    Windows must be in time order and must not overlap (``hilbert_core.audio.reader.iter_windows`` without
    a hop).
    Windows longer than ``encoder.max_window_s`` are split; windows far from every span are skipped.
    Frame encoders run once per window (in batches of ``encoder.batch_size`` when it has ``encode_windows``);
    clip encoders (:class:`ClipAudioEncoder`, i.e. CLAP) get each segment's own audio instead.

    Args:
        encoder: built by ``AUDIO_ENCODERS.build(spec)``.
        windows: ``(start_s, (L,) float32 16 kHz samples)`` pairs.
        spans: N ``(start_s, end_s)`` segment spans in seconds.

    Returns:
        (N, D) float32 segment features.
    """
    arr = check_spans(spans)
    if not hasattr(encoder, "encode_window"):
        return encode_clips_streaming(encoder, windows, arr)
    acc = SpanAccumulator(arr, encoder.dim)
    if len(arr) == 0:
        return acc.result()
    first, last = arr[:, 0].min(), arr[:, 1].max()
    margin = 1.0  # s: a window this close to a span may still hold its nearest frame
    batch: list[tuple[float, np.ndarray]] = []
    batch_size = max(1, int(getattr(encoder, "batch_size", 1)))
    for start_s, samples in _split_windows(windows, encoder.max_window_s):
        end_s = start_s + len(samples) / SAMPLE_RATE
        if start_s > last + margin:
            break
        if end_s < first - margin or not np.any(
            (arr[:, 0] <= end_s + margin) & (arr[:, 1] >= start_s - margin)
        ):
            continue
        batch.append((start_s, samples))
        if len(batch) >= batch_size:
            _run_batch(encoder, batch, acc)
            batch = []
    if batch:
        _run_batch(encoder, batch, acc)
    return acc.result()


def _split_windows(
    windows: Iterable[tuple[float, np.ndarray]], max_window_s: float
) -> Iterable[tuple[float, np.ndarray]]:
    """Check order and overlap; cut windows longer than ``max_window_s`` into pieces."""
    max_len = max(1, round(max_window_s * SAMPLE_RATE))
    prev_end = -np.inf
    for start_s, samples in windows:
        samples = np.asarray(samples, dtype=np.float32)
        if start_s < prev_end - 0.5 / SAMPLE_RATE:
            raise ValueError(
                f"window starting at {start_s:.3f} s overlaps the previous one (ending at {prev_end:.3f} s); "
                "pass contiguous non-overlapping windows (iter_windows without hop_s)."
            )
        prev_end = start_s + len(samples) / SAMPLE_RATE
        for offset in range(0, len(samples), max_len):
            yield start_s + offset / SAMPLE_RATE, samples[offset : offset + max_len]


def _run_batch(encoder: AudioEncoder, batch: list[tuple[float, np.ndarray]], acc: SpanAccumulator) -> None:
    encode_windows = getattr(encoder, "encode_windows", None)
    if encode_windows is not None:
        outputs = encode_windows([samples for _, samples in batch])
    else:
        outputs = [encoder.encode_window(samples) for _, samples in batch]
    for (start_s, _), frames in zip(batch, outputs, strict=True):
        acc.add(np.asarray(frames), encoder.frame_rate, start_s)
