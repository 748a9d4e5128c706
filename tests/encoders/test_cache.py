from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from hilbert_core.encoders import FeatureCache, make_key

SPANS = [(0.0, 1.5), (1.5, 4.0)]


def _array(i: int) -> np.ndarray:
    return np.arange(i, i + 2000, dtype=np.float32).reshape(40, 50)  # 8 kB: writes take a moment


def _writer(root: str) -> None:
    """20 rounds of writing the same 3 keys (the other process writes them too)."""
    cache = FeatureCache(root)
    for _ in range(20):
        for i in range(3):
            cache.put(make_key(f"audio{i}", SPANS, "hf:/models/w2v@9", "rev1"), _array(i))


def test_put_get_roundtrip_and_layout(tmp_path):
    cache = FeatureCache(tmp_path)
    key = cache.make_key("ab" * 32, SPANS, "hf:/models/w2v@9", "rev1")
    assert cache.get(key) is None
    path = cache.put(key, _array(0))
    assert path == tmp_path / "hf_models_w2v_9" / key.digest[:2] / f"{key.digest}.npy"
    np.testing.assert_array_equal(cache.get(key), _array(0))
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_keys_change_with_content_segments_and_encoder():
    base = make_key("audio", SPANS, "logmel", "r1")
    assert base == make_key("audio", [list(s) for s in SPANS], "logmel", "r1")
    assert base != make_key("audio2", SPANS, "logmel", "r1")
    assert base != make_key("audio", [(0.0, 1.5), (1.5, 4.01)], "logmel", "r1")
    assert base != make_key("audio", SPANS, "logmel", "r2")
    assert base != make_key("audio", SPANS, "egemaps", "r1")
    text = make_key("text", ["i feel tired", "yes"], "minilm-l6", "r1")
    assert text != make_key("text", ["i feel tired", "no"], "minilm-l6", "r1")  # changed transcript
    assert text != make_key("text", ["i feel tired", "yes"], "minilm-l6", "r2")  # changed revision


def test_unreadable_entry_is_a_miss(tmp_path):
    cache = FeatureCache(tmp_path)
    key = make_key("a", SPANS, "logmel", "r1")
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_bytes(b"not an npy file")
    assert cache.get(key) is None
    with pytest.raises(ValueError, match="numeric"):
        cache.put(key, np.array([object()]))


def test_concurrent_writers_leave_complete_arrays(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path),)) for _ in range(2)]
    for p in procs:
        p.start()
    cache = FeatureCache(tmp_path)
    reads = 0
    while any(p.is_alive() for p in procs):  # read while they write: never a torn array
        for i in range(3):
            got = cache.get(make_key(f"audio{i}", SPANS, "hf:/models/w2v@9", "rev1"))
            if got is not None:
                np.testing.assert_array_equal(got, _array(i))
                reads += 1
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    for i in range(3):
        np.testing.assert_array_equal(
            cache.get(make_key(f"audio{i}", SPANS, "hf:/models/w2v@9", "rev1")), _array(i)
        )
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".npy"]
    assert leftovers == []
