"""The home page's facts: the workspace, its corpora, models, recent runs and jobs, and the device."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..report.vocabulary import HEADLINE_SHORT
from ..workspace import ENV_VAR, Workspace, open_workspace
from .demo_marks import is_demo_corpus, is_demo_model

logger = logging.getLogger(__name__)

NO_SEED_VAR = "HILBERT_NO_SEED"  # "1": never seed a new workspace with the demo assets (tests, CI)


@dataclass(frozen=True)
class CorpusSummary:
    name: str
    path: Path
    num_documents: int
    tasks: list[str]


@dataclass(frozen=True)
class ModelSummary:
    name: str
    path: Path
    task: str
    method: str
    classes: list[str]
    encoders: str  # "whisper-tiny-en + minilm-l6", or "feature folder"


@dataclass(frozen=True)
class HomeOutput:
    """Everything the home page shows.

    Attributes:
        root: the workspace folder; env_var: the variable that moves it.
        runs: recent runs as rows (id, kind, status, what, pooled out-of-fold AUC in %, when); jobs: recent
            background jobs.
        device: the device training and scoring use ("GPU: NVIDIA ..." or "CPU (n cores)").
    """

    root: Path
    env_var: str
    corpora: list[CorpusSummary]
    models: list[ModelSummary]
    runs: list[dict] = field(default_factory=list)
    jobs: list[dict] = field(default_factory=list)
    device: str = ""

    @property
    def has_demo(self) -> bool:
        """The synthetic demo corpus or a model trained on it is in the workspace."""
        return any(is_demo_corpus(c.path) for c in self.corpora) or any(
            is_demo_model(m.path) for m in self.models
        )

    @property
    def is_empty(self) -> bool:
        return not self.corpora and not self.models and not self.runs and not self.jobs


def seeding_enabled() -> bool:
    return os.environ.get(NO_SEED_VAR, "").strip().lower() not in ("1", "true", "yes")


def open_studio_workspace() -> Workspace:
    """The workspace of ``$HILBERT_WORKSPACE`` (default ``~/.hilbert-studio/workspace``), created if
    needed and seeded with the demo assets when new (unless ``HILBERT_NO_SEED=1``); temporaries a killed
    process left in it are removed (:func:`hilbert_core.lifecycle.remove_stale_temp`)."""
    from ..lifecycle import remove_stale_temp

    ws = open_workspace(seed=seeding_enabled())
    remove_stale_temp(ws)
    return ws


def device_description() -> str:
    import torch

    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}"
    return f"CPU ({os.cpu_count() or 1} cores; no GPU found)"


def corpus_summary(path: Path) -> CorpusSummary:
    from ..data.corpus import RESERVED, read_csv_table

    try:
        table = read_csv_table(path / "documents.csv")
        return CorpusSummary(path.name, path, len(table), [c for c in table.columns if c not in RESERVED])
    except ValueError as exc:
        logger.warning("corpus %s cannot be read: %s", path, exc)
        return CorpusSummary(path.name, path, 0, [])


def model_summary(path: Path) -> ModelSummary:
    """What a bundle is, read from its bundle.json alone (no weights are loaded)."""
    try:
        meta = json.loads((path / "bundle.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ModelSummary(path.name, path, "?", "?", [], "unreadable bundle.json")
    info = meta.get("info", {})
    encoders = " + ".join(e for e in (info.get("audio_encoder"), info.get("text_encoder")) if e)
    method = meta.get("config", {}).get("eval", {}).get("method", "?")
    return ModelSummary(
        path.name, path, str(info.get("task", "?")), method, list(meta.get("classes", [])),
        encoders or "feature folder",
    )  # fmt: skip


def _run_rows(ws: Workspace, limit: int) -> list[dict]:
    from ..experiments.registry import RunRegistry

    rows = []
    for r in RunRegistry(ws.registry_path).list()[:limit]:
        cell, ev = r.config.get("cell", {}), r.config.get("eval", {})
        pair = " + ".join(e for e in (cell.get("audio_encoder"), cell.get("text_encoder")) if e)
        task = r.config.get("task") or cell.get("task", "?")
        method = ev.get("method") or cell.get("method", "?")
        what = f"{task} · {method}" + (f" · {pair}" if pair else "")
        if r.kind == "extract":
            corpus = Path(str(r.config.get("corpus_root") or r.config.get("corpus", "?"))).name
            what = f"{corpus} · {r.config.get('encoder') or pair or '?'}"
        rows.append(
            {
                "run": r.id, "kind": r.kind, "status": r.status, "what": what,
                HEADLINE_SHORT: None if r.auc_macro is None else round(100 * r.auc_macro, 1),
                "started": _when(r.started_at or r.created_at),
            }
        )  # fmt: skip
    return rows


def _job_rows(ws: Workspace, limit: int) -> list[dict]:
    from ..experiments.jobs import list_jobs
    from .job_progress import job_progress

    rows = []
    for j in list_jobs(ws.root)[:limit]:
        live = job_progress(ws.root, j)
        rows.append(
            {"job": j.id, "kind": j.kind, "status": j.status, "progress": round(100 * live.fraction),
             "step": j.error or live.text, "result": live.result,
             "started": _when(j.started_at or j.created_at)}
        )  # fmt: skip
    return rows


def _when(stamp: float | None) -> str:
    return "" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def home_summary(ws: Workspace, limit: int = 10) -> HomeOutput:
    """Corpora, models, the ``limit`` most recent runs and jobs, and the device of ``ws``."""
    has_registry = ws.registry_path.is_file()
    return HomeOutput(
        root=ws.root,
        env_var=ENV_VAR,
        corpora=[corpus_summary(p) for p in ws.corpora()],
        models=[model_summary(p) for p in ws.models()],
        runs=_run_rows(ws, limit) if has_registry else [],
        jobs=_job_rows(ws, limit) if has_registry else [],
        device=device_description(),
    )
