"""Contained paths: every file a corpus names lies inside its folder or under an allowed data root.

A path is resolved (symbolic links included) *before* anything is said about it, so a refusal reads the
same whether the file exists or not: validation never reveals what else is on the server. Folders
imported into a workspace may not hold links at all (:func:`find_link`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

LINK_FILE = "source.json"  # in a linked corpus: {"folder": the folder its recordings stay in}


class PathOutside(ValueError):
    """A corpus path that leads outside the corpus folder and every allowed data root."""


def corpus_files_root(root: str | Path) -> Path:
    """The folder a corpus's relative paths are read against: its own, or for a corpus imported as a
    link, the folder it was linked from (named in ``source.json``)."""
    root = Path(root)
    link = root / LINK_FILE
    if not link.is_file():
        return root
    try:
        folder = json.loads(link.read_text(encoding="utf-8"))["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ValueError(f"{link} cannot be read; import the corpus again.") from None
    return Path(folder)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def is_within(path: str | Path, roots: Sequence[str | Path]) -> bool:
    """Whether ``path`` (resolved, links followed) lies inside one of ``roots`` (resolved too)."""
    real = os.path.realpath(path)
    return any(_inside(real, os.path.realpath(r)) for r in roots)


def contained(
    files_root: Path, value: str, data_roots: Sequence[Path], column: str, row: int | None = None
) -> Path:
    """``files_root / value`` when it (links resolved) stays inside ``files_root`` or a data root.

    Args:
        files_root: the corpus's folder (see :func:`corpus_files_root`).
        value: the cell of documents.csv (relative, or absolute).
        data_roots: the ``data_roots`` setting.
        column, row: named in the message (``row`` is the line of documents.csv).

    Raises:
        PathOutside: one line naming the row, the value and the setting.
    """
    candidate = Path(value) if os.path.isabs(value) else files_root / value
    if is_within(candidate, [files_root, *data_roots]):
        return candidate
    where = f"documents.csv row {row}: " if row is not None else ""
    roots = ", ".join(str(r) for r in data_roots) or "none"
    raise PathOutside(
        f"{where}{column} {value!r} leads outside the corpus folder and the allowed data roots (setting "
        f"data_roots: {roots}); put the file inside the corpus folder, or ask the Studio's administrator "
        "to add its folder to data_roots."
    )


def find_link(folder: Path) -> Path | None:
    """The first symbolic link inside ``folder`` (links are not followed), or None."""
    for parent, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(parent) / name
            if path.is_symlink():
                return path
    return None
