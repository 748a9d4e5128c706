"""The shipped demo assets folder: its layout, compact feature files, and the manifest.

Layout of ``assets/demo`` (written by :func:`hilbert_core.demo.assets.build_demo_assets`)::

    corpus/                 the demo corpus (documents.csv, segments.csv, audio/*.opus, cues.csv, plan.json)
    features/index.json     one entry per encoder run: its workspace folder, file and encoders.json
    features/documents.csv  the feature folders' shared documents table
    features/<role>-<encoder>.npz   (total segments, D) features, compressed
    runs.json.gz            the finished demo runs (hilbert_core.experiments.transfer), paths as ${WORKSPACE}
    models/<name>/          trained bundles (bundle.json paths as ${WORKSPACE})
    samples/                interviews to upload (held-out synthetic subjects) and samples.json
    MANIFEST.json           sizes, sha256, seeds, counts, build time
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..io import atomic_write_bytes, atomic_write_text

PLACEHOLDER = "${WORKSPACE}"
CORPUS_DIR = "corpus"
FEATURES_DIR = "features"
INDEX_FILE = "index.json"
RUNS_FILE = "runs.json.gz"
MODELS_DIR = "models"
SAMPLES_DIR = "samples"
MANIFEST_FILE = "MANIFEST.json"
CORPUS_NAME = "demo"  # the corpus's name in sweeps and in the workspace (corpora/demo)
FEATURE_DTYPES = ("float16", "float32")


def pack_feature_folder(folder: Path, out_file: Path, dtype: str) -> np.ndarray:
    """Write the audio.npy or text.npy of a feature folder as one compressed ``.npz``; returns the array."""
    (name,) = [n for n in ("audio", "text") if (folder / f"{n}.npy").is_file()]
    matrix = np.load(folder / f"{name}.npy", allow_pickle=False)
    if dtype == "float16" and np.abs(matrix).max(initial=0.0) >= np.finfo(np.float16).max:
        raise ValueError(f"{folder}: features exceed the float16 range; build with feature_dtype='float32'.")
    buf = io.BytesIO()
    np.savez_compressed(buf, features=matrix.astype(dtype))
    atomic_write_bytes(out_file, buf.getvalue())
    return matrix


def unpack_feature_file(npz_file: Path, folder: Path, role: str, documents_csv: str, encoders: dict) -> None:
    """Restore a feature folder (documents.csv, ``<role>.npy`` as float32, encoders.json) from a pack."""
    with np.load(npz_file, allow_pickle=False) as data:
        matrix = data["features"].astype(np.float32)
    buf = io.BytesIO()
    np.save(buf, matrix, allow_pickle=False)
    atomic_write_bytes(folder / f"{role}.npy", buf.getvalue())
    atomic_write_text(folder / "encoders.json", json.dumps(encoders, indent=2))
    atomic_write_text(folder / "documents.csv", documents_csv)  # last: a feature folder is complete with it


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def write_manifest(root: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Write ``MANIFEST.json``: ``meta`` plus every file's size and sha256 (the manifest itself excluded)."""
    files = {
        p.relative_to(root).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    }
    manifest = {**meta, "total_bytes": sum(f["bytes"] for f in files.values()), "files": files}
    atomic_write_text(root / MANIFEST_FILE, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{path}: cannot read the {what} ({exc}); rebuild with `hilbert demo-assets`."
        ) from None


def packed_feature_set(features_dir: Path, audio_encoder: str | None, text_encoder: str | None):
    """The shipped features (``features/documents.csv`` plus ``audio-<encoder>.npz`` / ``text-<encoder>.npz``)
    as a :class:`hilbert_core.data.features.FeatureSet`, float32; an encoder of None or '' is left out."""
    import pandas as pd

    from ..data.features import FeatureSet

    table = pd.read_csv(features_dir / "documents.csv", dtype={"document_id": str, "subject_id": str})
    split = np.cumsum(table["num_segments"].to_numpy())[:-1]
    docs = {}
    for role, encoder in (("audio", audio_encoder), ("text", text_encoder)):
        if not encoder:
            docs[role] = None
            continue
        path = features_dir / f"{role}-{encoder}.npz"
        if not path.is_file():
            found = sorted(p.name for p in features_dir.glob(f"{role}-*.npz"))
            raise ValueError(f"{path} not found; {role} encoders shipped: {', '.join(found) or 'none'}.")
        with np.load(path, allow_pickle=False) as data:
            docs[role] = np.split(data["features"].astype(np.float32), split)
    return FeatureSet(table=table, audio=docs["audio"], text=docs["text"])
