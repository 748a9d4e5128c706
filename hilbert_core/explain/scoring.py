"""A trained model as the probability function the faithful scores need, and one document explained.

Shape legend: M ensemble members, B batch, S segments, F probe features (Da + Dt), C classes.
"""

from __future__ import annotations

import numpy as np
import torch

from ..model import StackedModel
from ..training.probe import LinearProbe
from .evidence import SegmentEvidence
from .faithful import DEFAULT_KIND, IG_STEPS, Document, ProbaFn, segment_evidence


def network_proba(model: StackedModel) -> ProbaFn:
    """The ensemble probability of a stacked network: the mean over members of their softmax, (B, C)."""
    model.eval()

    def proba(audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
        logits = model(audio, text, mask).logits.float()  # (M, B, C)
        return torch.softmax(logits, dim=-1).mean(0)

    return proba


def probe_proba(probe: LinearProbe) -> ProbaFn:
    """A linear probe on the masked mean of each given modality's segments (audio, then text), (B, C)."""
    mean, scale = (torch.from_numpy(np.asarray(v, np.float64)) for v in (probe.mean, probe.scale))
    coef, bias = (torch.from_numpy(np.asarray(v, np.float64)) for v in (probe.coef, probe.intercept))

    def proba(audio: torch.Tensor | None, text: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor:
        w = mask.double().unsqueeze(-1)  # (B, S, 1)
        count = w.sum(1).clamp_min(1.0)  # (B, 1)
        pooled = [(x.double() * w).sum(1) / count for x in (audio, text) if x is not None]  # (B, D) each
        z = ((torch.cat(pooled, dim=-1) - mean) / scale) @ coef.T + bias  # (B, C) or (B, 1)
        if coef.shape[0] == 1:  # binary: the first class's logit is 0
            z = torch.cat([torch.zeros_like(z), z], dim=-1)
        return torch.softmax(z, dim=-1)

    return proba


@torch.no_grad()
def network_attention(model: StackedModel, doc: Document) -> dict[str, np.ndarray]:
    """Name -> (S,) attention pooling weights of the document, averaged over the ensemble members."""
    model.eval()
    out = model(doc.audio, doc.text, doc.mask)
    return {name: a.mean(0)[0].double().numpy() for name, a in out.attn_weights.items()}


def explain_features(
    audio: np.ndarray | None,
    text: np.ndarray | None,
    classes: list[str],
    *,
    model: StackedModel | None = None,
    probe: LinearProbe | None = None,
    kinds: list[str] | None = None,
    ig_steps: int = IG_STEPS,
    default_kind: str = DEFAULT_KIND,
) -> SegmentEvidence:
    """The evidence of one document (audio (S, Da) and/or text (S, Dt)) under a network or a probe."""
    if (model is None) == (probe is None):
        raise ValueError("explain one model: give either model (a network) or probe (a linear probe).")
    doc = Document.of(audio, text)
    members = "" if model is None else f" over {model.num_members} ensemble member(s)"
    note = f"scores are changes in the ensemble's mean class probability{members}."
    if model is not None:
        proba, attention = network_proba(model), network_attention(model, doc)
    else:
        proba, attention = probe_proba(probe), {}
        note += " This model is a linear probe on mean-pooled features: it has no attention weights."
    return segment_evidence(
        proba,
        doc,
        classes,
        attention,
        kinds=kinds,
        ig_steps=ig_steps,
        default_kind=default_kind,
        notes=[note],
    )
