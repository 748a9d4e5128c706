"""Named presets: one JSON file per preset in this folder (a title, a one-line description, the outer
folds and a list of ``section.field=value`` overrides applied on top of the defaults). The Train page's
"Preset" menu and ``hilbert cv|train|sweep --preset NAME`` read the same files.

- ``standard``: the defaults, 5 outer folds.
- ``quick``: a check that the data, encoders and method run end to end and learn something, in about a
  minute on a laptop CPU for a 100-interview corpus (3 outer folds, one inner model, <= 20 epochs).
- ``paper``: the network as the HILBERT paper describes it, with the paper's 25 outer folds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..config import ExperimentConfig

_FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Preset:
    """A named starting point: ``overrides`` (``section.field=value``) and outer ``folds``."""

    name: str
    title: str
    description: str
    folds: int
    overrides: tuple[str, ...] = ()

    @property
    def epochs(self) -> int:
        """The maximum epochs this preset trains for (its override, else the default)."""
        return ExperimentConfig().apply_overrides(list(self.overrides)).train.epochs


def _read(path: Path) -> Preset:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Preset(path.stem, data["title"], data["description"], int(data["folds"]), tuple(data["overrides"]))


_ALL = sorted((_read(f) for f in _FOLDER.glob("*.json")), key=lambda p: (p.name != "standard", p.folds))
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}  # standard first, then by outer folds


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (ValueError naming the choices otherwise)."""
    if name not in PRESETS:
        raise ValueError(f"preset {name!r} is unknown; choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def list_presets() -> dict[str, str]:
    """Preset name -> its one-line description."""
    return {name: p.description for name, p in PRESETS.items()}


def preset_overrides(name: str) -> list[str]:
    """The overrides of preset ``name``; raises ValueError naming the presets that exist."""
    return list(get_preset(name).overrides)


def load_preset(name: str, base: ExperimentConfig | None = None) -> ExperimentConfig:
    """``base`` (default: the defaults) with preset ``name``'s overrides applied."""
    return (base or ExperimentConfig()).apply_overrides(preset_overrides(name))
