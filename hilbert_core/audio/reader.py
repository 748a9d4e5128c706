"""Audio reading: probe a file, load a span, or stream fixed windows, always as 16 kHz mono float32.

``soundfile`` reads whatever libsndfile opens (WAV, FLAC, OGG, ...); PyAV (``av``, see
:mod:`hilbert_core.audio.container`) reads the rest (m4a, mp4, webm, ...) and MP3, which libsndfile 1.2.2
decodes wrongly when read in pieces. ``torchaudio.load`` is never
used: it needs torchcodec and system FFmpeg.

Resampling is defined once for the whole recording: output sample ``k`` sits at ``k / 16000`` s and
equals sample ``k`` of torchaudio's sinc resampler (``functional.resample``'s filter, with the kernel
cached) applied to the full file. Spans and windows are read with a margin of source samples on both
sides, starting where the source and target sample grids line up, so a span or a window equals the
matching slice of the full load (up to float rounding) and window boundaries carry no clicks.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from . import container as audio_av

SAMPLE_RATE = 16000
_MARGIN_S = 0.1  # source audio read beyond each side of a span before resampling
_BLOCK_FRAMES = 65536  # soundfile block size when streaming


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`probe_audio` found out about a file without decoding it.

    Attributes:
        path: the file, as given.
        sample_rate: source sample rate in Hz.
        channels: source channel count.
        duration_s: length in seconds.
        backend: ``"soundfile"`` or ``"av"`` (the library that reads this file).
    """

    path: str
    sample_rate: int
    channels: int
    duration_s: float
    backend: str


class AudioReadError(ValueError):
    """A file that cannot be read as audio; ``reason`` says why in a few words."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: cannot read audio ({reason}); convert it to WAV/FLAC or check the file.")


_READ_ERRORS = (sf.SoundFileError, *audio_av.ERRORS)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, audio_av.DecodeError) else f"{type(exc).__name__}: {exc}"


def probe_audio(path: str | Path) -> AudioInfo:
    """Sample rate, channels and duration of an audio file, read from its header where possible.

    ``backend`` is ``"soundfile"`` for what libsndfile opens (except MP3) and ``"av"`` otherwise.

    Raises:
        AudioReadError: (a ValueError) when the file is missing, empty or cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioReadError(path, "file not found")
    if path.stat().st_size == 0:
        raise AudioReadError(path, "file is empty")
    try:
        info = sf.info(str(path))
    except (sf.SoundFileError, RuntimeError):
        return _probe_av(path)
    if info.format == "MP3":
        # libsndfile 1.2.2 returns silence for MP3 read in pieces (blocks, or a read after a seek),
        # which is how spans and windows are read: decode MP3 with PyAV instead.
        return _probe_av(path)
    if info.frames <= 0 or info.samplerate <= 0:
        raise AudioReadError(path, "no audio samples")
    return AudioInfo(
        str(path), int(info.samplerate), int(info.channels), info.frames / info.samplerate, "soundfile"
    )


def _probe_av(path: Path) -> AudioInfo:
    try:
        rate, channels, duration = audio_av.probe(path)
    except audio_av.ERRORS as exc:
        raise AudioReadError(path, _reason(exc)) from None
    return AudioInfo(str(path), rate, channels, duration, "av")


