"""One planned interview: prompts, answers of 1-3 segments, and a length kept within the target."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .bank import ALWAYS_ASKED, OPTIONAL_PROMPT, PROMPTS
from .compose import ANSWER_LENGTH_P, SpeakerState, compose_segment
from .prosody import Prosody, estimate_speech_s, segment_prosody

MAX_PROMPTS = 14


@dataclass(frozen=True)
class SegmentPlan:
    """One segment: a sentence, the prompt it answers, where its content belongs, cues and delivery."""

    text: str
    prompt_id: str
    topic_id: str
    cues: tuple[str, ...]
    prosody: Prosody


@dataclass(frozen=True)
class DocumentPlan:
    """One interview.

    Attributes:
        labels: true labels by task (``spectrum``, ``affect``, ``sleep``).
        observed: labels written to documents.csv (``spectrum`` may differ: label noise).
        baseline: the speaker's own delivery (segments vary around it).
        estimated_s: planned length (pauses plus estimated speech), seconds.
    """

    document_id: str
    subject_id: str
    visit: int
    voice: str
    baseline: Prosody
    severity: float
    labels: dict[str, str]
    observed: dict[str, str]
    prompts: tuple[str, ...]
    segments: tuple[SegmentPlan, ...]
    estimated_s: float

    @property
    def is_label_noise(self) -> bool:
        return self.labels != self.observed


@dataclass
class _Writer:
    """Writes one interview's segments: its speaker, random stream and the templates used so far."""

    state: SpeakerState
    base: Prosody
    voice: str
    rng: np.random.Generator
    heard_rng: np.random.Generator | None = None
    used: set[str] = field(default_factory=set)

    def segment(self, prompt: str, index: int) -> SegmentPlan:
        composed = compose_segment(prompt, index, self.state, self.rng, self.used, self.heard_rng)
        prosody = segment_prosody(self.base, composed.cues, index == 0, self.rng)
        return SegmentPlan(composed.text, prompt, composed.topic_id, composed.cues, prosody)

    def answer(self, prompt: str) -> list[SegmentPlan]:
        n = 1 + int(self.rng.choice(3, p=ANSWER_LENGTH_P[self.state.spectrum]))
        return [self.segment(prompt, k) for k in range(n)]


def _seconds(answers: list[list[SegmentPlan]], voice: str) -> float:
    return sum(
        s.prosody.pause_ms / 1000 + estimate_speech_s(s.text, s.prosody.rate_wpm, voice)
        for a in answers
        for s in a
    )


def _choose_prompts(num_prompts: tuple[int, int], unusual_rate: float, rng: np.random.Generator) -> list[str]:
    n = int(rng.integers(num_prompts[0], num_prompts[1] + 1))
    optional = [OPTIONAL_PROMPT] if rng.random() < unusual_rate else []
    others = [p for p in PROMPTS if p not in ALWAYS_ASKED and p != OPTIONAL_PROMPT]
    picked = [
        others[k] for k in rng.permutation(len(others))[: max(0, n - len(ALWAYS_ASKED) - len(optional))]
    ]
    rest = [ALWAYS_ASKED[1], *picked, *optional]
    return [ALWAYS_ASKED[0], *(rest[k] for k in rng.permutation(len(rest)))]


def _fit_length(
    answers: list[list[SegmentPlan]], target_s: tuple[float, float], min_prompts: int, writer: _Writer
) -> None:
    """Grow (new prompts, longer answers) or shrink (shorter answers, fewer prompts) ``answers`` in place."""
    rng = writer.rng
    asked = {a[0].prompt_id for a in answers}
    spare = [p for p in PROMPTS if p not in asked and p != OPTIONAL_PROMPT]
    while _seconds(answers, writer.voice) < target_s[0]:
        short = [k for k, a in enumerate(answers) if len(a) < 3]
        if spare and len(answers) < MAX_PROMPTS and (not short or rng.random() < 0.5):
            answers.append(writer.answer(spare.pop(int(rng.integers(len(spare))))))
        elif short:
            a = answers[short[int(rng.integers(len(short)))]]
            a.append(writer.segment(a[0].prompt_id, len(a)))
        else:
            break
    while _seconds(answers, writer.voice) > target_s[1]:
        longest = max(range(len(answers)), key=lambda k: len(answers[k]))
        if len(answers[longest]) > 1:
            answers[longest].pop()
        elif len(answers) > min_prompts:
            answers.pop(max(k for k, a in enumerate(answers) if a[0].prompt_id not in ALWAYS_ASKED))
        else:
            break


def plan_interview(
    document_id: str,
    subject_id: str,
    visit: int,
    voice: str,
    base: Prosody,
    state: SpeakerState,
    observed_spectrum: str,
    *,
    num_prompts: tuple[int, int],
    target_s: tuple[float, float],
    unusual_rate: float,
    rng: np.random.Generator,
    heard_rng: np.random.Generator | None = None,
) -> DocumentPlan:
    """Plan one interview of ``subject_id`` with true labels in ``state``.

    Words, structure and jitter draw from ``rng``; the extra prosody-only cues from ``heard_rng``.
    """
    writer = _Writer(state, base, voice, rng, heard_rng)
    answers = [writer.answer(p) for p in _choose_prompts(num_prompts, unusual_rate, rng)]
    _fit_length(answers, target_s, num_prompts[0], writer)
    labels = {"spectrum": state.spectrum, "affect": state.affect, "sleep": state.sleep}
    return DocumentPlan(
        document_id=document_id,
        subject_id=subject_id,
        visit=visit,
        voice=voice,
        baseline=base,
        severity=state.severity,
        labels=labels,
        observed={**labels, "spectrum": observed_spectrum},
        prompts=tuple(a[0].prompt_id for a in answers),
        segments=tuple(s for a in answers for s in a),
        estimated_s=round(_seconds(answers, voice), 3),
    )
