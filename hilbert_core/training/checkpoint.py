"""Model bundles on disk: safetensors weights plus a JSON config, never pickled. A bundle folder is
written whole beside its place and put there in one rename (:func:`hilbert_core.io.replace_folder`), so
a reader sees the old bundle or the new one, never the new weights with the old config."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..io import atomic_write_text, replace_folder, temp_path

BUNDLE_FORMAT = 1
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "bundle.json"
BUNDLE_FILES = (WEIGHTS_FILE, CONFIG_FILE)


def save_tensors(
    path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None
) -> None:
    """Save tensors as safetensors, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bundle(
    out_dir: str | Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any], overwrite: bool = False
) -> Path:
    """Write a bundle folder (``model.safetensors`` and ``bundle.json``) in a temporary folder beside
    ``out_dir``, then put it in place in one rename (replacing an earlier bundle with ``overwrite``)."""
    out = Path(out_dir)
    if (out / CONFIG_FILE).exists() and not overwrite:
        raise ValueError(
            f"{out} already holds a model bundle; choose another folder or pass overwrite=True "
            "(--overwrite on the command line)."
        )
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file, not a folder; give a folder path for the model bundle.")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in BUNDLE_FILES) if out.is_dir() else []
    if foreign:
        raise ValueError(
            f"{out} holds other files ({foreign[0]}, ...); a bundle replaces its whole folder: give a new or "
            "empty folder."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(out.parent, f"{out.name}.new")
    tmp.mkdir()
    try:
        save_tensors(tmp / WEIGHTS_FILE, tensors)
        atomic_write_text(
            tmp / CONFIG_FILE, json.dumps({"format": BUNDLE_FORMAT, **meta}, indent=2, sort_keys=True)
        )
        replace_folder(tmp, out)
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return out


def read_bundle(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a bundle folder; raises ValueError naming the file and what is wrong."""
    folder = Path(path)
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    if not config_path.is_file() or not weights_path.is_file():
        raise ValueError(
            f"{folder} is not a model bundle: it needs {CONFIG_FILE} and {WEIGHTS_FILE}; "
            "create one with `hilbert train` or hilbert_core.train_final(...).save(folder)."
        )
    try:
        meta = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{config_path} is not valid JSON ({exc}); re-save the bundle.") from None
    if meta.get("format", 0) > BUNDLE_FORMAT:
        raise ValueError(
            f"{config_path} has bundle format {meta.get('format')}, newer than this version "
            f"understands ({BUNDLE_FORMAT}); upgrade hilbert-studio."
        )
    try:
        tensors = load_file(weights_path)
    except (SafetensorError, OSError) as exc:
        raise ValueError(
            f"{weights_path} cannot be read as safetensors ({exc}); re-save the bundle."
        ) from None
    return tensors, meta


def to_numpy_dict(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v.numpy() for k, v in tensors.items() if k.startswith(prefix)}
