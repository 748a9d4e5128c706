"""Helpers of the sweep tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_sweep(folder: Path, body: str) -> Path:
    """Write ``body`` (dedented) to ``folder/sweep.yaml`` and return its path."""
    path = folder / "sweep.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path
