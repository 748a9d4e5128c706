"""Named training presets: a few config overrides and a number of outer folds, for the Train page's
"Preset" menu and ``hilbert cv|train|sweep --preset NAME``.

- ``standard``: the defaults (the paper's recipe, 5 outer folds in the Studio).
- ``quick``: a check that the data, encoders and method run end to end and learn something, in about a
  minute on a laptop CPU for a 100-interview corpus with extracted features (3 outer folds, one inner
  model per fold, at most 20 epochs). Its AUC is rough: use ``standard`` for numbers you report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """A named starting point: ``overrides`` (``section.field=value``) and outer ``folds``."""

    name: str
    title: str
    description: str
    folds: int
    epochs: int
    overrides: tuple[str, ...] = ()


PRESETS = {
    "standard": Preset(
        "standard",
        "Standard",
        "the paper's recipe: 5 outer folds, 5 inner models per fold, up to 150 epochs",
        folds=5,
        epochs=150,
    ),
    "quick": Preset(
        "quick",
        "Quick check (about a minute)",
        "3 outer folds, one inner model per fold, at most 20 epochs: checks that everything runs and learns; "
        "about a minute on a laptop for 100 interviews with extracted features; rough AUC",
        folds=3,
        epochs=20,
        overrides=("train.num_inner=1", "train.patience=5"),
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (ValueError naming the choices otherwise)."""
    if name not in PRESETS:
        raise ValueError(f"preset {name!r} is unknown; choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def preset_overrides(name: str) -> list[str]:
    """The preset's config overrides, its epochs included."""
    preset = get_preset(name)
    return [*preset.overrides, f"train.epochs={preset.epochs}"]
