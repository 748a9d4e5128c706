"""Tiny offline encoders for the encoder tests: random-weight transformers models saved into a temporary
folder with ``save_pretrained`` (no downloads), plus fake encoders that count their calls."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from tests.tiny import VOCAB, tiny_vocab

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SR = 16_000


def tone(seconds: float, freq: float = 220.0, seed: int = 0) -> np.ndarray:
    """A (seconds * 16000,) float32 tone with a slow amplitude wobble and a little noise."""
    t = np.arange(round(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    x = 0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t))
    return (x + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def windows_of(audio: np.ndarray, window_s: float):
    """Contiguous ``(start_s, samples)`` windows, as ``hilbert_core.audio.reader.iter_windows`` yields
    them."""
    step = round(window_s * SR)
    return ((i / SR, audio[i : i + step]) for i in range(0, len(audio), step))


class CountingFrameEncoder:
    """Frame-local fake encoder: frame ``i`` = [mean, std] of samples ``[160 i, 160 i + 160)``, 100 frames/s.

    Each frame depends only on its own samples, so windowed encoding equals whole-signal encoding exactly.
    """

    name = "counting"
    revision = "0"
    dim = 2
    frame_rate = 100.0

    def __init__(self, max_window_s: float = 30.0) -> None:
        self.max_window_s = max_window_s
        self.calls: list[int] = []

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        self.calls.append(len(audio))
        frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
        return np.stack([frames.mean(1), frames.std(1)], axis=1).astype(np.float32)


class CountingClipEncoder:
    """Fake clip encoder: a clip's vector = [length in s, mean sample]."""

    name = "clip"
    revision = "0"
    dim = 2
    max_window_s = 2.0
    batch_size = 3

    def __init__(self) -> None:
        self.calls = 0

    def encode_clips(self, clips: list[np.ndarray]) -> np.ndarray:
        self.calls += 1
        return np.array([[len(c) / SR, c.mean() if len(c) else 0.0] for c in clips], dtype=np.float32)


@pytest.fixture(scope="session")
def tiny_wav2vec2_dir(tmp_path_factory) -> str:
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

    torch.manual_seed(0)
    config = Wav2Vec2Config(
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
    )
    path = tmp_path_factory.mktemp("tiny_wav2vec2")
    Wav2Vec2Model(config).save_pretrained(path)
    Wav2Vec2FeatureExtractor(sampling_rate=SR, do_normalize=True).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_whisper_dir(tmp_path_factory) -> str:
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperModel

    torch.manual_seed(0)
    config = WhisperConfig(
        vocab_size=64,
        d_model=16,
        encoder_layers=2,
        encoder_attention_heads=2,
        decoder_layers=1,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        num_mel_bins=80,
        max_target_positions=32,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=1,
        suppress_tokens=[],
        begin_suppress_tokens=[],
    )
    path = tmp_path_factory.mktemp("tiny_whisper")
    WhisperModel(config).save_pretrained(path)
    WhisperFeatureExtractor(feature_size=80).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_clap_dir(tmp_path_factory) -> str:
    from transformers import BertTokenizerFast, ClapConfig, ClapFeatureExtractor, ClapModel

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_clap")
    tokenizer = BertTokenizerFast(vocab=tiny_vocab(path), model_max_length=32)
    config = ClapConfig(
        text_config={
            "vocab_size": len(VOCAB),
            "hidden_size": 16,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "intermediate_size": 32,
            "max_position_embeddings": 40,
            "type_vocab_size": 1,
            "pad_token_id": 0,
        },
        audio_config={
            "hidden_size": 16,  # = patch_embeds_hidden_size * 2 ** (len(depths) - 1)
            "patch_embeds_hidden_size": 8,
            "depths": [1, 1],
            "num_attention_heads": [1, 2],
            "spec_size": 256,
        },
        projection_dim=8,
    )
    ClapModel(config).save_pretrained(path)
    ClapFeatureExtractor().save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)
