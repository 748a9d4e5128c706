"""Labels of the demo corpus: class counts, subjects with repeat interviews, label noise, affect and sleep.

Everything here is exact counting (largest-remainder rounding) or draws from a caller's generator, so a
plan is a pure function of its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SPECTRUM = ("control", "depression", "bipolar", "schizophrenia")
AFFECT = ("negative", "neutral", "positive")
SLEEP = ("disturbed", "typical")

# P(affect | spectrum): depression mostly negative, bipolar split manic-positive / depressed-negative,
# schizophrenia mostly flat (neutral), control mostly neutral or positive.
AFFECT_GIVEN_SPECTRUM: dict[str, tuple[float, float, float]] = {
    "control": (0.15, 0.50, 0.35),
    "depression": (0.70, 0.25, 0.05),
    "bipolar": (0.40, 0.10, 0.50),
    "schizophrenia": (0.20, 0.70, 0.10),
}
# P(sleep = disturbed | spectrum)
SLEEP_DISTURBED: dict[str, float] = {"control": 0.2, "depression": 0.7, "bipolar": 0.6, "schizophrenia": 0.5}


@dataclass(frozen=True)
class Subject:
    """One interviewee: id, true spectrum label and how many interviews (1 or 2)."""

    subject_id: str
    spectrum: str
    num_visits: int


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Integers summing to ``total`` proportional to ``weights`` (Hamilton's largest-remainder method).

    Ties in the remainders go to the earlier entry, so the result is deterministic.
    """
    w = np.asarray(weights, dtype=float)
    quotas = w / w.sum() * total if w.sum() > 0 else np.zeros_like(w)
    counts = np.floor(quotas + 1e-9).astype(int)
    order = np.argsort(-(quotas - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def class_counts(total: int, fractions: Sequence[float], min_per_class: int) -> list[int]:
    """Documents per class: largest-remainder counts, then raised to ``min_per_class`` from the largest.

    Raises:
        ValueError: when ``total`` cannot give every class ``min_per_class`` documents.
    """
    need = min_per_class * len(fractions)
    if total < need:
        raise ValueError(
            f"num_documents={total} is too few for {len(fractions)} classes with min_per_class="
            f"{min_per_class}; use at least {need} documents or lower min_per_class."
        )
    counts = largest_remainder(total, fractions)
    while min(counts) < min_per_class:
        counts[int(np.argmax(counts))] -= 1
        counts[int(np.argmin(counts))] += 1
    return counts


def repeat_counts(counts: Sequence[int], num_repeats: int, min_subjects: int) -> list[int]:
    """Subjects interviewed twice, per class, keeping at least ``min_subjects`` subjects in every class."""
    caps = [min(c // 2, max(0, c - min_subjects)) for c in counts]
    wanted = largest_remainder(num_repeats, counts)
    repeats = [min(w, cap) for w, cap in zip(wanted, caps, strict=True)]
    for k in np.argsort([-(cap - r) for cap, r in zip(caps, repeats, strict=True)], kind="stable"):
        extra = min(caps[k] - repeats[k], num_repeats - sum(repeats))
        repeats[k] += max(0, extra)
    return repeats


def make_subjects(
    counts: Sequence[int], repeats: Sequence[int], classes: Sequence[str], rng: np.random.Generator
) -> list[Subject]:
    """Subjects in random order (ids follow that order); class ``k`` gets ``counts[k]`` documents."""
    pool = [
        (name, 2 if j < r else 1)
        for name, c, r in zip(classes, counts, repeats, strict=True)
        for j in range(c - r)
    ]
    order = rng.permutation(len(pool))
    return [Subject(f"subj{i + 1:03d}", pool[j][0], pool[j][1]) for i, j in enumerate(order)]


def noisy_labels(
    labels: Sequence[str], subjects: Sequence[str], fraction: float, rng: np.random.Generator
) -> list[str]:
    """Observed labels: ``fraction`` of the documents get another class's label.

    The wrong labels are a derangement of the chosen documents' own labels (sorted by class, shifted by
    the largest class share), so observed class counts equal true ones and every class keeps its subjects
    for grouped cross-validation. At most one document per subject is relabelled.
    """
    labels = list(labels)
    classes = sorted(set(labels), key=labels.index)
    classes = [classes[k] for k in rng.permutation(len(classes))]  # who gets whose label varies by seed
    by_class = {c: [i for i, y in enumerate(labels) if y == c] for c in classes}
    take = largest_remainder(round(fraction * len(labels)), [len(by_class[c]) for c in classes])
    take = [min(n, len({subjects[i] for i in by_class[c]})) for c, n in zip(classes, take, strict=True)]
    while sum(take) >= 2 and 2 * max(take) > sum(take):  # a derangement needs no class over half
        take[int(np.argmax(take))] -= 1
    if sum(take) < 2:
        return labels
    chosen: list[int] = []
    for c, n in zip(classes, take, strict=True):
        seen: set[str] = set()
        for i in rng.permutation(by_class[c]).tolist():
            if len(seen) < n and subjects[i] not in seen:
                seen.add(subjects[i])
                chosen.append(i)
    shift = max(take)
    observed = list(labels)
    for j, i in enumerate(chosen):
        observed[i] = labels[chosen[(j + shift) % len(chosen)]]
    return observed


def ensure_min_subjects(
    labels: Sequence[str],
    subjects: Sequence[str],
    classes: Sequence[str],
    minimum: int,
    rng: np.random.Generator,
) -> list[str]:
    """``labels`` with every class of ``classes`` given at least ``minimum`` subjects where possible.

    A class short of subjects takes documents (of subjects it lacks) from the class with the most
    documents; in corpora of a hundred documents the drawn labels are almost always left as they are.
    """
    labels = list(labels)
    for c in classes:
        while True:
            have = {s for s, y in zip(subjects, labels, strict=True) if y == c}
            if len(have) >= minimum:
                break
            counts = {k: labels.count(k) for k in classes}
            donors = [
                i for i, y in enumerate(labels) if y != c and subjects[i] not in have and counts[y] > minimum
            ]
            if not donors:
                break
            top = max(counts[labels[i]] for i in donors)
            pool = [i for i in donors if counts[labels[i]] == top]
            labels[pool[int(rng.integers(len(pool)))]] = c
    return labels


def draw_affect(spectrum: str, rng: np.random.Generator) -> str:
    """Affect label given the spectrum label (see :data:`AFFECT_GIVEN_SPECTRUM`)."""
    return AFFECT[int(rng.choice(len(AFFECT), p=AFFECT_GIVEN_SPECTRUM[spectrum]))]


def draw_sleep(spectrum: str, rng: np.random.Generator) -> str:
    """Sleep label given the spectrum label (see :data:`SLEEP_DISTURBED`)."""
    return SLEEP[0] if rng.random() < SLEEP_DISTURBED[spectrum] else SLEEP[1]
