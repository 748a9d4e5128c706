"""Attack: SIGKILL in the middle of transcribing ten recordings; the restart redoes at most one.

A real process is killed with a real SIGKILL; only Whisper is replaced, by a slow fake (0.4 s a
recording) that notes which recording it starts, so the test runs in seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hilbert_core.data import load_corpus
from hilbert_core.data.transcripts import Segment
from tests.attacks.conftest import ROOT, write_corpus

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import hilbert_core.encoders.extract as extract
    from hilbert_core.data import load_corpus
    from hilbert_core.data.transcripts import Segment

    def slow(path, model):
        with open(sys.argv[2], "a") as log:
            log.write(Path(path).stem + "\\n")
        time.sleep(0.4)
        return [Segment(0.0, 0.5, "words")]

    extract.transcribe = slow
    extract.ensure_segments(load_corpus(sys.argv[1]))
    """
)


def _ten(root: Path) -> Path:
    rows = "".join(f"r{i:02d},audio/r{i:02d}.wav,{'ab'[i % 2]}\n" for i in range(10))
    return write_corpus(
        root, "document_id,audio_path,label\n" + rows, tuple(f"audio/r{i:02d}.wav" for i in range(10))
    )


def _done(corpus: Path) -> set[str]:
    return set(load_corpus(corpus).segments)


def test_a_killed_transcription_resumes_and_redoes_at_most_one(ws, tmp_path, monkeypatch):
    corpus = _ten(ws.corpora_dir / "ten")
    log = tmp_path / "started.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(corpus), str(log)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline and len(_done(corpus) if (corpus / "segments.csv").exists() else ()) < 4
    ):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    first = log.read_text().split()
    kept = _done(corpus)  # segments.csv is whole (written atomically), with every finished recording
    assert 4 <= len(kept) < 10 and kept <= set(first)

    import hilbert_core.encoders.extract as extract

    second = []
    monkeypatch.setattr(
        extract, "transcribe", lambda path, model: second.append(Path(path).stem) or [Segment(0.0, 0.5, "w")]
    )
    transcribed = extract.ensure_segments(load_corpus(corpus))
    redone = set(first) & set(second)
    assert len(redone) <= 1, f"redone after the kill: {sorted(redone)}"
    assert transcribed == 10 - len(kept) and _done(corpus) == {f"r{i:02d}" for i in range(10)}
