"""Cue placement: the words and the delivery of cue segments, and how many segments carry cues."""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from hilbert_core.demo import DemoPlan, DocumentPlan, make_plan

FIRST_PERSON = {"i", "me", "my", "myself"}
ABSOLUTIST_OR_SAD = {
    "always", "never", "nothing", "completely", "totally", "constantly", "all", "every", "anything",
    "sad", "hopeless", "empty", "miserable", "worthless", "numb", "low", "lonely", "guilty", "failure",
    "burden", "heavy", "exhausted", "happy", "anymore",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _docs(plan: DemoPlan, spectrum: str) -> list[DocumentPlan]:
    return [d for d in plan.documents if d.labels["spectrum"] == spectrum]


def _contrast(doc: DocumentPlan, cue: str, field: str) -> float | None:
    """Mean ``field`` of ``cue`` segments over that of cue-free ones (None when either is missing)."""
    cued = [getattr(s.prosody, field) for s in doc.segments if cue in s.cues]
    plain = [getattr(s.prosody, field) for s in doc.segments if not s.cues]
    return float(np.mean(cued) / np.mean(plain)) if cued and plain else None


def test_depression_cues(plan120: DemoPlan) -> None:
    lexical = [
        s.text for d in _docs(plan120, "depression") for s in d.segments if "lexical:depression" in s.cues
    ]
    plain = [s.text for d in plan120.documents for s in d.segments if not s.cues]
    assert len(lexical) > 50

    def share(texts: list[str]) -> float:
        return float(
            np.mean([bool(_words(t) & FIRST_PERSON and _words(t) & ABSOLUTIST_OR_SAD) for t in texts])
        )

    # 65 % come from the depression bank (all first person and absolutist or sad), 35 % from the shared one
    assert share(lexical) > 0.6 and share(plain) < 0.2
    for field in ("rate_wpm", "pitch_range", "volume"):
        ratios = [
            r for d in _docs(plan120, "depression") if (r := _contrast(d, "prosodic:depression", field))
        ]
        assert np.median(ratios) < 0.9, field
    pauses = [
        r for d in _docs(plan120, "depression") if (r := _contrast(d, "prosodic:depression", "pause_ms"))
    ]
    assert np.median(pauses) > 1.3


def test_bipolar_cues_are_fast_wide_and_loud(plan120: DemoPlan) -> None:
    for field in ("rate_wpm", "pitch_range", "volume"):
        ratios = [r for d in _docs(plan120, "bipolar") if (r := _contrast(d, "prosodic:bipolar", field))]
        assert len(ratios) >= 10 and np.median(ratios) > 1.15, field


def test_schizophrenia_is_tangential_sometimes(plan120: DemoPlan) -> None:
    segments = [s for d in _docs(plan120, "schizophrenia") for s in d.segments]
    tangential = [s for s in segments if "tangential" in s.cues]
    assert tangential and all(s.topic_id != s.prompt_id for s in tangential)
    assert all(
        s.topic_id == s.prompt_id for d in plan120.documents for s in d.segments if "tangential" not in s.cues
    )
    flat = [
        r
        for d in _docs(plan120, "schizophrenia")
        if (r := _contrast(d, "prosodic:schizophrenia", "pitch_range"))
    ]
    assert np.median(flat) < 0.7


def test_cues_sit_in_some_segments_only(plan120: DemoPlan) -> None:
    for spectrum in ("depression", "bipolar", "schizophrenia"):
        own = [
            np.mean([any(c.endswith(f":{spectrum}") for c in s.cues) for s in d.segments])
            for d in _docs(plan120, spectrum)
        ]
        assert 0.15 < np.mean(own) < 0.5, spectrum
        assert max(own) < 0.8, spectrum
    for d in _docs(plan120, "control"):
        assert not any(
            c.endswith((":depression", ":bipolar", ":schizophrenia")) for s in d.segments for c in s.cues
        )
    assert any("lexical:bad_day" in s.cues for d in _docs(plan120, "control") for s in d.segments)


def test_sleep_cue_lives_in_the_sleep_answer(plan120: DemoPlan) -> None:
    lexical, heard = [], []
    for d in plan120.documents:
        cued = [s for s in d.segments if any(c.endswith(":sleep") for c in s.cues)]
        assert all(s.prompt_id == "sleep" for s in cued)
        if d.labels["sleep"] == "disturbed":
            lexical.append(any("lexical:sleep" in s.cues for s in cued))
            heard.append(bool(cued))
        else:
            assert not cued
    assert 0.6 < np.mean(lexical) < 0.95  # said in words in most interviews, not all
    assert np.mean(heard) > 0.85


def test_heard_cues_add_prosody_and_keep_the_words(plan120: DemoPlan) -> None:
    quiet = make_plan(dataclasses.replace(plan120.config, heard_cue_rate=0.0, heard_affect_rate=0.0))

    def heard_only(plan: DemoPlan) -> int:
        return sum(
            f"prosodic:{d.labels['spectrum']}" in s.cues and f"lexical:{d.labels['spectrum']}" not in s.cues
            for d in plan.documents
            for s in d.segments
        )

    assert heard_only(plan120) > 1.5 * heard_only(quiet)
    same = [
        [s.text for s in a.segments] == [s.text for s in b.segments]
        for a, b in zip(plan120.documents, quiet.documents, strict=True)
    ]
    assert np.mean(same) > 0.75  # only fitting a slower or faster interview to its length moves words
