from __future__ import annotations

import numpy as np

from hilbert_core.encoders import AUDIO_ENCODERS, TEXT_ENCODERS, ClipAudioEncoder, encode_recording

from .conftest import tone, windows_of


def test_clap_audio_and_text_towers(tiny_clap_dir):
    audio_enc = AUDIO_ENCODERS.build(f"clap:{tiny_clap_dir}", device="cpu")
    text_enc = TEXT_ENCODERS.build(f"clap:{tiny_clap_dir}", device="cpu")
    assert isinstance(audio_enc, ClipAudioEncoder)
    assert audio_enc.model is text_enc.model  # one model, shared
    assert audio_enc.dim == text_enc.dim == 8

    audio = tone(13.0)
    spans = [(0.0, 2.0), (2.0, 2.02), (1.0, 12.5)]  # the last one is longer than CLAP's 10 s
    out = encode_recording(audio_enc, windows_of(audio, audio_enc.max_window_s), spans)
    assert out.shape == (3, 8) and np.isfinite(out).all()
    again = audio_enc.encode_clips([audio[16000:200000]])  # deterministic: no random crops
    np.testing.assert_allclose(again[0], out[2], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out[:2], axis=1), 1.0, atol=1e-4)

    text = text_enc.encode(["i feel tired", ""])
    assert text.shape == (2, 8) and np.isfinite(text).all()
