"""A reproducible synthetic corpus of spoken clinical interviews (the product's demo corpus).

``make_plan(DemoConfig(...))`` decides labels, transcripts, cues and prosody (pure Python + NumPy);
``write_demo_corpus(out, config)`` synthesises the interviews with espeak-ng and writes a corpus folder.
Names are imported on first use, so ``hilbert --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DemoConfig": "script",
    "DemoPlan": "script",
    "DocumentPlan": "interview",
    "SegmentPlan": "interview",
    "make_plan": "script",
    "SynthConfig": "synth",
    "DemoCorpusOutput": "corpus",
    "write_demo_corpus": "corpus",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
