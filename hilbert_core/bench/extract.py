"""``hilbert bench extract``: encoder speed (seconds of audio per second of wall time) and peak memory
on a generated recording, each encoder measured in its own process so peak memory is its own."""

from __future__ import annotations

import multiprocessing as mp
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..audio.reader import SAMPLE_RATE

DEFAULT_ENCODERS = ("logmel", "egemaps", "whisper-tiny-en")


@dataclass(frozen=True)
class BenchExtractConfig:
    """What to measure: a generated recording of ``minutes`` length, cut into ``segment_s`` segments."""

    minutes: float = 5.0
    encoders: tuple[str, ...] = DEFAULT_ENCODERS
    text_encoder: str = "minilm-l6"
    segment_s: float = 6.5
    seed: int = 0


def write_test_recording(path: Path, minutes: float, seed: int = 0) -> float:
    """A speech-like test signal (voiced harmonics with syllable-rate amplitude modulation and pauses),
    written block by block as 16 kHz FLAC so that even an hour never sits in memory at once."""
    import soundfile as sf

    rng = np.random.default_rng(seed)
    total = int(minutes * 60 * SAMPLE_RATE)
    block = 60 * SAMPLE_RATE
    with sf.SoundFile(path, "w", samplerate=SAMPLE_RATE, channels=1, format="FLAC") as fh:
        for start in range(0, total, block):
            t = np.arange(start, min(start + block, total)) / SAMPLE_RATE
            f0 = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
            phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
            voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
            envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) * (np.sin(2 * np.pi * 0.2 * t) > -0.3)
            x = 0.3 * voiced * envelope + 0.01 * rng.standard_normal(len(t))
            fh.write(x.astype(np.float32))
    return total / SAMPLE_RATE


def _measure_audio(name: str, path: str, duration: float, segment_s: float, queue) -> None:
    from ..audio.reader import iter_windows
    from ..encoders import AUDIO_ENCODERS, encode_recording

    start = time.perf_counter()
    enc = AUDIO_ENCODERS.build(name)
    load_s = time.perf_counter() - start
    spans = [(s, min(s + segment_s, duration)) for s in np.arange(0, duration, segment_s)]
    start = time.perf_counter()
    feats = encode_recording(enc, iter_windows(path, window_s=enc.max_window_s), spans)
    wall = time.perf_counter() - start
    queue.put(
        {
            "encoder": name,
            "dim": int(feats.shape[1]),
            "segments": int(feats.shape[0]),
            "load_s": load_s,
            "encode_s": wall,
            "audio_s_per_wall_s": duration / wall,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _measure_text(name: str, count: int, queue) -> None:
    from ..encoders import TEXT_ENCODERS

    start = time.perf_counter()
    enc = TEXT_ENCODERS.build(name)
    load_s = time.perf_counter() - start
    texts = [
        f"segment {i}: I have not been sleeping well and I feel tired most days of the week."
        for i in range(count)
    ]
    start = time.perf_counter()
    feats = enc.encode(texts)
    wall = time.perf_counter() - start
    queue.put(
        {
            "encoder": name,
            "dim": int(np.asarray(feats).shape[1]),
            "segments": count,
            "load_s": load_s,
            "encode_s": wall,
            "segments_per_s": count / wall,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _run(target, *args) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        return {"encoder": args[0], "error": f"process exited with {proc.exitcode}"}
    return queue.get()


def bench_extract(bc: BenchExtractConfig) -> dict[str, Any]:
    """Measure every encoder of ``bc`` on one generated recording; returns JSON-ready results."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recording.flac"
        duration = write_test_recording(path, bc.minutes, bc.seed)
        audio = [_run(_measure_audio, name, str(path), duration, bc.segment_s) for name in bc.encoders]
    n_segments = int(np.ceil(duration / bc.segment_s))
    text = [_run(_measure_text, bc.text_encoder, n_segments)] if bc.text_encoder else []
    return {
        "config": {**vars(bc), "encoders": list(bc.encoders)},
        "recording_s": duration,
        "audio_encoders": audio,
        "text_encoders": text,
    }
