"""Checking and padding user-supplied segment features.

Shape legend: N documents, S segments (padded to the longest document), Da/Dt feature widths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PaddedDocuments:
    """Documents padded to a common segment count.

    Attributes:
        audio: (N, S, Da) float32, zeros on padding; None when audio is not used.
        text: (N, S, Dt) float32; None when text is not used.
        mask: (N, S) bool, True = a real segment.
    """

    audio: np.ndarray | None
    text: np.ndarray | None
    mask: np.ndarray

    @property
    def num_documents(self) -> int:
        return self.mask.shape[0]

    @property
    def audio_dim(self) -> int:
        return 0 if self.audio is None else self.audio.shape[-1]

    @property
    def text_dim(self) -> int:
        return 0 if self.text is None else self.text.shape[-1]

    def mean_pooled(self, modality: str = "both") -> np.ndarray:
        """(N, Da + Dt) masked mean of each document's segments (the linear probe's input)."""
        parts = []
        count = self.mask.sum(1, keepdims=True).astype(np.float64)
        for name in ("audio", "text"):
            x = getattr(self, name)
            if x is not None and modality in ("both", name):
                parts.append(x.astype(np.float64).sum(1) / count)
        return np.concatenate(parts, axis=1)


def _check_modality(name: str, docs: Sequence[np.ndarray]) -> list[np.ndarray]:
    arrays, dim = [], None
    for i, doc in enumerate(docs):
        x = np.asarray(doc, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(
                f"{name}[{i}] has shape {x.shape}; each document must be a 2-D array "
                "(segments, features). Stack its segment vectors with np.stack."
            )
        if x.shape[0] == 0:
            raise ValueError(
                f"{name}[{i}] has no segments; drop the document or give it at least one segment."
            )
        if dim is None:
            dim = x.shape[1]
        elif x.shape[1] != dim:
            raise ValueError(
                f"{name}[{i}] has {x.shape[1]} features but {name}[0] has {dim}; all documents "
                "of one modality must come from the same encoder."
            )
        if not np.isfinite(x).all():
            row = int(np.argwhere(~np.isfinite(x))[0][0])
            raise ValueError(
                f"{name}[{i}] holds NaN or inf (segment {row}); re-extract that document or drop the segment."
            )
        arrays.append(x)
    return arrays


def pad_documents(audio: Sequence[np.ndarray] | None, text: Sequence[np.ndarray] | None) -> PaddedDocuments:
    """Check per-document features and pad them.

    Args:
        audio: N arrays (N_i, Da), or None.
        text: N arrays (N_i, Dt), or None; document i must have as many segments as ``audio[i]``.

    Raises:
        ValueError: no modality, empty or ragged documents, NaN/inf, mismatched segment counts.
    """
    if audio is None and text is None:
        raise ValueError("audio and text are both None; give segment features for at least one modality.")
    mods = {
        name: _check_modality(name, docs)
        for name, docs in (("audio", audio), ("text", text))
        if docs is not None
    }
    counts = {name: len(docs) for name, docs in mods.items()}
    if len(set(counts.values())) > 1:
        raise ValueError(
            f"audio has {counts['audio']} documents but text has {counts['text']}; give one entry "
            "per document in both lists, in the same order."
        )
    n = next(iter(counts.values()))
    if n == 0:
        raise ValueError("no documents given; pass one array per document.")
    lengths = np.array([x.shape[0] for x in next(iter(mods.values()))])
    if len(mods) == 2:
        for i, (a, t) in enumerate(zip(mods["audio"], mods["text"], strict=True)):
            if a.shape[0] != t.shape[0]:
                raise ValueError(
                    f"document {i} has {a.shape[0]} audio segments but {t.shape[0]} text segments; "
                    "segments must be time-aligned, one audio and one text vector each."
                )
    s_max = int(lengths.max())
    mask = np.arange(s_max)[None, :] < lengths[:, None]
    padded = {}
    for name, docs in mods.items():
        out = np.zeros((n, s_max, docs[0].shape[1]), dtype=np.float32)
        for i, x in enumerate(docs):
            out[i, : x.shape[0]] = x
        padded[name] = out
    return PaddedDocuments(audio=padded.get("audio"), text=padded.get("text"), mask=mask)


def encode_labels(labels: Sequence[object]) -> tuple[np.ndarray, list[str]]:
    """Map labels to indices 0..C-1 in sorted order of their string form; returns (y, classes)."""
    names = [str(v) for v in labels]
    bad = [
        i
        for i, v in enumerate(labels)
        if v is None or (isinstance(v, float) and np.isnan(v)) or names[i] == ""
    ]
    if bad:
        raise ValueError(f"labels[{bad[0]}] is empty ({labels[bad[0]]!r}); drop unlabelled documents first.")
    classes = sorted(set(names))
    if len(classes) < 2:
        raise ValueError(f"labels hold one class only ({classes[0]!r}); a classifier needs at least two.")
    index = {c: k for k, c in enumerate(classes)}
    return np.array([index[v] for v in names], dtype=np.int64), classes
