"""Per-epoch records streamed while training (``on_epoch``): one per fold and epoch, matching the
per-epoch terms the finished report stores, and no change to what training computes."""

from __future__ import annotations

import numpy as np
import pytest

import hilbert_core as hc
from hilbert_core.data import pad_documents
from hilbert_core.training.bundle import train_final
from hilbert_core.training.engine import train_members
from hilbert_core.training.members import MemberSpec
from hilbert_core.types import EpochRecord

TERMS = {"ce_loss", "contrastive_loss", "cka_loss", "mi_loss", "mi_audio", "mi_text", "val_loss"}


def _cv(feats, cfg, **kw):
    return hc.cross_validate(feats.audio, feats.text, feats.labels, groups=feats.groups, config=cfg, **kw)


def test_cross_validation_streams_one_record_per_fold_and_epoch(tiny_features, tiny_config):
    records: list[EpochRecord] = []
    report = _cv(tiny_features, tiny_config, method="hilbert", on_epoch=records.append)
    assert {r.label for r in records} == {"fold 0", "fold 1", "fold 2"}
    for f, history in enumerate(report.diagnostics):
        mine = [r for r in records if r.label == f"fold {f}"]
        assert [r.epoch for r in mine] == list(range(1, len(history) + 1)) and len(history) >= 1
        for r, stored in zip(mine, history, strict=True):
            assert TERMS <= set(r.values) and r.num_members == 1 and r.run == ""
            assert all(isinstance(v, float) for v in r.values.values())
            # one candidate, one inner model: the streamed mean is the stored per-epoch value
            assert r.values == pytest.approx(stored, rel=1e-6)


def test_streaming_changes_nothing_training_computes(tiny_features, tiny_config):
    plain = _cv(tiny_features, tiny_config, method="transfer")
    streamed = _cv(tiny_features, tiny_config, method="transfer", on_epoch=lambda r: None)
    np.testing.assert_array_equal(plain.oof_proba, streamed.oof_proba)
    assert plain.diagnostics == streamed.diagnostics


def test_members_trained_apart_report_each_epoch_with_their_weight(tiny_features, tiny_config):
    # two inner models per fold trained one by one: each reports its epochs, and their mean weighted
    # by num_members is the fold's stored mean over both
    cfg = tiny_config.replace(train={"num_inner": 2, "batched_folds": False})
    records: list[EpochRecord] = []
    report = _cv(tiny_features, cfg, method="transfer", on_epoch=records.append)
    first = [r for r in records if r.label == "fold 0" and r.epoch == 1]
    assert len(first) == 2 and all(r.num_members == 1 for r in first)
    merged = sum(r.values["val_loss"] * r.num_members for r in first) / sum(r.num_members for r in first)
    assert merged == pytest.approx(report.diagnostics[0][0]["val_loss"], rel=1e-6)


def test_final_training_streams_its_epochs(tiny_features, tiny_config):
    f = tiny_features
    records: list[EpochRecord] = []
    train_final(f.audio, f.text, f.labels, method="transfer", config=tiny_config, on_epoch=records.append)
    assert [r.epoch for r in records] == list(range(1, len(records) + 1)) and records
    assert {r.label for r in records} == {"final"} and "val_loss" in records[0].values


def test_labels_must_name_every_member(tiny_features, tiny_config):
    docs = pad_documents(tiny_features.audio, tiny_features.text)
    spec = MemberSpec(np.arange(20), np.arange(20, 30), seed=0, input_dropout=0.0, weight_decay=0.0)
    y = np.zeros(docs.num_documents, dtype=np.int64)
    with pytest.raises(ValueError, match="labels has 1 entries for 2 members"):
        train_members(docs, y, 3, [spec, spec], tiny_config, on_epoch=lambda r: None, labels=["a"])
