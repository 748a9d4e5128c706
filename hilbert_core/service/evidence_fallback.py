"""STOPGAP until ``Bundle.explain`` lands (issue 13, branch issue13-explain): leave-one-segment-out
occlusion computed here with ``Bundle.predict``, so the Interview page and its report work today.

The integrator deletes this module once every bundle has ``explain`` (``interview_evidence.explain``
already prefers it); nothing else imports it.
"""

from __future__ import annotations

import numpy as np

from ..explain.evidence import SegmentEvidence


def _drop(x: np.ndarray | None, s: int) -> np.ndarray | None:
    return None if x is None else np.delete(x, s, axis=0)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def occlusion_joint(bundle, audio: np.ndarray | None, text: np.ndarray | None, pred=None) -> SegmentEvidence:
    """p_k(all segments) - p_k(segment s removed, from both modalities) for every segment s and class k.

    Args:
        bundle: a loaded :class:`~hilbert_core.training.bundle.Bundle` (only ``predict`` is used).
        audio, text: (S, Da) and (S, Dt) segment features of the interview (either may be None).
        pred: the bundle's prediction on all segments, when already made.

    Returns:
        SegmentEvidence with the one kind ``occlusion_joint``: (S, C), positive = pushed toward class k.
    """
    pred = pred if pred is not None else bundle.predict(audio, text)
    full = np.asarray(pred.proba, dtype=float)
    num = len(audio if audio is not None else text)
    scores = np.zeros((num, len(full)))
    if num > 1:
        for s in range(num):
            scores[s] = full - np.asarray(bundle.predict(_drop(audio, s), _drop(text, s)).proba, dtype=float)
    # a linear probe's "attention" is uniform by construction: the contract says none
    attention = (
        {}
        if getattr(bundle, "probe", None) is not None
        else {k: np.asarray(v, dtype=float) for k, v in pred.attention.items()}
    )
    top = scores[:, int(np.argmax(full))]
    notes = [
        "Leave-one-segment-out: each segment's audio and text are removed together and the interview is "
        "scored again with the same model (ensemble averaged); the score is the drop in each class's "
        "probability."
    ]
    if num <= 1:
        notes.append("One segment only: nothing can be removed, so every score is 0.")
    return SegmentEvidence(
        classes=list(pred.classes), proba=full, faithful={"occlusion_joint": scores}, attention=attention,
        default_kind="occlusion_joint",
        agreement={m: _spearman(w, top) for m, w in attention.items()}, notes=notes,
    )  # fmt: skip
