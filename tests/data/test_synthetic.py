"""The synthetic corpora: the cue segments carry the label; with a baseline, speakers dominate the mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hilbert_core.cli.entry import main
from hilbert_core.data.features import load_features
from hilbert_core.data.synthetic import cue_table, make_features


def _between_over_within(docs: list[np.ndarray], keys: list[str]) -> float:
    """Variance of the mean-pooled documents' group means over the variance within groups."""
    means = np.stack([d.mean(0) for d in docs])
    keys = np.asarray(keys)
    centres = {k: means[keys == k].mean(0) for k in set(keys)}
    within = np.mean([np.square(m - centres[k]).sum() for m, k in zip(means, keys, strict=True)])
    between = np.square(np.stack(list(centres.values())) - means.mean(0)).sum(1).mean()
    return between / within


def test_baselines_separate_speakers_and_cues_deviate_from_them():
    kw = dict(num_documents=60, num_segments=(24, 36), audio_dim=8, text_dim=6, num_cues=3, seed=1)
    plain, based = make_features(**kw), make_features(**kw, baseline=3.0)
    assert based.labels == plain.labels and based.groups == plain.groups  # the baselines' own random stream
    for a, b, cues in zip(plain.audio, based.audio, based.cue_segments, strict=True):
        shift = b - a  # the subject's baseline, the same on every segment
        np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-5)
        assert len(cues) == 3
    # in mean-pooled features, speakers differ far more than labels
    assert _between_over_within(based.audio, based.groups) > 5 * _between_over_within(
        based.audio, based.labels
    )
    # the two documents of a subject share their baseline; other subjects' differ
    first, second, other = (based.audio[i] - plain.audio[i] for i in (0, 1, 2))
    np.testing.assert_allclose(first[0], second[0], atol=1e-5)
    assert np.abs(first[0] - other[0]).max() > 0.5


def test_cue_table_marks_the_cue_segments():
    feats = make_features(num_documents=4, num_segments=5, num_cues=2)
    table = cue_table(feats, ["a", "b", "c", "d"])
    assert list(table.columns) == ["document_id", "segment", "cues"] and len(table) == 20
    marked = table[table.cues != ""]
    for doc, cues in zip("abcd", feats.cue_segments, strict=True):
        assert marked[marked.document_id == doc].segment.tolist() == cues.tolist()
    with pytest.raises(ValueError, match="3 document ids for 4 documents"):
        cue_table(feats, ["a", "b", "c"])


def test_synth_features_writes_a_baseline_corpus_with_its_cues(tmp_path):
    out = tmp_path / "sparse"
    args = ["--documents", "12", "--min-segments", "6", "--max-segments", "8", "--cues", "2"]
    assert main(["synth-features", str(out), *args, "--baseline", "3"]) == 0
    feats = load_features(out)
    cues = pd.read_csv(out / "cues.csv", dtype={"document_id": str}, keep_default_na=False)
    assert len(cues) == int(feats.table["num_segments"].sum())
    per_doc = cues[cues.cues != ""].groupby("document_id").size()
    assert per_doc.to_dict() == {doc: 2 for doc in feats.table["document_id"]}
