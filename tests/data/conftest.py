"""A factory for small corpus folders: documents.csv, segments.csv, short WAV files, transcripts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

CLEAN_DOCUMENTS = """document_id,audio_path,subject_id,transcript_path,diagnosis
d1,audio/d1.wav,s1,,AD
d2,audio/d2.wav,s2,text/d2.srt,HC
d3,audio/d3.flac,s3,,AD
d4,audio/d4.wav,s4,,HC
"""
CLEAN_SEGMENTS = """document_id,start_s,end_s,text
d1,0.0,0.8,hello there
d1,1.0,1.9,"well, yes"
d4,0.5,1.5,fine
"""
CLEAN_SRT = "1\n00:00:00,200 --> 00:00:01,000\nHi.\n\n2\n00:00:01,000 --> 00:00:01,800\nBye.\n"
CLEAN_AUDIO = {"audio/d1.wav": 2.0, "audio/d2.wav": 2.0, "audio/d3.flac": 1.0, "audio/d4.wav": 2.0}


def write_tone(path: Path, seconds: float, rate: int = 8000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(round(seconds * rate)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), rate)


@pytest.fixture
def make_corpus(tmp_path):
    """``make_corpus(documents=..., segments=..., audio={rel: seconds}, files={rel: text or bytes})``.

    Defaults build a clean corpus; pass ``segments=None`` for no segments.csv.
    """

    def make(
        documents: str | bytes = CLEAN_DOCUMENTS,
        segments: str | bytes | None = CLEAN_SEGMENTS,
        audio: dict[str, float] | None = None,
        files: dict[str, str | bytes] | None = None,
    ) -> Path:
        root = tmp_path / "corpus"
        root.mkdir(exist_ok=True)
        for rel, seconds in (CLEAN_AUDIO if audio is None else audio).items():
            write_tone(root / rel, seconds)
        named = {"documents.csv": documents, "segments.csv": segments, "text/d2.srt": CLEAN_SRT}
        for rel, content in {**named, **(files or {})}.items():
            if content is None:
                continue
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                (root / rel).write_bytes(content)
            else:
                (root / rel).write_text(content, encoding="utf-8")
        return root

    return make
