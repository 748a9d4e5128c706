"""Which answers drove one interview's prediction: the faithful segment scores of the explained model,
the answers that pushed toward and away from its predicted class (with a plain sentence each), how far
its attention agrees with them, and whether the interview is like the model's training documents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..evaluation.novelty import NoveltyOutput, not_checked, novelty
from ..explain.evidence import SegmentEvidence
from .figures import MODALITIES

KIND_NAMES = {
    "occlusion_joint": "leave-one-segment-out (audio and text)",
    "occlusion_audio": "leave-one-segment-out (audio)",
    "occlusion_text": "leave-one-segment-out (text)",
    "ig_audio": "integrated gradients (audio)",
    "ig_text": "integrated gradients (text)",
}
AGREE, WEAK = 0.5, 0.2  # Spearman rho at or above which attention "agrees" / "agrees weakly"


# The page's scores: the three leave-one-segment-out kinds (exact, a fraction of a second); integrated
# gradients cost about 10x as much per ensemble member and are in `hilbert predict --explain`.
PAGE_KINDS = ["occlusion_joint", "occlusion_audio", "occlusion_text"]


def explain(bundle, audio: np.ndarray | None, text: np.ndarray | None) -> SegmentEvidence:
    """Which segments moved this interview's prediction (:meth:`Bundle.explain`, leave-one-segment-out, see
    :mod:`hilbert_core.explain.faithful`)."""
    return bundle.explain(audio, text, kinds=PAGE_KINDS)


def interview_novelty(bundle, pred) -> NoveltyOutput:
    """Is this interview like the model's training documents (see :mod:`hilbert_core.evaluation.novelty`)?"""
    if getattr(bundle, "probe", None) is not None:
        return not_checked(
            "this model is a linear probe on mean-pooled features and keeps no features of its training "
            "documents"
        )
    if pred.z_joint is None or "z_joint" not in (bundle.reference or {}):
        return not_checked("this model stores no training-set embeddings; retrain it to get them")
    return novelty(bundle.reference["z_joint"], pred.z_joint, "joint embedding")


def _is_occlusion(kind: str) -> bool:
    return kind.startswith("occlusion")


def answer_sentence(kind: str, score: float, p: float, cls: str) -> str:
    """``"removing this answer lowers the depression probability from 0.41 to 0.33"`` (occlusion), or the
    answer's share of the probability (integrated gradients)."""
    if _is_occlusion(kind):
        without = p - score
        verb = "lowers" if score > 0 else "raises" if score < 0 else "leaves"
        if verb == "leaves":
            return f"removing this answer leaves the {cls} probability at {p:.2f}"
        if round(p, 3) == round(without, 3):  # never "from 1.000 to 1.000" (a saturated model)
            return f"removing this answer barely moves the {cls} probability ({p:.3f}; by less than 0.001)"
        d = 2 if round(p, 2) != round(without, 2) else 3  # never "from 0.32 to 0.32"
        return f"removing this answer {verb} the {cls} probability from {p:.{d}f} to {without:.{d}f}"
    way = "adds" if score >= 0 else "takes"
    return (
        f"this answer {way} {abs(score):.2f} {'to' if score >= 0 else 'from'} the {cls} probability ({p:.2f})"
    )


def top_answers(evidence: SegmentEvidence, segments: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The ``k`` answers that pushed most toward and the ``k`` that pushed most away from the predicted
    class, by the default faithful score.

    Returns:
        rows: direction (toward / away), #, start_s, end_s, text, score, sentence.
    """
    cls, p = evidence.classes[evidence.predicted], float(evidence.proba[evidence.predicted])
    values = evidence.scores()
    rows = []
    for direction, toward in (("toward", True), ("away", False)):
        for s in evidence.top_segments(k, toward=toward):
            seg = segments.iloc[s]
            rows.append(
                {"direction": direction, "#": int(seg["#"]), "start_s": float(seg["start_s"]),
                 "end_s": float(seg["end_s"]), "text": str(seg["text"]), "score": float(values[s]),
                 "sentence": answer_sentence(evidence.default_kind, float(values[s]), p, cls)}
            )  # fmt: skip
    columns = ["direction", "#", "start_s", "end_s", "text", "score", "sentence"]
    return pd.DataFrame(rows, columns=columns)


def agreement_sentence(evidence: SegmentEvidence) -> str:
    """Whether the attention row can be read as evidence for this interview (its rank correlation with
    the default faithful score of the predicted class)."""
    if not evidence.attention:
        return "This model has no segment attention (a linear probe): read the evidence row only."
    name = next((m for m in MODALITIES if m in evidence.agreement), "")  # the page's first attention row
    rho = evidence.agreement.get(name, float("nan"))
    where = f"{name} attention" if name else "attention"
    if not math.isfinite(rho):
        return f"The agreement of {where} with the evidence is undefined here (too few or constant scores)."
    others = ", ".join(f"{m} ρ = {v:.2f}" for m, v in evidence.agreement.items() if m != name)
    tail = f" (other modalities: {others})" if others else ""
    if rho >= AGREE:
        return f"{where.capitalize()} and evidence agree: ρ = {rho:.2f}{tail}."
    if rho >= WEAK:
        return (
            f"{where.capitalize()} and evidence agree only weakly: ρ = {rho:.2f}{tail}; read the evidence "
            "row, not the attention."
        )
    return (
        f"{where.capitalize()} and evidence do not agree: ρ = {rho:.2f}{tail}. Attention shows where the "
        "model looked, not what moved its prediction: read the evidence row."
    )


def evidence_columns(evidence: SegmentEvidence) -> dict[str, np.ndarray]:
    """Per-segment columns for the segment table: the default score of the predicted class (``evidence``)."""
    return {"evidence": np.asarray(evidence.scores(), dtype=float)}
