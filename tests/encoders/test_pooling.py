from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.encoders import encode_recording, pool_segments

from .conftest import SR, CountingClipEncoder, CountingFrameEncoder, tone, windows_of


def test_pool_segments_matches_hand_computation():
    frames = np.arange(20, dtype=np.float32).reshape(10, 2)  # 10 frames at 10/s, centres 0.05, 0.15, ...
    spans = [(0.0, 0.3), (0.25, 0.26), (0.5, 1.0), (0.12, 0.12)]
    out = pool_segments(frames, 10.0, spans)
    expected = np.stack(
        [
            frames[0:3].mean(0),  # centres 0.05, 0.15, 0.25
            frames[2],  # no centre in [0.25, 0.26): nearest frame, centred 0.25
            frames[5:10].mean(0),  # centres 0.55 ... 0.95
            frames[1],  # zero-length span at 0.12: nearest centre 0.15
        ]
    )
    np.testing.assert_allclose(out, expected)
    assert out.dtype == np.float32


def test_pool_segments_offset_and_errors():
    frames = np.ones((4, 3), dtype=np.float32) * np.arange(4)[:, None]
    out = pool_segments(frames, 2.0, [(10.0, 11.0)], frame_offset_s=10.0)  # centres 10.25, 10.75, ...
    np.testing.assert_allclose(out, [[0.5, 0.5, 0.5]])
    with pytest.raises(ValueError, match="span"):
        pool_segments(frames, 2.0, [(2.0, 1.0)])
    with pytest.raises(ValueError, match="span"):
        pool_segments(frames, 2.0, [(-1.0, 1.0)])
    with pytest.raises(ValueError, match=r"\(T, D\)"):
        pool_segments(np.ones(4), 2.0, [(0.0, 1.0)])
    assert pool_segments(frames, 2.0, []).shape == (0, 3)


def test_encode_recording_equals_whole_signal_and_runs_once_per_window():
    audio = tone(7.3)
    spans = [(0.0, 1.234), (1.1, 3.9), (3.95, 3.951), (5.0, 7.3), (2.0, 6.0)]
    whole = CountingFrameEncoder(max_window_s=10.0)
    expected = pool_segments(whole.encode_window(audio), whole.frame_rate, spans)
    windowed = CountingFrameEncoder(max_window_s=10.0)
    out = encode_recording(windowed, windows_of(audio, 2.0), spans)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)
    assert len(windowed.calls) == 4  # 4 windows (2, 2, 2, 1.3 s) for 5 segments: never once per segment


def test_encode_recording_splits_long_windows_and_skips_far_ones():
    audio = tone(12.0)
    enc = CountingFrameEncoder(max_window_s=3.0)
    out = encode_recording(enc, windows_of(audio, 12.0), [(0.5, 1.5)])
    assert enc.calls == [3 * SR]  # split into 3 s pieces; only the first is near the span
    expected = pool_segments(CountingFrameEncoder().encode_window(audio), 100.0, [(0.5, 1.5)])
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_encode_recording_rejects_overlapping_windows():
    audio = tone(4.0)
    overlapping = [(0.0, audio[: 2 * SR]), (1.0, audio[SR : 3 * SR])]
    with pytest.raises(ValueError, match="overlaps"):
        encode_recording(CountingFrameEncoder(), overlapping, [(0.0, 3.0)])


def test_encode_recording_empty_recording():
    with pytest.raises(ValueError, match="no audio frames lie near 1 segment"):
        encode_recording(CountingFrameEncoder(), [], [(0.0, 1.0)])
    assert encode_recording(CountingFrameEncoder(), [], []).shape == (0, 2)


def test_clip_encoder_gets_each_segment_audio_in_batches():
    audio = tone(7.0)
    spans = [(0.5, 1.5), (1.8, 4.6), (4.0, 4.05), (6.5, 8.0)]  # crosses windows, overlaps, runs past the end
    enc = CountingClipEncoder()
    out = encode_recording(enc, windows_of(audio, enc.max_window_s), spans)
    lengths = [1.0, 2.8, 0.05, 0.5]
    np.testing.assert_allclose(out[:, 0], lengths, atol=1e-4)
    for row, (start, end) in zip(out, spans, strict=True):
        clip = audio[round(start * SR) : round(min(end, 7.0) * SR)]
        np.testing.assert_allclose(row[1], clip.mean(), rtol=1e-4, atol=1e-6)
    assert enc.calls == 2  # batches of 3 clips, not one call per segment
