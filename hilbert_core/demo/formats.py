"""Audio formats of the demo corpus (a dependency-free module, so the CLI can list them cheaply)."""

from __future__ import annotations

AUDIO_FORMATS = ("opus", "flac")
EXTENSIONS = {"opus": ".opus", "flac": ".flac"}  # our loader sniffs content; validate accepts both
