"""Corpus checks that point at the exact file, row and value, and say how to fix each problem.

:func:`validate_corpus` never raises for a problem in the user's data: it returns :class:`Problem` s.
Checks stay cheap: audio files are probed (headers), never decoded. A path that leads outside the corpus
folder and the allowed data roots is reported as such before anything else is looked at, so the report
never says whether a file outside exists.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..audio.reader import AudioReadError, probe_audio
from .corpus import (
    DOCUMENTS_FILE,
    REQUIRED_DOCUMENT_COLUMNS,
    RESERVED,
    SEGMENT_COLUMNS,
    SEGMENTS_FILE,
    CsvReadError,
    data_roots_for,
    read_csv_table,
)
from .paths import PathOutside, contained, corpus_files_root
from .transcripts import read_transcript

logger = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (
    ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".mp4", ".aac", ".webm", ".mka", ".mkv",
    ".mov", ".aiff", ".aif", ".au", ".caf", ".w64", ".wma",
)  # fmt: skip
DURATION_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class Problem:
    """One thing to fix in a corpus.

    Attributes:
        file: the file holding the problem, relative to the corpus folder (e.g. ``documents.csv``).
        row: its line number in that file (the header is row 1), or None for the whole file or column.
        value: the offending value ('' when there is none).
        message: what is wrong and how to fix it.
    """

    file: str
    row: int | None
    value: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file} row {self.row}"
        return f"{where}: {self.message}"


def validate_corpus(
    root: str | Path,
    n_splits: int | None = None,
    tasks: list[str] | None = None,
    data_roots: tuple[Path, ...] | None = None,
) -> list[Problem]:
    """Check a corpus folder (see :mod:`hilbert_core.data.corpus`) without decoding any audio.

    Args:
        root: the corpus folder.
        n_splits: when given, report classes with fewer documents (or subjects, when documents.csv has a
            subject_id column) than folds.
        tasks: label columns to check; default all of them.
        data_roots: folders paths may point into besides the corpus folder (default: the setting,
            :func:`hilbert_core.data.corpus.data_roots_for`).

    Returns:
        Problems sorted by file and row (documents.csv, then segments.csv, then problems of whole
        columns such as labels); empty when the corpus is clean. Documents with neither segments
        nor a transcript are fine (they will be transcribed).
    """
    if n_splits is not None and (not isinstance(n_splits, int) or n_splits < 2):
        raise ValueError(f"n_splits={n_splits!r} must be an integer >= 2 or None.")
    root = Path(root)
    if not root.is_dir():
        return [Problem(str(root), None, str(root), "corpus folder not found; check the path.")]
    try:
        documents = read_csv_table(root / DOCUMENTS_FILE)
    except CsvReadError as exc:
        return [Problem(DOCUMENTS_FILE, None, "", exc.reason)]
    missing = [c for c in REQUIRED_DOCUMENT_COLUMNS if c not in documents.columns]
    if missing:
        return [
            Problem(DOCUMENTS_FILE, 1, c, f"no {c!r} column; the header needs document_id and audio_path.")
            for c in missing
        ]
    problems = _check_ids(documents)
    durations = {}
    try:
        files = _Files(corpus_files_root(root), data_roots_for(root) if data_roots is None else data_roots)
    except ValueError as exc:
        return [Problem(DOCUMENTS_FILE, None, "", str(exc))]
    problems += _check_audio(files, documents, durations)
    problems += _check_transcripts(files, documents, durations)
    problems += _check_segments(root, documents, durations)
    problems += _check_labels(documents, n_splits, tasks)
    # stable: documents.csv by row, then segments.csv by row, then whole-file and label problems
    return sorted(problems, key=lambda p: (p.row is None, p.file != DOCUMENTS_FILE, p.row or 0))


@dataclass(frozen=True)
class _Files:
    """Where a corpus's paths are read from, and the other folders they may point into."""

    root: Path
    data_roots: tuple[Path, ...]

    def resolve(self, value: str, column: str, row: int) -> Path:
        return contained(self.root, value, self.data_roots, column, row)


