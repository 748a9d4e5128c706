"""Faithful segment scores of one document: leave-one-segment-out (captum's ``FeatureAblation``, one feature
per segment) and integrated gradients on the segment features (captum's ``IntegratedGradients``).

Everything works on a probability function ``proba(audio, text, mask) -> (B, C)``: the bundle's ensemble
probability (the mean of its members' softmax; both scores are linear in it, so a score of the ensemble
is the mean of its members' scores).

Removing a segment:
    ``occlusion_joint`` masks the segment out (``mask`` False), from both modalities at once.
    ``occlusion_audio`` / ``occlusion_text`` replace that modality's features of the segment by the mean
    of the other segments' features (the other modality kept). For a mean-pooled probe this is exactly
    removal (the pooled mean of the rest is unchanged by adding one more copy of itself); a network's one
    segment mask is shared by both modalities, so this is the closest it gets to removing one of them.

Shape legend: B batch (perturbations or integration steps), S segments, Da/Dt feature widths, C classes.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import FeatureAblation, IntegratedGradients
from scipy.stats import ConstantInputWarning, spearmanr

from .evidence import FAITHFUL_KINDS, SegmentEvidence

logger = logging.getLogger(__name__)

# (B, S, Da) or None, (B, S, Dt) or None, (B, S) bool -> (B, C) class probabilities.
ProbaFn = Callable[[torch.Tensor | None, torch.Tensor | None, torch.Tensor], torch.Tensor]

DEFAULT_KIND = "occlusion_joint"
IG_STEPS = 32


@dataclass(frozen=True)
class Document:
    """One document as float32 tensors: audio (1, S, Da) or None, text (1, S, Dt) or None, mask (1, S)."""

    audio: torch.Tensor | None
    text: torch.Tensor | None
    mask: torch.Tensor

    @classmethod
    def of(cls, audio: np.ndarray | None, text: np.ndarray | None) -> Document:
        """From (S, Da) and/or (S, Dt) arrays (at least one; the same S)."""
        parts = [
            None if x is None else torch.as_tensor(np.asarray(x, np.float32))[None] for x in (audio, text)
        ]
        present = [p for p in parts if p is not None]
        if not present:
            raise ValueError("give audio and/or text segment features to explain; both were None.")
        lengths = {p.shape[1] for p in present}
        if len(lengths) != 1:
            raise ValueError(
                f"audio and text have different segment counts {sorted(lengths)}; give one row each."
            )
        return cls(parts[0], parts[1], torch.ones(1, lengths.pop(), dtype=torch.bool))

    @property
    def num_segments(self) -> int:
        return int(self.mask.shape[1])


def available_kinds(doc: Document) -> list[str]:
    """The faithful kinds this document's modalities allow, in :data:`FAITHFUL_KINDS` order."""
    mods = {n for n, x in (("audio", doc.audio), ("text", doc.text)) if x is not None}
    return [k for k in FAITHFUL_KINDS if k == "occlusion_joint" or k.split("_")[1] in mods]


