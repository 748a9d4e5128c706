"""Loading pretrained models from a local folder or the Hugging Face hub, and content-based revisions."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch

from ..device import resolve_device

T = TypeVar("T")

# Files that do not change what a model computes.
_SKIP_SUFFIXES = (".md", ".lock")
_LAYER = re.compile(r"^(?P<source>.+)@(?P<layer>-?\d+)$")


def is_local_source(source: str) -> bool:
    """True when ``source`` names a folder on disk rather than a hub id."""
    return os.path.isabs(source) or source.startswith((".", "~")) or Path(source).exists()


def check_source(source: str) -> str:
    """Expand ``~``; raise ValueError for a local path that is not a folder."""
    if is_local_source(source):
        path = Path(source).expanduser()
        if not path.is_dir():
            raise ValueError(
                f"model folder {source!r} does not exist or is not a folder; pass a folder saved with "
                "save_pretrained (config.json + weights) or a hub id."
            )
        return str(path)
    return source


def load_pretrained(source: str, loader: Callable[[str], T], flag: str, prefix: str) -> T:
    """Call ``loader(source)``, turning hub and file errors into a ValueError that says what to do.

    Args:
        source: hub id or local folder.
        loader: e.g. ``lambda s: AutoModel.from_pretrained(s)``.
        flag: the command-line flag, for the message (``"--audio-encoder"``).
        prefix: the spec prefix, for the message (``"hf"``).
    """
    try:
        return loader(source)
    except OSError as exc:  # huggingface_hub's HTTP errors are OSErrors too
        if is_local_source(source):
            raise ValueError(
                f"could not load {source!r} ({exc}); the folder needs the files written by save_pretrained "
                "(config.json, weights, and the feature extractor or tokenizer)."
            ) from exc
        raise ValueError(
            f"could not load {source!r} from the Hugging Face hub (no connection?); download it where you "
            f"have internet and pass its local folder: {flag} {prefix}:/path/to/model"
        ) from exc


def split_layer(argument: str) -> tuple[str, int | None]:
    """``"facebook/hubert-base-ls960@9"`` -> ``("facebook/hubert-base-ls960", 9)``; no ``@n`` -> ``None``."""
    match = _LAYER.match(argument)
    if match is None:
        return argument, None
    return match["source"], int(match["layer"])


def resolve_layer(layer: int | None, num_layers: int, source: str) -> int:
    """Index into ``hidden_states`` (0 = embeddings, ``num_layers`` = last); negative counts from the end."""
    if layer is None:
        return num_layers
    index = layer + num_layers + 1 if layer < 0 else layer
    if not 0 <= index <= num_layers:
        raise ValueError(
            f"layer @{layer} is out of range for {source!r}, which has {num_layers} layers; "
            f"use @0 (embeddings) to @{num_layers} (last), or leave it out for the last."
        )
    return index


def short_hash(payload: Any) -> str:
    """16 hex characters of the SHA-256 of ``payload`` as canonical JSON."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def folder_revision(folder: str | Path) -> str:
    """Content hash of every file in ``folder`` (recursively; weights, configs, tokenizers)."""
    root = Path(folder)
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(_SKIP_SUFFIXES)
    )
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(str(path.relative_to(root)).encode("utf-8"))
        digest.update(_file_sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns).encode("ascii"))
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=256)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file; memoised on (path, size, mtime) so a process hashes big weights once."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_revision(source: str, config: Any, **params: Any) -> str:
    """Revision of a transformers model: folder content hash, or the hub commit it was loaded from."""
    if Path(source).is_dir():
        base = folder_revision(source)
    else:
        base = getattr(config, "_commit_hash", None) or f"hub:{source}"
    return short_hash({"weights": base, **params}) if params else base


def pick_device(device: str | torch.device) -> torch.device:
    return device if isinstance(device, torch.device) else resolve_device(device)


def batch_size_for(device: torch.device, cpu: int, gpu: int) -> int:
    """Batch size for ``device``: ``gpu`` scaled by GPU memory (relative to 16 GB), else ``cpu``."""
    if device.type != "cuda":
        return cpu
    total = torch.cuda.get_device_properties(device).total_memory / 2**30
    return max(1, int(gpu * max(1.0, total / 16)))


def freeze(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """Frozen inference copy: on ``device``, ``eval()``, no gradients."""
    model = model.to(device)
    model.eval()
    model.requires_grad_(False)
    return model
