"""Write a demo corpus folder: documents.csv, segments.csv, audio/, cues.csv and plan.json.

The folder is built beside its destination and renamed into place, so a corpus is either complete or
absent. ``cues.csv`` and ``plan.json`` hold the ground truth (true labels, severity, voice, cues and
prosody of every segment) for tests and the app; the loader ignores them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.corpus import DOCUMENTS_FILE, write_segments
from ..data.transcripts import Segment
from ..io import atomic_write_text
from .formats import EXTENSIONS
from .prosody import estimate_speech_s
from .script import DemoConfig, DemoPlan, make_plan
from .synth import TAIL_S, SynthConfig, check_espeak, synthesize_document, write_audio

logger = logging.getLogger(__name__)

PLAN_FILE = "plan.json"
CUES_FILE = "cues.csv"
TASKS = ("spectrum", "affect", "sleep")
Times = list[list[tuple[float, float]]]  # per document, per segment: (start_s, end_s)


@dataclass(frozen=True)
class DemoCorpusOutput:
    """What :func:`write_demo_corpus` wrote.

    Attributes:
        root: the corpus folder.
        plan: the plan it was written from.
        has_audio: whether audio files were synthesised (else times are estimates).
        audio_seconds: total length of the recordings (estimated when ``has_audio`` is False).
        audio_bytes: bytes of the audio files (0 without audio).
        total_bytes: bytes of the whole folder.
        seconds: wall time spent.
    """

    root: Path
    plan: DemoPlan
    has_audio: bool
    audio_seconds: float
    audio_bytes: int
    total_bytes: int
    seconds: float

    def summary(self) -> str:
        """One line: documents, subjects, class counts, minutes and bytes."""
        counts = " / ".join(f"{k} {v}" for k, v in self.plan.class_counts().items())
        minutes = self.audio_seconds / 60
        audio = (
            f"{minutes:.1f} audio minutes, {self.audio_bytes / 1e6:.2f} MB of audio "
            f"({self.audio_bytes / max(self.audio_seconds, 1e-9):.0f} bytes per audio second)"
            if self.has_audio
            else f"{minutes:.1f} estimated minutes (no audio)"
        )
        return (
            f"wrote {self.root}: {len(self.plan.documents)} documents, {self.plan.num_subjects} subjects, "
            f"spectrum {counts}; {audio}; {self.total_bytes / 1e6:.2f} MB in all, {self.seconds:.1f} s"
        )


def _check_target(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir={str(out)!r} is a file; give a folder path for the corpus.")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise ValueError(
                f"out_dir={str(out)!r} is not empty; choose a new or empty folder, or pass overwrite=True "
                "(--overwrite) to replace it."
            )
        if not (out / PLAN_FILE).is_file():
            raise ValueError(
                f"out_dir={str(out)!r} holds files but no {PLAN_FILE}, so it is not a demo corpus; refusing "
                "to replace it: choose a new or empty folder."
            )


def _estimate_times(plan: DemoPlan) -> Times:
    times = []
    for doc in plan.documents:
        cursor, spans = 0.0, []
        for s in doc.segments:
            start = round(cursor + s.prosody.pause_ms / 1000, 3)
            cursor = round(start + estimate_speech_s(s.text, s.prosody.rate_wpm, doc.voice), 3)
            spans.append((start, cursor))
        times.append(spans)
    return times


def _synthesize(
    root: Path, plan: DemoPlan, synth: SynthConfig, progress: Callable[[float, str], None]
) -> Times:
    (root / "audio").mkdir()
    ext = EXTENSIONS[synth.audio_format]

    def job(i: int) -> list[tuple[float, float]]:
        doc = plan.documents[i]
        audio, spans = synthesize_document(
            doc, synth.noise_db, np.random.default_rng([plan.config.seed, 3, i])
        )
        write_audio(str(root / "audio" / f"{doc.document_id}{ext}"), audio, synth)
        return spans

    times: Times = [[] for _ in plan.documents]
    pool = ThreadPoolExecutor(max_workers=synth.num_workers or os.cpu_count() or 1)
    try:
        futures = {pool.submit(job, i): i for i in range(len(plan.documents))}
        for done, future in enumerate(as_completed(futures), start=1):
            times[futures[future]] = future.result()
            progress(done / len(futures), f"{done}/{len(futures)} interviews")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error, skip the interviews not yet started
    return times


def _csv(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _write_tables(root: Path, plan: DemoPlan, times: Times, audio_ext: str, has_audio: bool) -> None:
    docs = plan.documents
    header = ["document_id", "audio_path", "subject_id", *TASKS]
    rows = [
        [d.document_id, f"audio/{d.document_id}{audio_ext}", d.subject_id, *(d.observed[t] for t in TASKS)]
        for d in docs
    ]
    atomic_write_text(root / DOCUMENTS_FILE, _csv([header, *rows]))
    segments = {
        d.document_id: [Segment(a, b, s.text) for s, (a, b) in zip(d.segments, spans, strict=True)]
        for d, spans in zip(docs, times, strict=True)
    }
    write_segments(root, segments)
    cue_rows = [["document_id", "segment", "start_s", "end_s", "prompt_id", "cues"]]
    for d, spans in zip(docs, times, strict=True):
        for k, (s, (a, b)) in enumerate(zip(d.segments, spans, strict=True)):
            cue_rows.append([d.document_id, k, repr(float(a)), repr(float(b)), s.prompt_id, ";".join(s.cues)])
    atomic_write_text(root / CUES_FILE, _csv(cue_rows))
    body = plan.to_dict()
    for d, spans in zip(body["documents"], times, strict=True):
        d["audio_path"] = f"audio/{d['document_id']}{audio_ext}"
        for s, (a, b) in zip(d["segments"], spans, strict=True):
            s["start_s"], s["end_s"] = a, b
    meta = {
        "generator": "hilbert_core.demo",
        "has_audio": has_audio,
        "timing": "synthesized" if has_audio else "estimated",
    }
    atomic_write_text(root / PLAN_FILE, json.dumps({**meta, **body}, indent=1, ensure_ascii=False) + "\n")


def _apply_umask(root: Path) -> None:
    """Give the files the umask's permissions: atomic_write_text's temporary files are created 0600."""
    mask = os.umask(0)
    os.umask(mask)
    for path in root.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def _move_into_place(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    trash = _sibling(out, "old")
    os.replace(out, trash)
    os.replace(tmp, out)
    shutil.rmtree(trash, ignore_errors=True)


def _sibling(out: Path, tag: str) -> Path:
    """An unused hidden path beside ``out`` (created as a folder when ``tag`` is ``"tmp"``)."""
    # mkdir rather than tempfile.mkdtemp: mkdtemp makes the folder 0700, and the corpus must keep the umask.
    path = out.parent / f".{out.name}.{tag}.{secrets.token_hex(4)}"
    if tag == "tmp":
        path.mkdir()
    return path


def write_demo_corpus(
    out_dir: str | Path,
    config: DemoConfig | None = None,
    *,
    audio: bool = True,
    synth: SynthConfig | None = None,
    overwrite: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> DemoCorpusOutput:
    """Plan and write a demo corpus folder (see the module docstring), atomically.

    Args:
        out_dir: the corpus folder to create (new, empty, or an earlier demo corpus with ``overwrite``).
        config: the plan's config (default :class:`DemoConfig()`).
        audio: synthesise recordings with espeak-ng; False writes everything else, with estimated times
            (``plan.json`` says ``"timing": "estimated"``).
        synth: audio format and noise (default :class:`SynthConfig()`).
        overwrite: replace an existing demo corpus in ``out_dir``.
        progress: ``progress(fraction, message)`` while synthesising.

    Raises:
        ValueError: for a non-empty ``out_dir`` without ``overwrite``, a bad config, or (with ``audio``)
            espeak-ng missing or failing.
    """
    started = time.perf_counter()
    config, synth = config or DemoConfig(), synth or SynthConfig()
    out = Path(out_dir)
    _check_target(out, overwrite)
    if audio:
        check_espeak()
    plan = make_plan(config)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(out, "tmp")
    try:
        times = (
            _synthesize(tmp, plan, synth, progress or (lambda f, m: None)) if audio else _estimate_times(plan)
        )
        _write_tables(tmp, plan, times, EXTENSIONS[synth.audio_format], audio)
        audio_bytes = sum(p.stat().st_size for p in (tmp / "audio").iterdir()) if audio else 0
        total_bytes = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
        _apply_umask(tmp)
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = float(sum(spans[-1][1] + (TAIL_S if audio else 0.0) for spans in times))
    result = DemoCorpusOutput(
        out, plan, audio, seconds, audio_bytes, total_bytes, time.perf_counter() - started
    )
    logger.info("%s", result.summary())
    return result