def _replace_dropped(x: torch.Tensor, keep: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``x`` (B, S, D) with every segment of ``keep`` (B, S) 0 replaced by the mean of the kept real ones."""
    w = (keep * mask).unsqueeze(-1)  # (B, S, 1)
    mean = (x * w).sum(1, keepdim=True) / w.sum(1, keepdim=True).clamp_min(1e-12)  # (B, 1, D)
    k = keep.unsqueeze(-1)
    return k * x + (1 - k) * mean


def occlusion(proba: ProbaFn, doc: Document, which: str) -> np.ndarray:
    """(S, C) p_k(all segments) - p_k(segment s removed), ``which`` in ``joint``, ``audio``, ``text``."""
    s = doc.num_segments
    if s < 2:  # nothing is left to score once the only segment is removed
        return np.full((s, proba(doc.audio, doc.text, doc.mask).shape[-1]), np.nan)

    def forward(keep: torch.Tensor, audio, text, mask) -> torch.Tensor:  # keep (B, S) -> (B, C)
        if which == "joint":
            return proba(audio, text, mask & (keep > 0.5))
        if which == "audio":
            return proba(_replace_dropped(audio, keep, mask), text, mask)
        return proba(audio, _replace_dropped(text, keep, mask), mask)

    keep = torch.ones(1, s)
    with torch.no_grad():
        attr = FeatureAblation(forward).attribute(
            keep,
            baselines=0.0,
            additional_forward_args=(doc.audio, doc.text, doc.mask),
            feature_mask=torch.arange(s)[None],
            perturbations_per_eval=s,
        )  # (C, S): one row per class when the forward returns (1, C) and no target is given
    return attr.reshape(-1, s).T.double().numpy()


def integrated_gradients(
    proba: ProbaFn, doc: Document, which: str, steps: int = IG_STEPS
) -> tuple[np.ndarray, float]:
    """(S, C) integrated gradients of p_k with respect to ``which``'s segment features (summed over
    feature dimensions), and the largest completeness error over the classes.

    Baseline: every segment of that modality replaced by the document's mean segment (the other modality
    kept), so a segment is credited for how it differs from this speaker's own typical answer; the scores
    of class k sum to p_k(input) - p_k(baseline).
    """
    x = doc.audio if which == "audio" else doc.text
    baseline = x.mean(1, keepdim=True).expand_as(x)

    def forward(features: torch.Tensor, other: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
        return proba(features, other, mask) if which == "audio" else proba(other, features, mask)

    other = doc.text if which == "audio" else doc.audio
    ig = IntegratedGradients(forward)
    columns, worst = [], 0.0
    with torch.enable_grad():
        for k in range(proba(doc.audio, doc.text, doc.mask).shape[-1]):
            attr, delta = ig.attribute(
                x,
                baselines=baseline,
                target=k,
                additional_forward_args=(other, doc.mask),
                n_steps=steps,
                internal_batch_size=steps,
                return_convergence_delta=True,
            )  # (1, S, D), (1,)
            columns.append(attr.detach().sum(-1)[0].double())
            worst = max(worst, float(delta.abs().max()))
    return torch.stack(columns, dim=1).numpy(), worst


def agreement(attention: dict[str, np.ndarray], scores: np.ndarray) -> dict[str, float]:
    """Modality -> Spearman rank correlation of its (S,) attention with (S,) ``scores`` (NaN if undefined)."""
    out = {}
    for name, weights in attention.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (ConstantInputWarning, RuntimeWarning))
            rho = spearmanr(weights, scores).statistic if len(scores) > 1 else np.nan
        out[name] = float(rho)
    return out


def segment_evidence(
    proba: ProbaFn,
    doc: Document,
    classes: list[str],
    attention: dict[str, np.ndarray],
    *,
    kinds: list[str] | None = None,
    ig_steps: int = IG_STEPS,
    default_kind: str = DEFAULT_KIND,
    notes: list[str] | None = None,
) -> SegmentEvidence:
    """Every faithful score ``kinds`` (default: all this document's modalities allow) of one document."""
    allowed = available_kinds(doc)
    kinds = allowed if kinds is None else [k for k in kinds if k in allowed]
    if default_kind not in kinds:
        raise ValueError(
            f"default_kind={default_kind!r} is not among the kinds computed ({', '.join(kinds)})."
        )
    with torch.no_grad():
        p = proba(doc.audio, doc.text, doc.mask)[0].double().numpy()  # (C,)
    faithful, deltas = {}, {}
    for kind in kinds:
        method, which = kind.split("_")
        if method == "occlusion":
            faithful[kind] = occlusion(proba, doc, which)
        else:
            faithful[kind], deltas[kind] = integrated_gradients(proba, doc, which, ig_steps)
    notes = list(notes or [])
    notes.append(
        "occlusion: p(all segments) - p(segment removed); joint masks the segment out of both modalities, "
        "audio/text replace that modality's features by the mean of the other segments."
    )
    if deltas:
        worst = ", ".join(f"{k} {v:.1e}" for k, v in deltas.items())
        notes.append(
            f"integrated gradients: {ig_steps} steps from a baseline where every segment is the document's "
            f"mean segment (other modality kept); largest completeness error {worst}."
        )
    if doc.num_segments < 2:
        notes.append(
            "one segment only: removing it leaves nothing to score, so occlusion is undefined (NaN)."
        )
    evidence = SegmentEvidence(classes, p, faithful, attention, default_kind, notes=notes)
    return SegmentEvidence(
        classes, p, faithful, attention, default_kind, agreement(attention, evidence.scores()), notes
    )
