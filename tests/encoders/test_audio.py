from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.encoders import AUDIO_ENCODERS, AudioEncoder, encode_recording, pool_segments

from .conftest import SR, tone, windows_of


@pytest.fixture(scope="module")
def logmel():
    return AUDIO_ENCODERS.build("logmel")


def test_logmel_shapes_and_protocol(logmel):
    assert isinstance(logmel, AudioEncoder)
    assert (logmel.dim, logmel.frame_rate) == (128, 100.0)
    frames = logmel.encode_window(tone(2.5))
    assert frames.shape == (250, 128) and frames.dtype == np.float32
    assert np.isfinite(frames).all()
    assert (frames[:, 64:] >= 0).all()  # absolute deltas
    assert logmel.encode_window(tone(0.005)).shape == (1, 128)  # shorter than a hop: one frame
    assert logmel.encode_window(np.zeros(0, np.float32)).shape == (0, 128)
    assert logmel.encode_window(np.zeros(SR, np.float32)).shape == (100, 128)  # silence stays finite


def test_logmel_matches_torchaudio(logmel):
    import torch
    import torchaudio

    audio = tone(3.0)
    melspec = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=400, hop_length=160, n_mels=64, center=False
    )
    padded = torch.nn.functional.pad(torch.from_numpy(audio)[None, None], (120, 120), mode="reflect")[0, 0]
    reference = torch.log(melspec(padded) + 1e-6)  # (64, T)
    deltas = torchaudio.functional.compute_deltas(reference[None], win_length=5)[0].abs()
    frames = logmel.encode_window(audio)
    np.testing.assert_allclose(frames[:, :64], reference.T.numpy(), atol=1e-3)
    np.testing.assert_allclose(frames[:, 64:], deltas.T.numpy(), atol=1e-3)


def test_logmel_revision_is_stable(logmel):
    assert logmel.revision == AUDIO_ENCODERS.build("logmel").revision
    assert len(logmel.revision) == 16


def test_logmel_window_errors(logmel):
    with pytest.raises(ValueError, match="mono"):
        logmel.encode_window(np.zeros((2, SR), np.float32))
    with pytest.raises(ValueError, match="max_window_s"):
        logmel.encode_window(np.zeros(31 * SR, np.float32))


def test_logmel_windowed_matches_one_window(logmel):
    """2 s windows vs one 10 s window: frames tile exactly; only frames at window edges see padding."""
    audio = tone(10.0)
    whole = logmel.encode_window(audio)
    tiled = np.concatenate([logmel.encode_window(w) for _, w in windows_of(audio, 2.0)])
    assert whole.shape == tiled.shape == (1000, 128)
    differs = np.flatnonzero(np.abs(whole - tiled).max(1) > 1e-4)
    edges = np.arange(200, 1000, 200)
    assert all(np.abs(edges - i).min() <= 3 for i in differs)  # padding + delta reach: 3 frames per edge

    spans = [(0.3, 2.7), (2.5, 6.1), (6.0, 9.9), (4.2, 4.203)]
    expected = pool_segments(whole, logmel.frame_rate, spans)
    out = encode_recording(logmel, windows_of(audio, 2.0), spans)
    assert out.shape == (4, 128)
    np.testing.assert_allclose(out, expected, rtol=0, atol=0.1)
    np.testing.assert_allclose(out[3], expected[3], atol=1e-5)  # a frame far from any window edge


@pytest.mark.slow
def test_egemaps():
    enc = AUDIO_ENCODERS.build("egemaps")
    assert (enc.dim, enc.frame_rate) == (25, 100.0)
    frames = enc.encode_window(tone(3.0))
    assert frames.shape[1] == 25 and 280 <= frames.shape[0] <= 300
    assert np.isfinite(frames).all()
    out = encode_recording(enc, windows_of(tone(5.0), enc.max_window_s), [(0.0, 2.0), (2.0, 5.0)])
    assert out.shape == (2, 25) and np.isfinite(out).all()


@pytest.mark.slow
def test_whisper_tiny_en():
    enc = AUDIO_ENCODERS.build("whisper-tiny-en")
    assert (enc.dim, enc.frame_rate, enc.max_window_s) == (384, 50.0, 30.0)
    frames = enc.encode_window(tone(3.0))
    assert frames.shape == (150, 384) and np.isfinite(frames).all()
    out = encode_recording(enc, windows_of(tone(40.0), enc.max_window_s), [(0.0, 10.0), (25.0, 40.0)])
    assert out.shape == (2, 384) and np.isfinite(out).all()
    assert AUDIO_ENCODERS.build("whisper-tiny-en").model is enc.model  # loaded once per process
