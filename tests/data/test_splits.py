from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.data import check_foldable, inner_splits, make_folds
from hilbert_core.data.splits import inner_plan_note


def _data(n=60, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    groups = np.array([f"s{i // 3}" for i in rng.permutation(n)], dtype=object)
    return y, groups


def test_grouped_folds_never_share_a_subject_and_cover_everything():
    y, groups = _data()
    folds = make_folds(y, groups, 5, seed=0)
    seen = np.concatenate([test for _, test in folds])
    assert sorted(seen.tolist()) == list(range(len(y)))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert set(y[train].tolist()) == {0, 1, 2}


def test_stratified_folds_keep_class_balance():
    y = np.array([0] * 40 + [1] * 20)
    for _, test in make_folds(y, None, 5, seed=3):
        assert (y[test] == 1).sum() == 4


def test_same_seed_same_folds():
    y, groups = _data()
    a = make_folds(y, groups, 4, seed=7)
    b = make_folds(y, groups, 4, seed=7)
    assert all(np.array_equal(x[1], z[1]) for x, z in zip(a, b, strict=True))


def test_class_smaller_than_folds_gives_a_note_not_an_error():
    y = np.array([0] * 10 + [1] * 3)
    (note,) = check_foldable(y, ["common", "rare"], None, 5)
    assert "class 'rare' has 3 documents, fewer than n_splits=5" in note and "pooled" in note
    folds = make_folds(y, None, 5, seed=0)  # the paper's protocol on a small class: folds exist
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(13))


def test_counts_subjects_not_documents_when_grouped():
    y = np.array([0] * 10 + [1] * 6)
    groups = np.array([f"a{i}" for i in range(10)] + ["b1"] * 3 + ["b2"] * 3, dtype=object)
    (note,) = check_foldable(y, ["x", "y"], groups, 3)
    assert "has 2 subjects" in note


def test_a_class_of_one_subject_is_refused():
    # class 1 lives in one subject: the fold that tests it would train without it
    y = np.array([0] * 12 + [1] * 3)
    groups = np.array([f"a{i}" for i in range(12)] + ["b"] * 3, dtype=object)
    with pytest.raises(ValueError, match="class 'y' has 1 subject"):
        check_foldable(y, ["x", "y"], groups, 3)


def test_a_pilot_training_part_gets_as_many_inner_folds_as_it_allows():
    y = np.array([0, 1] * 4)  # 8 documents, 4 per class
    train = np.arange(8)
    splits = inner_splits(y, None, train, 5, 0.2, seed=0)
    assert len(splits) == 4 and "allows 4 inner folds" in inner_plan_note(splits, 5, 8)
    tiny = inner_splits(np.array([0, 1]), None, np.arange(2), 5, 0.2, seed=0)
    assert len(tiny) == 1 and "without early stopping" in inner_plan_note(tiny, 5, 2)


def test_inner_splits_stay_inside_training_fold_and_grouped():
    y, groups = _data()
    train, test = make_folds(y, groups, 5, seed=0)[0]
    for k in (1, 3):
        splits = inner_splits(y, groups, train, k, 0.2, seed=0)
        assert len(splits) == k
        for fit, val in splits:
            assert set(fit) | set(val) <= set(train) and not set(val) & set(test)
            assert not set(groups[fit]) & set(groups[val])
