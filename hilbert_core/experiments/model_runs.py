"""Which cross-validation belongs to which trained model: the same recipe on the same data.

A final model (a bundle) and a cross-validation run share a *recipe* when they used the same corpus,
task, encoders, method, modality, auxiliary losses, seed and model / loss / training settings (the
number of outer folds and the device aside). The cross-validation of a model's recipe is what its
prediction sets are calibrated on (its out-of-fold predictions) and what its cross-validated AUC is;
a model without one in the workspace falls back to its own inner cross-validation (kept in the bundle,
see :mod:`hilbert_core.training.oof`). The Diagnostics page goes the other way: from a run to the
trained models of its recipe (whose experts it can measure).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..config_saved import config_from_saved
from ..evaluation.uncertainty import Calibration
from ..workspace import models_dir, registry_path
from .registry import RunRecord, RunRegistry

_SECTIONS = ("model", "loss", "train")
_IGNORED = {("train", "device")}


def _settings(config: dict[str, Any]) -> dict[str, Any]:
    """The model / loss / train settings, complete: a config saved before a field existed gets the value
    that version behaved with (``config_from_saved``), so old runs and old bundles still match."""
    try:
        config = config_from_saved({s: config.get(s) or {} for s in _SECTIONS}).to_dict()
    except (TypeError, ValueError):  # a key this version does not know: compare what was saved
        pass
    out = {}
    for section in _SECTIONS:
        values = config.get(section) or {}
        out[section] = {k: v for k, v in values.items() if (section, k) not in _IGNORED}
    return json.loads(json.dumps(out))


def _name(path: Any) -> str:
    return Path(str(path)).name if path else ""


def bundle_recipe(config: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """The recipe of a bundle, from its bundle.json ``config`` and ``info``."""
    ev = config.get("eval") or {}
    return {
        "corpus": _name(info.get("corpus") or info.get("features")),
        "task": str(info.get("task", "")),
        "audio_encoder": (info.get("audio_encoder") or "") if ev.get("modality") != "text" else "",
        "text_encoder": (info.get("text_encoder") or "") if ev.get("modality") != "audio" else "",
        "method": ev.get("method"),
        "modality": ev.get("modality", "both"),
        "losses": sorted(ev.get("losses") or []) if ev.get("method") == "hilbert" else [],
        "seed": int(ev.get("seed", 0)),
        "settings": _settings(config),
    }


def run_recipe(config: dict[str, Any], source: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The recipe of a registry run: from its sweep cell (sweeps, Studio jobs), or for a ``hilbert cv`` run
    from the ``source`` its report records (corpus or features, encoders); None when neither is there."""
    cell = config.get("cell")
    if not cell and source is not None:
        return bundle_recipe(config, {**source, "task": config.get("task", "")})
    if not cell:
        return None
    return {
        "corpus": str(cell.get("corpus", "")),
        "task": str(cell.get("task", "")),
        "audio_encoder": cell.get("audio_encoder") or "",
        "text_encoder": cell.get("text_encoder") or "",
        "method": cell.get("method"),
        "modality": cell.get("modality", "both"),
        "losses": sorted(cell.get("losses") or []) if cell.get("method") == "hilbert" else [],
        "seed": int(cell.get("seed", 0)),
        "settings": _settings(config),
    }


def _read_meta(model_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((model_dir / "bundle.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def matching_cv_run(
    workspace: str | Path | None, config: dict[str, Any], info: dict[str, Any]
) -> RunRecord | None:
    """The latest finished cross-validation of a bundle's recipe in ``workspace`` (None when none)."""
    if workspace is None or not registry_path(workspace).is_file():
        return None
    want = bundle_recipe(config, info)
    registry = RunRegistry(registry_path(workspace))
    hits = []
    for record in registry.list(kind="cv", status="done"):
        recipe = run_recipe(record.config)
        if recipe is None and record.config.get("task") == want["task"]:  # a `hilbert cv` run: its report
            recipe = run_recipe(record.config, registry.report(record.id).get("config", {}).get("source", {}))
        if recipe == want:
            hits.append(record)
    return max(hits, key=lambda r: r.finished_at or 0.0, default=None)


def models_of_run(workspace: str | Path, config: dict[str, Any]) -> dict[str, Path]:
    """Trained model folders (by name) whose recipe is the run's (``config`` is the run's stored config)."""
    want = run_recipe(config)
    out = {}
    for path in sorted(p.parent for p in models_dir(workspace).glob("*/bundle.json")):
        meta = _read_meta(path)
        if want is not None and meta and bundle_recipe(meta.get("config", {}), meta.get("info", {})) == want:
            out[path.name] = path
    return out


def bundle_calibration(bundle, workspace: str | Path | None = None) -> Calibration | None:
    """The out-of-fold predictions that calibrate ``bundle``'s prediction sets: its recipe's
    cross-validation in ``workspace`` when there is one, else its own inner cross-validation, else None
    (a bundle saved before bundles kept them, with no matching run)."""
    record = None if workspace is None else matching_cv_run(workspace, bundle.config.to_dict(), bundle.info)
    if record is not None:
        report = RunRegistry(registry_path(workspace)).report(record.id)
        if set(report.get("classes") or []) == set(bundle.classes) and report.get("oof_proba") is not None:
            order = [list(report["classes"]).index(c) for c in bundle.classes]
            proba = np.asarray(report["oof_proba"], dtype=float)[:, order]
            y = np.asarray([bundle.classes.index(label) for label in report["labels"]])
            folds = len(report.get("fold_auc") or [])
            source = f"{folds}-fold cross-validation run {record.id} of the same recipe"
            return Calibration.from_oof(proba, y, bundle.classes, source, record.id, record.auc_macro)
    if getattr(bundle, "oof", None) is not None and len(bundle.oof.y):
        return Calibration.from_oof(bundle.oof.proba, bundle.oof.y, bundle.classes, bundle.oof.source)
    return None
