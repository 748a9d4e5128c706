"""Prosody of the demo interviews: espeak-ng voices, speaker baselines and per-segment cue effects.

Units are espeak-ng's: ``rate_wpm`` is its nominal words per minute (``-s``; the real rate of its
English voices is about a quarter higher), ``pitch`` its 0-99 base pitch (``-p``), ``pitch_range`` its
0-99 pitch range (50 = the voice's own; sent as SSML ``<prosody range="N%">`` with N = 2 x range),
``volume`` its 0-200 amplitude (``-a``) and ``pause_ms`` the silence before the segment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice (language + variant), the baseline it gives its speakers, and how much longer
    it speaks than :func:`estimate_speech_s`'s average voice (measured on 80 segments each)."""

    name: str
    pitch: int
    rate_wpm: int
    duration_factor: float = 1.0


VOICES: tuple[Voice, ...] = (
    Voice("en-us+m3", 42, 140, 0.971),
    Voice("en-us+f2", 55, 135, 1.035),
    Voice("en-gb+m1", 48, 145, 0.980),
    Voice("en-gb-x-rp+f3", 50, 130, 0.994),
    Voice("en-us+m5", 38, 150, 0.992),
    Voice("en-gb-scotland+f4", 58, 138, 1.003),
    Voice("en-029+m2", 45, 132, 1.025),
    Voice("en-us-nyc+f5", 52, 142, 1.019),
)
_DURATION_FACTOR = {v.name: v.duration_factor for v in VOICES}


@dataclass(frozen=True)
class Prosody:
    """Delivery of one segment (or a speaker's baseline), in espeak-ng units (see the module docstring)."""

    rate_wpm: int
    pitch: int
    pitch_range: int
    volume: int
    pause_ms: int


@dataclass(frozen=True)
class Effect:
    """A prosodic cue: factors on rate, range, volume and pause, an offset on pitch."""

    rate: float = 1.0
    pitch: float = 0.0
    pitch_range: float = 1.0
    volume: float = 1.0
    pause: float = 1.0


# Cue effects, relative to the speaker's baseline (rationale and sources: hilbert_core.demo.script).
# Depression and schizophrenia deliberately look alike: prosody alone confuses them.
EFFECTS: dict[str, Effect] = {
    "depression": Effect(rate=0.72, pitch=-12, pitch_range=0.35, volume=0.60, pause=2.6),
    "schizophrenia": Effect(rate=0.76, pitch=-7, pitch_range=0.30, volume=0.75, pause=2.8),
    "bipolar": Effect(rate=1.45, pitch=14, pitch_range=1.90, volume=1.40, pause=0.4),
    "negative": Effect(rate=0.88, pitch=-9, pitch_range=0.55, volume=0.80, pause=1.4),
    "positive": Effect(rate=1.12, pitch=10, pitch_range=1.60, volume=1.20, pause=0.75),
    "sleep": Effect(rate=0.78, pitch=-4, pitch_range=0.65, volume=0.70, pause=1.6),
}
_LIMITS = {"rate_wpm": (80, 260), "pitch": (0, 99), "pitch_range": (0, 99), "volume": (20, 200)}
ANSWER_LATENCY = 2.2  # the first segment of an answer waits this many times the speaker's pause
# Fitted on 343 segments of espeak-ng 1.51 English voices (relative error sd 6 %): C characters with B
# internal clause breaks (, ? ! ;) at R wpm (nominal) last (CHAR_WPM_S * C + BREAK_WPM_S * B) / R seconds
# once leading and trailing silence is trimmed.
CHAR_WPM_S = 9.14
BREAK_WPM_S = 33.8


def speaker_baseline(voice: Voice, rng: np.random.Generator) -> Prosody:
    """A speaker's own delivery: the voice's baseline with a little individual variation."""
    return Prosody(
        rate_wpm=int(round(voice.rate_wpm * rng.uniform(0.93, 1.07))),
        pitch=int(round(voice.pitch + rng.normal(0, 3))),
        pitch_range=int(round(50 + rng.normal(0, 5))),
        volume=int(round(100 + rng.normal(0, 6))),
        pause_ms=int(round(420 * rng.uniform(0.8, 1.2))),
    )


def segment_prosody(
    base: Prosody, cues: Sequence[str], first_in_answer: bool, rng: np.random.Generator
) -> Prosody:
    """Delivery of one segment: the speaker's baseline, natural jitter, then every ``prosodic:*`` cue.

    Effects combine (factors multiply, pitch offsets add) and results are clipped to espeak-ng's ranges.
    """
    rate = base.rate_wpm * math.exp(rng.normal(0, 0.04))
    pitch = base.pitch + rng.normal(0, 2)
    span = base.pitch_range * math.exp(rng.normal(0, 0.08))
    volume = base.volume * math.exp(rng.normal(0, 0.05))
    pause = base.pause_ms * (ANSWER_LATENCY if first_in_answer else 1.0) * math.exp(rng.normal(0, 0.2))
    for cue in cues:
        kind, _, name = cue.partition(":")
        if kind == "prosodic":
            e = EFFECTS[name]
            rate, pitch, span = rate * e.rate, pitch + e.pitch, span * e.pitch_range
            volume, pause = volume * e.volume, pause * e.pause
    values = {"rate_wpm": rate, "pitch": pitch, "pitch_range": span, "volume": volume}
    clipped = {k: int(round(min(max(v, _LIMITS[k][0]), _LIMITS[k][1]))) for k, v in values.items()}
    return Prosody(**clipped, pause_ms=int(round(min(max(pause, 100.0), 4000.0))))


def estimate_speech_s(text: str, rate_wpm: int, voice: str | None = None) -> float:
    """Expected espeak-ng duration of ``text`` at ``rate_wpm`` (silence trimmed) by ``voice``, in seconds."""
    breaks = sum(text[:-1].count(c) for c in ",?!;")
    return (CHAR_WPM_S * len(text) + BREAK_WPM_S * breaks) / rate_wpm * _DURATION_FACTOR.get(voice or "", 1.0)
