"""``clap:<id or folder>``: CLAP's audio tower (clip level) and text tower, sharing one loaded model.

CLAP embeds clips, not frames, so it is the one audio encoder that sees each segment's own audio
(:class:`~hilbert_core.encoders.base.ClipAudioEncoder`); ``encode_recording`` still reads the recording once.
Clips are resampled from 16 to 48 kHz; clips longer than the model's 10 s are cut into pieces whose
embeddings are averaged, weighted by length, so no random crop ever happens. Outputs are CLAP's projected,
L2-normalised embeddings (D = ``projection_dim``).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from .base import SAMPLE_RATE
from .hub import batch_size_for, check_source, freeze, load_pretrained, model_revision, pick_device
from .registry import AUDIO_ENCODERS, TEXT_ENCODERS

logger = logging.getLogger(__name__)

MIN_CLIP_S = 0.1


_LOADED: dict[tuple[str, str], tuple[torch.nn.Module, Any, Any]] = {}  # one CLAP model per process


def _load(source: str, device: torch.device, flag: str) -> tuple[torch.nn.Module, Any, Any]:
    """Frozen ClapModel, its feature extractor and tokenizer, loaded once and shared by the audio and text
    towers (``flag`` only words the error message, so it is not part of the cache key)."""
    key = (source, str(device))
    if key not in _LOADED:
        from transformers import AutoFeatureExtractor, AutoTokenizer, ClapModel

        model = load_pretrained(source, ClapModel.from_pretrained, flag, "clap")
        extractor = load_pretrained(source, AutoFeatureExtractor.from_pretrained, flag, "clap")
        tokenizer = load_pretrained(source, AutoTokenizer.from_pretrained, flag, "clap")
        logger.info("loaded CLAP %s on %s", source, device)
        _LOADED.clear()
        _LOADED[key] = (freeze(model, device), extractor, tokenizer)
    return _LOADED[key]


def _pooled(output: Any) -> torch.Tensor:
    """``get_*_features`` returns a tensor (transformers 4) or an output with ``pooler_output`` (5)."""
    return output if isinstance(output, torch.Tensor) else output.pooler_output


@AUDIO_ENCODERS.register("clap:")
class ClapAudioEncoder:
    """CLAP audio tower: one (D,) embedding per segment clip.

    Args:
        source: hub id or local folder of a CLAP model (with its feature extractor and tokenizer).
        device: ``"auto"``, ``"cpu"`` or a torch device string.
    """

    max_window_s = 30.0  # how encode_recording streams the recording; clips may be any length

    def __init__(self, source: str, device: str | torch.device = "auto") -> None:
        source = check_source(source)
        self.device = pick_device(device)
        self.model, self.extractor, _ = _load(source, self.device, "--audio-encoder")
        self.name = f"clap:{source}"
        self.dim = int(self.model.config.projection_dim)
        self.sampling_rate = int(self.extractor.sampling_rate)  # 48 kHz
        self.max_clip_s = self.extractor.nb_max_samples / self.sampling_rate  # 10 s
        self.fusion = bool(self.model.config.audio_config.enable_fusion)
        self.batch_size = batch_size_for(self.device, cpu=8, gpu=32)
        self.revision = model_revision(source, self.model.config, tower="audio", min_clip_s=MIN_CLIP_S)

    def encode_clips(self, clips: list[np.ndarray]) -> np.ndarray:
        """N 16 kHz float32 clips (any length) -> (N, D) float32."""
        import torchaudio

        pieces, owners, weights = [], [], []
        step = round(self.max_clip_s * SAMPLE_RATE)
        for i, clip in enumerate(clips):
            clip = np.asarray(clip, dtype=np.float32)
            if len(clip) < MIN_CLIP_S * SAMPLE_RATE:
                clip = np.pad(clip, (0, round(MIN_CLIP_S * SAMPLE_RATE) - len(clip)))
            for start in range(0, len(clip), step):
                piece = torch.from_numpy(np.ascontiguousarray(clip[start : start + step]))
                hi_res = torchaudio.functional.resample(piece, SAMPLE_RATE, self.sampling_rate)
                pieces.append(hi_res[: self.extractor.nb_max_samples].numpy())
                owners.append(i)
                weights.append(len(piece))
        embeddings = np.concatenate(
            [self._embed(pieces[k : k + self.batch_size]) for k in range(0, len(pieces), self.batch_size)]
        )  # (pieces, D)
        out = np.zeros((len(clips), self.dim), dtype=np.float64)
        np.add.at(out, owners, embeddings * np.asarray(weights, dtype=np.float64)[:, None])
        totals = np.bincount(owners, weights=weights, minlength=len(clips))
        return (out / totals[:, None]).astype(np.float32)

    def _embed(self, pieces: list[np.ndarray]) -> np.ndarray:
        truncation = "fusion" if self.fusion else "rand_trunc"  # no piece is longer than 10 s: no cropping
        inputs = self.extractor(
            pieces, sampling_rate=self.sampling_rate, truncation=truncation, return_tensors="pt"
        )
        # The extractor may flag a random clip as "longer" to exercise fusion; none is, so say so.
        is_longer = torch.zeros(len(pieces), 1, dtype=torch.bool, device=self.device)
        with torch.inference_mode():
            features = inputs["input_features"].to(self.device, self.model.dtype)
            output = self.model.get_audio_features(input_features=features, is_longer=is_longer)
        return _pooled(output).float().cpu().numpy()


@TEXT_ENCODERS.register("clap:")
class ClapTextEncoder:
    """CLAP text tower: (N, D) projected, L2-normalised embeddings, in the same space as the audio tower."""

    def __init__(
        self, source: str, device: str | torch.device = "auto", batch_size: int | None = None
    ) -> None:
        source = check_source(source)
        self.device = pick_device(device)
        self.model, _, self.tokenizer = _load(source, self.device, "--text-encoder")
        self.name = f"clap:{source}"
        self.dim = int(self.model.config.projection_dim)
        self.batch_size = batch_size or batch_size_for(self.device, cpu=32, gpu=256)
        self.max_length = min(int(self.tokenizer.model_max_length), 512)
        self.revision = model_revision(source, self.model.config, tower="text")

    def encode(self, texts: list[str]) -> np.ndarray:
        """N strings (empty allowed) -> (N, D) float32."""
        out = []
        for k in range(0, len(texts), self.batch_size):
            batch = self.tokenizer(
                list(texts[k : k + self.batch_size]),
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                output = self.model.get_text_features(
                    input_ids=batch["input_ids"].to(self.device),
                    attention_mask=batch["attention_mask"].to(self.device),
                )
            out.append(_pooled(output).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)
