"""Speech for a planned interview, with Debian's espeak-ng: one call per segment, then one recording.

Each segment is synthesised separately (``espeak-ng -m -v VOICE -s RATE -p PITCH -a VOLUME --stdout``
with SSML ``<prosody range="N%">``), its leading and trailing silence trimmed, resampled to 16 kHz, and
placed after its planned pause; ``start_s``/``end_s`` are the exact bounds of the speech. All four
controls were checked by measuring espeak-ng 1.51's output: ``-s`` scales duration, ``-p`` and SSML
``range`` move the median and spread of F0, ``-a`` scales RMS (SSML ``volume`` in dB is ignored, percent
works). Quiet pink noise keeps the pauses from being digital zero.
"""

from __future__ import annotations

import html
import io
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import lfilter, resample_poly

from .formats import AUDIO_FORMATS
from .interview import DocumentPlan, SegmentPlan
from .ogg import set_ogg_serial, stable_serial

SAMPLE_RATE = 16000
ESPEAK = "espeak-ng"
_SPEECH_RMS = 0.1  # nominal speech level that noise_db is relative to
_TRIM_LEVEL = 1e-3  # espeak-ng's silence is exact zeros; this keeps only the speech
TAIL_S = 0.5  # silence after the last segment


@dataclass(frozen=True)
class SynthConfig:
    """How plans become audio files.

    Attributes:
        audio_format: ``"opus"`` (Ogg/Opus, about 7 kbps: small) or ``"flac"`` (lossless, 16-bit).
        opus_compression_level: libsndfile's Opus compression level, 0 (about 260 kbps at 16 kHz) to 1
            (about 6-7 kbps, still intelligible: Whisper tiny.en transcribes it).
        noise_db: pink background noise level relative to a nominal speech RMS of 0.1.
        num_workers: documents synthesised at once (0: one per CPU core).
    """

    audio_format: str = "opus"
    opus_compression_level: float = 1.0
    noise_db: float = -40.0
    num_workers: int = 0

    def __post_init__(self) -> None:
        if self.audio_format not in AUDIO_FORMATS:
            raise ValueError(f"audio_format={self.audio_format!r} is not one of {AUDIO_FORMATS}.")
        if not 0.0 <= self.opus_compression_level <= 1.0:
            raise ValueError(f"opus_compression_level={self.opus_compression_level!r} must be in [0, 1].")
        if self.num_workers < 0:
            raise ValueError(f"num_workers={self.num_workers} must be >= 0 (0 = one per CPU core).")


def check_espeak() -> str:
    """Path of the espeak-ng binary.

    Raises:
        ValueError: when espeak-ng is not installed.
    """
    path = shutil.which(ESPEAK)
    if path is None:
        raise ValueError(
            "espeak-ng was not found on PATH; install it with `apt-get install espeak-ng`, or write the "
            "corpus without audio (--no-audio)."
        )
    return path


def segment_command(voice: str, segment: SegmentPlan) -> list[str]:
    """The espeak-ng command line that speaks ``segment`` to stdout as WAV."""
    p = segment.prosody
    ssml = f'<speak><prosody range="{2 * p.pitch_range}%">{html.escape(segment.text)}</prosody></speak>'
    flags = ["-m", "-v", voice, "-s", str(p.rate_wpm), "-p", str(p.pitch), "-a", str(p.volume), "--stdout"]
    return [ESPEAK, *flags, ssml]


def synthesize_segment(voice: str, segment: SegmentPlan) -> np.ndarray:
    """Speech of one segment, silence trimmed, as 16 kHz mono float32 of shape (T,).

    Raises:
        ValueError: when espeak-ng fails or returns no speech (the message holds its stderr).
    """
    out = subprocess.run(segment_command(voice, segment), capture_output=True, check=False)
    if out.returncode != 0 or len(out.stdout) <= 44:
        why = out.stderr.decode("utf-8", "replace").strip() or f"exit status {out.returncode}"
        raise ValueError(f"espeak-ng could not speak {segment.text[:40]!r} with voice {voice!r}: {why}")
    x, rate = sf.read(io.BytesIO(out.stdout), dtype="float32")
    speech = np.flatnonzero(np.abs(x) > _TRIM_LEVEL)
    if len(speech) == 0:
        raise ValueError(f"espeak-ng returned silence for {segment.text[:40]!r} with voice {voice!r}.")
    x = x[speech[0] : speech[-1] + 1]
    g = math.gcd(SAMPLE_RATE, int(rate))
    return resample_poly(x, SAMPLE_RATE // g, int(rate) // g).astype(np.float32)


def pink_noise(num_samples: int, rms: float, rng: np.random.Generator) -> np.ndarray:
    """(T,) float32 noise with a 1/f power spectrum (Kellet's 3-pole filter on white noise) and given RMS."""
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    noise = lfilter(b, a, rng.standard_normal(num_samples + SAMPLE_RATE))[SAMPLE_RATE:]  # skip the warm-up
    return (noise * rms / max(float(np.sqrt(np.mean(noise**2))), 1e-12)).astype(np.float32)


def synthesize_document(
    doc: DocumentPlan, noise_db: float, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """One interview as 16 kHz mono float32 (T,) and each segment's (start_s, end_s) of speech."""
    pieces: list[np.ndarray] = []
    times: list[tuple[float, float]] = []
    cursor = 0
    for segment in doc.segments:
        speech = synthesize_segment(doc.voice, segment)
        pause = round(segment.prosody.pause_ms * SAMPLE_RATE / 1000)
        pieces += [np.zeros(pause, dtype=np.float32), speech]
        start = cursor + pause
        cursor = start + len(speech)
        times.append((start / SAMPLE_RATE, cursor / SAMPLE_RATE))
    pieces.append(np.zeros(round(TAIL_S * SAMPLE_RATE), dtype=np.float32))
    audio = np.concatenate(pieces)
    audio += pink_noise(len(audio), _SPEECH_RMS * 10 ** (noise_db / 20), rng)
    return np.clip(audio, -1.0, 1.0), times


def write_audio(path: str, audio: np.ndarray, config: SynthConfig) -> None:
    """Write 16 kHz mono ``audio`` as Ogg/Opus or FLAC (``config.audio_format``)."""
    if config.audio_format == "opus":
        sf.write(
            path,
            audio,
            SAMPLE_RATE,
            format="OGG",
            subtype="OPUS",
            compression_level=config.opus_compression_level,
        )
        # libsndfile picks a random Ogg serial number: fix it so one seed gives byte-identical files
        set_ogg_serial(path, stable_serial(Path(path).name))
    else:
        sf.write(path, audio, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
