"""``hf:<id or folder>[@layer]``: transformers speech encoders as frame encoders.

Supported: wav2vec2-style models (wav2vec2, HuBERT, WavLM, wav2vec2-conformer, data2vec-audio; 20 s windows)
and Whisper (its encoder only; 30 s windows, zero-padded as in training, output trimmed to the real length).
``@layer`` picks ``hidden_states[layer]`` (0 = the input embeddings, n = the last layer; default the last).

Shapes: ``B`` windows, ``L`` samples, ``T`` frames, ``D`` hidden size.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
import torch

from .base import SAMPLE_RATE, check_window
from .hub import (
    batch_size_for,
    check_source,
    freeze,
    load_pretrained,
    model_revision,
    pick_device,
    resolve_layer,
    split_layer,
)
from .registry import AUDIO_ENCODERS

logger = logging.getLogger(__name__)

WAV2VEC2_WINDOW_S = 20.0


@functools.lru_cache(maxsize=4)
def _load(source: str, device: torch.device) -> tuple[Any, torch.nn.Module, Any]:
    """Feature extractor, frozen model (the encoder only, for Whisper) and its config, loaded once."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoModel

    config = load_pretrained(source, AutoConfig.from_pretrained, "--audio-encoder", "hf")
    if config.model_type != "whisper" and not hasattr(config, "conv_stride"):
        raise ValueError(
            f"hf:{source} is a {config.model_type!r} model; hf: audio encoders must be wav2vec2-style "
            "(wav2vec2, HuBERT, WavLM, wav2vec2-conformer) or Whisper. For text models use --text-encoder."
        )
    extractor = load_pretrained(source, AutoFeatureExtractor.from_pretrained, "--audio-encoder", "hf")
    model = load_pretrained(source, AutoModel.from_pretrained, "--audio-encoder", "hf")
    config = model.config
    if config.model_type == "whisper":
        model = model.get_encoder()
    logger.info("loaded %s (%s) on %s", source, config.model_type, device)
    return extractor, freeze(model, device), config


@AUDIO_ENCODERS.register("hf:", "<hub id or folder>[@layer]")
class HFAudioEncoder:
    """A transformers speech model's hidden states as frames (T, D), 50 frames/s for the supported families.

    Args:
        argument: ``<hub id or folder>`` with an optional ``@layer`` suffix.
        device: ``"auto"`` (GPU when present), ``"cpu"`` or a torch device string.
    """

    def __init__(self, argument: str, device: str | torch.device = "auto") -> None:
        source, layer = split_layer(argument)
        source = check_source(source)
        self.device = pick_device(device)
        self.extractor, self.model, config = _load(source, self.device)
        self.is_whisper = config.model_type == "whisper"
        num_layers = config.encoder_layers if self.is_whisper else config.num_hidden_layers
        self.layer = resolve_layer(layer, num_layers, source)
        self.name = f"hf:{argument}"
        self.dim = int(config.d_model if self.is_whisper else config.hidden_size)
        if self.is_whisper:
            self.frame_rate = SAMPLE_RATE / (self.extractor.hop_length * 2)  # conv stride 2 over mel frames
            self.max_window_s = float(self.extractor.chunk_length)
        else:
            self.frame_rate = SAMPLE_RATE / float(np.prod(config.conv_stride))
            self.max_window_s = WAV2VEC2_WINDOW_S
            self.min_samples = _receptive_field(config.conv_kernel, config.conv_stride)
        self.batch_size = batch_size_for(self.device, cpu=1, gpu=8)
        self.revision = model_revision(source, config, layer=self.layer)

    def encode_window(self, audio: np.ndarray) -> np.ndarray:
        """(L,) float32 16 kHz -> (T, D) float32."""
        return self.encode_windows([audio])[0]

    def encode_windows(self, windows: list[np.ndarray]) -> list[np.ndarray]:
        """Encode windows, batching those of equal length (no padding reaches the model); (T_i, D) each."""
        windows = [check_window(w, self.max_window_s, self.name) for w in windows]
        out: list[np.ndarray | None] = [None] * len(windows)
        by_length: dict[int, list[int]] = {}
        for i, w in enumerate(windows):
            by_length.setdefault(len(w), []).append(i)
        for length, idx in by_length.items():
            if length == 0:
                for i in idx:
                    out[i] = np.zeros((0, self.dim), dtype=np.float32)
                continue
            frames = self._forward([windows[i] for i in idx])  # (B, T, D)
            for j, i in enumerate(idx):
                out[i] = frames[j]
        return out  # type: ignore[return-value]

    def _forward(self, batch: list[np.ndarray]) -> np.ndarray:
        """(B, L) equal-length windows -> (B, T, D)."""
        with torch.inference_mode():
            if self.is_whisper:
                inputs = self.extractor(batch, sampling_rate=SAMPLE_RATE, return_tensors="pt")
                features = inputs["input_features"].to(self.device, self.model.dtype)  # (B, mels, 3000)
                hidden = self.model(features, output_hidden_states=True).hidden_states[self.layer]
                num_frames = max(1, int(len(batch[0]) * self.frame_rate // SAMPLE_RATE))
                hidden = hidden[:, :num_frames]  # drop the frames of the zero padding
            else:
                if len(batch[0]) < self.min_samples:  # shorter than one frame: zero-pad to one
                    batch = [np.pad(w, (0, self.min_samples - len(w))) for w in batch]
                inputs = self.extractor(batch, sampling_rate=SAMPLE_RATE, return_tensors="pt")
                values = inputs["input_values"].to(self.device, self.model.dtype)  # (B, L)
                hidden = self.model(values, output_hidden_states=True).hidden_states[self.layer]
        return hidden.float().cpu().numpy()


def _receptive_field(kernels: list[int], strides: list[int]) -> int:
    """Samples that one output frame of the convolutional feature encoder sees (400 for wav2vec2)."""
    field, jump = 1, 1
    for kernel, stride in zip(kernels, strides, strict=True):
        field += (kernel - 1) * jump
        jump *= stride
    return field
