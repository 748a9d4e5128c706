"""On-disk cache of segment features, keyed by content.

Layout: ``root/<encoder name, sanitised>/<key[:2]>/<key>.npy`` where ``key`` is the SHA-256 of the document's
content key (the audio file's SHA-256, or ``"text"``), its segments (spans, or texts), the encoder's name
and its revision. A changed recording, transcript, segmentation or encoder gives another key, so entries
never go stale; delete the folder to reclaim space. Writes are atomic (temporary file + ``os.replace``):
concurrent writers of one key leave one complete array, never a torn one.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
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


class FeatureCache:
    """A folder of cached feature arrays (``.npy``, read with ``allow_pickle=False``).

    Args:
        root: cache folder (created on the first write).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

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
        return path
