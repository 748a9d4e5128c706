"""Compare, read fairly: a ranking per task by the headline AUC, plain row labels with the settings in
their own column, notes on rows that are the same model under two names, the heatmap's default and its
intervals, and the paired tests as sortable numbers with a Holm-significance mark.

Everything is reshaped from :class:`~hilbert_core.service.compare.CompareOutput` (the numbers of
``hilbert report``); nothing is recomputed here but the identity of predictions.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..experiments.registry import RunRegistry
from ..report.vocabulary import HEADLINE_SHORT, pct
from ..workspace import registry_path
from .compare import CompareOutput
from .demo_marks import is_demo_run

HEADLINE_METHOD = "hilbert"
HEADLINE_TASK = "spectrum"
ALPHA = 0.05
CI_COLUMN = "95 % CI (pooled)"
FOLD_COLUMN = "fold mean ± sd (%)"
RANK_COLUMNS = [
    "rank",
    "backbone",
    "method",
    "settings",
    HEADLINE_SHORT,
    CI_COLUMN,
    FOLD_COLUMN,
    "documents",
    "note",
    "run",
]


def settings_text(row: pd.Series) -> str:
    """Seed, folds and config overrides of a table row, in plain words."""
    overrides = str(row.get("overrides") or "").replace("; ", ", ")
    return f"seed {row['seed']}, {row['folds']} folds" + (f", {overrides}" if overrides else "")


def _prediction_key(output: CompareOutput, run_id: str) -> str:
    run = output.results[run_id]
    order = np.argsort(np.asarray(run.document_ids, dtype=str))
    return hashlib.sha256(np.round(run.proba[order], 6).tobytes()).hexdigest()


def identical_notes(output: CompareOutput, part: pd.DataFrame) -> dict[str, str]:
    """Run id -> a note naming the other rows of ``part`` with the very same out-of-fold predictions."""
    keys = {r: _prediction_key(output, r) for r in part.run_id if r in output.results}
    label = {r: f"{b} | {m}" for r, b, m in zip(part.run_id, part.backbone, part.method, strict=True)}
    notes = {}
    for run_id, key in keys.items():
        twins = [label[o] for o, k in keys.items() if k == key and o != run_id]
        if twins:
            why = ""
            if any("only)" in label[o] for o in (run_id, *[o for o, k in keys.items() if k == key])):
                why = (
                    " (one modality: HILBERT's audio–text losses have nothing to align, so both train the "
                    "same model)"
                )
            notes[run_id] = f"same predictions as {', '.join(twins)}{why}"
    return notes


def ranking(output: CompareOutput, corpus: str, task: str) -> pd.DataFrame:
    """The rows of one corpus and task ranked by the pooled out-of-fold AUC (1 = best; ties share a rank)."""
    part = output.runs[(output.runs.corpus == corpus) & (output.runs.task == task)]
    if part.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    notes = identical_notes(output, part)
    table = pd.DataFrame(
        {
            "backbone": part.backbone,
            "method": part.method,
            "settings": [settings_text(r) for _, r in part.iterrows()],
            HEADLINE_SHORT: (100 * part.auc_pooled).round(1),
            CI_COLUMN: [
                f"[{pct(lo)}, {pct(hi)}]"
                for lo, hi in zip(part.auc_pooled_ci_low, part.auc_pooled_ci_high, strict=True)
            ],
            FOLD_COLUMN: [f"{pct(m)} ± {pct(s)}" for m, s in zip(part.auc_mean, part.auc_sd, strict=True)],
            "documents": part.num_documents,
            "note": [notes.get(r, "") for r in part.run_id],
            "run": part.run_id,
        }
    )
    table.insert(0, "rank", table[HEADLINE_SHORT].rank(ascending=False, method="min").astype("Int64"))
    return table.sort_values(["rank", "backbone", "method"]).reset_index(drop=True)[RANK_COLUMNS]


def default_view(output: CompareOutput, focus_run: str | None = None) -> tuple[str, str, str]:
    """(corpus, task, method) a page opens on: the focused run's, else the headline method and task."""
    runs = output.runs
    if focus_run is not None and focus_run in set(runs.run_id):
        row = runs[runs.run_id == focus_run].iloc[0]
        return str(row.corpus), str(row.task), str(row.method)
    corpus = sorted(runs.corpus.unique())[0]
    part = runs[runs.corpus == corpus]
    tasks = sorted(part.task.unique())
    task = HEADLINE_TASK if HEADLINE_TASK in tasks else tasks[0]
    methods = sorted(part[part.task == task].method.unique())
    return corpus, task, HEADLINE_METHOD if HEADLINE_METHOD in methods else methods[0]


def heatmap_cells(
    runs: pd.DataFrame, corpus: str, task: str, method: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pooled AUC (%) of one method with text encoders as rows and audio encoders as columns, and the cell
    texts with their 95 % CI ("81.8<br>[76.8, 85.3]"); the latest run per cell when settings differ.

    Raises:
        ValueError: no run of that corpus, task and method.
    """
    part = runs[(runs.corpus == corpus) & (runs.task == task) & (runs.method == method)]
    if part.empty:
        raise ValueError(f"no finished run of method {method!r} on {corpus}/{task}; pick another method.")
    # one run per cell: the settings most runs of this method share (a quick check never hides the
    # standard run)
    settings = pd.Series([settings_text(r) for _, r in part.iterrows()], index=part.index)
    usual = settings == settings.mode().iloc[0]
    part = part.loc[usual.sort_values(kind="stable").index]
    part = part.drop_duplicates(["text_encoder", "audio_encoder"], keep="last")
    values = part.pivot(index="text_encoder", columns="audio_encoder", values="auc_pooled")
    text = part.assign(
        cell=[
            f"{pct(a)}<br>[{pct(lo)}, {pct(hi)}]"
            for a, lo, hi in zip(
                part.auc_pooled, part.auc_pooled_ci_low, part.auc_pooled_ci_high, strict=True
            )
        ]
    ).pivot(index="text_encoder", columns="audio_encoder", values="cell")
    values = (100 * values).sort_index().sort_index(axis=1)
    text = text.reindex_like(values).fillna("")
    for frame in (values, text):
        frame.index.name, frame.columns.name = "text encoder", "audio encoder"
    return values, text


def paired_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Every pair of a task as sortable numbers (AUC points, p-values), most significant first, with a mark
    where Holm's adjusted p is below 0.05."""
    if frame.empty:
        return frame
    holm = frame["delong_p_holm_pooled_oof"]
    out = pd.DataFrame(
        {
            "Holm-significant": np.where(holm < ALPHA, "✓", ""),
            "A": frame.row_a,
            "B": frame.row_b,
            "A − B (AUC points)": (100 * frame.delta_auc_pooled).round(1),
            "CI low": (100 * frame.delta_ci_low).round(1),
            "CI high": (100 * frame.delta_ci_high).round(1),
            "DeLong p": frame.delong_p_pooled_oof,
            "Holm p": holm,
        }
    )
    return out.sort_values(["Holm p", "DeLong p"], na_position="last").reset_index(drop=True)


def has_demo_runs(workspace) -> bool:
    """The workspace's finished cross-validations include runs on the synthetic demo corpus."""
    if not registry_path(workspace).is_file():
        return False
    return any(
        is_demo_run(r.config) for r in RunRegistry(registry_path(workspace)).list(kind="cv", status="done")
    )
