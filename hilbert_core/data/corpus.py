"""The corpus folder: recordings, their labels and (optionally) their timed transcripts.

Layout (paths inside the CSVs are relative to the corpus folder, or for a corpus imported as a link, to
the folder it was linked from; see :mod:`hilbert_core.data.paths`)::

    documents.csv   document_id, audio_path, [subject_id], [transcript_path], then one column per task
                    holding its label (empty = unlabelled)
    segments.csv    document_id, start_s, end_s, text (optional; documents without rows here are
                    imported from their transcript_path, or transcribed later)

:func:`load_corpus` is tolerant: it only refuses a corpus it cannot read at all. Detailed checks, with
row numbers, are :func:`hilbert_core.data.validate.validate_corpus`'s job. The one exception: a path that
leads outside the corpus folder and the allowed data roots (setting ``data_roots``) refuses the corpus.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_write_text
from .paths import contained, corpus_files_root
from .transcripts import Segment, decode_text, read_transcript

logger = logging.getLogger(__name__)

DOCUMENTS_FILE = "documents.csv"
SEGMENTS_FILE = "segments.csv"
REQUIRED_DOCUMENT_COLUMNS = ("document_id", "audio_path")
SEGMENT_COLUMNS = ("document_id", "start_s", "end_s", "text")
RESERVED = ("document_id", "audio_path", "subject_id", "transcript_path")


class CsvReadError(ValueError):
    """A corpus CSV that cannot be read at all; ``reason`` holds the message without the file name."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def read_csv_table(path: str | Path) -> pd.DataFrame:
    """Read a UTF-8 CSV with every column as text.

    Cells are stripped of surrounding spaces and empty cells are NaN. The index holds each row's line
    number in the file (the header is line 1), so checks can point at the exact line; blank lines are
    skipped and columns with an empty header and no values (trailing commas) are dropped.

    Raises:
        CsvReadError: (a ValueError) when the file is missing, not UTF-8, empty or not parsable CSV.
    """
    path = Path(path)
    if not path.is_file():
        raise CsvReadError(path, "file not found; create it (see the README, 'Corpus format').")
    try:
        text = decode_text(path.read_bytes(), path.name)
    except OSError as exc:
        raise CsvReadError(path, f"cannot be opened ({exc.strerror}); check its permissions.") from None
    except ValueError as exc:
        raise CsvReadError(path, str(exc).removeprefix(f"{path.name} ")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows, lines = [], []
    try:
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            if len(row) > len(header):
                raise CsvReadError(
                    path,
                    f"line {line} has {len(row)} fields but the header has {len(header)}; quote values "
                    'that contain commas ("a, b").',
                )
            rows.append([cell.strip() or None for cell in row] + [None] * (len(header) - len(row)))
            lines.append(line)
    except csv.Error as exc:
        raise CsvReadError(path, f"line {reader.line_num}: cannot be parsed as CSV ({exc}).") from None
    if header is None:
        raise CsvReadError(path, "the file is empty; write a header row and one row per entry.")
    return _frame(path, header, rows, lines)


def _frame(path: Path, header: list[str], rows: list[list[str | None]], lines: list[int]) -> pd.DataFrame:
    keep = [j for j, name in enumerate(header) if name or any(r[j] is not None for r in rows)]
    names = [header[j] or f"unnamed_{j + 1}" for j in keep]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CsvReadError(path, f"column {repeated[0]!r} appears twice in the header; rename one of them.")
    return pd.DataFrame(
        [[r[j] for j in keep] for r in rows],
        columns=names,
        index=pd.Index(lines, name="line", dtype="int64"),
        dtype=str,
    )


@dataclass
class Corpus:
    """A loaded corpus folder.

    Attributes:
        root: the corpus folder.
        documents: documents.csv as text columns, one row per document, in file order.
        segments: document_id -> segments sorted by start; documents still to be transcribed are absent.
        files_root: the folder audio_path and transcript_path are read against (``root``, or the folder
            a linked corpus was linked from).
        data_roots: other folders its paths may point into (setting ``data_roots``).
    """

    root: Path
    documents: pd.DataFrame
    segments: dict[str, list[Segment]]
    files_root: Path | None = None
    data_roots: tuple[Path, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.files_root is None:
            self.files_root = self.root

    @property
    def document_ids(self) -> list[str]:
        return [str(v) for v in self.documents["document_id"].to_numpy(dtype=object)]

    @property
    def tasks(self) -> list[str]:
        """Label columns: every column of documents.csv that is not reserved."""
        return [c for c in self.documents.columns if c not in RESERVED]

    def _row(self, document_id: str) -> int:
        ids = self.document_ids
        if document_id not in ids:
            raise ValueError(
                f"document {document_id!r} is not in {DOCUMENTS_FILE}; known ids start {ids[:3]}."
            )
        return ids.index(document_id)

    def audio_path(self, document_id: str) -> Path:
        """``files_root / audio_path`` of the document, checked to lie inside the corpus folder or a data
        root (:class:`~hilbert_core.data.paths.PathOutside`, a ValueError, otherwise)."""
        row = self._row(document_id)
        value = str(self.documents["audio_path"].iloc[row])
        return contained(
            self.files_root, value, self.data_roots, "audio_path", int(self.documents.index[row])
        )

    def segments_for(self, document_id: str) -> list[Segment]:
        """The document's segments (empty when it has none yet)."""
        self._row(document_id)
        return list(self.segments.get(document_id, []))

    def labels(self, task: str) -> tuple[list[str], list[str], list[str] | None]:
        """Labelled documents of ``task``: (document ids, labels as strings, subject ids or None).

        A document with an empty subject_id is its own subject.
        """
        if task not in self.tasks:
            raise ValueError(
                f"task {task!r} is not a label column of {DOCUMENTS_FILE}; tasks: "
                f"{', '.join(self.tasks) or 'none'}."
            )
        col = self.documents[task]
        keep = np.flatnonzero((col.notna() & (col.fillna("") != "")).to_numpy())
        ids = [self.document_ids[i] for i in keep]
        labels = [str(v) for v in col.to_numpy(dtype=object)[keep]]
        if "subject_id" not in self.documents.columns:
            return ids, labels, None
        subjects = self.documents["subject_id"].to_numpy(dtype=object)[keep]
        groups = [doc if pd.isna(s) or s == "" else str(s) for doc, s in zip(ids, subjects, strict=True)]
        return ids, labels, groups


def workspace_of(root: str | Path) -> Path | None:
    """The workspace holding the corpus folder ``root`` (``<workspace>/corpora/<name>``), else None."""
    path = Path(os.path.abspath(root))
    return path.parent.parent if path.parent.name == "corpora" else None


def data_roots_for(root: str | Path) -> tuple[Path, ...]:
    """The ``data_roots`` setting that applies to a corpus: its workspace's, else the default one's."""
    from ..settings import load_settings
    from ..workspace import default_root

    return load_settings(workspace_of(root) or default_root()).data_roots


def load_corpus(root: str | Path, data_roots: tuple[Path, ...] | None = None) -> Corpus:
    """Read a corpus folder (see the module docstring for the layout).

    Segments come from segments.csv; a document with no rows there but a ``transcript_path`` is imported
    from that file. Rows and transcripts that cannot be used are skipped with a warning (which names
    the file and line, never its text).

    Args:
        data_roots: folders its paths may point into besides its own (default: :func:`data_roots_for`).

    Raises:
        ValueError: when documents.csv (or segments.csv, if present) is missing, unreadable or lacks a
            required column, or an audio_path or transcript_path leads outside the corpus folder and the
            data roots (one line naming the row and the setting).
    """
    root = Path(root)
    documents = read_csv_table(root / DOCUMENTS_FILE)
    _require(documents, REQUIRED_DOCUMENT_COLUMNS, root / DOCUMENTS_FILE)
    corpus = Corpus(
        root=root, documents=documents, segments={}, files_root=corpus_files_root(root),
        data_roots=data_roots_for(root) if data_roots is None else tuple(data_roots),
    )  # fmt: skip
    transcripts = {}
    for column in ("audio_path", "transcript_path"):
        for line, doc, value in _cells(documents, column):  # every path checked before any is read
            path = contained(corpus.files_root, value, corpus.data_roots, column, line)
            if column == "transcript_path" and doc is not None:
                transcripts[doc] = path
    known = set(documents["document_id"].dropna())
    segments = _read_segments(root / SEGMENTS_FILE, known) if (root / SEGMENTS_FILE).exists() else {}
    for doc, path in transcripts.items():
        if segments.get(doc):
            continue
        try:
            segments[doc] = read_transcript(path)
        except ValueError as exc:
            logger.warning("document %r: transcript skipped: %s", doc, exc)
    corpus.segments = {k: v for k, v in segments.items() if v}
    return corpus


def _cells(documents: pd.DataFrame, column: str) -> list[tuple[int, str | None, str]]:
    """(line, document_id or None, value) of the non-empty cells of ``column`` (none if it is absent)."""
    if column not in documents.columns:
        return []
    ids = documents["document_id"].to_numpy(dtype=object)
    values = documents[column].to_numpy(dtype=object)
    return [
        (int(line), None if pd.isna(doc) else str(doc), str(value))
        for line, doc, value in zip(documents.index, ids, values, strict=True)
        if not pd.isna(value) and value != ""
    ]


def write_segments(root: str | Path, segments: dict[str, list[Segment]]) -> Path:
    """Replace ``root/segments.csv`` (atomically) with ``segments``.

    Rows follow documents.csv order (ids not listed there come last, sorted), then start time.

    Returns:
        The path written.
    """
    root = Path(root)
    if root.is_symlink() and root.parent.name == "corpora":
        raise ValueError(
            f"{root} is a link to a folder outside the workspace (a linked import of an older version); "
            "nothing is written there: import the corpus again (Data page) to transcribe it."
        )
    order: list[str] = []
    if (root / DOCUMENTS_FILE).is_file():
        order = [str(d) for d in read_csv_table(root / DOCUMENTS_FILE)["document_id"].dropna()]
    rank = {doc: i for i, doc in enumerate(order)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SEGMENT_COLUMNS)
    for doc in sorted(segments, key=lambda d: (rank.get(d, len(rank)), d)):
        for seg in sorted(segments[doc], key=lambda s: (s.start_s, s.end_s)):
            writer.writerow([doc, repr(float(seg.start_s)), repr(float(seg.end_s)), seg.text])
    path = root / SEGMENTS_FILE
    atomic_write_text(path, buf.getvalue())
    return path


def _require(table: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{path} has no {', '.join(repr(c) for c in missing)} column; columns found: "
            f"{', '.join(table.columns)}; add the missing header (see the README, 'Corpus format')."
        )


def _read_segments(path: Path, known: set[str]) -> dict[str, list[Segment]]:
    table = read_csv_table(path)
    _require(table, SEGMENT_COLUMNS, path)
    start = pd.to_numeric(table["start_s"], errors="coerce").to_numpy(dtype=float)
    end = pd.to_numeric(table["end_s"], errors="coerce").to_numpy(dtype=float)
    usable = np.isfinite(start) & np.isfinite(end) & (start >= 0) & (end > start)
    usable &= table["document_id"].isin(known).to_numpy()
    if not usable.all():
        logger.warning(
            "%s: %d rows skipped (unknown document or bad times); run `hilbert validate` for details",
            path,
            int((~usable).sum()),
        )
    texts = table["text"].fillna("").to_numpy(dtype=object)
    docs = table["document_id"].to_numpy(dtype=object)
    segments: dict[str, list[Segment]] = {}
    for i in np.flatnonzero(usable):
        segments.setdefault(str(docs[i]), []).append(Segment(float(start[i]), float(end[i]), str(texts[i])))
    return {doc: sorted(segs, key=lambda s: s.start_s) for doc, segs in segments.items()}
