"""Segment evidence in plain words: the answers that pushed toward and away from the predicted class."""

from __future__ import annotations

from collections.abc import Sequence

from .evidence import SegmentEvidence

WHAT = {
    "occlusion_joint": "removing the segment (audio and text)",
    "occlusion_audio": "replacing the segment's audio by the interview's other segments' mean",
    "occlusion_text": "replacing the segment's text by the interview's other segments' mean",
    "ig_audio": "integrated gradients on the audio features (from the interview's mean segment)",
    "ig_text": "integrated gradients on the text features (from the interview's mean segment)",
}


def _effect(ev: SegmentEvidence, kind: str, cls: int, s: int) -> str:
    value, p = float(ev.scores(kind, cls)[s]), float(ev.proba[cls])
    name = ev.classes[cls]
    if kind.startswith("occlusion"):
        verb = "falls" if value > 0 else "rises"
        return f"{value:+.3f}: without it P({name}) {verb} from {p:.2f} to {p - value:.2f}"
    return f"{value:+.3f} to P({name})"


def describe(
    ev: SegmentEvidence,
    k: int = 3,
    kind: str | None = None,
    labels: Sequence[str] | None = None,
) -> list[str]:
    """Lines for a terminal or a report: what the score is, the ``k`` segments that pushed most toward the
    predicted class and the ``k`` that pushed most away, and the attention's agreement with the score.

    Args:
        ev: the evidence of one interview.
        k: segments per direction.
        kind: the faithful score (default: ``ev.default_kind``).
        labels: per segment, a short description (time span, text) appended to its line.
    """
    kind = kind or ev.default_kind
    cls = ev.predicted
    name = ev.classes[cls]
    lines = [f"evidence for {name} (P = {ev.proba[cls]:.2f}), measured by {WHAT.get(kind, kind)}:"]
    for toward, heading in ((True, f"pushed toward {name}"), (False, f"pushed away from {name}")):
        top = ev.top_segments(k, kind, cls, toward=toward)
        lines.append(f"  {heading}:" + ("" if top else " none"))
        for s in top:
            where = f" {labels[s]}" if labels is not None else ""
            lines.append(f"    #{s} {_effect(ev, kind, cls, s)}{where}")
    if ev.agreement:
        rho = ", ".join(f"{m} {v:+.2f}" for m, v in ev.agreement.items())
        lines.append(f"  attention vs this score (Spearman rank correlation, 1 = same order): {rho}")
    elif not ev.attention:
        lines.append("  (a linear probe on mean-pooled features: it has no attention weights)")
    return lines
