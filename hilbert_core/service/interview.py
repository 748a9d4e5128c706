"""The Interview page: one uploaded recording (and optional transcript) scored by trained models.

The recording is segmented once (from its transcript, else by Whisper), each model's frozen encoders
run over it (loaded once per process: :class:`InterviewScorer` is meant to be cached), and every
chosen model scores it. The first model's attention, gate weights and embeddings are explained.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..audit import record
from ..evaluation.novelty import NoveltyOutput
from ..evaluation.uncertainty import Calibration, UncertaintyOutput, uncertainty
from ..explain.evidence import SegmentEvidence
from ..workspace import Workspace
from .demo_marks import is_demo_model
from .home import ModelSummary, model_summary
from .interview_evidence import explain, interview_novelty
from .interview_placement import mi_balance, placement  # noqa: F401  (mi_balance: the page's, re-exported)
from .uploads import discard_upload, safe_filename, save_upload

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
AUDIO_TYPES = ("wav", "flac", "ogg", "opus", "mp3", "m4a")
TRANSCRIPT_TYPES = ("srt", "vtt", "csv", "tsv", "txt")
INTERACTIVE_BEAM_SIZE = 1  # greedy Whisper decoding: ~1.6x faster than beam 5 on CPU, for one upload


@dataclass(frozen=True)
class TaskScore:
    """One model's class probabilities for the interview (classes sorted by probability)."""

    task: str
    model: str
    method: str
    table: pd.DataFrame  # class, probability (and sd over the ensemble's members when it has several)
    calibration: Calibration | None = None  # out-of-fold predictions of the model's recipe (None: none kept)
    demo: bool = False  # a model trained on the synthetic demo corpus

    @property
    def top(self) -> tuple[str, float]:
        return str(self.table["class"].iloc[0]), float(self.table["probability"].iloc[0])


@dataclass
class InterviewOutput:
    """Everything the Interview page shows about one scored recording.

    Attributes:
        segments: one row per segment: #, start_s, end_s, text, then the first model's attention weights
            ``attn_audio``/``attn_text``/``attn_joint`` (absent for a modality the model does not use,
            and all absent for a linear probe, which has no segment attention).
        scores: per model, spectrum first.
        gate: (E,) MoE gate weights of the first model (None without experts).
        placement: this interview against the first model's training set (see :func:`placement`);
            None when the model has no embeddings or stores no training-set embeddings.
        seconds: wall time per step (segment, encode and score, explain, total); ``encode audio`` and
            ``encode text`` are the encoders' parts of ``encode and score`` (what one shared Whisper pass
            for transcript and audio features could save at most is ``encode audio``).
        segments_from: "transcript" or "whisper".
        evidence: how each segment moved the first model's prediction (None: not explained).
        novelty: whether the interview is like the first model's training documents (None: not checked).
        info: the first model's bundle info (task, encoders and their revisions).
    """

    audio_name: str
    duration_s: float
    segments: pd.DataFrame
    scores: list[TaskScore]
    gate: np.ndarray | None
    placement: pd.DataFrame | None
    seconds: dict[str, float] = field(default_factory=dict)
    segments_from: str = "transcript"
    note: str = ""
    evidence: SegmentEvidence | None = None
    novelty: NoveltyOutput | None = None
    info: dict = field(default_factory=dict)


def list_models(ws: Workspace) -> list[ModelSummary]:
    """Bundles of the workspace that can score a recording (they record their encoders), spectrum first."""
    models = [model_summary(p) for p in ws.models()]
    usable = [m for m in models if m.encoders not in ("feature folder", "unreadable bundle.json")]
    return sorted(usable, key=lambda m: (m.task != "spectrum", m.task, m.name))


def default_models(models: list[ModelSummary]) -> list[ModelSummary]:
    """The first model of each task (spectrum first)."""
    seen, out = set(), []
    for m in models:
        if m.task not in seen:
            seen.add(m.task)
            out.append(m)
    return out


def save_interview(
    ws: Workspace, session_id: str, audio: tuple[str, bytes], transcript: tuple[str, bytes] | None = None
) -> tuple[Path, Path | None]:
    """Write an uploaded recording (and transcript) into a new folder of ``uploads/<session id>/``.

    Both file types are checked before anything is written; an error leaves no folder behind.
    """
    name, data = audio
    if Path(name).suffix.lower().lstrip(".") not in AUDIO_TYPES:
        raise ValueError(f"{name!r} is not a recording this page takes; upload {', '.join(AUDIO_TYPES)}.")
    if transcript is not None and Path(transcript[0]).suffix.lower().lstrip(".") not in TRANSCRIPT_TYPES:
        raise ValueError(
            f"{transcript[0]!r} is not a transcript this page takes; upload {', '.join(TRANSCRIPT_TYPES)}."
        )
    audio_path = save_upload(ws, session_id, name, data)
    if transcript is None:
        return audio_path, None
    from ..io import atomic_write_bytes

    t_path = audio_path.parent / safe_filename(transcript[0], "transcript.srt")
    try:
        atomic_write_bytes(t_path, transcript[1])
    except BaseException:
        discard_upload(ws, session_id, audio_path)
        raise
    return audio_path, t_path


