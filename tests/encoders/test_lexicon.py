from __future__ import annotations

import ast
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hilbert_core.encoders import TEXT_ENCODERS, TextEncoder, lexicon
from hilbert_core.encoders.lexicon import CATEGORIES, LexiconEncoder


@pytest.fixture(scope="module")
def enc() -> LexiconEncoder:
    return TEXT_ENCODERS.build("lexicon")


def _named(enc: LexiconEncoder, text: str) -> dict[str, float]:
    return dict(zip(enc.feature_names, enc.encode([text])[0].tolist(), strict=True))


def test_registry_builds_lexicon(enc):
    assert "lexicon" in TEXT_ENCODERS.names()
    assert isinstance(enc, LexiconEncoder) and isinstance(enc, TextEncoder)
    assert enc.name == "lexicon" and len(enc.revision) == 16
    assert TEXT_ENCODERS.build("lexicon", device="cpu", batch_size=8).revision == enc.revision


def test_shape_dtype_names(enc):
    out = enc.encode(["i feel tired", "", "we talked. did you?"])
    assert out.shape == (3, enc.dim) and out.dtype == np.float32 and np.isfinite(out).all()
    assert len(enc.feature_names) == enc.dim == 26 and len(set(enc.feature_names)) == enc.dim
    assert enc.feature_names[: len(CATEGORIES)] == list(CATEGORIES)
    assert enc.encode([]).shape == (0, enc.dim)


def test_hand_example(enc):
    # 8 words: i always feel like nothing will ever change. "ever" is on Al-Mosaiwi & Johnstone's list, so
    # absolutist = always, nothing, ever; "like" is not set off by commas, so it is not a filler.
    expected = dict.fromkeys(enc.feature_names, 0.0)
    expected |= {
        "pron_1sg": 1 / 8,
        "absolutist": 3 / 8,
        "negation": 1 / 8,  # nothing
        "focus_present": 1 / 8,  # feel
        "focus_future": 1 / 8,  # will
        "log1p_words": math.log1p(8),
        "mean_word_len": 36 / 8,
        "type_token_ratio": 1.0,
        "long_word_rate": 1 / 8,  # nothing (7 letters)
        "num_sentences": 1.0,
    }
    got = _named(enc, "I always feel like nothing will ever change")
    assert got == pytest.approx(expected, rel=1e-6, abs=0)


def test_contractions_and_fillers(enc):
    # 15 words: i'm sure i've told you i can't won't you it was like huge you know
    got = _named(enc, "I\u2019m sure I've told you, I can't. Won't you? It was, like, huge, you know")
    assert got["pron_1sg"] == pytest.approx(3 / 15)  # i'm, i've, i
    assert got["pron_2"] == pytest.approx(3 / 15)
    assert got["negation"] == pytest.approx(2 / 15)  # can't, won't
    assert got["focus_future"] == pytest.approx(1 / 15)  # won't -> will
    assert got["focus_present"] == pytest.approx(2 / 15)  # i'm, know
    assert got["focus_past"] == pytest.approx(2 / 15)  # told, was
    assert got["filler"] == pytest.approx(2 / 15)  # ", like," and "you know"
    assert got["num_question_marks"] == 1.0 and got["num_sentences"] == 3.0
    assert _named(enc, "we didn't")["focus_past"] == pytest.approx(1 / 2)  # didn't -> did
    assert _named(enc, "we'll see")["focus_future"] == pytest.approx(1 / 2)
    assert _named(enc, "um, uh, I mean")["filler"] == pytest.approx(3 / 4)


def test_negemo_counts_its_children(enc):
    got = _named(enc, "sad scared angry bad")
    assert got["negemo"] == pytest.approx(1.0)
    assert got["sad"] == got["anx"] == got["anger"] == pytest.approx(1 / 4)


@pytest.mark.parametrize("text", ["", "   ", "\n", "123 456", "..."])
def test_silent_segments_give_zeros(enc, text):
    out = enc.encode([text])
    np.testing.assert_array_equal(out, np.zeros((1, enc.dim), dtype=np.float32))


def test_revision_stable_and_tracks_lists(enc, monkeypatch):
    assert LexiconEncoder().revision == enc.revision
    monkeypatch.setitem(CATEGORIES, "absolutist", CATEGORIES["absolutist"] | {"forever"})
    changed = LexiconEncoder()
    assert changed.revision != enc.revision
    assert changed.encode(["forever"])[0, changed.feature_names.index("absolutist")] == 1.0
    monkeypatch.undo()
    assert LexiconEncoder().revision == enc.revision


def test_revision_independent_of_hash_seed(enc):
    code = "from hilbert_core.encoders.lexicon import lexicon_revision; print(lexicon_revision())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == enc.revision


@pytest.mark.parametrize("texts", [["ok", None], ["ok", 3.0], "one string"])
def test_rejects_non_strings(enc, texts):
    with pytest.raises(ValueError, match="string"):
        enc.encode(texts)


def test_imports_nothing_heavy():
    # speed is measured by `hilbert bench extract`, not here
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(ast.parse(Path(lexicon.__file__).read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "hashlib", "json", "math", "re", "numpy", "registry"}
