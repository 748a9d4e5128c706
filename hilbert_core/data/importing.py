"""Importing a corpus into a workspace: a folder (copied or linked) or an unpacked zip.

An import is copied (or unzipped) into a hidden temporary folder of ``workspace/corpora``; its
documents.csv must be readable, with the document_id and audio_path columns and at least one row, and
every path it names must stay inside the corpus folder or an allowed data root, or the import is refused
with the first problem and nothing is left. Only then is it renamed to ``workspace/corpora/<name>``, so a
corpus is either complete there or absent. The full validation report (audio, transcripts, segments,
labels) comes with :class:`ImportOutput`. Imported corpora are part of the shared workspace: everyone
using this workspace sees them (unlike interview uploads, which stay in their browser session's folder).

Folders are imported only from the roots the settings allow (``import_roots``: the home folder on a
laptop, none on a shared server), and a folder holding a symbolic link is refused (links are never
followed). A *linked* import copies only documents.csv and segments.csv into the workspace and records
the source folder in ``source.json``: recordings and transcripts are read from there, and everything
the Studio writes (segments of transcribed recordings) stays in the workspace.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..io import atomic_write_text
from ..workspace import Workspace, temp_path
from .archive import ZipLimits, extract_zip
from .paths import LINK_FILE, contained, find_link, is_within

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


def check_import_root(ws: Workspace, source: Path) -> None:
    """Refuse a folder outside the roots folder import is allowed from (setting ``import_roots``).

    Said before anything about the folder is looked at, so a refusal never tells whether it exists.
    """
    from ..settings import load_settings

    roots = load_settings(ws.root).allowed_import_roots
    if not is_within(source, roots):
        allowed = ", ".join(str(r) for r in roots) or "none"
        raise ValueError(
            f"importing a folder from {source} is not allowed: it is not under an import root (setting "
            f"import_roots: {allowed}); upload a zip of the corpus instead, or ask the Studio's "
            "administrator to add its folder to import_roots."
        )


def _refuse_links(folder: Path, shown_as: Path) -> None:
    link = find_link(folder)
    if link is not None:
        raise ValueError(
            f"{shown_as / link.relative_to(folder)} is a symbolic link; links are not followed: put the real "
            "file in the folder (or its folder under a data root) and import again; nothing was imported."
        )


def import_folder(ws: Workspace, source: str | Path, name: str = "", link: bool = False) -> ImportOutput:
    """Copy the corpus folder ``source`` into ``workspace/corpora/<name>``; with ``link``, copy only its
    CSV files and read its recordings from ``source`` (see the module docstring).

    Raises:
        ValueError: ``source`` is outside the import roots, not a corpus folder, holds a symbolic link,
            its documents.csv is unusable (:func:`check_documents`), or ``name`` is taken or not a
            plain name.
    """
    src = Path(os.path.abspath(Path(str(source).strip()).expanduser()))
    check_import_root(ws, src)
    if not src.is_dir():
        raise ValueError(f"{src} is not a folder; give the path of a corpus folder (it holds documents.csv).")
    if not (src / "documents.csv").is_file():
        raise ValueError(f"{src} has no documents.csv; give the corpus folder itself (see the README).")
    if src.is_symlink():
        raise ValueError(f"{src} is a symbolic link; give the folder it points to; nothing was imported.")
    if src.parent == ws.corpora_dir.resolve():
        return ImportOutput(src, _problems(src))
    _refuse_links(src, src)
    target = _check_new_name(ws, name or src.name)
    tmp = temp_path(ws.corpora_dir, "import")
    try:
        if link:
            _write_link(src, tmp)
        else:
            shutil.copytree(src, tmp, symlinks=True)  # a link made meanwhile is copied as a link ...
            _refuse_links(tmp, src)  # ... and refused here
        check_documents(tmp, src / "documents.csv", _data_roots(ws))
        os.replace(tmp, target)
    except OSError as exc:
        raise ValueError(
            f"cannot copy {src} into the workspace ({exc.strerror or exc}); check space."
        ) from None
    finally:
        _remove(tmp)  # gone after the rename; a partial or refused copy otherwise
    return ImportOutput(target, _problems(target))


def check_documents(root: Path, shown_as: Path | str, data_roots: tuple[Path, ...] = ()) -> None:
    """Refuse a corpus whose documents.csv cannot be read, lacks a required column, has no rows, or names
    a path leading outside the corpus folder and ``data_roots`` (links resolved).

    Args:
        root: the corpus folder to check; shown_as: how its documents.csv is named in the message;
        data_roots: the setting of that name (folders its paths may point into).

    Raises:
        ValueError: the first problem, naming ``shown_as``, and that nothing was imported.
    """
    from .corpus import REQUIRED_DOCUMENT_COLUMNS, CsvReadError, read_csv_table
    from .paths import corpus_files_root

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
    files = corpus_files_root(root)
    for column in ("audio_path", "transcript_path"):
        for line, value in table[column].dropna().items() if column in table.columns else []:
            try:
                contained(files, str(value), data_roots, column, int(line))
            except ValueError as exc:
                raise ValueError(f"{shown_as}: {str(exc).rstrip('.')}; nothing was imported.") from None


def _write_link(src: Path, tmp: Path) -> None:
    """A linked corpus: copies of its CSV files, and ``source.json`` naming the folder of the rest."""
    tmp.mkdir()
    for name in ("documents.csv", "segments.csv"):
        if (src / name).is_file():
            shutil.copyfile(src / name, tmp / name)
    atomic_write_text(tmp / LINK_FILE, json.dumps({"folder": str(src)}))


def import_zip(
    ws: Workspace, zip_path: Path, filename: str, name: str = "", limits: ZipLimits | None = None
) -> ImportOutput:
    """Unpack the zip of a corpus folder (``zip_path``, shown as ``filename``) safely inside the workspace,
    check its documents.csv (:func:`check_documents`), then rename it into place; a refused zip leaves
    nothing behind. The zip file itself is the caller's."""
    tmp = temp_path(ws.corpora_dir, "unzip")
    try:
        root = extract_zip(zip_path, tmp, limits)
        shown = f"{filename}: {root.relative_to(tmp) / 'documents.csv'}"
        check_documents(root, shown, _data_roots(ws))
        target = _check_new_name(ws, name or (root.name if root != tmp else Path(filename).stem))
        os.replace(root, target)
    finally:
        _remove(tmp)
    return ImportOutput(target, _problems(target))


def _data_roots(ws: Workspace) -> tuple[Path, ...]:
    from ..settings import load_settings

    return load_settings(ws.root).data_roots


def _remove(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _problems(root: Path) -> list[str]:
    from .validate import validate_corpus

    return [str(p) for p in validate_corpus(root)]
