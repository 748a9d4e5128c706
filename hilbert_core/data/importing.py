"""Importing a corpus into a workspace: a folder (copied or linked) or an unpacked zip.

An import is copied (or unzipped) into a hidden temporary folder of ``workspace/corpora``; its
documents.csv must be readable, with the document_id and audio_path columns and at least one row, or the
import is refused with the first problem and nothing is left. Only then is it renamed to
``workspace/corpora/<name>``, so a corpus is either complete there or absent. The full validation report
(audio, transcripts, segments, labels) comes with :class:`ImportOutput`. Imported corpora are part of
the shared workspace: everyone using this workspace sees them (unlike interview uploads, which stay in
their browser session's folder).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..workspace import Workspace
from .archive import ZipLimits, extract_zip

CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class ImportOutput:
    """A corpus now in the workspace, and what its validation found (empty = clean)."""

    path: Path
    problems: list[str]


def corpus_path(ws: Workspace, name: str) -> Path:
    """``workspace/corpora/<name>``; refuses names that would leave the folder."""
    if not CORPUS_NAME.match(name or ""):
        raise ValueError(
            f"corpus name {name!r} must start with a letter or digit and hold only letters, digits, '.', "
            "'_' and '-' (at most 64); choose another name."
        )
    return ws.corpora_dir / name


def _check_new_name(ws: Workspace, name: str) -> Path:
    target = corpus_path(ws, name)
    if target.exists() or target.is_symlink():
        raise ValueError(f"the workspace already has a corpus called {name!r}; choose another name.")
    return target


def import_folder(ws: Workspace, source: str | Path, name: str = "", link: bool = False) -> ImportOutput:
    """Copy (or, with ``link``, symlink) the corpus folder ``source`` into ``workspace/corpora/<name>``.

    Raises:
        ValueError: ``source`` is not a corpus folder, its documents.csv is unusable
            (:func:`check_documents`), or ``name`` is taken or not a plain name.
    """
    src = Path(str(source).strip()).expanduser()
    if not src.is_dir():
        raise ValueError(f"{src} is not a folder; give the path of a corpus folder (it holds documents.csv).")
    if not (src / "documents.csv").is_file():
        raise ValueError(f"{src} has no documents.csv; give the corpus folder itself (see the README).")
    src = src.resolve()
    if src.parent == ws.corpora_dir.resolve():
        return ImportOutput(src, _problems(src))
    target = _check_new_name(ws, name or src.name)
    tmp = ws.corpora_dir / f".import-{uuid.uuid4().hex[:8]}"
    try:
        if link:
            tmp.symlink_to(src, target_is_directory=True)
        else:
            shutil.copytree(src, tmp, symlinks=False)
        check_documents(tmp, src / "documents.csv")
        os.replace(tmp, target)
    except OSError as exc:
        raise ValueError(
            f"cannot copy {src} into the workspace ({exc.strerror or exc}); check space."
        ) from None
    finally:
        _remove(tmp)  # gone after the rename; a partial or refused copy otherwise
    return ImportOutput(target, _problems(target))


def check_documents(root: Path, shown_as: Path | str) -> None:
    """Refuse a corpus whose documents.csv cannot be read, lacks a required column or has no rows.

    Args:
        root: the corpus folder to check; shown_as: how its documents.csv is named in the message.

    Raises:
        ValueError: the first problem, naming ``shown_as``, and that nothing was imported.
    """
    from .corpus import REQUIRED_DOCUMENT_COLUMNS, CsvReadError, read_csv_table

    try:
        table = read_csv_table(root / "documents.csv")
    except CsvReadError as exc:
        raise ValueError(f"{shown_as}: {exc.reason.rstrip('.')}; nothing was imported.") from None
    missing = [c for c in REQUIRED_DOCUMENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"{shown_as} has no {missing[0]!r} column (columns found: {', '.join(table.columns) or 'none'}); "
            "the header needs document_id and audio_path (see the README, 'Corpus format'); nothing was "
            "imported."
        )
    if table.empty:
        raise ValueError(
            f"{shown_as} has a header but no rows; add one row per recording; nothing was imported."
        )


def import_zip(
    ws: Workspace, zip_path: Path, filename: str, name: str = "", limits: ZipLimits | None = None
) -> ImportOutput:
    """Unpack the zip of a corpus folder (``zip_path``, shown as ``filename``) safely inside the workspace,
    check its documents.csv (:func:`check_documents`), then rename it into place; a refused zip leaves
    nothing behind. The zip file itself is the caller's."""
    tmp = ws.corpora_dir / f".unzip-{uuid.uuid4().hex[:8]}"
    try:
        root = extract_zip(zip_path, tmp, limits)
        shown = f"{filename}: {root.relative_to(tmp) / 'documents.csv'}"
        check_documents(root, shown)
        target = _check_new_name(ws, name or (root.name if root != tmp else Path(filename).stem))
        os.replace(root, target)
    finally:
        _remove(tmp)
    return ImportOutput(target, _problems(target))


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _problems(root: Path) -> list[str]:
    from .validate import validate_corpus

    return [str(p) for p in validate_corpus(root)]
