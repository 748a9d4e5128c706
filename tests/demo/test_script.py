"""The plan: class counts, subjects, label noise, determinism and interview shape."""

from __future__ import annotations

from collections import Counter

import pytest

from hilbert_core.demo import DemoConfig, DemoPlan, make_plan
from hilbert_core.demo.bank import CUE_TEXT, NEUTRAL, PROMPTS, SLOTS, fill
from hilbert_core.demo.labels import largest_remainder, noisy_labels


@pytest.mark.parametrize(
    ("num_documents", "expected"),
    [
        # 120 x (.35, .41, .18, .05) = 42, 49.2, 21.6, 6: the two spare documents go to .6 then .2
        (120, {"control": 42, "depression": 50, "bipolar": 22, "schizophrenia": 6}),
        # 40 x ... = 14, 16.4, 7.2, 2 -> 14, 17, 7, 2; schizophrenia raised to 5 from the largest class
        (40, {"control": 14, "depression": 14, "bipolar": 7, "schizophrenia": 5}),
        (20, {"control": 5, "depression": 5, "bipolar": 5, "schizophrenia": 5}),
    ],
)
def test_class_counts_follow_largest_remainder(num_documents: int, expected: dict[str, int]) -> None:
    plan = make_plan(DemoConfig(seed=3, num_documents=num_documents))
    assert plan.class_counts(observed=False) == expected
    assert plan.class_counts(observed=True) == expected  # label noise permutes labels: counts are kept


def test_largest_remainder_sums_exactly() -> None:
    for total in range(0, 50):
        counts = largest_remainder(total, [0.35, 0.41, 0.18, 0.05])
        assert sum(counts) == total
        assert all(
            abs(c - total * f / 0.99) < 1 for c, f in zip(counts, [0.35, 0.41, 0.18, 0.05], strict=True)
        )


@pytest.mark.parametrize("fixture", ["plan40", "plan120"])
def test_every_class_has_enough_documents_and_subjects(fixture: str, request: pytest.FixtureRequest) -> None:
    plan: DemoPlan = request.getfixturevalue(fixture)
    for observed in (False, True):
        subjects: dict[str, set[str]] = {}
        for d in plan.documents:
            subjects.setdefault((d.observed if observed else d.labels)["spectrum"], set()).add(d.subject_id)
        assert len(subjects) == 4
        assert min(len(s) for s in subjects.values()) >= 5


def test_repeat_subjects_keep_voice_and_true_label(plan120: DemoPlan) -> None:
    by_subject: dict[str, list] = {}
    for d in plan120.documents:
        by_subject.setdefault(d.subject_id, []).append(d)
    twice = [docs for docs in by_subject.values() if len(docs) == 2]
    assert len(twice) == round(120 * 0.15 / 1.15)  # 16 of 104 subjects
    assert max(len(docs) for docs in by_subject.values()) == 2
    for first, second in twice:
        assert (first.visit, second.visit) == (1, 2)
        assert first.voice == second.voice and first.baseline == second.baseline
        assert first.labels["spectrum"] == second.labels["spectrum"]
        assert [s.text for s in first.segments] != [s.text for s in second.segments]


def test_label_noise_is_recorded_and_counted(plan120: DemoPlan) -> None:
    noisy = [d for d in plan120.documents if d.is_label_noise]
    assert len(noisy) == round(0.08 * 120)
    assert all(d.observed["spectrum"] != d.labels["spectrum"] for d in noisy)
    assert all(d.observed["affect"] == d.labels["affect"] for d in plan120.documents)
    assert max(Counter(d.subject_id for d in noisy).values()) == 1


def test_noisy_labels_is_a_derangement_that_keeps_counts() -> None:
    import numpy as np

    labels = ["a"] * 10 + ["b"] * 6 + ["c"] * 4
    subjects = [f"s{i}" for i in range(20)]
    observed = noisy_labels(labels, subjects, 0.5, np.random.default_rng(0))
    assert Counter(observed) == Counter(labels)
    assert sum(o != y for o, y in zip(observed, labels, strict=True)) == 10


def test_same_seed_same_plan_other_seed_differs() -> None:
    config = DemoConfig(seed=11, num_documents=24)
    assert make_plan(config) == make_plan(config)
    other = make_plan(DemoConfig(seed=12, num_documents=24))
    assert [s.text for s in other.documents[0].segments] != [
        s.text for s in make_plan(config).documents[0].segments
    ]


def test_interviews_have_the_planned_shape(plan120: DemoPlan) -> None:
    lengths = [d.estimated_s for d in plan120.documents]
    assert 60 <= min(lengths) and max(lengths) <= 180
    for d in plan120.documents:
        assert d.prompts[0] == "feeling" and "sleep" in d.prompts
        assert 8 <= len(d.prompts) <= 14
        per_answer = Counter(s.prompt_id for s in d.segments)
        assert max(per_answer.values()) <= 3 and set(per_answer) == set(d.prompts)
    assert 0.1 < sum("unusual" in d.prompts for d in plan120.documents) / 120 < 0.6
    words = [len(s.text.split()) for d in plan120.documents for s in d.segments if "poverty" not in s.cues]
    assert 7 <= min(words) and max(words) <= 28 and 12 <= sorted(words)[len(words) // 2] <= 20
    assert len({s.text for d in plan120.documents for s in d.segments}) >= 500


def test_every_template_fills() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    assert set(NEUTRAL) == set(PROMPTS)
    for bank in [*NEUTRAL.values(), *CUE_TEXT.values()]:
        for template in bank:
            text = fill(template, rng)
            assert "{" not in text and text[0].isupper()
    assert all(len(fillers) >= 4 for fillers in SLOTS.values())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_documents": 3}, "num_documents=3"),
        ({"class_fractions": (("control", 0.5), ("psychosis", 0.5))}, "class_fractions"),
        ({"label_noise": 1.5}, "label_noise"),
        ({"num_prompts": (8, 20)}, "num_prompts"),
    ],
)
def test_bad_config_names_the_value(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DemoConfig(**kwargs)
