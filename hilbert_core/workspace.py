"""The workspace: one folder holding a researcher's corpora, features, models, runs and jobs.

Default location ``~/.hilbert-studio/workspace``; the ``HILBERT_WORKSPACE`` environment variable
(or an explicit path) overrides it. Layout::

    settings.toml            optional settings: shared server, roots, retention, job cap (settings)
    users.yaml               accounts for sign-in: hashed passwords, roles (users; `hilbert users`)
    audit.jsonl              who changed what, one JSON object a line (audit)
    registry.sqlite          run registry and background jobs (experiments.registry, experiments.jobs)
    corpora/<name>/          corpus folders (documents.csv, segments.csv, audio/)
    features/<corpus>-<tag>/<role>-<encoder>/
                             encoder outputs shared by sweeps, keyed by corpus content (feature_store)
    models/<name>/           trained bundles (model.safetensors + bundle.json)
    uploads/<session>/       interviews uploaded in one browser session, never shown to another
    cache/                   segment-feature cache of jobs; cache/embeddings/ (t-SNE/UMAP results)
    jobs/<id>.log            a background job's log; jobs/<id>.curves.jsonl its per-epoch loss records
    exports/                 files written for download
    .ray/                    a local Ray's temporary folder (sockets, logs, spilled objects)

This module is the one place that spells these paths: everything else asks it.
A new workspace is created private to its owner (0700) and seeded from the shipped demo assets
(``assets/demo``), when they are there. Temporary folders are named by :func:`temp_path` (with the id
of the process writing them), so those a killed process left behind are found and removed
(:mod:`hilbert_core.lifecycle`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .io import sanitize_name, temp_path  # noqa: F401  (temp_path: where workspace code names temporaries)

logger = logging.getLogger(__name__)

ENV_VAR = "HILBERT_WORKSPACE"
DEFAULT_ROOT = Path("~/.hilbert-studio/workspace")
ASSETS = Path(__file__).resolve().parents[1] / "assets"
SUBFOLDERS = ("corpora", "features", "models", "uploads", "cache", "jobs", "exports")
REGISTRY_FILE = "registry.sqlite"
USERS_FILE = "users.yaml"
AUDIT_FILE = "audit.jsonl"
PRIVATE_MODE = 0o700


def users_path(root: str | Path) -> Path:
    """The sign-in accounts of the workspace (see :mod:`hilbert_core.users`)."""
    return Path(root) / USERS_FILE


def audit_path(root: str | Path) -> Path:
    """Who did what in the workspace (see :mod:`hilbert_core.audit`)."""
    return Path(root) / AUDIT_FILE


def ray_temp_dir(root: str | Path) -> Path:
    """A local Ray's temporary folder: inside the workspace, short (Ray's socket paths are limited)."""
    return Path(root) / ".ray"


def registry_path(root: str | Path) -> Path:
    """The run registry (SQLite) of the workspace at ``root``."""
    return Path(root) / REGISTRY_FILE


def corpora_dir(root: str | Path) -> Path:
    return Path(root) / "corpora"


def uploads_dir(root: str | Path) -> Path:
    return Path(root) / "uploads"


def exports_dir(root: str | Path) -> Path:
    return Path(root) / "exports"


def features_dir(root: str | Path) -> Path:
    return Path(root) / "features"


def feature_store(root: str | Path, corpus_name: str, corpus_identity: str) -> Path:
    """Where sweeps keep the features of one corpus: named after it, tagged by its content identity."""
    tag = hashlib.sha256(corpus_identity.encode()).hexdigest()[:8]
    return features_dir(root) / f"{corpus_name}-{tag}"


def store_matches(store: Path, fingerprint: str) -> bool:
    """Whether a feature store folder belongs to the corpus whose documents.csv has ``fingerprint``."""
    name, _, tag = store.name.rpartition("-")
    return tag == hashlib.sha256(f"{name}:{fingerprint}".encode()).hexdigest()[:8]


def encoder_folder(store: Path, role: str, encoder: str) -> Path:
    """One encoder's features inside a feature store (``role`` is ``audio`` or ``text``)."""
    return store / f"{role}-{sanitize_name(encoder)}"


def models_dir(root: str | Path) -> Path:
    return Path(root) / "models"


def cache_dir(root: str | Path) -> Path:
    return Path(root) / "cache"


def embeddings_cache(root: str | Path, key: str) -> Path:
    """A cached 2-D projection of a model's embeddings (JSON), by content key."""
    return cache_dir(root) / "embeddings" / f"{key}.json"


def jobs_dir(root: str | Path) -> Path:
    return Path(root) / "jobs"


def job_log(root: str | Path, job_id: str) -> Path:
    return jobs_dir(root) / f"{job_id}.log"


def job_curves(root: str | Path, job_id: str) -> Path:
    """A job's per-epoch loss records, one JSON object a line."""
    return jobs_dir(root) / f"{job_id}.curves.jsonl"


def sweep_files_dir(root: str | Path) -> Path:
    """Sweep files the Studio writes for the trainings it starts."""
    return jobs_dir(root) / "sweeps"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace folder (nothing is read or written by building one)."""

    root: Path

    @property
    def registry_path(self) -> Path:
        return registry_path(self.root)

    @property
    def corpora_dir(self) -> Path:
        return corpora_dir(self.root)

    @property
    def features_dir(self) -> Path:
        return features_dir(self.root)

    @property
    def models_dir(self) -> Path:
        return models_dir(self.root)

    @property
    def cache_dir(self) -> Path:
        return cache_dir(self.root)

    @property
    def jobs_dir(self) -> Path:
        return jobs_dir(self.root)

    @property
    def uploads_dir(self) -> Path:
        return uploads_dir(self.root)

    @property
    def exports_dir(self) -> Path:
        return exports_dir(self.root)

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


def _check_private(path: Path) -> None:
    """On a shared server, a workspace others can read is made private (0700); a laptop's is left."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return
    from .settings import load_settings

    if load_settings(path).shared:
        logger.warning("workspace %s was readable by other accounts (mode %o); made it 0700", path, mode)
        os.chmod(path, PRIVATE_MODE)


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
        if not path.exists():
            try:
                path.mkdir(parents=True, mode=PRIVATE_MODE)
                os.chmod(path, PRIVATE_MODE)  # mkdir's mode is filtered by the umask
            except FileExistsError:
                if not path.is_dir():  # another session made it at the same moment: fine if a folder
                    raise
        _check_private(path)
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
