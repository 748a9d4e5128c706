"""The workspace: one folder holding a researcher's corpora, features, models, runs and jobs.

Default location ``~/.hilbert-studio/workspace``; the ``HILBERT_WORKSPACE`` environment variable
(or an explicit path) overrides it. Layout::

    registry.sqlite      run registry and background jobs (hilbert_core.experiments.registry, hilbert_core.experiments.jobs)
    corpora/<name>/      corpus folders (documents.csv, segments.csv, audio/)
    features/            encoder outputs shared by sweeps (hilbert_core.experiments.sweep.features_folder)
    models/<name>/       trained bundles (model.safetensors + bundle.json)
    uploads/<session>/   interviews uploaded in one browser session, never shown to another
    cache/, jobs/, exports/

A new workspace is seeded from the shipped demo assets (``assets/demo``), when they are there.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ENV_VAR = "HILBERT_WORKSPACE"
DEFAULT_ROOT = Path("~/.hilbert-studio/workspace")
ASSETS = Path(__file__).resolve().parents[1] / "assets"
SUBFOLDERS = ("corpora", "features", "models", "uploads", "cache", "jobs", "exports")


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace folder (nothing is read or written by building one)."""

    root: Path

    @property
    def registry_path(self) -> Path:
        from .experiments.sweep import registry_path

        return registry_path(self.root)

    @property
    def corpora_dir(self) -> Path:
        return self.root / "corpora"

    @property
    def features_dir(self) -> Path:
        return self.root / "features"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.root / "uploads"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def corpora(self) -> list[Path]:
        """Corpus folders (those with a documents.csv), by name; dot-folders (copies in progress) are not."""
        return _folders_with(self.corpora_dir, "documents.csv")

    def models(self) -> list[Path]:
        """Trained model bundles (folders with a bundle.json), by name; dot-folders are not."""
        return _folders_with(self.models_dir, "bundle.json")

    def is_empty(self) -> bool:
        return not self.corpora() and not self.models() and not self.registry_path.exists()


def _folders_with(parent: Path, name: str) -> list[Path]:
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if not p.name.startswith(".") and (p / name).is_file())


def default_root() -> Path:
    """``$HILBERT_WORKSPACE`` if set, else ``~/.hilbert-studio/workspace``."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_ROOT).expanduser()


def open_workspace(root: str | Path | None = None, seed: bool = True) -> Workspace:
    """Create (if needed) and return the workspace at ``root`` (default: :func:`default_root`).

    A new, empty workspace is seeded from the demo assets when ``seed`` is true and they exist.

    Raises:
        ValueError: ``root`` exists and is not a folder, cannot be created, or cannot be seeded.
    """
    path = Path(root).expanduser() if root is not None else default_root()
    if path.exists() and not path.is_dir():
        raise ValueError(f"workspace {path} is a file, not a folder; choose a folder (set {ENV_VAR}).")
    try:
        for name in SUBFOLDERS:
            (path / name).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"cannot create workspace {path} ({exc.strerror or exc}); set {ENV_VAR} to a writable folder."
        ) from None
    ws = Workspace(path.resolve())
    if seed and (ASSETS / "demo").is_dir():
        from .demo.seed import seed_if_new

        # new, or an interrupted seed: checked under the seed lock, so a seed in progress elsewhere is
        # waited for, never mistaken for an interrupted one
        seed_if_new(ws, ASSETS / "demo")
    return ws
