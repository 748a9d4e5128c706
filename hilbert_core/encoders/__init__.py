"""Frozen audio and text encoders, segment pooling and the on-disk feature cache.

Build encoders from specs with ``AUDIO_ENCODERS.build("whisper-tiny-en")`` or
``TEXT_ENCODERS.build("hf:/path/to/bert")``; ``AUDIO_ENCODERS.names()`` lists what is available. Heavy
libraries (transformers, sentence-transformers, faster-whisper, opensmile) are imported only when an
encoder that needs them is built.
"""

from __future__ import annotations

from typing import Any

from . import audio, clap, hf_audio, lexicon, text  # noqa: F401  (registers the encoders)
from .base import SAMPLE_RATE, AudioEncoder, ClipAudioEncoder, TextEncoder
from .cache import CacheKey, FeatureCache, make_key
from .pooling import encode_recording, pool_segments
from .registry import AUDIO_ENCODERS, TEXT_ENCODERS, Registry


def create_audio_encoder(spec: str, **kw: Any) -> AudioEncoder | ClipAudioEncoder:
    """``AUDIO_ENCODERS.build(spec, **kw)``."""
    return AUDIO_ENCODERS.build(spec, **kw)


def create_text_encoder(spec: str, **kw: Any) -> TextEncoder:
    """``TEXT_ENCODERS.build(spec, **kw)``."""
    return TEXT_ENCODERS.build(spec, **kw)


__all__ = [
    "AUDIO_ENCODERS",
    "SAMPLE_RATE",
    "TEXT_ENCODERS",
    "AudioEncoder",
    "CacheKey",
    "ClipAudioEncoder",
    "FeatureCache",
    "Registry",
    "TextEncoder",
    "create_audio_encoder",
    "create_text_encoder",
    "encode_recording",
    "make_key",
    "pool_segments",
]
