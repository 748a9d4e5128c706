"""What a background job runs: its spec (plain JSON) checked and turned into a sweep.

- ``{"kind": "sweep", "sweep_file": PATH, "engine": "local", "workers": null, "address": null}``
- ``{"kind": "cv", "corpus": DIR | "features": DIR, "task": T, "audio_encoder": A, "text_encoder": T,
  "method": M, "modality": "both", "losses": [...], "folds": 5, "seed": 0, "set": [...]}``
- ``{"kind": "train", ...same as cv without folds...}``: a final model saved as a bundle in the workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .sweep_file import load_sweep, parse_sweep_text
from .sweep_spec import SweepSpec

JOB_KINDS = ("sweep", "cv", "train")
RUN_KEYS = (
    "kind",
    "corpus",
    "features",
    "task",
    "audio_encoder",
    "text_encoder",
    "method",
    "modality",
    "losses",
    "folds",
    "seed",
    "set",
    "engine",
    "workers",
    "address",
    "cache",
    "whisper_model",
    "mlflow",
)


def build_spec(spec: dict[str, Any]) -> SweepSpec:
    """The :class:`SweepSpec` a job runs (a cv job is a one-cell sweep); raises ValueError on a bad spec."""
    if spec["kind"] == "sweep":
        if not spec.get("sweep_file"):
            raise ValueError("a sweep job needs 'sweep_file' (a sweep YAML file).")
        return load_sweep(spec["sweep_file"])
    return single_cell_spec(spec)


def engine_name(spec: dict[str, Any]) -> str:
    """The engine a sweep or cv job runs on: a sweep defaults to the local pool, a cv job to in-process."""
    return spec.get("engine", "local" if spec["kind"] == "sweep" else "sequential")


def single_cell_spec(run: dict[str, Any]) -> SweepSpec:
    """A one-cell sweep for a single cross-validation (the job API's ``cv`` and ``train`` kinds)."""
    unknown = sorted(set(run) - set(RUN_KEYS))
    if unknown:
        raise ValueError(f"run spec has unknown keys {unknown}; allowed: {', '.join(RUN_KEYS)}.")
    if bool(run.get("corpus")) == bool(run.get("features")):
        raise ValueError(
            "a run spec needs exactly one of 'corpus' (corpus folder) or 'features' (feature folder)."
        )
    if not run.get("task"):
        raise ValueError("a run spec needs 'task' (a label column of documents.csv).")
    root = Path(run.get("corpus") or run["features"]).resolve()
    lines = {"name": f"{run['kind']}-{run['task']}", "folds": int(run.get("folds", 25))}
    entry = {"features" if run.get("features") else "path": str(root), "tasks": [run["task"]]}
    if run.get("cache"):
        entry["cache"] = str(run["cache"])
    lines["corpora"] = [entry]
    for key, plural in (("audio_encoder", "audio_encoders"), ("text_encoder", "text_encoders")):
        if run.get(key):
            lines[plural] = [run[key]]
    lines["methods"] = [run.get("method", "hilbert")]
    lines["modalities"] = [run.get("modality", "both")]
    lines["seeds"] = [int(run.get("seed", 0))]
    if run.get("losses"):
        lines["ablations"] = [list(run["losses"])]
    if run.get("set"):
        lines["set"] = list(run["set"])
    if run.get("whisper_model"):
        lines["whisper_model"] = run["whisper_model"]
    return parse_sweep_text(yaml.safe_dump(lines), Path(f"<{run['kind']} job>"))
