"""The sample interviews shipped with the demo (``assets/demo/samples``): two held-out synthetic
interviews a new user can score on the Interview page without a recording of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "demo" / "samples"


@dataclass(frozen=True)
class Sample:
    """One sample: its recording, its transcript (None: it is transcribed on upload) and true labels."""

    name: str
    audio: Path
    transcript: Path | None
    minutes: float
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        how = "with an SRT transcript" if self.transcript else "audio only (transcribed by Whisper)"
        return f"{self.name} · {self.minutes:.1f} min · {how}"


def sample_interviews(folder: Path = SAMPLES_DIR) -> list[Sample]:
    """The samples listed in ``folder/samples.json`` whose files are there (empty when none)."""
    try:
        listed = json.loads((folder / "samples.json").read_text(encoding="utf-8"))["samples"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    out = []
    for item in listed:
        audio = folder / str(item.get("audio", ""))
        transcript = folder / item["transcript"] if item.get("transcript") else None
        if audio.is_file() and (transcript is None or transcript.is_file()):
            out.append(
                Sample(
                    audio.stem, audio, transcript, float(item.get("minutes", 0)), dict(item.get("labels", {}))
                )
            )
    return out


def sample_upload(sample: Sample) -> tuple[tuple[str, bytes], tuple[str, bytes] | None]:
    """The sample as an upload: (name, bytes) of the recording and of its transcript (or None)."""
    transcript = (
        None if sample.transcript is None else (sample.transcript.name, sample.transcript.read_bytes())
    )
    return (sample.audio.name, sample.audio.read_bytes()), transcript
