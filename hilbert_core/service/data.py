"""The Data page: import a corpus (a folder or an uploaded zip), check it, describe it, play segments,
and delete it with everything derived from it.

Importing is :mod:`hilbert_core.data.importing` and deleting :mod:`hilbert_core.derived`; this module
adds what the page needs around them: importing and deleting need a researcher
(:func:`hilbert_core.access.require`), and both are written to the audit log.
"""

from __future__ import annotations

import io
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import derived
from ..access import require
from ..audit import record
from ..data import importing
from ..data.archive import ZipLimits
from ..data.importing import ImportOutput, corpus_path  # noqa: F401  (the Data page's calls)
from ..derived import CorpusFootprint, DeleteOutput
from ..workspace import Workspace
from .home import CorpusSummary, corpus_summary
from .uploads import save_upload

logger = logging.getLogger(__name__)


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


def import_folder(ws: Workspace, source: str | Path, name: str = "", link: bool = False) -> ImportOutput:
    """Import a corpus folder from an allowed import root (a researcher's; see
    :func:`hilbert_core.data.importing.import_folder`)."""
    actor = require(ws.root, "import")
    out = importing.import_folder(ws, source, name, link)
    record(ws.root, "import corpus", out.path.name, actor, source="folder", linked=bool(link))
    return out


def import_zip(
    ws: Workspace,
    session_id: str,
    filename: str,
    data: bytes,
    name: str = "",
    limits: ZipLimits | None = None,
) -> ImportOutput:
    """Keep an uploaded zip in this session's upload folder just long enough to import it."""
    actor = require(ws.root, "import")
    if not filename.lower().endswith(".zip"):
        raise ValueError(f"{filename!r} is not a .zip file; zip the corpus folder and upload the zip.")
    zip_path = save_upload(ws, session_id, filename, data)
    try:
        out = importing.import_zip(ws, zip_path, filename, name, limits)
    finally:
        shutil.rmtree(zip_path.parent, ignore_errors=True)
    record(ws.root, "import corpus", out.path.name, actor, source="zip")
    return out


def corpus_footprint(ws: Workspace, name: str) -> CorpusFootprint:
    """What deleting the corpus ``name`` would remove, counted (nothing is removed)."""
    return derived.corpus_footprint(ws, name)


def delete_corpus(ws: Workspace, name: str) -> DeleteOutput:
    """Delete the corpus ``name`` and everything derived from it (a researcher's; refused while a job
    uses it); see :mod:`hilbert_core.derived`."""
    return derived.delete_corpus(ws, name)


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
