"""Named experiment presets: a JSON file per preset in this folder, each a description and a list of
``section.field=value`` overrides applied on top of the defaults (``hilbert cv --preset NAME``)."""

from __future__ import annotations

import json
from pathlib import Path

from ..config import ExperimentConfig

_FOLDER = Path(__file__).resolve().parent


def list_presets() -> dict[str, str]:
    """Preset name -> its one-line description."""
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))["description"]
        for p in sorted(_FOLDER.glob("*.json"))
    }


def preset_overrides(name: str) -> list[str]:
    """The overrides of preset ``name``; raises ValueError naming the presets that exist."""
    path = _FOLDER / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"preset {name!r} is unknown; choose one of {', '.join(list_presets())}.")
    return list(json.loads(path.read_text(encoding="utf-8"))["overrides"])


def load_preset(name: str, base: ExperimentConfig | None = None) -> ExperimentConfig:
    """``base`` (default: the defaults) with preset ``name``'s overrides applied."""
    return (base or ExperimentConfig()).apply_overrides(preset_overrides(name))
