"""``hilbert bench interview``: time from upload to prediction for one audio-only interview.

The path timed is the Interview page's: the upload is written into the workspace, the recording is
transcribed and segmented by Whisper (no transcript is given), encoded by the model's frozen encoders and
scored (:class:`hilbert_core.service.interview.InterviewScorer`). The first request pays for loading the
models; later ones reuse them, as the app does (``st.cache_resource``). Both are reported.

Without ``--audio`` the recording is synthesised speech (the demo corpus's espeak-ng voices), concatenated
to ``--minutes``. Without ``--model`` the model is a ``hilbert`` bundle with the demo's encoders trained on
synthetic features of the same widths: its probabilities mean nothing, its cost is that of a real one.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchInterviewConfig:
    """What to time.

    Attributes:
        minutes: length of the generated recording (ignored with ``audio``).
        audio: a recording to use instead of the generated one.
        model: a model bundle folder; default: a synthetic-feature bundle with the encoders below.
        audio_encoder, text_encoder: encoders of the default bundle.
        repeats: requests timed (the first is the cold one).
    """

    minutes: float = 5.0
    audio: str | None = None
    model: str | None = None
    audio_encoder: str = "whisper-tiny-en"
    text_encoder: str = "minilm-l6"
    repeats: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.repeats < 1 or not self.minutes > 0:
            raise ValueError(f"repeats={self.repeats} must be >= 1 and minutes={self.minutes} > 0.")


def write_speech_recording(path: Path, minutes: float, seed: int = 0) -> float:
    """Synthesised interview speech (demo corpus voices), concatenated and cut to ``minutes``, as FLAC."""
    import soundfile as sf

    from ..audio.reader import SAMPLE_RATE, load_audio
    from ..demo import DemoConfig, write_demo_corpus

    num = max(2, math.ceil(minutes / 3.0))
    cfg = DemoConfig(
        seed=seed, num_documents=num, class_fractions=(("control", 0.5), ("depression", 0.5)),
        min_per_class=1, num_prompts=(14, 14), target_minutes=(3.0, 3.2),
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_demo_corpus(Path(tmp) / "speech", cfg).root
        parts = [load_audio(p) for p in sorted((corpus / "audio").iterdir())]
    audio = np.concatenate(parts)[: int(minutes * 60 * SAMPLE_RATE)]
    sf.write(path, audio, SAMPLE_RATE, format="FLAC")
    return len(audio) / SAMPLE_RATE


def synthetic_bundle(out: Path, audio_encoder: str, text_encoder: str, seed: int = 0) -> Path:
    """A ``hilbert`` bundle over synthetic features as wide as the two encoders' outputs."""
    from ..config import ExperimentConfig
    from ..data.synthetic import make_features
    from ..encoders import AUDIO_ENCODERS, TEXT_ENCODERS
    from ..training.bundle import train_final

    dims = AUDIO_ENCODERS.build(audio_encoder).dim, TEXT_ENCODERS.build(text_encoder).dim
    f = make_features(num_documents=40, num_segments=(20, 40), audio_dim=dims[0], text_dim=dims[1],
                      num_classes=4, seed=seed)  # fmt: skip
    cfg = ExperimentConfig().replace(train={"epochs": 3, "num_inner": 1})
    info = {"task": "spectrum", "audio_encoder": audio_encoder, "text_encoder": text_encoder}
    bundle = train_final(f.audio, f.text, f.labels, groups=f.groups, method="hilbert", config=cfg, info=info)
    return bundle.save(out)


def bench_interview(cfg: BenchInterviewConfig) -> dict[str, Any]:
    """Time ``cfg.repeats`` uploads of one audio-only interview; returns a JSON-ready dict."""
    from ..audio.reader import probe_audio
    from ..service.interview import InterviewScorer, save_interview
    from ..workspace import open_workspace

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        audio = Path(cfg.audio) if cfg.audio else tmp / "interview.flac"
        if not cfg.audio:
            write_speech_recording(audio, cfg.minutes, cfg.seed)
        model = Path(cfg.model) if cfg.model else synthetic_bundle(
            tmp / "model", cfg.audio_encoder, cfg.text_encoder, cfg.seed
        )  # fmt: skip
        ws = open_workspace(tmp / "ws", seed=False)
        scorer, data, runs = InterviewScorer(), audio.read_bytes(), []
        for i in range(cfg.repeats):
            start = time.perf_counter()
            path, _ = save_interview(ws, f"{i:032x}", (audio.name, data))
            out = scorer.score(path, [model])
            total = time.perf_counter() - start
            runs.append({"upload_to_prediction_s": round(total, 3), "num_segments": len(out.segments),
                         **{f"{k.replace(' ', '_')}_s": round(v, 3) for k, v in out.seconds.items()},
                         "prediction": out.scores[0].top[0]})  # fmt: skip
            logger.info("request %d: %.1f s", i, total)
        duration = probe_audio(audio).duration_s
    return {
        "benchmark": "interview upload to prediction (audio only: transcribe, segment, encode, score)",
        "config": asdict(cfg), "audio_seconds": round(duration, 1), "cold": runs[0], "warm": runs[1:],
        "goal_s": 30.0, "cpu_count": os.cpu_count(), "platform": platform.platform(),
        "torch_threads": _torch_threads(),
    }  # fmt: skip


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()
