from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.data import encode_labels, pad_documents


def test_pads_and_masks(rng):
    audio = [rng.normal(size=(n, 3)) for n in (2, 4, 1)]
    text = [rng.normal(size=(n, 2)) for n in (2, 4, 1)]
    docs = pad_documents(audio, text)
    assert docs.audio.shape == (3, 4, 3) and docs.text.shape == (3, 4, 2)
    np.testing.assert_array_equal(docs.mask.sum(1), [2, 4, 1])
    assert (docs.audio[0, 2:] == 0).all()
    np.testing.assert_allclose(docs.mean_pooled()[1, :3], audio[1].mean(0), rtol=1e-5)


@pytest.mark.parametrize(
    "audio,text,match",
    [
        ([np.zeros((0, 3))], None, r"audio\[0\] has no segments"),
        ([np.zeros((2, 3)), np.zeros((2, 4))], None, r"audio\[1\] has 4 features"),
        ([np.zeros(3)], None, r"audio\[0\] has shape"),
        ([np.array([[0.0, np.nan]])], None, r"audio\[0\] holds NaN or inf \(segment 0\)"),
        ([np.zeros((2, 3))], [np.zeros((3, 2))], "2 audio segments but 3 text segments"),
        ([np.zeros((2, 3))], [np.zeros((2, 2)), np.zeros((2, 2))], "audio has 1 documents but text has 2"),
        (None, None, "at least one modality"),
    ],
)
def test_bad_features_are_named(audio, text, match):
    with pytest.raises(ValueError, match=match):
        pad_documents(audio, text)


def test_labels_sorted_and_checked():
    y, classes = encode_labels(["b", "a", "b", 3])
    assert classes == ["3", "a", "b"] and y.tolist() == [2, 1, 2, 0]
    with pytest.raises(ValueError, match="one class"):
        encode_labels(["x", "x"])
    with pytest.raises(ValueError, match=r"labels\[1\] is empty"):
        encode_labels(["x", None, "y"])
