"""The Interview page's marks and its report: whether a score is inconclusive (at the page's coverage),
how well the model did in cross-validation, and the filed report (HTML or PDF) of one scored interview,
written atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ..evaluation.novelty import NoveltyOutput, not_checked
from ..evaluation.uncertainty import Calibration
from ..evaluation.verdict import Verdict, verdict
from ..report.interview_report import CVSummary, InterviewReport, report_html
from ..version import __version__
from .interview import InterviewOutput, TaskScore, score_uncertainty
from .interview_evidence import KIND_NAMES, agreement_sentence, top_answers

FORMATS = {"html": "text/html", "pdf": "application/pdf"}
CI_RESAMPLES = 1000


def score_verdict(score: TaskScore, coverage: float = 0.9) -> Verdict:
    """Inconclusive or not (:mod:`hilbert_core.evaluation.verdict`): the prediction set at ``coverage``
    (when the model has a calibration), the ensemble spread (when it has several members), chance."""
    spread = score_uncertainty(score, coverage)
    table = score.table
    sd = table["sd"].to_numpy(dtype=float) if "sd" in table else None
    return verdict(
        table["class"].astype(str).tolist(), table["probability"].to_numpy(dtype=float), sd,
        None if spread is None else spread.prediction_set, coverage,
    )  # fmt: skip


def cv_summary(
    calibration: Calibration | None, info: dict, workspace: str | Path | None = None
) -> CVSummary | None:
    """The model's pooled out-of-fold AUC with a 95 % bootstrap interval (over subjects when the
    cross-validation run recorded them, else over interviews), its corpus and how many it covered."""
    if calibration is None:
        return None
    from ..evaluation.bootstrap import bootstrap_auc_ci

    groups = _run_groups(calibration.run_id, workspace)
    if groups is not None and len(groups) != len(calibration.y):
        groups = None
    try:
        ci = bootstrap_auc_ci(calibration.y, calibration.proba, num_resamples=CI_RESAMPLES, groups=groups)
        low, high = ci.low, ci.high
    except ValueError:  # too few documents of a class to resample
        low = high = float("nan")
    corpus = Path(str(info.get("corpus") or info.get("features") or "unrecorded")).name
    subjects = None if groups is None else len(set(groups.tolist()))
    return CVSummary(
        calibration.auc, low, high, 0.95, corpus, len(calibration.y), subjects, calibration.source
    )


def _run_groups(run_id: str | None, workspace) -> np.ndarray | None:
    if run_id is None or workspace is None:
        return None
    from ..experiments.registry import RunRegistry
    from ..workspace import registry_path

    try:
        groups = RunRegistry(registry_path(workspace)).report(run_id).get("groups")
    except (OSError, ValueError):
        return None
    return None if not groups else np.asarray(groups, dtype=object)


def build_report(
    result: InterviewOutput,
    coverage: float = 0.9,
    true_labels: dict | None = None,
    workspace: str | Path | None = None,
    created: dt.datetime | None = None,
) -> InterviewReport:
    """The report of the first (explained) model's score of ``result``, at the page's ``coverage``."""
    score = result.scores[0]
    spread = score_uncertainty(score, coverage)
    table = score.table
    sds = table["sd"].tolist() if "sd" in table else [None] * len(table)
    probabilities = [(str(c), float(p), None if s is None else float(s))
                     for c, p, s in zip(table["class"], table["probability"], sds, strict=True)]  # fmt: skip
    info = result.info
    encoders = {
        m: f"{info[f'{m}_encoder']} (revision {info.get(f'{m}_encoder_revision', '?')})"
        for m in ("audio", "text")
        if info.get(f"{m}_encoder")
    }
    evidence = result.evidence
    kind = "" if evidence is None else KIND_NAMES.get(evidence.default_kind, evidence.default_kind)
    return InterviewReport(
        recording=result.audio_name,
        created=(created or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip(),
        task=score.task, model=score.model, method=score.method, encoders=encoders,
        package_version=__version__, duration_s=result.duration_s, num_segments=len(result.segments),
        segments_from="its transcript" if result.segments_from == "transcript" else "a Whisper transcription",
        probabilities=probabilities, verdict=score_verdict(score, coverage),
        novelty=result.novelty or _unchecked(), coverage=coverage if spread else None,
        prediction_set=[] if spread is None else list(spread.prediction_set),
        cv=cv_summary(score.calibration, info, workspace),
        evidence_kind=kind,
        agreement="" if evidence is None else agreement_sentence(evidence),
        answers=[] if evidence is None else top_answers(evidence, result.segments).to_dict("records"),
        demo=score.demo, true_labels=dict(true_labels or {}),
        notes=[] if evidence is None else list(evidence.notes),
    )  # fmt: skip


def _unchecked() -> NoveltyOutput:
    return not_checked("the interview was scored without this check")


def report_bytes(report: InterviewReport, fmt: str) -> bytes:
    """The report as ``html`` (UTF-8) or ``pdf`` bytes.

    Raises:
        ValueError: an unknown ``fmt``.
    """
    if fmt == "html":
        return report_html(report).encode("utf-8")
    if fmt == "pdf":
        from ..report.interview_pdf import report_pdf

        return report_pdf(report)
    raise ValueError(f"report format {fmt!r} is not known; choose one of {', '.join(FORMATS)}.")


def report_name(report: InterviewReport, fmt: str) -> str:
    """A file name for the download: ``interview-report-<recording stem>.<fmt>`` (folder-safe)."""
    from ..io import sanitize_name

    return f"interview-report-{sanitize_name(Path(report.recording).stem)}.{fmt}"


def write_report(report: InterviewReport, path: str | Path) -> Path:
    """Write the report to ``path`` (``.html``/``.htm`` or ``.pdf``) atomically: never a partial file.

    Raises:
        ValueError: another suffix.
    """
    from ..io import atomic_write_bytes

    path = Path(path)
    fmt = {".html": "html", ".htm": "html", ".pdf": "pdf"}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"report path {str(path)!r} must end in .html or .pdf.")
    atomic_write_bytes(path, report_bytes(report, fmt))
    return path
