"""Synthesis with espeak-ng (skipped where it is not installed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hilbert_core.data.validate import validate_corpus
from hilbert_core.demo import DemoConfig, SynthConfig, write_demo_corpus
from hilbert_core.demo.interview import SegmentPlan
from hilbert_core.demo.prosody import Prosody
from hilbert_core.demo.synth import SAMPLE_RATE, TAIL_S, synthesize_segment

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
TEXT = "I have been feeling mostly okay these days, just the usual ups and downs of life."


def _say(**prosody: int) -> np.ndarray:
    p = {"rate_wpm": 140, "pitch": 50, "pitch_range": 50, "volume": 100, "pause_ms": 0, **prosody}
    return synthesize_segment("en-us+m3", SegmentPlan(TEXT, "feeling", "feeling", (), Prosody(**p)))


def _f0(x: np.ndarray) -> float:
    """Median F0 (Hz) by frame autocorrelation over voiced 40 ms frames."""
    frame, values = int(0.04 * SAMPLE_RATE), []
    for i in range(0, len(x) - frame, frame // 2):
        w = x[i : i + frame] - x[i : i + frame].mean()
        ac = np.correlate(w, w, "full")[frame - 1 :]
        lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 60
        k = lo + int(np.argmax(ac[lo:hi]))
        if ac[0] > 0 and ac[k] > 0.5 * ac[0]:
            values.append(SAMPLE_RATE / k)
    return float(np.median(values))


def test_prosody_controls_change_the_audio() -> None:
    assert len(_say(rate_wpm=100)) > 1.6 * len(_say(rate_wpm=200))
    assert _f0(_say(pitch=85)) > 1.2 * _f0(_say(pitch=15))
    loud, soft = _say(volume=160), _say(volume=50)
    assert np.sqrt(np.mean(loud**2)) > 2 * np.sqrt(np.mean(soft**2))


@pytest.mark.parametrize("audio_format", ["opus", "flac"])
def test_small_corpus_synthesises(tmp_path: Path, audio_format: str) -> None:
    config = DemoConfig(
        seed=1,
        num_documents=3 if audio_format == "opus" else 2,
        class_fractions=(("control", 0.5), ("depression", 0.5)),
        min_per_class=1,
        target_minutes=(1.0, 3.0) if audio_format == "opus" else (0.2, 0.4),
    )
    out = write_demo_corpus(tmp_path / "demo", config, synth=SynthConfig(audio_format=audio_format))
    plan = json.loads((out.root / "plan.json").read_text())
    assert plan["timing"] == "synthesized"
    assert validate_corpus(out.root, tasks=["spectrum"]) == []  # tiny: affect may have one class
    for doc in plan["documents"]:
        x, rate = sf.read(out.root / doc["audio_path"], dtype="float32")
        assert rate == SAMPLE_RATE and x.ndim == 1
        ends = [s["end_s"] for s in doc["segments"]]
        assert len(x) / rate == pytest.approx(ends[-1] + TAIL_S, abs=0.01)
        if audio_format == "opus":
            assert 60 <= len(x) / rate <= 180
        for s in doc["segments"]:
            a, b = round(s["start_s"] * rate), round(s["end_s"] * rate)
            before = x[max(0, a - 1600) : a - 80]  # the pause just before the segment
            assert np.sqrt(np.mean(x[a:b] ** 2)) > 10 * np.sqrt(np.mean(before**2)) > 0
    if audio_format == "opus":
        assert out.audio_bytes / out.audio_seconds < 1000  # bytes per audio second


@pytest.mark.slow
def test_default_size_corpus(tmp_path: Path) -> None:
    out = write_demo_corpus(tmp_path / "demo", DemoConfig(seed=0, num_documents=20))
    assert validate_corpus(out.root, n_splits=5) == []
    assert 20 <= out.audio_seconds / 60 <= 60
