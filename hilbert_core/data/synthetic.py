"""Synthetic segment features with known structure, for tests, benchmarks and examples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SyntheticFeatures:
    """Per-document features and labels.

    Attributes:
        audio: N arrays (S_i, Da).
        text: N arrays (S_i, Dt).
        labels: N class names.
        groups: N subject ids (two documents per subject).
        cue_segments: N arrays with the indices of the segments that carry the label.
    """

    audio: list[np.ndarray]
    text: list[np.ndarray]
    labels: list[str]
    groups: list[str]
    cue_segments: list[np.ndarray]


def make_features(
    num_documents: int = 120,
    num_segments: int | tuple[int, int] = (8, 16),
    audio_dim: int = 32,
    text_dim: int = 16,
    num_classes: int = 3,
    num_cues: int = 2,
    strength: float = 2.0,
    seed: int = 0,
) -> SyntheticFeatures:
    """Documents of Gaussian segment noise in which ``num_cues`` random segments carry a class signal.

    The signal is a class-specific direction added to the cue segments, split between audio (the
    first half of the classes' directions) and text, so each modality carries part of it and mean
    pooling dilutes it by ``num_cues / S_i`` while attention over segments can find it.
    """
    rng = np.random.default_rng(seed)
    audio_dirs = rng.normal(size=(num_classes, audio_dim))
    text_dirs = rng.normal(size=(num_classes, text_dim))
    audio_dirs /= np.linalg.norm(audio_dirs, axis=1, keepdims=True)
    text_dirs /= np.linalg.norm(text_dirs, axis=1, keepdims=True)
    y = np.arange(num_documents) % num_classes
    rng.shuffle(y)
    out = SyntheticFeatures(
        [], [], [f"class_{k}" for k in y], [f"s{i // 2:04d}" for i in range(num_documents)], []
    )
    for i in range(num_documents):
        s = (
            num_segments
            if isinstance(num_segments, int)
            else int(rng.integers(num_segments[0], num_segments[1] + 1))
        )
        a = rng.normal(size=(s, audio_dim)).astype(np.float32)
        t = rng.normal(size=(s, text_dim)).astype(np.float32)
        cues = rng.choice(s, size=min(num_cues, s), replace=False)
        a[cues] += strength * np.sqrt(audio_dim) * audio_dirs[y[i]] * 0.5
        t[cues] += strength * np.sqrt(text_dim) * text_dirs[y[i]] * 0.5
        out.audio.append(a)
        out.text.append(t)
        out.cue_segments.append(np.sort(cues))
    return out
