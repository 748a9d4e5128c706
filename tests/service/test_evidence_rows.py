"""The Interview page's evidence timeline: attention rows in a fixed order, joint last, and the agreement
sentence about the first of them (the joint attention is at chance on the demo, docs/method.md §9.6)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hilbert_core.explain.evidence import SegmentEvidence
from hilbert_core.service.figures_evidence import evidence_timeline
from hilbert_core.service.interview_evidence import agreement_sentence


def test_attention_rows_are_audio_text_joint_and_the_sentence_names_audio_first():
    n = 5
    segments = pd.DataFrame(
        {"#": range(1, n + 1), "start_s": np.arange(n) * 2.0, "end_s": np.arange(n) * 2.0 + 1.5,
         "text": [f"answer {i}" for i in range(n)], "evidence": np.linspace(-0.1, 0.1, n),
         "attn_joint": np.full(n, 1 / n), "attn_text": np.full(n, 1 / n), "attn_audio": np.full(n, 1 / n)}
    )  # fmt: skip
    fig = evidence_timeline(segments, "depression")
    names = [trace.name for trace in fig.data if trace.name]
    assert [name for name in names if name.startswith("attention")] == [
        "attention audio", "attention text", "attention joint"
    ]  # fmt: skip
    attention = {m: np.full(n, 1 / n) for m in ("joint", "text", "audio")}
    scores = np.zeros((n, 2))
    ev = SegmentEvidence(["a", "b"], np.array([0.4, 0.6]), {"occlusion_joint": scores}, attention,
                         "occlusion_joint", {"joint": 0.9, "text": 0.1, "audio": 0.3})  # fmt: skip
    sentence = agreement_sentence(ev)
    assert sentence.startswith("Audio attention and evidence agree only weakly: ρ = 0.30")
    assert "joint ρ = 0.90" in sentence and "text ρ = 0.10" in sentence


def test_a_change_below_a_thousandth_is_said_as_such_never_from_1000_to_1000():
    from hilbert_core.service.interview_evidence import answer_sentence

    assert answer_sentence("occlusion_joint", 0.08, 0.41, "depression") == (
        "removing this answer lowers the depression probability from 0.41 to 0.33"
    )
    assert answer_sentence("occlusion_joint", 0.002, 0.321, "depression").endswith("from 0.321 to 0.319")
    assert answer_sentence("occlusion_joint", 4e-6, 0.99999, "depression") == (
        "removing this answer barely moves the depression probability (1.000; by less than 0.001)"
    )
