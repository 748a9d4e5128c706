"""The demo corpus plan: who is interviewed, what they say and how they say it (no audio here).

A plan is a pure function of :class:`DemoConfig` (seed included): the same config gives identical labels,
transcripts, cues and prosody. :func:`hilbert_core.demo.write_demo_corpus` turns it into a corpus folder.

Labels (tasks of documents.csv)
    ``spectrum``: control / depression / bipolar / schizophrenia, with the imbalance of the HILBERT paper
    (.35/.41/.18/.05), exact largest-remainder counts and at least ``min_per_class`` documents and subjects
    per class. ``label_noise`` of the documents carry another class's label in documents.csv (the plan keeps
    both); the wrong labels permute the true ones, so observed class counts equal true ones. ``affect``:
    negative / neutral / positive, drawn given spectrum (:data:`.labels.AFFECT_GIVEN_SPECTRUM`). ``sleep``:
    disturbed / typical, drawn given spectrum (:data:`.labels.SLEEP_DISTURBED`).

Interviews
    8-14 prompts (``feeling`` and ``sleep`` always, ``unusual`` in some interviews), 1-3 segments per
    answer, one sentence per segment, 1-3 minutes of speech. Subjects interviewed twice keep their voice and
    true spectrum label; their second interview has fresh text, severity, affect and sleep.

Cues. Each disorder cue segment is drawn with probability ``cue_rate * severity`` (severity ~ U(0.4, 1.0)
per interview) and shows its cue in the words, the delivery or both (.30/.40/.30; affect cues, drawn with
probability ``affect_cue_rate``, .20/.55/.25). On top of these, a segment that does not carry its class
gets a prosody-only cue with probability ``heard_cue_rate * severity`` (affect: ``heard_affect_rate``),
drawn from a separate random stream so the words stay as they are (only fitting a slower or faster
interview to its length adds or drops a segment or two). Rationale: in the first version
(effects about two thirds of today's and no extra heard cues, so about 15 % of a patient's segments
sounded different) audio alone was weak (seed 0, 100 documents, linear probe spectrum AUC: eGeMAPS 56 %,
Whisper 67 %, MiniLM text 75 %); now about 29 % of a patient's segments are heard and 13 % read (6 % both),
so each modality sees cues the other misses. Most segments still carry no cue, so attention over segments
matters. Prosodic numbers are relative to the speaker's baseline (factors on rate, range, volume and
pause; pitch offsets in espeak-ng's 0-99 units); they combine when a segment carries several cues.
Lexical cues compete for the one sentence of a segment.

=============  ===================================================  ==========  ==============================
class          cue                                                  modality    source
=============  ===================================================  ==========  ==============================
depression     first-person singular, absolutist words (always,     lexical     Rude, Gortner & Pennebaker
               never, nothing, completely), sadness words; 35 %                 2004, Cogn. Emot. 18;
               of these sentences come from the plain negative-                 Al-Mosaiwi & Johnstone 2018,
               emotion bank that other classes use too                          Clin. Psychol. Sci. 6
depression     slower rate (x0.72), longer pauses (x2.6), lower     prosodic    Cummins et al. 2015, Speech
               (-12) and flatter (range x0.35) pitch, quieter                   Communication 71
               (x0.60)
bipolar        grandiosity, many plans, topic jumps; 35 % of the    lexical     DSM-5 hypomania criteria
               sentences are plain enthusiasm that happy controls               (grandiosity, flight of ideas,
               also produce                                                     goal-directed activity)
bipolar        pressured speech: faster (x1.45), short pauses       prosodic    Faurholt-Jepsen et al. 2016,
               (x0.4), higher (+14) and wider (x1.9) pitch,                     Transl. Psychiatry 6
               louder (x1.40); longer answers (more segments)
schizophrenia  tangential sentences (another prompt's content,      lexical     Bedi et al. 2015, npj
               marker ``tangential``), vague references (they,                  Schizophrenia 1; Elvevåg et
               the signals, that thing), unusual experiences,                   al. 2007, Schizophr. Res. 93
               poverty of speech (short empty answers, marker
               ``poverty``; fewer segments per answer)
schizophrenia  flat affect: narrow range (x0.30), slower (x0.76),   prosodic    Parola et al. 2020, Schizophr.
               long pauses (x2.8), slightly low and quiet: by                   Res. 216; Cohen, Mitchell &
               design close to depression, so prosody alone                     Elvevåg 2014, Schizophr. Res.
               confuses the two while words separate them                       159
control        neutral content, typical delivery; mildly negative   lexical     design choice (everyone has
               "bad day" sentences (12 % of segments, 5 % in                    bad days: the lexicon alone
               other classes)                                                   is imperfect)
affect         negative / positive emotion words (positive also     lexical     LIWC affect categories,
               shares the plain-enthusiasm bank with bipolar)                   Tausczik & Pennebaker 2010,
                                                                                J. Lang. Soc. Psychol. 29
affect         negative: lower (-9), narrower (x0.55), slower,      prosodic    Scherer 2003, Speech
               quieter; positive: higher (+10), wider (x1.60),                  Communication 40
               faster, louder
sleep          insomnia, early waking or oversleeping phrases in    lexical     PHQ-9 item 3, Kroenke,
               the sleep answer only (first segment 70 %, later                 Spitzer & Williams 2001,
               ones 30 %); typical sleepers may mention a rare                  J. Gen. Intern. Med. 16
               early waking (a lexical decoy)
sleep          tired delivery of the sleep answer (80 % of its      prosodic    fatigue / psychomotor slowing,
               segments): slower (x0.78), quieter (x0.70),                      Cummins et al. 2015
               narrower pitch (x0.65), longer pauses (x1.6)
=============  ===================================================  ==========  ==============================

Every segment also gets natural jitter around its speaker's baseline (rate, pitch, range, volume, pause),
and the first segment of each answer waits longer (the response latency), so a cue must be detected
against variation, as in real speech.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .compose import SpeakerState
from .interview import DocumentPlan, SegmentPlan, plan_interview
from .labels import (
    AFFECT,
    SLEEP,
    SPECTRUM,
    class_counts,
    draw_affect,
    draw_sleep,
    ensure_min_subjects,
    make_subjects,
    noisy_labels,
    repeat_counts,
)
from .prosody import VOICES, speaker_baseline

# Planned lengths aim this much inside target_minutes: the duration estimate is off by about 2 % per
# interview, and the recording ends with half a second of silence.
LENGTH_MARGIN = 0.04
DEFAULT_FRACTIONS = (("control", 0.35), ("depression", 0.41), ("bipolar", 0.18), ("schizophrenia", 0.05))


@dataclass(frozen=True)
class DemoConfig:
    """Everything that determines a demo corpus plan.

    Attributes:
        seed: random seed; the same config gives the same plan.
        num_documents: interviews to generate.
        repeat_fraction: share of subjects interviewed twice.
        label_noise: share of documents whose documents.csv spectrum label is another class.
        class_fractions: (spectrum class, share) pairs; classes from ``control``, ``depression``,
            ``bipolar``, ``schizophrenia``.
        min_per_class: least documents and subjects per class (5 lets 5-fold grouped CV run).
        num_prompts: least and most prompts per interview.
        target_minutes: least and most speech per interview, pauses included (estimated).
        severity: range of the per-interview severity that scales cue probability.
        cue_rate: probability that a segment carries a disorder cue at severity 1.
        affect_cue_rate: probability that a segment carries an affect cue (non-neutral affect).
        heard_cue_rate: probability, at severity 1, that a segment without its disorder cue gets an extra
            prosody-only one (heard, not said; drawn from its own stream, so the words do not change).
        heard_affect_rate: probability that a segment without its affect cue gets a prosody-only one.
        unusual_prompt_rate: share of interviews that ask about unusual experiences.
    """

    seed: int = 0
    num_documents: int = 120
    repeat_fraction: float = 0.15
    label_noise: float = 0.08
    class_fractions: tuple[tuple[str, float], ...] = DEFAULT_FRACTIONS
    min_per_class: int = 5
    num_prompts: tuple[int, int] = (8, 14)
    target_minutes: tuple[float, float] = (1.0, 3.0)
    severity: tuple[float, float] = (0.4, 1.0)
    cue_rate: float = 0.35
    affect_cue_rate: float = 0.25
    heard_cue_rate: float = 0.25
    heard_affect_rate: float = 0.15
    unusual_prompt_rate: float = 0.35

    def __post_init__(self) -> None:
        names = [n for n, _ in self.class_fractions]
        if len(set(names)) != len(names) or not set(names) <= set(SPECTRUM) or len(names) < 2:
            raise ValueError(
                f"class_fractions names {names} must be two or more distinct classes from {list(SPECTRUM)}."
            )
        if any(not f > 0 for _, f in self.class_fractions):
            raise ValueError(f"class_fractions={self.class_fractions} must all be > 0; drop a class instead.")
        for name in (
            "repeat_fraction",
            "label_noise",
            "cue_rate",
            "affect_cue_rate",
            "heard_cue_rate",
            "heard_affect_rate",
            "unusual_prompt_rate",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be between 0 and 1.")
        lo, hi = self.num_prompts
        if not 3 <= lo <= hi <= 14:
            raise ValueError(f"num_prompts={self.num_prompts} must satisfy 3 <= least <= most <= 14.")
        if not 0 < self.target_minutes[0] < self.target_minutes[1]:
            raise ValueError(
                f"target_minutes={self.target_minutes} must be (least, most) with 0 < least < most."
            )
        if not 0 < self.severity[0] <= self.severity[1] <= 1:
            raise ValueError(f"severity={self.severity} must be (low, high) with 0 < low <= high <= 1.")
        if self.min_per_class < 1:
            raise ValueError(f"min_per_class={self.min_per_class} must be >= 1.")
        class_counts(self.num_documents, [f for _, f in self.class_fractions], self.min_per_class)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DemoPlan:
    """A whole demo corpus plan: the config and one :class:`DocumentPlan` per interview."""

    config: DemoConfig
    documents: tuple[DocumentPlan, ...] = field(default_factory=tuple)

    def class_counts(self, task: str = "spectrum", observed: bool = True) -> dict[str, int]:
        """Documents per label of ``task`` (observed by default); spectrum in config order, others sorted."""
        labels = [(d.observed if observed else d.labels)[task] for d in self.documents]
        order = [n for n, _ in self.config.class_fractions] if task == "spectrum" else sorted(set(labels))
        return {name: labels.count(name) for name in order}

    @property
    def num_subjects(self) -> int:
        return len({d.subject_id for d in self.documents})

    def to_dict(self) -> dict:
        return {"config": self.config.to_dict(), "documents": [dataclasses.asdict(d) for d in self.documents]}


def make_plan(config: DemoConfig) -> DemoPlan:
    """The plan of a demo corpus, fully determined by ``config`` (see the module docstring)."""
    rng = np.random.default_rng([config.seed, 0])
    classes = [n for n, _ in config.class_fractions]
    counts = class_counts(config.num_documents, [f for _, f in config.class_fractions], config.min_per_class)
    num_repeats = round(config.num_documents * config.repeat_fraction / (1 + config.repeat_fraction))
    repeats = repeat_counts(counts, num_repeats, config.min_per_class)
    subjects = make_subjects(counts, repeats, classes, rng)
    voices = rng.integers(len(VOICES), size=len(subjects))
    rows = [
        (s, v, visit) for s, v in zip(subjects, voices, strict=True) for visit in range(1, s.num_visits + 1)
    ]
    ids = [s.subject_id for s, _, _ in rows]
    observed = noisy_labels([s.spectrum for s, _, _ in rows], ids, config.label_noise, rng)
    minimum = config.min_per_class
    affect = ensure_min_subjects(
        [draw_affect(s.spectrum, rng) for s, _, _ in rows], ids, AFFECT, minimum, rng
    )
    sleep = ensure_min_subjects([draw_sleep(s.spectrum, rng) for s, _, _ in rows], ids, SLEEP, minimum, rng)
    lo, hi = config.target_minutes
    documents = []
    for i, (subject, v, visit) in enumerate(rows):
        voice = VOICES[int(v)]
        base = speaker_baseline(voice, np.random.default_rng([config.seed, 1, int(subject.subject_id[4:])]))
        doc_rng = np.random.default_rng([config.seed, 2, i])
        state = SpeakerState(
            spectrum=subject.spectrum,
            affect=affect[i],
            sleep=sleep[i],
            severity=round(float(doc_rng.uniform(*config.severity)), 4),
            cue_rate=config.cue_rate,
            affect_cue_rate=config.affect_cue_rate,
            heard_cue_rate=config.heard_cue_rate,
            heard_affect_rate=config.heard_affect_rate,
        )
        documents.append(
            plan_interview(
                f"doc{i + 1:04d}",
                subject.subject_id,
                visit,
                voice.name,
                base,
                state,
                observed[i],
                num_prompts=config.num_prompts,
                target_s=(60.0 * lo * (1 + LENGTH_MARGIN), 60.0 * hi * (1 - LENGTH_MARGIN)),
                unusual_rate=config.unusual_prompt_rate,
                rng=doc_rng,
                heard_rng=np.random.default_rng([config.seed, 3, i]),
            )
        )
    return DemoPlan(config=config, documents=tuple(documents))


__all__ = ["DemoConfig", "DemoPlan", "DocumentPlan", "SegmentPlan", "make_plan"]
