"""The comparison dashboard: the paper's AUC table, an encoder-pair heatmap, paired tests and exports.

All numbers come from :mod:`hilbert_core.report.tables` (the functions ``hilbert report`` uses) over the
workspace's finished cross-validations; this module reshapes them for the page and adds each run's
encoders. The main table is computed at once; paired tests are computed for the two rows a user picks,
and for a whole task (every pair, with Holm's correction) in the background with a progress bar, since a
sweep of 90 runs has over a thousand pairs, each with its own bootstrap.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..evaluation.stats import holm
from ..experiments.registry import RunRegistry
from ..report.export import CAPTIONS, safe_file_stem, to_latex
from ..report.paired import pair_columns, paired_tables
from ..report.results import (  # latest_runs: the same de-duplication as `hilbert report`
    ReportConfig,
    ReportOutput,
    RunResult,
    latest_runs,
    load_results,
)
from ..report.tables import ablation_tables, main_tables
from ..workspace import registry_path
from . import background

NO_ENCODER = "(none)"


@dataclass(frozen=True)
class CompareConfig:
    """Bootstrap settings of the confidence intervals and paired tests."""

    num_resamples: int = 1000
    unit: str = "auto"
    seed: int = 0

    def report_config(self) -> ReportConfig:
        return ReportConfig(num_resamples=self.num_resamples, unit=self.unit, seed=self.seed)


@dataclass
class CompareOutput:
    """The report plus ``runs``: one row per table cell (tidy), with ``audio_encoder``,
    ``text_encoder`` and a readable ``label`` added."""

    report: ReportOutput
    runs: pd.DataFrame
    results: dict[str, RunResult] = field(default_factory=dict)  # run id -> what the report read
    config: CompareConfig = field(default_factory=lambda: CompareConfig())

    @property
    def main_tables(self) -> list[str]:
        return [n for n in self.report.tables if n.startswith("table_")]


@dataclass(frozen=True)
class PairedOutput:
    """A paired comparison of rows A and B on the same documents and folds (pooled out-of-fold AUCs)."""

    label_a: str
    label_b: str
    auc_a: float
    auc_b: float
    delta: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    p_holm: float
    family_size: int


def registry_stamp(workspace: str | Path) -> str:
    """Changes whenever a run finishes: number of finished cv runs and the last finish time."""
    path = registry_path(workspace)
    if not path.exists():
        return "empty"
    runs = RunRegistry(path).list(kind="cv", status="done")
    return f"{len(runs)}:{max((r.finished_at or 0) for r in runs) if runs else 0}"


def _encoders(workspace: str | Path) -> dict[str, tuple[str, str]]:
    out = {}
    for record in RunRegistry(registry_path(workspace)).list(kind="cv", status="done"):
        cell = record.config.get("cell") or {}
        out[record.id] = (cell.get("audio_encoder") or NO_ENCODER, cell.get("text_encoder") or NO_ENCODER)
    return out


def build_comparison(workspace: str | Path, cfg: CompareConfig | None = None) -> CompareOutput:
    """Main (and ablation) tables of the workspace's finished cross-validations; empty when none."""
    cfg = cfg or CompareConfig()
    if not registry_path(workspace).exists():
        return CompareOutput(ReportOutput(notes=["no runs yet"]), pd.DataFrame(), config=cfg)
    report = ReportOutput()
    results = latest_runs(
        load_results(RunRegistry(registry_path(workspace)), cfg.report_config(), report.notes), report.notes
    )
    main_tables(results, cfg.report_config(), report)
    ablation_tables(results, report)
    parts = [report.data[name] for name in report.data if name.startswith("table_")]
    if not parts:
        return CompareOutput(report, pd.DataFrame(), config=cfg)
    runs = pd.concat(parts, ignore_index=True)
    encoders = _encoders(workspace)
    runs["audio_encoder"] = [encoders.get(r, (NO_ENCODER, NO_ENCODER))[0] for r in runs["run_id"]]
    runs["text_encoder"] = [encoders.get(r, (NO_ENCODER, NO_ENCODER))[1] for r in runs["run_id"]]
    seeds = runs.groupby("corpus")["seed"].transform("nunique") > 1
    runs["label"] = [
        f"{c}/{t}: {b} | {m}" + (f" | seed {s}" if many else "")
        for c, t, b, m, s, many in zip(
            runs.corpus, runs.task, runs.backbone, runs.method, runs.seed, seeds, strict=True
        )
    ]
    return CompareOutput(report, runs, {r.run_id: r for r in results}, cfg)


def heatmap_matrix(runs: pd.DataFrame, corpus: str, task: str, method: str) -> pd.DataFrame:
    """Fold-mean AUC (%) with text encoders as rows and audio encoders as columns, for one corpus,
    task and method (mean over seeds/settings when there are several; NaN where nothing ran).

    Raises:
        ValueError: no run of that corpus, task and method.
    """
    part = runs[(runs.corpus == corpus) & (runs.task == task) & (runs.method == method)]
    if part.empty:
        raise ValueError(f"no finished run of method {method!r} on {corpus}/{task}; pick another method.")
    matrix = part.pivot_table(
        index="text_encoder", columns="audio_encoder", values="auc_mean", aggfunc="mean", dropna=False
    )
    matrix = 100 * matrix.sort_index().sort_index(axis=1)
    matrix.index.name, matrix.columns.name = "text encoder", "audio encoder"
    return matrix


