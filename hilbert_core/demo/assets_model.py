"""The shipped demo model: one bundle trained on all demo documents, recorded as a ``train`` run.

It is trained by exactly the procedure its sweep cell cross-validates (same overrides, method and
seed), on the features the sweep extracted, and records its encoders so the app can score a new
recording with it (:func:`hilbert_core.encoders.extract.predict_recording`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..data.features import load_features
from ..experiments.registry import RunRegistry
from ..experiments.sweep import features_folder
from ..experiments.sweep_spec import ExtractJob, SweepSpec
from ..training.bundle import train_final
from ..workspace import models_dir, registry_path


@dataclass(frozen=True)
class ModelConfig:
    """The demo bundle: task, method and encoders (a pair the demo sweeps extract), trained with the
    settings of the first cell of the demo sweep named ``sweep`` ("" = the first sweep)."""

    task: str = "spectrum"
    method: str = "hilbert"
    audio_encoder: str = "whisper-tiny-en"
    text_encoder: str = "minilm-l6"
    sweep: str = ""

    @property
    def name(self) -> str:
        return f"demo-{self.task}-{self.method}"


def model_spec(specs: list[SweepSpec], cfg: ModelConfig) -> SweepSpec:
    """The demo sweep whose first cell's settings the model is trained with."""
    if not cfg.sweep:
        return specs[0]
    for spec in specs:
        if spec.name == cfg.sweep:
            return spec
    names = ", ".join(spec.name for spec in specs)
    raise ValueError(
        f"the demo model's sweep {cfg.sweep!r} is not among the demo sweeps ({names}); name one of them."
    )


def _features(spec: SweepSpec, ws: Path, role: str, encoder: str):
    job = ExtractJob(spec.corpora[0], role, encoder, spec.whisper_model)
    folder = features_folder(ws, job)
    if not (folder / "documents.csv").is_file():
        raise ValueError(
            f"the demo model's {role} encoder {encoder!r} is not extracted by sweep {spec.source}; "
            "add it to the sweep's encoders or choose another."
        )
    return load_features(folder), json.loads((folder / "encoders.json").read_text(encoding="utf-8"))


def train_demo_model(spec: SweepSpec, ws: Path, cfg: ModelConfig) -> Path:
    """Train and save the bundle in ``ws/models/<name>`` as a done ``train`` run; returns its folder."""
    if not (cfg.audio_encoder or cfg.text_encoder):
        raise ValueError("the demo model has no encoder; name an audio_encoder and/or a text_encoder.")
    inputs: dict[str, list | None] = {"audio": None, "text": None}
    infos: dict[str, str] = {}
    for role, encoder in (("audio", cfg.audio_encoder), ("text", cfg.text_encoder)):
        if encoder:
            feats, more = _features(spec, ws, role, encoder)
            audio, text, labels, groups, _ = feats.task_view(cfg.task)
            inputs[role] = audio if role == "audio" else text
            infos |= more
    modality = (
        "both" if cfg.audio_encoder and cfg.text_encoder else ("audio" if cfg.audio_encoder else "text")
    )
    corpus = spec.corpora[0]
    config = (
        spec.cells()[0]
        .config()
        .replace(eval={"method": cfg.method, "modality": modality, "seed": spec.seeds[0]})
    )
    info = {
        "task": cfg.task,
        **infos,
        "audio_encoder": cfg.audio_encoder,
        "text_encoder": cfg.text_encoder,
        "corpus": corpus.root,
        "whisper_model": spec.whisper_model,
    }
    registry = RunRegistry(registry_path(ws))
    run_id = registry.create("train", {**config.to_dict(), "task": cfg.task, "sweep": spec.name})
    registry.start(run_id, "cpu")
    bundle = train_final(inputs["audio"], inputs["text"], labels, groups=groups, config=config, info=info)
    out = models_dir(ws) / cfg.name
    bundle.save(out, overwrite=True)
    summary = {"classes": bundle.classes, "training": bundle.info.get("training", {})}
    registry.finish(run_id, summary, {"bundle": str(out)})
    return out
