"""A folder of precomputed segment features: how researchers bring their own.

Layout (all written atomically; read with ``allow_pickle=False``)::

    documents.csv   document_id, num_segments, [subject_id], then one column per task (empty = unlabelled)
    audio.npy       (total segments, Da) float32, documents' segments one after another (optional)
    text.npy        (total segments, Dt) float32, same rows as audio.npy (optional)
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_write_bytes, atomic_write_text

RESERVED = ("document_id", "num_segments", "subject_id")


@dataclass
class FeatureSet:
    """Per-document features and the documents table.

    Attributes:
        table: one row per document (``document_id``, ``num_segments``, optional ``subject_id``, tasks).
        audio: per document (N_i, Da), or None.
        text: per document (N_i, Dt), or None.
    """

    table: pd.DataFrame
    audio: list[np.ndarray] | None
    text: list[np.ndarray] | None

    @property
    def tasks(self) -> list[str]:
        return [c for c in self.table.columns if c not in RESERVED]

    def task_view(
        self, task: str
    ) -> tuple[list[np.ndarray] | None, list[np.ndarray] | None, list[str], list[str] | None, list[str]]:
        """Documents labelled for ``task``: (audio, text, labels, groups, document_ids)."""
        if task not in self.tasks:
            raise ValueError(
                f"task {task!r} is not a column of documents.csv; tasks: {', '.join(self.tasks) or 'none'}."
            )
        col = self.table[task]
        keep = np.flatnonzero(col.notna().to_numpy() & (col.astype(str).str.strip() != "").to_numpy())
        labels = [str(v) for v in col.to_numpy(dtype=object)[keep]]
        ids = [str(v) for v in self.table["document_id"].to_numpy(dtype=object)[keep]]
        groups = None
        if "subject_id" in self.table.columns:  # an empty subject_id: the document is its own subject
            subjects = self.table["subject_id"].to_numpy(dtype=object)[keep]
            groups = [
                d if pd.isna(s) or str(s).strip() == "" else str(s)
                for d, s in zip(ids, subjects, strict=True)
            ]

        def pick(docs: list[np.ndarray] | None) -> list[np.ndarray] | None:
            return None if docs is None else [docs[i] for i in keep]

        return pick(self.audio), pick(self.text), labels, groups, ids

    def document(self, document_id: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        ids = self.table["document_id"].astype(str).tolist()
        if document_id not in ids:
            raise ValueError(f"document {document_id!r} is not in documents.csv; known ids start {ids[:3]}.")
        i = ids.index(document_id)
        return (None if self.audio is None else self.audio[i]), (None if self.text is None else self.text[i])


def save_features(
    folder: str | Path, table: pd.DataFrame, audio: list[np.ndarray] | None, text: list[np.ndarray] | None
) -> Path:
    """Write a feature folder; ``table`` needs ``document_id`` (``num_segments`` is filled in)."""
    folder = Path(folder)
    counts = [len(x) for x in (audio if audio is not None else text)]
    table = table.copy()
    table["num_segments"] = counts
    cols = ["document_id", "num_segments"] + [
        c for c in table.columns if c not in ("document_id", "num_segments")
    ]
    for name, docs in (("audio", audio), ("text", text)):
        if docs is not None:
            buf = io.BytesIO()
            np.save(buf, np.concatenate(docs).astype(np.float32), allow_pickle=False)
            atomic_write_bytes(folder / f"{name}.npy", buf.getvalue())
    atomic_write_text(folder / "documents.csv", table[cols].to_csv(index=False))
    return folder


def load_features(folder: str | Path) -> FeatureSet:
    """Read a feature folder; raises ValueError naming the file and the problem."""
    folder = Path(folder)
    table_path = folder / "documents.csv"
    if not table_path.is_file():
        raise ValueError(
            f"{table_path} not found; a feature folder needs documents.csv plus audio.npy and/or "
            "text.npy (see the README, 'Your own features')."
        )
    try:
        table = pd.read_csv(table_path, dtype={"document_id": str, "subject_id": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{table_path} cannot be read as CSV ({exc}); save it as UTF-8 CSV.") from None
    for col in ("document_id", "num_segments"):
        if col not in table.columns:
            raise ValueError(
                f"{table_path} has no '{col}' column; columns found: {', '.join(table.columns)}."
            )
    counts = pd.to_numeric(table["num_segments"], errors="coerce")
    bad = np.flatnonzero(~(counts.notna() & (counts >= 1)).to_numpy())
    if len(bad):
        raise ValueError(
            f"{table_path} row {bad[0] + 2}: num_segments={table['num_segments'].iloc[bad[0]]!r} must be "
            "a positive integer."
        )
    dup = table["document_id"].duplicated()
    if dup.any():
        raise ValueError(
            f"{table_path}: document_id {table['document_id'][dup].iloc[0]!r} appears twice; ids must "
            "be unique."
        )
    counts = counts.astype(int).to_numpy()
    mods = {name: _load_matrix(folder / f"{name}.npy", int(counts.sum())) for name in ("audio", "text")}
    if mods["audio"] is None and mods["text"] is None:
        raise ValueError(f"{folder} holds neither audio.npy nor text.npy; write at least one.")
    split = np.cumsum(counts)[:-1]
    docs = {name: None if m is None else np.split(m, split) for name, m in mods.items()}
    return FeatureSet(table=table, audio=docs["audio"], text=docs["text"])


def _load_matrix(path: Path, rows: int) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        m = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(
            f"{path} cannot be read as a plain .npy array ({exc}); save it with np.save."
        ) from None
    if m.ndim != 2 or m.shape[0] != rows:
        raise ValueError(
            f"{path} has shape {m.shape} but documents.csv's num_segments add up to {rows} rows; "
            "write one row per segment, documents in table order."
        )
    return m.astype(np.float32, copy=False)