@dataclass(frozen=True)
class ScoredUpload:
    """A scored upload: the result and where its recording (and transcript) were written."""

    result: InterviewOutput
    audio_path: Path
    transcript_path: Path | None


def score_upload(
    scorer: InterviewScorer,
    ws: Workspace,
    session_id: str,
    audio: tuple[str, bytes],
    transcript: tuple[str, bytes] | None,
    models: list[Path],
    previous: Path | None = None,
    progress: Progress | None = None,
) -> ScoredUpload:
    """Save and score an upload. On success the session's ``previous`` upload folder is deleted (only the
    shown interview is kept); on any error the new upload folder is deleted and the error re-raised."""
    audio_path, t_path = save_interview(ws, session_id, audio, transcript)
    try:
        result = scorer.score(audio_path, models, t_path, progress=progress, workspace=ws.root)
    except BaseException:
        discard_upload(ws, session_id, audio_path)
        raise
    if previous is not None and Path(previous).parent != audio_path.parent:
        discard_upload(ws, session_id, previous)
    # who scored with which models; never the file's name (it may name the patient) or the result
    record(ws.root, "score interview", ", ".join(Path(m).name for m in models))
    return ScoredUpload(result, audio_path, t_path)


def check_segments_within(segments, duration_s: float, source: str, tolerance_s: float = 2.0) -> None:
    """Refuse transcript segments that start at or after the end of the recording (or end well after it).

    Raises:
        ValueError: naming the transcript, the segment (as numbered on the page, from 0) and both times.
    """
    for i, seg in enumerate(segments):
        if seg.start_s >= duration_s or seg.end_s > duration_s + tolerance_s:
            late = "starts" if seg.start_s >= duration_s else "ends"
            t = seg.start_s if late == "starts" else seg.end_s
            raise ValueError(
                f"{source}: segment {i} {late} at {t:.0f} s, after the recording ends ({duration_s:.0f} s); "
                "upload the matching transcript."
            )


