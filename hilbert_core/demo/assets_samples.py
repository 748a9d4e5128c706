"""Sample interviews to upload in the app: held-out synthetic subjects, not in the demo corpus.

``interview-with-transcript`` comes with an SRT transcript (``hilbert predict --audio ... --transcript``
and the app's upload accept it); ``interview-audio-only`` (about five minutes) has none, so it is
transcribed on upload. ``samples.json`` records their true labels and cues for the curious.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..io import atomic_write_text
from .formats import EXTENSIONS
from .interview import DocumentPlan
from .script import DemoConfig, make_plan
from .synth import SynthConfig, check_espeak, synthesize_document, write_audio

SAMPLES_FILE = "samples.json"
HELD_OUT_SEED = 7919  # added to the corpus seed: a different plan, so different (held-out) subjects


@dataclass(frozen=True)
class SampleConfig:
    """Which held-out interviews to write.

    Attributes:
        transcript_class: spectrum class of the interview shipped with a transcript.
        audio_only_class: spectrum class of the long audio-only interview.
        transcript_minutes: (least, most) length of the interview with a transcript.
        audio_only_minutes: (least, most) length of the audio-only interview; the longest matching
            interview is taken (the generator's 14 prompts reach about four minutes).
        num_prompts: (least, most) prompts per interview.
    """

    transcript_class: str = "depression"
    audio_only_class: str = "bipolar"
    transcript_minutes: tuple[float, float] = (1.5, 2.5)
    audio_only_minutes: tuple[float, float] = (4.6, 5.2)
    num_prompts: tuple[int, int] = (8, 14)


def srt_text(spans: list[tuple[float, float]], texts: list[str]) -> str:
    """An SRT transcript of segments ``(start_s, end_s)`` with their texts."""

    def clock(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    blocks = [
        f"{i}\n{clock(a)} --> {clock(b)}\n{text}\n"
        for i, ((a, b), text) in enumerate(zip(spans, texts, strict=True), start=1)
    ]
    return "\n".join(blocks)


def _held_out(seed: int, spectrum: str, minutes: tuple[float, float], prompts, tag: int) -> DocumentPlan:
    """The longest interview of class ``spectrum`` (label noise aside) of a held-out plan."""
    config = DemoConfig(
        seed=seed + HELD_OUT_SEED + tag, num_documents=20, num_prompts=prompts, target_minutes=minutes
    )
    docs = [
        d
        for d in make_plan(config).documents
        if d.labels["spectrum"] == spectrum and d.observed["spectrum"] == spectrum
    ]
    if not docs:
        raise ValueError(f"no held-out {spectrum!r} interview in the sample plan; choose another class.")
    return max(docs, key=lambda d: d.estimated_s)


def write_samples(out: Path, seed: int, config: SampleConfig, synth: SynthConfig) -> list[dict]:
    """Synthesise the sample interviews into ``out``; returns their descriptions (also in samples.json)."""
    check_espeak()
    out.mkdir(parents=True, exist_ok=True)
    ext = EXTENSIONS[synth.audio_format]
    wanted = (
        ("interview-with-transcript", config.transcript_class, config.transcript_minutes, True),
        ("interview-audio-only", config.audio_only_class, config.audio_only_minutes, False),
    )
    described = []
    for tag, (name, spectrum, minutes, with_transcript) in enumerate(wanted):
        doc = _held_out(seed, spectrum, minutes, config.num_prompts, tag)
        doc = replace(doc, document_id=name, subject_id=f"sample-{tag + 1}")
        audio, spans = synthesize_document(doc, synth.noise_db, np.random.default_rng([seed, 5, tag]))
        write_audio(str(out / f"{name}{ext}"), audio, synth)
        entry = {
            "audio": f"{name}{ext}",
            "transcript": f"{name}.srt" if with_transcript else None,
            "minutes": round(len(audio) / 16000 / 60, 2),
            "segments": len(spans),
            "voice": doc.voice,
            "labels": dict(doc.labels),
            "cues": sorted({c for s in doc.segments for c in s.cues}),
        }
        if with_transcript:
            atomic_write_text(out / f"{name}.srt", srt_text(spans, [s.text for s in doc.segments]))
        described.append(entry)
    note = "Synthetic interviews of held-out subjects (not in the demo corpus), spoken by espeak-ng."
    atomic_write_text(out / SAMPLES_FILE, json.dumps({"note": note, "samples": described}, indent=1) + "\n")
    return described
