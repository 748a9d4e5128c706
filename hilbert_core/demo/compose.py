"""What one answer segment says and which cues it carries (text only; prosody is :mod:`.prosody`'s job).

Cue names: ``lexical:<class>`` (the words carry the cue), ``prosodic:<class>`` (the delivery does), and
the markers ``tangential`` (the sentence belongs to another prompt) and ``poverty`` (an empty, short
answer). ``<class>`` is a spectrum class, an affect (``negative``/``positive``), ``sleep`` or
``bad_day``. Rationale and sources: :mod:`hilbert_core.demo.script`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bank import CUE_TEXT, NEUTRAL, pick

# How a cue segment shows its cue: words only, delivery only, or both. Affect is mostly heard.
MODES = ("lexical", "prosodic", "both")
MODE_P = (0.30, 0.40, 0.30)
AFFECT_MODE_P = (0.20, 0.55, 0.25)
# Segments per answer (1, 2 or 3): poverty of speech in schizophrenia, pressured speech in bipolar.
ANSWER_LENGTH_P: dict[str, tuple[float, float, float]] = {
    "control": (0.25, 0.45, 0.30),
    "depression": (0.30, 0.45, 0.25),
    "bipolar": (0.10, 0.40, 0.50),
    "schizophrenia": (0.55, 0.35, 0.10),
}
BAD_DAY_P = {"control": 0.12}  # everybody has bad days; controls say so a bit more often
BAD_DAY_OTHERS_P = 0.05
SCHIZOPHRENIA_KINDS = ("tangential", "vague", "poverty")
SCHIZOPHRENIA_KIND_P = (0.35, 0.45, 0.20)
BIPOLAR_SHARED_P = 0.35  # bipolar cue sentences that a happy control could also say
POSITIVE_SHARED_P = 0.30  # positive-affect sentences drawn from that shared bank
DEPRESSION_SHARED_P = 0.35  # depression cue sentences from the plain negative-emotion bank (shared)
SLEEP_LEXICAL_P = (0.7, 0.3)  # a disturbed sleeper says so in the first / a later sleep-answer segment
SLEEP_PROSODY_P = 0.8  # sleep-answer segments delivered tired and slow when sleep is disturbed


@dataclass(frozen=True)
class SpeakerState:
    """What drives the cues of one interview: true labels, severity and the cue rates.

    ``heard_cue_rate`` (scaled by severity) and ``heard_affect_rate`` add prosody-only disorder and affect
    cues, drawn from their own random stream so that the words of the interview do not change with them.
    """

    spectrum: str
    affect: str
    sleep: str
    severity: float
    cue_rate: float
    affect_cue_rate: float
    heard_cue_rate: float = 0.0
    heard_affect_rate: float = 0.0


@dataclass(frozen=True)
class SegmentText:
    """A composed segment: its sentence, the prompt its content belongs to, and its cues."""

    text: str
    topic_id: str
    cues: tuple[str, ...]


def _mode(rng: np.random.Generator, p: tuple[float, float, float] = MODE_P) -> str:
    return MODES[int(rng.choice(len(MODES), p=p))]


def _disorder_text(
    prompt: str, spectrum: str, rng: np.random.Generator, used: set[str]
) -> tuple[str, str, list[str]]:
    """(text, topic, extra markers) of a lexical disorder cue."""
    if spectrum == "bipolar":
        bank = "bipolar_shared" if rng.random() < BIPOLAR_SHARED_P else "bipolar"
        return pick(CUE_TEXT[bank], rng, used), prompt, []
    if spectrum == "schizophrenia":
        kind = SCHIZOPHRENIA_KINDS[int(rng.choice(3, p=SCHIZOPHRENIA_KIND_P))]
        if kind == "tangential":
            others = [p for p in NEUTRAL if p not in (prompt, "unusual")]
            topic = others[int(rng.integers(len(others)))]
            return pick(NEUTRAL[topic], rng, used), topic, ["tangential"]
        if kind == "poverty":
            return pick(CUE_TEXT["poverty"], rng, used), prompt, ["poverty"]
        return pick(CUE_TEXT["schizophrenia"], rng, used), prompt, []
    if spectrum == "depression" and rng.random() < DEPRESSION_SHARED_P:
        return pick(CUE_TEXT["negative"], rng, used), prompt, []
    return pick(CUE_TEXT[spectrum], rng, used), prompt, []


def _heard_cues(state: SpeakerState, cues: list[str], heard_rng: np.random.Generator) -> list[str]:
    """Extra prosody-only cues for a segment whose words and delivery do not already carry that class.

    Always two draws from ``heard_rng`` per segment, whatever the labels, so streams stay aligned.
    """
    extra = []
    disorder, affect = heard_rng.random(), heard_rng.random()
    for name, u, rate in (
        (state.spectrum, disorder, state.heard_cue_rate * state.severity),
        (state.affect, affect, state.heard_affect_rate),
    ):
        if name not in ("control", "neutral") and u < rate and not any(c.endswith(f":{name}") for c in cues):
            extra.append(f"prosodic:{name}")
    return extra


def compose_segment(
    prompt: str,
    index: int,
    state: SpeakerState,
    rng: np.random.Generator,
    used: set[str],
    heard_rng: np.random.Generator | None = None,
) -> SegmentText:
    """Text and cues of segment ``index`` of the answer to ``prompt``.

    Lexical cues compete for the one sentence (sleep answer > disorder > affect > bad day > neutral); a
    lexical cue that loses is dropped, prosodic cues always combine. ``used`` holds the interview's
    templates so far (see :func:`.bank.pick`). ``heard_rng`` (optional) draws the extra prosody-only cues
    of :class:`SpeakerState`; without it there are none.
    """
    text, topic, cues = None, prompt, []
    if prompt == "sleep" and state.sleep == "disturbed":
        if rng.random() < SLEEP_LEXICAL_P[min(index, 1)]:
            text, cues = pick(CUE_TEXT["sleep"], rng, used), ["lexical:sleep"]
        if rng.random() < SLEEP_PROSODY_P:
            cues.append("prosodic:sleep")
    if state.spectrum != "control" and rng.random() < state.cue_rate * state.severity:
        mode = _mode(rng)
        if mode != "prosodic" and text is None:
            text, topic, extra = _disorder_text(prompt, state.spectrum, rng, used)
            cues += [f"lexical:{state.spectrum}", *extra]
        if mode != "lexical":
            cues.append(f"prosodic:{state.spectrum}")
    if state.affect != "neutral" and rng.random() < state.affect_cue_rate:
        mode = _mode(rng, AFFECT_MODE_P)
        if mode != "prosodic" and text is None:
            shared = state.affect == "positive" and rng.random() < POSITIVE_SHARED_P
            text = pick(CUE_TEXT["bipolar_shared" if shared else state.affect], rng, used)
            cues.append(f"lexical:{state.affect}")
        if mode != "lexical":
            cues.append(f"prosodic:{state.affect}")
    if text is None and rng.random() < BAD_DAY_P.get(state.spectrum, BAD_DAY_OTHERS_P):
        text = pick(CUE_TEXT["bad_day"], rng, used)
        cues.append("lexical:bad_day")
    if text is None:
        text = pick(NEUTRAL[prompt], rng, used)
    if heard_rng is not None:
        cues += _heard_cues(state, cues, heard_rng)
    return SegmentText(text=text, topic_id=topic, cues=tuple(cues))