def _cells(documents: pd.DataFrame, column: str) -> list[tuple[int, str, str]]:
    """(row, document_id, value) for the non-empty cells of a column."""
    ids = documents["document_id"].fillna("").to_numpy(dtype=object)
    values = documents[column].to_numpy(dtype=object)
    rows = documents.index.to_numpy()
    return [(int(r), str(d), str(v)) for r, d, v in zip(rows, ids, values, strict=True) if not pd.isna(v)]


def _check_ids(documents: pd.DataFrame) -> list[Problem]:
    problems, first = [], {}
    for row, value in zip(documents.index, documents["document_id"].to_numpy(dtype=object), strict=True):
        if pd.isna(value):
            problems.append(
                Problem(DOCUMENTS_FILE, int(row), "", "document_id is empty; give every row an id.")
            )
        elif value in first:
            problems.append(
                Problem(
                    DOCUMENTS_FILE,
                    int(row),
                    value,
                    f"document_id {value!r} repeats row {first[value]}; make ids unique or remove the row.",
                )
            )
        else:
            first[value] = int(row)
    return problems


def _check_audio(files: _Files, documents: pd.DataFrame, durations: dict[str, float]) -> list[Problem]:
    problems = []
    have = {row for row, _, _ in _cells(documents, "audio_path")}
    for row in documents.index:
        if int(row) not in have:
            problems.append(
                Problem(DOCUMENTS_FILE, int(row), "", "audio_path is empty; give the recording's path.")
            )
    for row, doc, rel in _cells(documents, "audio_path"):
        suffix = Path(rel).suffix.lower()
        try:
            path = files.resolve(rel, "audio_path", row)
        except PathOutside as exc:
            problems.append(Problem(DOCUMENTS_FILE, row, rel, str(exc).split(": ", 1)[1]))
            continue
        if suffix not in AUDIO_EXTENSIONS:
            message = (
                f"audio_path {rel!r} has unknown audio extension {suffix or '(none)'!r}; use "
                f"{', '.join(AUDIO_EXTENSIONS[:6])} or another common format, or convert the file."
            )
        elif not path.is_file():
            message = f"audio_path {rel!r} does not exist; fix the path or remove the row."
        else:
            try:
                durations[doc] = probe_audio(path).duration_s
                continue
            except AudioReadError as exc:
                reason = exc.reason
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
            message = f"audio_path {rel!r} cannot be read ({reason}); convert it to WAV/FLAC or replace it."
        problems.append(Problem(DOCUMENTS_FILE, row, rel, message))
    return problems


def _check_transcripts(files: _Files, documents: pd.DataFrame, durations: dict[str, float]) -> list[Problem]:
    if "transcript_path" not in documents.columns:
        return []
    audio = dict(zip(documents["document_id"], documents["audio_path"], strict=True))
    problems = []
    for row, doc, rel in _cells(documents, "transcript_path"):
        try:
            path = files.resolve(rel, "transcript_path", row)
        except PathOutside as exc:
            problems.append(Problem(DOCUMENTS_FILE, row, rel, str(exc).split(": ", 1)[1]))
            continue
        try:
            segments = read_transcript(path)
        except (ValueError, OSError) as exc:
            message = f"transcript_path {rel!r} cannot be imported: {exc}"
        else:
            end = max((s.end_s for s in segments), default=0.0)
            if doc not in durations or end <= durations[doc] + DURATION_TOLERANCE_S:
                continue
            message = (
                f"transcript_path {rel!r} has a segment ending at {end:g} s, beyond the end of "
                f"{audio[doc]!r} ({durations[doc]:.2f} s); check that it belongs to this recording."
            )
        problems.append(Problem(DOCUMENTS_FILE, row, rel, message))
    return problems


