"""``hilbert demo-assets``: rebuild every shipped demo asset from the generator, for one seed.

In a scratch workspace beside the destination it writes the demo corpus, runs the demo sweeps
(``assets/sweeps/demo*.yaml``: every encoder once, then every cell), trains the default ``spectrum``
model, and synthesises the sample interviews; then it packs the corpus, the features, the runs and the
bundle into the assets folder (layout: :mod:`hilbert_core.demo.assets_store`), writes ``MANIFEST.json``,
checks the size budget and only then replaces the old folder. Labels, transcripts, features and AUCs
depend only on the seed and the sweep files; run ids and timestamps are fresh each build.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..experiments.registry import RunRegistry
from ..experiments.sweep import features_folder, run_sweep
from ..experiments.sweep_file import parse_sweep_text
from ..experiments.sweep_spec import ExtractJob, SweepSpec
from ..experiments.transfer import export_runs, replace_paths
from ..io import atomic_write_text
from ..workspace import ASSETS, corpora_dir, registry_path
from . import assets_store as store
from .assets_model import ModelConfig, model_spec, train_demo_model
from .assets_samples import SampleConfig, write_samples
from .corpus import write_demo_corpus
from .script import DemoConfig
from .synth import SynthConfig

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
DEFAULT_SWEEPS = ("demo.yaml", "demo-modalities.yaml", "demo-ablations.yaml")


@dataclass(frozen=True)
class AssetsConfig:
    """What ``hilbert demo-assets`` builds.

    Attributes:
        out: the assets folder to (re)create.
        demo: the corpus plan (seed and number of interviews included).
        sweep_files: demo sweeps; their corpus entries are pointed at the freshly generated corpus.
        model: the shipped model bundle (task, method, encoders; they must be in the sweeps).
        samples: the sample interviews (None: none).
        audio: synthesise audio (False: estimated segment times, no recordings; for quick tests).
        synth: audio format and noise.
        feature_dtype: ``float16`` (half the size) or ``float32`` (bit-exact) features.
        engine, workers: where the sweeps run (see ``hilbert sweep``).
        cache_dir: a feature cache kept between builds (None: a fresh one in the scratch workspace);
            the same seed gives the same recordings, so a rebuild skips the encoders.
        budget_mb: most megabytes the whole assets folder (``out``'s parent) may hold.
    """

    out: Path = ASSETS / "demo"
    demo: DemoConfig = field(default_factory=lambda: DemoConfig(num_documents=100))
    sweep_files: tuple[Path, ...] = tuple(ASSETS / "sweeps" / name for name in DEFAULT_SWEEPS)
    # the network itself (demo-ablations.yaml keeps it in every fold), so the Interview page can show its
    # attention, gates and place among the training documents; the default recipe keeps the probe here
    model: ModelConfig = field(default_factory=lambda: ModelConfig(sweep="demo-ablations"))
    samples: SampleConfig | None = field(default_factory=SampleConfig)
    audio: bool = True
    synth: SynthConfig = field(default_factory=SynthConfig)
    feature_dtype: str = "float16"
    engine: str = "local"
    workers: int | None = None
    cache_dir: Path | None = None
    budget_mb: float = 25.0

    def __post_init__(self) -> None:
        if self.feature_dtype not in store.FEATURE_DTYPES:
            raise ValueError(f"feature_dtype={self.feature_dtype!r} is not one of {store.FEATURE_DTYPES}.")
        if not self.sweep_files:
            raise ValueError("sweep_files is empty; give at least one demo sweep file.")


@dataclass(frozen=True)
class AssetsOutput:
    """What :func:`build_demo_assets` wrote: the folder, its manifest, and the wall time."""

    out: Path
    manifest: dict
    seconds: float

    def summary(self) -> str:
        m = self.manifest
        return (
            f"wrote {self.out}: {m['corpus']['documents']} documents, {m['runs']['cv']} cv runs, "
            f"{len(m['features'])} feature sets, {self.out_bytes / 1e6:.2f} MB "
            f"(assets folder {m['assets_bytes'] / 1e6:.2f} MB of {m['budget_mb']:g} MB), {self.seconds:.0f} s"
        )

    @property
    def out_bytes(self) -> int:
        return int(self.manifest["total_bytes"])


def demo_specs(
    sweep_files: tuple[Path, ...], corpus_root: Path, cache_dir: Path | None = None
) -> list[SweepSpec]:
    """The demo sweeps with every corpus entry pointed at ``corpus_root`` (named ``demo``)."""
    specs = []
    for path in sweep_files:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the demo sweep file ({exc}).") from None
        for entry in data.get("corpora") or []:
            entry["path"], entry["name"] = str(corpus_root), store.CORPUS_NAME
            if cache_dir is not None:
                entry["cache"] = str(Path(cache_dir).resolve())
        specs.append(parse_sweep_text(yaml.safe_dump(data), Path(path)))
    return specs


def _run_sweeps(specs: list[SweepSpec], ws: Path, cfg: AssetsConfig, progress: Progress) -> None:
    for i, spec in enumerate(specs):
        share = (0.15 + 0.6 * i / len(specs), 0.6 / len(specs))
        out = run_sweep(
            spec,
            ws,
            engine=cfg.engine,
            workers=cfg.workers,
            progress=lambda f, m, s=share, n=spec.name: progress(s[0] + s[1] * f, f"{n}: {m}"),
        )
        if out.failed:
            label, error = out.failed[0]
            raise ValueError(
                f"demo sweep {spec.source}: {len(out.failed)} cells failed, first {label}: {error}"
            )
        logger.info("sweep %s: %d cells (%d ran) in %.0f s", spec.name, out.cells, out.ran, out.seconds)


def _pack_features(specs: list[SweepSpec], ws: Path, stage: Path, dtype: str) -> list[dict]:
    """Compact copies of every feature folder the sweeps extracted, with their workspace-relative paths."""
    folder_out = stage / store.FEATURES_DIR
    folder_out.mkdir(parents=True)
    jobs: dict[str, ExtractJob] = {}
    for spec in specs:
        for job in spec.extract_jobs():
            jobs.setdefault(job.key, job)
    index, table = [], None
    for job in jobs.values():
        folder = features_folder(ws, job)
        documents = (folder / "documents.csv").read_text(encoding="utf-8")
        if table is not None and documents != table:
            raise ValueError(
                f"{folder}/documents.csv differs from the other feature folders; rebuild the assets."
            )
        table = documents
        name = folder.name
        matrix = store.pack_feature_folder(folder, folder_out / f"{name}.npz", dtype)
        index.append(
            {
                "folder": folder.relative_to(ws).as_posix(),
                "file": f"{name}.npz",
                "role": job.role,
                "encoder": job.encoder,
                "shape": list(matrix.shape),
                "dtype": dtype,
                "encoders_json": json.loads((folder / "encoders.json").read_text(encoding="utf-8")),
            }
        )
    atomic_write_text(folder_out / "documents.csv", table or "")
    atomic_write_text(folder_out / store.INDEX_FILE, json.dumps(index, indent=1) + "\n")
    return index


def _copy_model(src: Path, dst: Path, ws: Path) -> None:
    shutil.copytree(src, dst)
    meta = json.loads((dst / "bundle.json").read_text(encoding="utf-8"))
    meta = replace_paths(meta, {str(ws): store.PLACEHOLDER})
    atomic_write_text(dst / "bundle.json", json.dumps(meta, indent=2, sort_keys=True))


def _stage_assets(cfg: AssetsConfig, scratch: Path, progress: Progress) -> dict:
    ws, stage = scratch / "ws", scratch / "stage"
    stage.mkdir(parents=True)
    corpus_root = corpora_dir(ws) / store.CORPUS_NAME
    progress(0.0, "writing the demo corpus")
    corpus = write_demo_corpus(
        corpus_root, cfg.demo, audio=cfg.audio, synth=cfg.synth, progress=lambda f, m: progress(0.15 * f, m)
    )
    specs = demo_specs(cfg.sweep_files, corpus_root, cfg.cache_dir)
    _run_sweeps(specs, ws, cfg, progress)
    progress(0.75, f"training the {cfg.model.task} model")
    model_dir = train_demo_model(model_spec(specs, cfg.model), ws, cfg.model)
    progress(0.85, "packing the assets")
    shutil.copytree(corpus_root, stage / store.CORPUS_DIR, ignore=shutil.ignore_patterns(".hilbert"))
    features = _pack_features(specs, ws, stage, cfg.feature_dtype)
    registry = RunRegistry(registry_path(ws))
    num_runs = export_runs(registry, stage / store.RUNS_FILE, {str(ws): store.PLACEHOLDER})
    _copy_model(model_dir, stage / store.MODELS_DIR / model_dir.name, ws)
    samples = []
    if cfg.samples is not None and cfg.audio:
        progress(0.9, "synthesising the sample interviews")
        samples = write_samples(stage / store.SAMPLES_DIR, cfg.demo.seed, cfg.samples, cfg.synth)
    kinds = [r.kind for r in registry.list(status="done")]
    return {
        "generator": "hilbert_core.demo",
        "package_version": _version(),
        "seed": cfg.demo.seed,
        "demo_config": cfg.demo.to_dict(),
        "sweeps": [Path(p).name for p in cfg.sweep_files],
        "corpus": {
            "documents": len(corpus.plan.documents),
            "subjects": corpus.plan.num_subjects,
            "spectrum": corpus.plan.class_counts(),
            "audio_minutes": round(corpus.audio_seconds / 60, 1),
            "has_audio": corpus.has_audio,
        },
        "features": [{k: f[k] for k in ("folder", "file", "shape", "dtype")} for f in features],
        "runs": {"exported": num_runs, **{k: kinds.count(k) for k in ("extract", "cv", "train")}},
        "model": model_dir.name,
        "samples": [s["audio"] for s in samples],
    }


def build_demo_assets(cfg: AssetsConfig | None = None, progress: Progress | None = None) -> AssetsOutput:
    """Build the demo assets into ``cfg.out`` (see the module docstring); the old folder is replaced last.

    Raises:
        ValueError: a demo sweep cell failed, or the assets folder would exceed ``cfg.budget_mb``.
    """
    cfg = cfg or AssetsConfig()
    progress = progress or (lambda f, m: None)
    started = time.perf_counter()
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _check_room(out, cfg.budget_mb)  # before the build, not after half an hour of it
    scratch = out.parent / f".{out.name}.build-{secrets.token_hex(4)}"
    try:
        meta = _stage_assets(cfg, scratch, progress)
        stage = scratch / "stage"
        others = _others_bytes(out) - store.folder_bytes(scratch)
        meta["build_seconds"] = round(time.perf_counter() - started, 1)
        meta["budget_mb"] = cfg.budget_mb
        manifest = store.write_manifest(stage, meta)
        total = others + manifest["total_bytes"]
        if total > cfg.budget_mb * 1e6:
            raise ValueError(
                f"the assets folder would hold {total / 1e6:.1f} MB, over budget_mb={cfg.budget_mb:g}; "
                "lower --documents or use a smaller audio format."
            )
        manifest["assets_bytes"] = total
        store.write_manifest(stage, {**meta, "assets_bytes": total})
        _replace(out, stage)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = AssetsOutput(out, manifest, time.perf_counter() - started)
    logger.info("%s", result.summary())
    return result


def _others_bytes(out: Path) -> int:
    """Bytes in ``out``'s parent (the assets folder) besides ``out`` itself."""
    return store.folder_bytes(out.parent) - (store.folder_bytes(out) if out.is_dir() else 0)


def _check_room(out: Path, budget_mb: float) -> None:
    others = _others_bytes(out)
    if others >= budget_mb * 1e6:
        raise ValueError(
            f"{out.parent} already holds {others / 1e6:.1f} MB besides {out.name}/, over "
            f"budget_mb={budget_mb:g} (the budget counts the whole folder around --out); build into an "
            "empty folder, e.g. --out /tmp/hilbert-demo/demo, or raise --budget-mb."
        )


def _replace(out: Path, stage: Path) -> None:
    if out.exists():
        trash = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
        os.replace(out, trash)
        os.replace(stage, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(stage, out)


def _version() -> str:
    from .. import __version__

    return __version__