class InterviewScorer:
    """Loads bundles and frozen encoders once and scores recordings with them.

    One instance may be shared by all browser sessions (``st.cache_resource``): it holds only models,
    never a user's data. Bundles are keyed by path and modification time, encoders by name.
    """

    def __init__(self, beam_size: int = INTERACTIVE_BEAM_SIZE) -> None:
        self.beam_size = beam_size
        self._bundles: dict[tuple[str, float], object] = {}
        self._extractors: dict[tuple[str, str], object] = {}

    def bundle(self, path: Path):
        from ..training.bundle import load_bundle

        key = (str(path), (Path(path) / "bundle.json").stat().st_mtime)
        if key not in self._bundles:
            self._bundles[key] = load_bundle(path)
        return self._bundles[key]

    def extractor(self, info: dict):
        from ..encoders.extract import ExtractConfig, Extractor

        key = (info.get("audio_encoder", ""), info.get("text_encoder", ""))
        if key not in self._extractors:
            self._extractors[key] = Extractor(ExtractConfig(audio_encoder=key[0], text_encoder=key[1]), None)
        return self._extractors[key]

    def score(
        self,
        audio_path: Path,
        models: list[Path],
        transcript: Path | None = None,
        progress: Progress | None = None,
        workspace: Path | None = None,
    ) -> InterviewOutput:
        """Segment, encode and score ``audio_path`` with every bundle in ``models`` (the first is explained);
        each model's prediction sets are calibrated on its recipe's cross-validation in ``workspace`` (else
        on its own inner cross-validation; see
        :func:`~hilbert_core.experiments.model_runs.bundle_calibration`).

        Raises:
            ValueError: no model, an unreadable recording or transcript, or no speech recognised.
        """
        from ..audio.reader import probe_audio

        report = progress or (lambda f, m: None)
        if not models:
            raise ValueError("no model is chosen; pick at least one trained model.")
        started = time.perf_counter()
        duration = probe_audio(audio_path).duration_s
        bundles = [self.bundle(Path(p)) for p in models]
        segments, source = self._segments(audio_path, transcript, bundles[0].info, report)
        if source == "transcript":
            check_segments_within(segments, duration, transcript.name)
        t_seg = time.perf_counter()
        preds, features, spent = [], [], {"encode audio": 0.0, "encode text": 0.0}
        for i, (path, bundle) in enumerate(zip(models, bundles, strict=True)):
            report(0.5 + 0.4 * i / len(models), f"encoding and scoring with {Path(path).name}")
            ext = self.extractor(bundle.info)
            t0 = time.perf_counter()
            audio = ext.audio_features(audio_path, segments) if bundle.audio_dim else None
            t1 = time.perf_counter()
            text = ext.text_features(segments) if bundle.text_dim else None
            spent["encode audio"] += t1 - t0
            spent["encode text"] += time.perf_counter() - t1
            features.append((audio, text))
            preds.append(bundle.predict(audio, text))
        t_score = time.perf_counter()
        report(0.9, f"which answers moved the prediction of {Path(models[0]).name}")
        evidence = explain(bundles[0], *features[0])
        report(1.0, "done")
        end = time.perf_counter()
        out = _output(audio_path, duration, segments, models, bundles, preds, workspace)
        out.segments["evidence"] = evidence.scores()
        out.evidence, out.novelty = evidence, interview_novelty(bundles[0], preds[0])
        out.segments_from, out.info = source, dict(bundles[0].info)
        out.seconds = {"segment": t_seg - started, "encode and score": t_score - t_seg, **spent,
                       "explain": end - t_score, "total": end - started}  # fmt: skip
        return out

    def _segments(self, audio_path: Path, transcript: Path | None, info: dict, report: Progress):
        from ..audio.transcribe import BUNDLED, transcribe
        from ..data.transcripts import read_transcript

        if transcript is not None:
            report(0.05, "reading the transcript")
            segments = read_transcript(transcript)
            if not segments:
                raise ValueError(f"{transcript.name} holds no timed text; check the file or leave it out.")
            return segments, "transcript"
        report(0.02, "transcribing with Whisper (no transcript was given)")

        def step(fraction: float, message: str) -> None:
            report(0.02 + 0.46 * fraction, message)

        model = info.get("whisper_model", BUNDLED)
        return transcribe(str(audio_path), model, progress=step, beam_size=self.beam_size), "whisper"


def _output(audio_path, duration, segments, models, bundles, preds, workspace=None) -> InterviewOutput:
    from ..experiments.model_runs import bundle_calibration

    table = pd.DataFrame(
        {"#": range(len(segments)), "start_s": [s.start_s for s in segments],
         "end_s": [s.end_s for s in segments], "text": [s.text for s in segments]}
    )  # fmt: skip
    first = preds[0]
    # a linear probe scores mean-pooled features: its "attention" is uniform by construction, not learnt
    attention = {} if getattr(bundles[0], "probe", None) is not None else first.attention
    for name, weights in attention.items():
        table[f"attn_{name}"] = np.asarray(weights, dtype=float)
    scores = []
    for path, bundle, pred in zip(models, bundles, preds, strict=True):
        proba = pd.DataFrame({"class": pred.classes, "probability": np.asarray(pred.proba, dtype=float)})
        if pred.proba_sd is not None:
            proba["sd"] = np.asarray(pred.proba_sd, dtype=float)
        proba = proba.sort_values("probability", ascending=False, ignore_index=True)
        scores.append(
            TaskScore(
                str(bundle.info.get("task", "?")), Path(path).name, bundle.method, proba,
                bundle_calibration(bundle, workspace), is_demo_model(path),
            )
        )  # fmt: skip
    note = (
        ""
        if bundles[0].reference
        else "this model stores no training-set embeddings; retrain it to see them."
    )
    return InterviewOutput(
        audio_name=Path(audio_path).name, duration_s=float(duration), segments=table, scores=scores,
        gate=None if first.gate_probs is None else np.asarray(first.gate_probs, dtype=float),
        placement=placement(bundles[0], first), note=note if first.z_joint is not None else "",
    )  # fmt: skip


def score_uncertainty(score: TaskScore, coverage: float = 0.9) -> UncertaintyOutput | None:
    """The prediction set at ``coverage``, chance levels and cross-validated AUC of one model's score
    (None when the model keeps no out-of-fold predictions and has no cross-validation in the workspace)."""
    if score.calibration is None:
        return None
    by_class = score.table.set_index("class")
    proba = by_class.loc[score.calibration.classes, "probability"].to_numpy()
    sd = by_class.loc[score.calibration.classes, "sd"].to_numpy() if "sd" in by_class else None
    return uncertainty(score.calibration, proba, coverage, sd)
