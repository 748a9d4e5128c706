"""What is synthetic demo material: the demo corpus, models trained on it, runs on it. Pages show a
"synthetic demo" banner wherever it appears (the numbers show how the tool works, not how well a method
does on real speech)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BANNER = (
    "**Synthetic demo.** These interviews are made up (written from a script and voiced by espeak-ng, "
    "87 invented subjects); the numbers show how HILBERT Studio works, not how well a method does on "
    "real speech. Import your own corpus on the Data page."
)
SAMPLES_NOTE = "Sample interviews are synthetic too: held-out made-up subjects voiced by espeak-ng."


def is_demo_corpus(path: str | Path | None) -> bool:
    """A corpus folder written by the demo generator (it keeps its ground truth in plan.json and cues.csv)."""
    if not path:
        return False
    root = Path(str(path))
    return (root / "plan.json").is_file() and (root / "cues.csv").is_file()


def is_demo_model(model_dir: str | Path) -> bool:
    """A model bundle trained on a demo corpus (or shipped as the demo model)."""
    model_dir = Path(model_dir)
    if model_dir.name.startswith("demo-"):
        return True
    try:
        info = json.loads((model_dir / "bundle.json").read_text(encoding="utf-8")).get("info", {})
    except (OSError, ValueError, AttributeError):
        return False
    return is_demo_corpus(info.get("corpus"))


def is_demo_run(config: dict[str, Any]) -> bool:
    """A registry run on a demo corpus (a demo sweep, or a training on the seeded demo corpus)."""
    cell = config.get("cell") or {}
    if str(config.get("sweep", "")).startswith("demo"):
        return True
    return is_demo_corpus(cell.get("corpus_root")) or is_demo_corpus(config.get("corpus_root"))
