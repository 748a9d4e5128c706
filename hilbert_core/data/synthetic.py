"""Synthetic segment features with known structure, for tests, benchmarks and examples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
    baseline: float = 0.0,
) -> SyntheticFeatures:
    """Documents of Gaussian segment noise in which ``num_cues`` random segments carry a class signal.

    The signal is a class-specific direction added to the cue segments, split between audio (the
    first half of the classes' directions) and text, so each modality carries part of it and mean
    pooling dilutes it by ``num_cues / S_i`` while attention over segments can find it.

    With ``baseline > 0`` every subject also has its own baseline vector per modality (each channel
    drawn from ``N(0, baseline²)``), added to every segment of its documents: the sparse-deviation
    corpus, where a few segments deviate from the speaker's usual along the label's direction and
    the speakers differ far more than the labels in mean-pooled features. Baselines come from their
    own random stream, so the rest of the corpus is the same as without them.
    """
    rng = np.random.default_rng(seed)
    dirs = [rng.normal(size=(num_classes, dim)) for dim in (audio_dim, text_dim)]
    dirs = [d / np.linalg.norm(d, axis=1, keepdims=True) for d in dirs]
    y = np.arange(num_documents) % num_classes
    rng.shuffle(y)
    groups = [f"s{i // 2:04d}" for i in range(num_documents)]
    base_rng = np.random.default_rng([seed, 1])
    baselines = {
        g: [baseline * base_rng.normal(size=dim).astype(np.float32) for dim in (audio_dim, text_dim)]
        for g in dict.fromkeys(groups)
    }
    out = SyntheticFeatures([], [], [f"class_{k}" for k in y], groups, [])
    for i in range(num_documents):
        s = (
            num_segments
            if isinstance(num_segments, int)
            else int(rng.integers(num_segments[0], num_segments[1] + 1))
        )
        a = rng.normal(size=(s, audio_dim)).astype(np.float32)
        t = rng.normal(size=(s, text_dim)).astype(np.float32)
        cues = rng.choice(s, size=min(num_cues, s), replace=False)
        a[cues] += strength * np.sqrt(audio_dim) * dirs[0][y[i]] * 0.5
        t[cues] += strength * np.sqrt(text_dim) * dirs[1][y[i]] * 0.5
        if baseline > 0:
            a, t = a + baselines[groups[i]][0], t + baselines[groups[i]][1]
        out.audio.append(a)
        out.text.append(t)
        out.cue_segments.append(np.sort(cues))
    return out


def cue_table(feats: SyntheticFeatures, document_ids: list[str]) -> pd.DataFrame:
    """One row per segment, ``document_id, segment, cues``: ``cues`` is ``"synthetic"`` on the
    segments that carry the label and empty elsewhere (the columns of a corpus's ``cues.csv``)."""
    if len(document_ids) != len(feats.audio):
        raise ValueError(
            f"got {len(document_ids)} document ids for {len(feats.audio)} documents; give one each."
        )
    rows = []
    for doc, a, cues in zip(document_ids, feats.audio, feats.cue_segments, strict=True):
        marked = set(cues.tolist())
        rows += [(doc, n, "synthetic" if n in marked else "") for n in range(len(a))]
    return pd.DataFrame(rows, columns=["document_id", "segment", "cues"])