def _pair_row(output: CompareOutput, run_a: str, run_b: str) -> dict | None:
    """The report's tidy row for one pair (A's documents order), or None when they cannot be paired."""
    out = ReportOutput()
    paired_tables([output.results[run_a], output.results[run_b]], output.config.report_config(), out)
    frame = next((f for name, f in out.data.items() if name.startswith("paired_")), None)
    if frame is None or frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    if row["run_a"] != run_a:  # the report orders a pair by row label: turn it round
        row.update(
            run_a=run_a, run_b=run_b, auc_pooled_a=row["auc_pooled_b"], auc_pooled_b=row["auc_pooled_a"],
            delta_auc_pooled=-row["delta_auc_pooled"], delta_ci_low=-row["delta_ci_high"],
            delta_ci_high=-row["delta_ci_low"], delong_z_pooled_oof=-row["delong_z_pooled_oof"],
        )  # fmt: skip
    return row


def paired_comparison(
    output: CompareOutput, run_a: str, run_b: str, family: pd.DataFrame | None = None
) -> PairedOutput:
    """Paired test of two runs (A − B); Holm's p comes from ``family`` (see :func:`paired_family`)
    when it has been computed, else it is NaN.

    Raises:
        ValueError: the same run twice, or two runs not scored on the same documents and folds.
    """
    if run_a == run_b:
        raise ValueError("rows A and B are the same run; pick two different rows.")
    labels = dict(zip(output.runs.run_id, output.runs.label, strict=True))
    row = _pair_row(output, run_a, run_b)
    if row is None:
        raise ValueError(
            f"{labels[run_a]} and {labels[run_b]} were not scored on the same documents with the same "
            "folds (corpus, task, seed and number of folds must match); pick two rows of one task."
        )
    p_holm, size = np.nan, 0
    if family is not None and not family.empty:
        forward = (family.run_a == run_a) & (family.run_b == run_b)
        hit = family[forward | ((family.run_a == run_b) & (family.run_b == run_a))]
        if len(hit):
            p_holm, size = float(hit.iloc[0].delong_p_holm_pooled_oof), int(hit.iloc[0].holm_family_size)
    return PairedOutput(
        labels[run_a], labels[run_b], float(row["auc_pooled_a"]), float(row["auc_pooled_b"]),
        float(row["delta_auc_pooled"]), float(row["delta_ci_low"]), float(row["delta_ci_high"]),
        float(row["delong_z_pooled_oof"]), float(row["delong_p_pooled_oof"]), p_holm, size,
    )  # fmt: skip


def family_runs(output: CompareOutput, corpus: str, task: str) -> list[str]:
    """Run ids of one (corpus, task): the family of Holm's correction."""
    part = output.runs[(output.runs.corpus == corpus) & (output.runs.task == task)]
    return sorted(part.run_id)


def paired_family(
    output: CompareOutput, corpus: str, task: str, progress: background.Progress | None = None
) -> pd.DataFrame:
    """Every pairable two rows of one corpus and task (one row per pair, the report's tidy columns with
    our row labels), DeLong p Holm-adjusted over the family, as ``hilbert report`` does."""
    ids = family_runs(output, corpus, task)
    pairs = list(itertools.combinations(ids, 2))
    labels = dict(zip(output.runs.run_id, output.runs.label, strict=True))
    rows = []
    for i, (a, b) in enumerate(pairs):
        if progress is not None and i % 10 == 0:
            progress(i / max(len(pairs), 1), f"pair {i + 1} of {len(pairs)}")
        row = _pair_row(output, a, b)
        if row is not None:
            rows.append({**row, "row_a": labels[a], "row_b": labels[b]})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    p = frame["delong_p_pooled_oof"]
    finite = p.notna()
    frame["delong_p_holm_pooled_oof"] = np.nan
    frame.loc[finite, "delong_p_holm_pooled_oof"] = holm(p[finite].to_numpy())
    frame["holm_family_size"] = int(finite.sum())
    return frame


def start_paired_family(
    output: CompareOutput, corpus: str, task: str, retry: bool = False
) -> background.TaskState:
    """:func:`paired_family` in the background (shared by sessions asking for the same runs); a failed
    computation starts again only with ``retry`` (the user pressed the button again)."""
    ids = family_runs(output, corpus, task)
    key = "pairs:" + hashlib.sha256(repr((ids, output.config)).encode()).hexdigest()[:24]
    return background.submit(key, lambda progress: paired_family(output, corpus, task, progress), retry=retry)


def family_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The family's pairs formatted for reading (AUC points, CI, p-values), as ``hilbert report``
    formats its paired tables."""
    return pair_columns(frame).reset_index(drop=True)


def table_csv(output: CompareOutput, name: str) -> str:
    """Tidy numbers of report table ``name`` as CSV (what ``hilbert report`` writes)."""
    return output.report.data[name].to_csv(index=False)


def table_latex(output: CompareOutput, name: str) -> str:
    """Report table ``name`` as a booktabs LaTeX table with the report's caption."""
    kind, _, corpus = name.partition("_")
    return to_latex(output.report.tables[name], f"{CAPTIONS[kind]}; corpus {corpus}.")


def export_name(name: str, extension: str) -> str:
    return f"{safe_file_stem(name)}.{extension}"
