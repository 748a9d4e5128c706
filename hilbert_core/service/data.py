"""The Data page: import a corpus (a folder or an uploaded zip), check it, describe it, play segments.

An import is copied (or unzipped) into a hidden temporary folder of ``workspace/corpora``; its
documents.csv must be readable, with the document_id and audio_path columns and at least one row, or the
import is refused with the first problem and nothing is left. Only then is it renamed to
``workspace/corpora/<name>``, so a corpus is either complete there or absent. The full validation report
(audio, transcripts, segments, labels) comes with :class:`ImportOutput`. Imported corpora are part of
the shared workspace: everyone using this workspace sees them (unlike interview uploads, which stay in
their browser session's folder).
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..workspace import Workspace
from .home import CorpusSummary, corpus_summary
from .uploads import ZipLimits, extract_zip, save_upload

logger = logging.getLogger(__name__)

CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class ImportOutput:
    """A corpus now in the workspace, and what its validation found (empty = clean)."""

    path: Path
    problems: list[str]


@dataclass(frozen=True)
class ValidationOutput:
    """Plain-language validation: a headline and one row per problem (file, row, value, what to do)."""

    headline: str
    problems: pd.DataFrame

    @property
    def is_clean(self) -> bool:
        return self.problems.empty


@dataclass(frozen=True)
class CorpusOverview:
    """What a corpus holds.

    Attributes:
        documents: one row per document: id, subject, segments, seconds of speech, labels.
        label_counts: task -> (label, documents) rows, largest class first.
        imbalance: task -> largest / smallest class size.
        num_segments, num_subjects, speech_seconds: totals; untranscribed: documents without segments.
    """

    name: str
    documents: pd.DataFrame
    label_counts: dict[str, pd.DataFrame]
    imbalance: dict[str, float]
    num_segments: int
    num_subjects: int
    speech_seconds: float
    untranscribed: int


def list_corpora(ws: Workspace) -> list[CorpusSummary]:
    return [corpus_summary(p) for p in ws.corpora()]


def corpus_path(ws: Workspace, name: str) -> Path:
    """``workspace/corpora/<name>``; refuses names that would leave the folder."""
    if not CORPUS_NAME.match(name or ""):
        raise ValueError(
            f"corpus name {name!r} must start with a letter or digit and hold only letters, digits, '.', "
            "'_' and '-' (at most 64); choose another name."
        )
    return ws.corpora_dir / name


def _check_new_name(ws: Workspace, name: str) -> Path:
    target = corpus_path(ws, name)
    if target.exists() or target.is_symlink():
        raise ValueError(f"the workspace already has a corpus called {name!r}; choose another name.")
    return target


def import_folder(ws: Workspace, source: str | Path, name: str = "", link: bool = False) -> ImportOutput:
    """Copy (or, with ``link``, symlink) the corpus folder ``source`` into ``workspace/corpora/<name>``.

    Raises:
        ValueError: ``source`` is not a corpus folder, its documents.csv is unusable
            (:func:`check_documents`), or ``name`` is taken or not a plain name.
    """
    src = Path(str(source).strip()).expanduser()
    if not src.is_dir():
        raise ValueError(f"{src} is not a folder; give the path of a corpus folder (it holds documents.csv).")
    if not (src / "documents.csv").is_file():
        raise ValueError(f"{src} has no documents.csv; give the corpus folder itself (see the README).")
    src = src.resolve()
    if src.parent == ws.corpora_dir.resolve():
        return ImportOutput(src, [str(p) for p in _problems(src)])
    target = _check_new_name(ws, name or src.name)
    tmp = ws.corpora_dir / f".import-{uuid.uuid4().hex[:8]}"
    try:
        if link:
            tmp.symlink_to(src, target_is_directory=True)
        else:
            shutil.copytree(src, tmp, symlinks=False)
        check_documents(tmp, src / "documents.csv")
        os.replace(tmp, target)
    except OSError as exc:
        raise ValueError(
            f"cannot copy {src} into the workspace ({exc.strerror or exc}); check space."
        ) from None
    finally:
        _remove(tmp)  # gone after the rename; a partial or refused copy otherwise
    return ImportOutput(target, [str(p) for p in _problems(target)])


def check_documents(root: Path, shown_as: Path | str) -> None:
    """Refuse a corpus whose documents.csv cannot be read, lacks a required column or has no rows.

    Args:
        root: the corpus folder to check; shown_as: how its documents.csv is named in the message.

    Raises:
        ValueError: the first problem, naming ``shown_as``, and that nothing was imported.
    """
    from ..data.corpus import REQUIRED_DOCUMENT_COLUMNS, CsvReadError, read_csv_table

    try:
        table = read_csv_table(root / "documents.csv")
    except CsvReadError as exc:
        raise ValueError(f"{shown_as}: {exc.reason.rstrip('.')}; nothing was imported.") from None
    missing = [c for c in REQUIRED_DOCUMENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"{shown_as} has no {missing[0]!r} column (columns found: {', '.join(table.columns) or 'none'}); "
            "the header needs document_id and audio_path (see the README, 'Corpus format'); nothing was "
            "imported."
        )
    if table.empty:
        raise ValueError(
            f"{shown_as} has a header but no rows; add one row per recording; nothing was imported."
        )


def import_zip(
    ws: Workspace,
    session_id: str,
    filename: str,
    data: bytes,
    name: str = "",
    limits: ZipLimits | None = None,
) -> ImportOutput:
    """Unpack an uploaded zip of a corpus folder safely inside the workspace, check its documents.csv
    (:func:`check_documents`), then rename it into place; a refused zip leaves nothing behind."""
    if not filename.lower().endswith(".zip"):
        raise ValueError(f"{filename!r} is not a .zip file; zip the corpus folder and upload the zip.")
    zip_path = save_upload(ws, session_id, filename, data)
    tmp = ws.corpora_dir / f".unzip-{uuid.uuid4().hex[:8]}"
    try:
        root = extract_zip(zip_path, tmp, limits)
        shown = f"{filename}: {root.relative_to(tmp) / 'documents.csv'}"
        check_documents(root, shown)
        target = _check_new_name(ws, name or (root.name if root != tmp else Path(filename).stem))
        os.replace(root, target)
    finally:
        _remove(tmp)
        shutil.rmtree(zip_path.parent, ignore_errors=True)
    return ImportOutput(target, [str(p) for p in _problems(target)])


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _problems(root: Path, n_splits: int | None = None):
    from ..data.validate import validate_corpus

    return validate_corpus(root, n_splits=n_splits)


def validation_report(root: Path, n_splits: int | None = None) -> ValidationOutput:
    """The corpus checks of ``hilbert validate``, as a headline and a table."""
    problems = _problems(root, n_splits)
    table = pd.DataFrame(
        [
            {
                "file": p.file,
                "row": "" if p.row is None else str(p.row),
                "value": p.value,
                "what to do": p.message,
            }
            for p in problems
        ],
        columns=["file", "row", "value", "what to do"],
    )
    if not problems:
        folds = f" and every class has at least {n_splits} subjects" if n_splits else ""
        return ValidationOutput(f"No problems found: every recording is readable{folds}.", table)
    files = ", ".join(sorted({p.file for p in problems}))
    return ValidationOutput(f"{len(problems)} problem(s) to fix, in {files}.", table)


def corpus_overview(root: Path) -> CorpusOverview:
    """Documents, segments and label distributions of a corpus folder."""
    from ..data import load_corpus

    corpus = load_corpus(root)
    ids = corpus.document_ids
    segs = [corpus.segments_for(d) for d in ids]
    docs = pd.DataFrame({"document": ids})
    if "subject_id" in corpus.documents.columns:
        docs["subject"] = corpus.documents["subject_id"].fillna("").to_numpy(dtype=object)
    docs["segments"] = [len(s) for s in segs]
    docs["speech_s"] = [round(sum(x.end_s - x.start_s for x in s), 1) for s in segs]
    counts, imbalance = {}, {}
    for task in corpus.tasks:
        docs[task] = corpus.documents[task].fillna("").to_numpy(dtype=object)
        _, labels, _ = corpus.labels(task)
        vc = pd.Series(labels, dtype=object).value_counts()
        counts[task] = pd.DataFrame({"label": vc.index.astype(str), "documents": vc.to_numpy()})
        imbalance[task] = float(vc.max() / vc.min()) if len(vc) else float("nan")
    subjects = (
        docs["subject"].replace("", np.nan).fillna(docs["document"])
        if "subject" in docs
        else docs["document"]
    )
    return CorpusOverview(
        name=root.name, documents=docs, label_counts=counts, imbalance=imbalance,
        num_segments=int(docs["segments"].sum()), num_subjects=int(subjects.nunique()),
        speech_seconds=float(docs["speech_s"].sum()), untranscribed=int((docs["segments"] == 0).sum()),
    )  # fmt: skip


def segment_table(root: Path, document_id: str) -> pd.DataFrame:
    """One row per segment of a document: #, start, end, text."""
    from ..data import load_corpus

    segs = load_corpus(root).segments_for(document_id)
    return pd.DataFrame(
        {"#": range(len(segs)), "start_s": [s.start_s for s in segs], "end_s": [s.end_s for s in segs],
         "text": [s.text for s in segs]}
    )  # fmt: skip


def audio_path(root: Path, document_id: str) -> Path:
    from ..data import load_corpus

    return load_corpus(root).audio_path(document_id)


def clip_wav(path: Path, start_s: float, end_s: float | None = None) -> bytes:
    """``[start_s, end_s)`` of a recording as 16 kHz mono 16-bit WAV bytes (for a browser player)."""
    import soundfile as sf

    from ..audio.reader import SAMPLE_RATE, load_audio

    samples = load_audio(path, max(0.0, start_s), end_s)
    buf = io.BytesIO()
    sf.write(buf, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def segment_audio(root: Path, document_id: str, index: int) -> bytes:
    """One segment of a corpus document, cut out as WAV bytes."""
    table = segment_table(root, document_id)
    if not 0 <= index < len(table):
        raise ValueError(f"document {document_id!r} has {len(table)} segments; choose 0 to {len(table) - 1}.")
    row = table.iloc[index]
    return clip_wav(audio_path(root, document_id), float(row["start_s"]), float(row["end_s"]))