def _check_segments(root: Path, documents: pd.DataFrame, durations: dict[str, float]) -> list[Problem]:
    if not (root / SEGMENTS_FILE).exists():
        return []
    try:
        table = read_csv_table(root / SEGMENTS_FILE)
    except CsvReadError as exc:
        return [Problem(SEGMENTS_FILE, None, "", exc.reason)]
    missing = [c for c in SEGMENT_COLUMNS if c not in table.columns]
    if missing:
        header = ",".join(SEGMENT_COLUMNS)
        return [
            Problem(SEGMENTS_FILE, 1, c, f"no {c!r} column; the header must be {header}.") for c in missing
        ]
    known = set(documents["document_id"].dropna())
    audio = dict(zip(documents["document_id"], documents["audio_path"], strict=True))
    problems, spans = [], {}
    for row, rec in zip(table.index, table.to_dict("records"), strict=True):
        row, doc = int(row), rec["document_id"]
        found = []
        if pd.isna(doc) or doc not in known:
            value = "" if pd.isna(doc) else doc
            found.append((value, f"document_id {value!r} is not in {DOCUMENTS_FILE}; fix the id or add it."))
        times = [_time(rec[c], c, found) for c in ("start_s", "end_s")]
        if None not in times:
            start, end = times
            if not end > start:
                found.append((rec["end_s"], f"end_s {end:g} is not after start_s {start:g}; fix the times."))
            elif doc in durations and end > durations[doc] + DURATION_TOLERANCE_S:
                found.append(
                    (
                        rec["end_s"],
                        f"end_s {end:g} is beyond the end of {audio[doc]!r} ({durations[doc]:.2f} s); "
                        "fix the times or the audio_path.",
                    )
                )
            else:
                spans.setdefault(doc, []).append((start, end, row))
        if pd.isna(rec["text"]):
            found.append(("", "text is empty; write what was said or remove the row."))
        problems += [Problem(SEGMENTS_FILE, row, str(v), m) for v, m in found]
    return problems + _overlaps(spans)


def _time(raw: str | float, column: str, found: list[tuple[str, str]]) -> float | None:
    if pd.isna(raw):
        found.append(("", f"{column} is empty; write the time in seconds, such as 12.5."))
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        found.append((raw, f"{column} {raw!r} is not a number of seconds; write e.g. 12.5."))
    elif value < 0:
        found.append((raw, f"{column} {raw!r} is negative; times are seconds from the recording's start."))
    else:
        return value
    return None


def _overlaps(spans: dict[str, list[tuple[float, float, int]]]) -> list[Problem]:
    problems = []
    for doc, items in spans.items():
        latest = None  # the earlier segment reaching furthest
        for start, end, row in sorted(items):
            if latest is not None and start < latest[1] - 1e-9:
                problems.append(
                    Problem(
                        SEGMENTS_FILE,
                        row,
                        f"{start:g}-{end:g}",
                        f"segment {start:g}-{end:g} s overlaps row {latest[2]} "
                        f"({latest[0]:g}-{latest[1]:g} s) of document {doc!r}; make them not overlap.",
                    )
                )
            if latest is None or end > latest[1]:
                latest = (start, end, row)
    return sorted(problems, key=lambda p: p.row or 0)


def _check_labels(documents: pd.DataFrame, n_splits: int | None, tasks: list[str] | None) -> list[Problem]:
    columns = [c for c in documents.columns if c not in RESERVED]
    known = ", ".join(columns) or "none"
    problems = [
        Problem(DOCUMENTS_FILE, 1, t, f"task {t!r} is not a column; label columns: {known}.")
        for t in tasks or []
        if t not in columns
    ]
    has_subjects = "subject_id" in documents.columns
    unit = "subjects" if has_subjects else "documents"
    for task in [t for t in (tasks or columns) if t in columns]:
        cells = _cells(documents, task)
        counts = Counter(label for _, _, label in cells)
        if len(counts) < 2:
            what = "no labels" if not counts else f"only one class ({next(iter(counts))!r})"
            problems.append(
                Problem(
                    DOCUMENTS_FILE,
                    None,
                    task,
                    f"task {task!r} has {what}; a classifier needs two or more: label more documents "
                    "or drop the column.",
                )
            )
            continue
        if n_splits is None:
            continue
        subjects = documents["subject_id"] if has_subjects else documents["document_id"]
        members: dict[str, set[str]] = {}
        for row, doc, label in cells:
            subject = subjects.loc[row]
            members.setdefault(label, set()).add(doc if pd.isna(subject) else str(subject))
        for label, group in sorted(members.items()):
            if len(group) < n_splits:
                problems.append(
                    Problem(
                        DOCUMENTS_FILE,
                        None,
                        label,
                        f"task {task!r}: class {label!r} has {len(group)} {unit}, fewer than "
                        f"n_splits={n_splits}; lower n_splits, merge classes or label more.",
                    )
                )
    return problems
