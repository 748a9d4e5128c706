"""A workspace's settings: single user on a laptop (the default) or a team on a shared server.

Read from ``<workspace>/settings.toml`` (optional); the environment variables below override it, so
one variable (``HILBERT_SHARED=1``) turns a laptop Studio into a shared-server one::

    shared = true                  # sign-in required; folder import closed unless import_roots says
    sign_in = "password"           # "password" (users file, `hilbert users`) or "oidc" (st.login)
    import_roots = ["/srv/raw"]    # folders the Studio may import a corpus folder from
    data_roots = ["/srv/raw"]      # folders a corpus's audio_path / transcript_path may point into
    upload_retention_hours = 24    # interview uploads older than this are deleted
    max_jobs = 2                   # background jobs running at once in this workspace
    oidc_provider = ""             # the [auth.NAME] block of .streamlit/secrets.toml ("" = [auth])

Defaults: ``shared = false``; ``import_roots`` is the home folder on a laptop and empty on a shared
server; ``data_roots`` is empty (a corpus only reaches files inside its own folder).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

SETTINGS_FILE = "settings.toml"
SIGN_IN_METHODS = ("password", "oidc")
ENV = {
    "shared": "HILBERT_SHARED",
    "sign_in": "HILBERT_SIGN_IN",
    "import_roots": "HILBERT_IMPORT_ROOTS",
    "data_roots": "HILBERT_DATA_ROOTS",
    "upload_retention_hours": "HILBERT_UPLOAD_RETENTION_HOURS",
    "max_jobs": "HILBERT_MAX_JOBS",
}
TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class StudioSettings:
    """The settings of one workspace (see the module docstring); ``source`` says where they came from."""

    shared: bool = False
    sign_in: str = "password"
    import_roots: tuple[Path, ...] | None = None  # None: the mode's default
    data_roots: tuple[Path, ...] = ()
    upload_retention_hours: float = 24.0
    max_jobs: int = 2
    oidc_provider: str = ""
    source: str = field(default="defaults", compare=False)

    def __post_init__(self) -> None:
        if self.sign_in not in SIGN_IN_METHODS:
            raise ValueError(f"sign_in={self.sign_in!r} ({self.source}) is unknown; use password or oidc.")
        if not self.upload_retention_hours > 0:
            raise ValueError(
                f"upload_retention_hours={self.upload_retention_hours} ({self.source}) must be above 0; "
                "e.g. 24."
            )
        if self.max_jobs < 1:
            raise ValueError(f"max_jobs={self.max_jobs} ({self.source}) must be 1 or more; e.g. 2.")

    @property
    def sign_in_required(self) -> bool:
        return self.shared

    @property
    def allowed_import_roots(self) -> tuple[Path, ...]:
        """Where folder import may read from: the setting, else the home folder (laptop) or nowhere."""
        if self.import_roots is not None:
            return self.import_roots
        return () if self.shared else (Path.home(),)


def settings_path(root: str | Path) -> Path:
    return Path(root) / SETTINGS_FILE


def load_settings(root: str | Path) -> StudioSettings:
    """The settings of the workspace at ``root`` (its settings.toml, then the environment).

    Raises:
        ValueError: settings.toml cannot be parsed, or a value is of the wrong kind.
    """
    path = settings_path(root)
    values: dict = {}
    source = "defaults"
    if path.is_file():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(
                f"{path} cannot be read ({exc}); fix it (see the README, 'Running the Studio for a team')."
            ) from None
        source = str(path)
    known = {f.name for f in fields(StudioSettings)} - {"source"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}.")
    for name, var in ENV.items():
        if os.environ.get(var, "").strip():
            values[name] = os.environ[var].strip()
            source = f"{source} and ${var}" if source != "defaults" else f"${var}"
    return _parse(values, source)


def _parse(values: dict, source: str) -> StudioSettings:
    out: dict = {"source": source}
    try:
        for name, value in values.items():
            if name == "shared":
                out[name] = value if isinstance(value, bool) else str(value).strip().lower() in TRUE
            elif name in ("import_roots", "data_roots"):
                out[name] = _roots(value)
            elif name == "upload_retention_hours":
                out[name] = float(value)
            elif name == "max_jobs":
                out[name] = int(value)
            else:
                out[name] = str(value).strip()
    except (TypeError, ValueError):
        raise ValueError(
            f"setting {name}={value!r} ({source}) has the wrong kind of value; see the README, 'Running the "
            "Studio for a team'."
        ) from None
    return StudioSettings(**out)


def _roots(value) -> tuple[Path, ...]:
    """A list of folders (TOML) or an os.pathsep-separated string (environment)."""
    items = value.split(os.pathsep) if isinstance(value, str) else list(value)
    roots = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        path = Path(text).expanduser()
        if not path.is_absolute():
            raise ValueError(f"root {text!r} is not an absolute path")
        roots.append(Path(os.path.realpath(path)))
    return tuple(roots)
