"""PyAV backend of :mod:`hilbert_core.audio.reader`: containers libsndfile cannot open (m4a, mp4, webm, ...).

Everything here works in source samples at the file's own rate, mono float32 in [-1, 1]; resampling
and the user-facing errors live in :mod:`hilbert_core.audio.reader`. Functions raise ``av.FFmpegError`` or
:class:`DecodeError` (both listed in :data:`ERRORS`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

logger = logging.getLogger(__name__)

SEEK_SLACK_S = 1.0  # decode this much before a seek target: codecs need a warm-up frame after a seek
_INT_SCALE = {"u8": 128.0, "s16": 32768.0, "s32": 2147483648.0, "s64": 9223372036854775808.0}


class DecodeError(Exception):
    """A problem found while reading a stream, which FFmpeg itself does not report."""


ERRORS = (av.FFmpegError, DecodeError)


def probe(path: str | Path) -> tuple[int, int, float]:
    """(sample rate, channels, duration in s) of the first audio stream.

    The duration comes from the stream, else the container, else from decoding and counting samples.
    """
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise DecodeError("no audio stream")
        stream = container.streams.audio[0]
        rate, channels = stream.codec_context.sample_rate, stream.codec_context.layout.nb_channels
        if not rate or not channels:
            raise DecodeError("no sample rate or channel count in the stream")
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / av.time_base
        else:
            duration = sum(frame.samples for frame in container.decode(stream)) / rate
    if duration <= 0:
        raise DecodeError("no audio samples")
    return int(rate), int(channels), duration


def iter_blocks(path: str | Path, rate: int) -> Iterator[np.ndarray]:
    """Decoded frames one after another, each as (n,) mono float32: memory stays at one frame."""
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.audio[0]):
            yield frame_mono(frame, rate)


def read_span(path: str | Path, a: int, b: int | None, rate: int, seek: bool = True) -> np.ndarray:
    """Source samples ``[a, b)`` (``b=None``: to the end) as (n,) mono float32.

    Seeks to ``SEEK_SLACK_S`` before ``a``, places the first decoded frame by its timestamp and counts
    samples from there, so the result matches decoding from the start. Falls back to decoding from
    the start when the seek lands after ``a``.
    """
    parts: list[np.ndarray] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        origin = stream.start_time or 0
        seeked = seek and a > SEEK_SLACK_S * rate and stream.time_base is not None
        if seeked:
            target = (a / rate - SEEK_SLACK_S) / stream.time_base
            container.seek(int(target) + origin, stream=stream, backward=True)
        pos = 0
        for i, frame in enumerate(container.decode(stream)):
            if i == 0 and seeked:
                if frame.pts is None or round((frame.pts - origin) * stream.time_base * rate) > a:
                    logger.debug("%s: seek landed after sample %d; decoding from the start", path, a)
                    return read_span(path, a, b, rate, seek=False)
                pos = round((frame.pts - origin) * stream.time_base * rate)
            x = frame_mono(frame, rate)
            if pos + len(x) > a:
                parts.append(x[max(0, a - pos) : None if b is None else b - pos])
            pos += len(x)
            if b is not None and pos >= b:
                break
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def frame_mono(frame: av.AudioFrame, rate: int) -> np.ndarray:
    """A decoded frame (planar or packed, float or integer samples) as (n,) float32 mono in [-1, 1]."""
    if frame.sample_rate != rate:
        raise DecodeError(f"sample rate changes mid-stream ({rate} -> {frame.sample_rate} Hz)")
    x = frame.to_ndarray()  # planar: (C, n); packed: (1, n * C), channels interleaved
    if not frame.format.is_planar:
        x = x.reshape(-1, frame.layout.nb_channels).T
    name = frame.format.name.rstrip("p")
    if name in _INT_SCALE:
        x = (x.astype(np.float64) - (128.0 if name == "u8" else 0.0)) / _INT_SCALE[name]
    return x.mean(axis=0).astype(np.float32)
