from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.encoders import AUDIO_ENCODERS, encode_recording

from .conftest import tone, windows_of


def test_wav2vec2_dims_frames_and_layers(tiny_wav2vec2_dir):
    enc = AUDIO_ENCODERS.build(f"hf:{tiny_wav2vec2_dir}", device="cpu")
    assert (enc.dim, enc.frame_rate, enc.max_window_s, enc.layer) == (16, 50.0, 20.0, 2)
    frames = enc.encode_window(tone(2.0))
    assert frames.shape == (99, 16) and frames.dtype == np.float32  # (32000 - 400) // 320 + 1
    assert enc.encode_window(tone(0.01)).shape == (1, 16)  # shorter than the receptive field
    first = AUDIO_ENCODERS.build(f"hf:{tiny_wav2vec2_dir}@0", device="cpu")
    assert first.layer == 0 and first.revision != enc.revision
    assert not np.allclose(first.encode_window(tone(2.0)), frames)
    np.testing.assert_allclose(
        AUDIO_ENCODERS.build(f"hf:{tiny_wav2vec2_dir}@-1", device="cpu").encode_window(tone(2.0)), frames
    )
    with pytest.raises(ValueError, match="out of range"):
        AUDIO_ENCODERS.build(f"hf:{tiny_wav2vec2_dir}@3", device="cpu")


def test_wav2vec2_batches_equal_lengths(tiny_wav2vec2_dir):
    enc = AUDIO_ENCODERS.build(f"hf:{tiny_wav2vec2_dir}", device="cpu")
    windows = [tone(1.0, seed=1), tone(1.0, seed=2), tone(0.5, seed=3)]
    batched = enc.encode_windows(windows)
    for window, frames in zip(windows, batched, strict=True):
        np.testing.assert_allclose(frames, enc.encode_window(window), rtol=1e-4, atol=1e-5)
    enc.batch_size = 2
    out = encode_recording(enc, windows_of(tone(3.0), 1.0), [(0.0, 1.5), (1.5, 3.0)])
    assert out.shape == (2, 16) and np.isfinite(out).all()


def test_whisper_encoder_trims_padding(tiny_whisper_dir):
    enc = AUDIO_ENCODERS.build(f"hf:{tiny_whisper_dir}", device="cpu")
    assert (enc.dim, enc.frame_rate, enc.max_window_s, enc.layer) == (16, 50.0, 30.0, 2)
    frames = enc.encode_window(tone(3.0))
    assert frames.shape == (150, 16) and np.isfinite(frames).all()
    assert enc.encode_window(tone(30.0)).shape == (1500, 16)
    mid = AUDIO_ENCODERS.build(f"hf:{tiny_whisper_dir}@1", device="cpu")
    assert mid.encode_window(tone(3.0)).shape == (150, 16)
    assert not np.allclose(mid.encode_window(tone(3.0)), frames)


def test_hf_rejects_text_models(tiny_bert_dir):
    with pytest.raises(ValueError, match="wav2vec2-style"):
        AUDIO_ENCODERS.build(f"hf:{tiny_bert_dir}", device="cpu")


def test_missing_folder():
    with pytest.raises(ValueError, match="does not exist"):
        AUDIO_ENCODERS.build("hf:/no/such/folder")


def test_unreachable_hub_id_says_what_to_do(monkeypatch):
    import transformers

    def offline(*args, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    monkeypatch.setattr(transformers.AutoFeatureExtractor, "from_pretrained", offline)
    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", offline)
    with pytest.raises(ValueError) as info:
        AUDIO_ENCODERS.build("hf:facebook/wav2vec2-base")
    assert str(info.value) == (
        "could not load 'facebook/wav2vec2-base' from the Hugging Face hub (no connection?); download it "
        "where you have internet and pass its local folder: --audio-encoder hf:/path/to/model"
    )
