"""On-disk cache of segment features, keyed by content.

Layout: ``root/<encoder name, sanitised>/<key[:2]>/<key>.npy`` where ``key`` is the SHA-256 of the document's
content key (the audio file's SHA-256, or ``"text"``), its segments (spans, or texts), the encoder's name
and its revision. A changed recording, transcript, segmentation or encoder gives another key, so entries
never go stale; delete the folder to reclaim space. Writes are atomic (temporary file + ``os.replace``):
concurrent writers of one key leave one complete array, never a torn one.

Each entry written for a corpus is listed in ``root/owners/<owner key>.txt`` (one relative path a line;
:func:`owner_key` of the corpus folder), so deleting a corpus finds the cache entries derived from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io import atomic_write_bytes, sanitize_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheKey:
    """Where one array lives: ``encoder`` (sanitised name, a folder) and ``digest`` (64 hex characters)."""

    encoder: str
    digest: str

    def __str__(self) -> str:
        return f"{self.encoder}/{self.digest}"


def make_key(
    content_key: str,
    segments: Sequence[tuple[float, float]] | Sequence[str],
    encoder_name: str,
    encoder_revision: str,
) -> CacheKey:
    """Key of one document's features.

    Args:
        content_key: SHA-256 of the audio file (``hilbert_core.audio.reader.audio_sha256``), or ``"text"``.
        segments: the N ``(start_s, end_s)`` spans (audio), or the N segment texts (text).
        encoder_name: ``encoder.name``.
        encoder_revision: ``encoder.revision``.
    """
    items = list(segments)
    if items and all(isinstance(s, str) for s in items):
        seg_part = {"texts": items}
    else:
        try:
            spans = np.asarray(items, dtype=np.float64).reshape(-1, 2)
        except (TypeError, ValueError):
            raise ValueError(
                f"segments must be (start_s, end_s) pairs or strings; got {items[:1]!r}..."
            ) from None
        seg_part = {"spans": hashlib.sha256(spans.tobytes()).hexdigest(), "count": len(spans)}
    payload = {"content": content_key, **seg_part, "encoder": encoder_name, "revision": encoder_revision}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return CacheKey(sanitize_name(encoder_name), hashlib.sha256(text.encode("utf-8")).hexdigest())


def owner_key(corpus_root: str | Path) -> str:
    """The name of a corpus folder's list of cache entries (a hash of its absolute path)."""
    return hashlib.sha256(os.path.abspath(corpus_root).encode("utf-8")).hexdigest()[:16]


def owner_list(cache_root: str | Path, corpus_root: str | Path) -> Path:
    """The file listing the cache entries written for the corpus at ``corpus_root``."""
    return Path(cache_root) / "owners" / f"{owner_key(corpus_root)}.txt"


class FeatureCache:
    """A folder of cached feature arrays (``.npy``, read with ``allow_pickle=False``).

    Args:
        root: cache folder (created on the first write).
        owner: the corpus folder the entries are computed from, if any (its entries are listed).
    """

    def __init__(self, root: str | Path, owner: str | Path | None = None) -> None:
        self.root = Path(root)
        self.owner = owner

    make_key = staticmethod(make_key)

    def path(self, key: CacheKey) -> Path:
        return self.root / key.encoder / key.digest[:2] / f"{key.digest}.npy"

    def get(self, key: CacheKey) -> np.ndarray | None:
        """The cached array, or None when absent (or unreadable: then it is logged and recomputed)."""
        path = self.path(key)
        try:
            return np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.warning("feature cache entry %s is unreadable (%s); recomputing it", path, exc)
            return None

    def put(self, key: CacheKey, array: np.ndarray) -> Path:
        """Store ``array`` under ``key`` atomically; returns the file path."""
        array = np.asarray(array)
        if array.dtype == object:
            raise ValueError("feature arrays must be numeric; got dtype=object (stack the segments first).")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        path = self.path(key)
        atomic_write_bytes(path, buffer.getvalue())
        if self.owner is not None:  # one short line, appended in one write (O_APPEND)
            listing = owner_list(self.root, self.owner)
            listing.parent.mkdir(parents=True, exist_ok=True)
            with open(listing, "a", encoding="utf-8") as fh:
                fh.write(f"{path.relative_to(self.root)}\n")
        return path