def load_audio(path: str | Path, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
    """Read ``[start_s, end_s)`` of a file as 16 kHz mono float32, decoding only that span.

    The result equals ``load_audio(path)[round(start_s * 16000):round(end_s * 16000)]``. A span running
    past the end is cut at the end; one starting after the end gives an empty array.

    Returns:
        (T,) float32 at :data:`SAMPLE_RATE`.

    Raises:
        ValueError: for a bad span, or (AudioReadError) a file that cannot be read.
    """
    if not start_s >= 0:
        raise ValueError(f"start_s={start_s!r} must be >= 0 seconds.")
    if end_s is not None and not end_s > start_s:
        raise ValueError(f"end_s={end_s!r} must be greater than start_s={start_s!r}.")
    info = probe_audio(path)
    grid = _Grid(info.sample_rate)
    k0 = round(start_s * SAMPLE_RATE)
    k1 = None if end_s is None else round(end_s * SAMPLE_RATE)
    a, b = grid.source_span(k0, k1)
    try:
        if info.backend == "soundfile":
            source = _sf_read(path, a, b)
        else:
            source = audio_av.read_span(path, a, b, info.sample_rate)
    except _READ_ERRORS as exc:
        raise AudioReadError(path, _reason(exc)) from None
    if b is None or len(source) < b - a:  # reached the end of the file
        n_out = grid.out_len(a + len(source))
        k1 = n_out if k1 is None else min(k1, n_out)
    if k1 <= k0:
        return np.zeros(0, dtype=np.float32)
    return grid.resample(source, a, k0, k1)


def iter_windows(
    path: str | Path, window_s: float = 30.0, hop_s: float | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """Stream a recording as ``(start time in s, (T,) float32 16 kHz mono window)`` pairs.

    The file is decoded piece by piece, so memory stays at about one window whatever the length. With
    ``hop_s=None`` windows are contiguous and non-overlapping; the last one may be shorter. With a hop
    shorter than the window, iteration stops after the first window that reaches the end.

    Raises:
        ValueError: for a non-positive ``window_s``/``hop_s``, or (AudioReadError) an unreadable file
            (checked at the call, before iteration starts).
    """
    win = round(window_s * SAMPLE_RATE) if window_s > 0 else 0
    hop = win if hop_s is None else (round(hop_s * SAMPLE_RATE) if hop_s > 0 else 0)
    if win < 1 or hop < 1:
        raise ValueError(
            f"window_s={window_s!r} and hop_s={hop_s!r} must be positive (at least one 16 kHz sample)."
        )
    info = probe_audio(path)
    blocks = _sf_blocks(path) if info.backend == "soundfile" else audio_av.iter_blocks(path, info.sample_rate)
    return _windows(path, blocks, _Grid(info.sample_rate), win, hop)


def audio_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """SHA-256 hex digest of the file's bytes (read in chunks), for feature-cache keys."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


class _Grid:
    """Geometry of resampling one source rate to 16 kHz: ``orig`` source samples make ``new`` outputs."""

    def __init__(self, sample_rate: int) -> None:
        g = math.gcd(sample_rate, SAMPLE_RATE)
        self.orig, self.new = sample_rate // g, SAMPLE_RATE // g
        if self.orig == self.new:
            self.margin = 0
        else:
            # torchaudio's sinc kernel reaches `width` source samples beyond a block of `orig` samples.
            width = math.ceil(6 * self.orig / (0.99 * min(self.orig, self.new)))
            self.margin = max(math.ceil(_MARGIN_S * sample_rate), self.orig + width + 1)

    def out_len(self, num_source: int) -> int:
        return -(-num_source * self.new // self.orig)

    def source_span(self, k0: int, k1: int | None) -> tuple[int, int | None]:
        """Source samples ``[a, b)`` to read for outputs ``[k0, k1)``; ``a`` lies on the shared grid."""
        a = max(0, (k0 * self.orig // self.new - self.margin) // self.orig * self.orig)
        b = None if k1 is None else -(-k1 * self.orig // self.new) + self.margin
        return a, b

    def resample(self, source: np.ndarray, a: int, k0: int, k1: int) -> np.ndarray:
        """Outputs ``[k0, k1)`` from source samples starting at ``a`` (as returned by source_span)."""
        offset = a // self.orig * self.new
        if self.orig == self.new:
            return np.ascontiguousarray(source[k0 - offset : k1 - offset], dtype=np.float32)
        import torch

        with torch.inference_mode():
            out = _resampler(self.orig, self.new)(torch.from_numpy(np.ascontiguousarray(source)))
        return out[k0 - offset : k1 - offset].numpy().astype(np.float32, copy=False)


@functools.lru_cache(maxsize=8)
def _resampler(orig: int, new: int):
    """``torchaudio.transforms.Resample``: the same sinc filter as ``torchaudio.functional.resample``,
    but its kernel (about 0.1 s to build for 44.1 -> 16 kHz) is built once, not once per window."""
    from torchaudio.transforms import Resample  # lazy: importing torchaudio costs about 1.4 s

    return Resample(orig, new)


class _Buffer:
    """Source samples pulled from a block iterator, forgetting those before the current window."""

    def __init__(self, blocks: Iterable[np.ndarray]) -> None:
        self._blocks = iter(blocks)
        self._parts: list[np.ndarray] = []
        self.start = self.end = 0
        self.exhausted = False

    def fill_to(self, stop: int) -> None:
        while self.end < stop and not self.exhausted:
            block = next(self._blocks, None)
            if block is None:
                self.exhausted = True
            else:
                self._parts.append(block)
                self.end += len(block)

    def take(self, a: int, b: int) -> np.ndarray:
        data = np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.float32)
        data = data[a - self.start :]
        self._parts, self.start = [data], a
        return data[: b - a]


def _windows(
    path: str | Path, blocks: Iterable[np.ndarray], grid: _Grid, win: int, hop: int
) -> Iterator[tuple[float, np.ndarray]]:
    buffer = _Buffer(blocks)
    k0 = 0
    try:
        while True:
            a, b = grid.source_span(k0, k0 + win)
            buffer.fill_to(b)
            k1 = k0 + win
            if buffer.exhausted:
                n_out = grid.out_len(buffer.end)
                if k0 >= n_out:
                    return
                k1 = min(k1, n_out)
            yield k0 / SAMPLE_RATE, grid.resample(buffer.take(a, b), a, k0, k1)
            if buffer.exhausted and k1 >= n_out:
                return
            k0 += hop
    except _READ_ERRORS as exc:
        raise AudioReadError(path, _reason(exc)) from None


def _sf_read(path: str | Path, a: int, b: int | None) -> np.ndarray:
    with sf.SoundFile(str(path)) as fh:
        if a >= fh.frames:
            return np.zeros(0, dtype=np.float32)
        fh.seek(a)
        return _mono(fh.read(-1 if b is None else b - a, dtype="float32", always_2d=True))


def _sf_blocks(path: str | Path) -> Iterator[np.ndarray]:
    with sf.SoundFile(str(path)) as fh:
        for block in fh.blocks(blocksize=_BLOCK_FRAMES, dtype="float32", always_2d=True):
            yield _mono(block)


def _mono(block: np.ndarray) -> np.ndarray:
    """(n, C) -> (n,) by averaging channels."""
    return block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0].copy()
