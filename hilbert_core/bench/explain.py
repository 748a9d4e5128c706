"""``hilbert bench explain``: do the segment scores find the segments that carry the label?

Every document is explained by a model that did not see it: subject-grouped, stratified outer folds; in
each, the final-model procedure (:func:`hilbert_core.training.bundle.train_final`, the same one a saved
bundle comes from) trains on the other folds, and :meth:`Bundle.explain` scores the held-out documents.
On the documents with cue segments every score (attention per modality, each faithful kind toward the
true class and toward the predicted class) gets the lifts of :mod:`hilbert_core.explain.localisation`;
every method also gets its pooled out-of-fold macro AUC.

Sources: the shipped demo features (``assets/demo/features`` with the corpus's ``cues.csv``; a cue
segment is one carrying a spectrum cue, and control interviews are left out), or a feature folder with
its own ``cues.csv`` (``document_id, segment, cues``; a non-empty ``cues`` marks a cue segment).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ExperimentConfig
from ..data.features import FeatureSet, load_features
from ..data.splits import make_folds
from ..evaluation.bootstrap import bootstrap_auc_ci
from ..evaluation.metrics import macro_auc
from ..explain.localisation import grouped_mean_ci, mass_lift, topk_lift
from ..training.bundle import train_final
from ..workspace import ASSETS

logger = logging.getLogger(__name__)

DEMO = ASSETS / "demo"
# Cue names (after "lexical:", "prosodic:") that carry a spectrum class; affect, sleep, bad-day cues do not.
SPECTRUM_CUES = ("depression", "bipolar", "schizophrenia", "tangential", "poverty")


@dataclass(frozen=True)
class BenchExplainConfig:
    """What ``hilbert bench explain`` runs.

    Attributes:
        features: a feature folder; None = the shipped demo features.
        cues: a cues.csv; None = the demo corpus's, or ``<features>/cues.csv``.
        task: None = ``spectrum`` on the demo, else the folder's first task.
        audio_encoder, text_encoder: the demo's feature files to use ('' = leave the modality out).
        methods: None = ``hilbert`` on the demo, ``linear, transfer, hilbert`` on a feature folder.
        variants: further ``hilbert`` runs, each a comma-separated list of overrides.
        overrides: ``section.field=value`` for every run.
        folds, epochs, seeds: outer folds, training epochs (None = the config's), fold/model seeds.
        k: top-k of the precision lift.
        cue_kinds: cue names that count (None = the demo's spectrum cues; any non-empty cue on a folder).
        skip_labels: labels whose documents are not scored (None = ``control`` on the demo, none on a folder).
        ig_steps, resamples: integration steps; bootstrap resamples.
    """

    features: str | None = None
    cues: str | None = None
    task: str | None = None
    audio_encoder: str = "whisper-tiny-en"
    text_encoder: str = "minilm-l6"
    methods: tuple[str, ...] | None = None
    variants: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    folds: int = 5
    epochs: int | None = None
    seeds: tuple[int, ...] = (0,)
    k: int = 3
    cue_kinds: tuple[str, ...] | None = None
    skip_labels: tuple[str, ...] | None = None
    ig_steps: int = 32
    resamples: int = 2000


@dataclass(frozen=True)
class Corpus:
    """The task's documents and which of their segments are cue segments (None: not scored)."""

    feats: tuple  # FeatureSet.task_view: audio, text, labels, groups, ids
    cues: list[np.ndarray | None]
    source: dict[str, Any]


def load_corpus(bc: BenchExplainConfig) -> Corpus:
    """The features, task and cue segments ``bc`` names."""
    is_demo = bc.features is None
    if is_demo:
        from ..demo.assets_store import packed_feature_set

        fs = packed_feature_set(DEMO / "features", bc.audio_encoder, bc.text_encoder)
    else:
        fs = load_features(bc.features)
    task = bc.task or ("spectrum" if is_demo else _first_task(fs))
    cue_path = Path(bc.cues) if bc.cues else (DEMO / "corpus" if is_demo else Path(bc.features)) / "cues.csv"
    if not cue_path.is_file():
        raise ValueError(f"{cue_path} not found; give --cues (a CSV with document_id, segment, cues).")
    kinds = bc.cue_kinds if bc.cue_kinds is not None else (SPECTRUM_CUES if is_demo else None)
    skip = bc.skip_labels if bc.skip_labels is not None else (("control",) if is_demo else ())
    view = fs.task_view(task)
    marked = _cue_segments(pd.read_csv(cue_path, dtype={"document_id": str}), kinds)
    cues = []
    for x, label, doc_id in zip(view[0] or view[1], view[2], view[4], strict=True):
        segs = marked.get(doc_id, set())
        mask = np.isin(np.arange(len(x)), sorted(segs))
        cues.append(mask if mask.any() and label not in skip else None)
    source = {"features": str(bc.features or DEMO / "features"), "cues": str(cue_path), "task": task}
    source.update(cue_kinds=list(kinds) if kinds else "any", skip_labels=list(skip))
    return Corpus(view, cues, source)


def _first_task(fs: FeatureSet) -> str:
    if not fs.tasks:
        raise ValueError("the feature folder's documents.csv has no task column; add one or give --task.")
    return fs.tasks[0]


def _cue_segments(table: pd.DataFrame, kinds: tuple[str, ...] | None) -> dict[str, set[int]]:
    """document_id -> the segments whose cues (``;``-separated, ``kind`` or ``lexical:kind``) count."""
    missing = {"document_id", "segment", "cues"} - set(table.columns)
    if missing:
        raise ValueError(
            f"cues.csv lacks the column(s) {', '.join(sorted(missing))}; it needs document_id, segment, cues."
        )
    out: dict[str, set[int]] = defaultdict(set)
    for doc_id, seg, cue in table[["document_id", "segment", "cues"]].itertuples(index=False):
        names = [c.strip().split(":")[-1] for c in str(cue).split(";")] if pd.notna(cue) else []
        if any(n for n in names) and (kinds is None or any(n in kinds for n in names)):
            out[str(doc_id)].add(int(seg))
    return out


def run_config(bc: BenchExplainConfig, method: str, variant: tuple[str, ...]) -> ExperimentConfig:
    cfg = ExperimentConfig().replace(eval={"method": method}).apply_overrides([*bc.overrides, *variant])
    return cfg.replace(train={"epochs": bc.epochs}) if bc.epochs is not None else cfg


def _doc_scores(ev, true_idx: int, cues: np.ndarray, k: int) -> dict[str, tuple[float, float]]:
    """Score name -> (mass lift, top-k lift) of one explained document."""
    scores = {f"attention_{name}": w for name, w in ev.attention.items()}
    for kind in ev.faithful:
        scores[kind] = ev.scores(kind, true_idx)
        scores[f"{kind}@predicted"] = ev.scores(kind)
    return {name: (mass_lift(s, cues), topk_lift(s, cues, k)) for name, s in scores.items()}


def _one_seed(bc: BenchExplainConfig, corpus: Corpus, cfg: ExperimentConfig, seed: int) -> dict[str, Any]:
    """Out-of-fold probabilities, per-document lifts and agreements, and fold facts of one seed."""
    audio, text, labels, groups, _ = corpus.feats
    classes, y = np.unique(labels, return_inverse=True)
    folds = make_folds(y, None if groups is None else np.asarray(groups), bc.folds, seed)
    proba = np.zeros((len(y), len(classes)))
    lifts: dict[int, dict] = {}
    agree: dict[str, list[float]] = defaultdict(list)
    kinds, timing = [], {"train": 0.0, "explain": 0.0, "explained": 0}

    def take(x, idx):
        return None if x is None else [x[i] for i in idx]

    for train_idx, test_idx in folds:
        start = time.perf_counter()
        bundle = train_final(
            take(audio, train_idx), take(text, train_idx), [labels[i] for i in train_idx],
            groups=take(groups, train_idx), config=cfg.replace(eval={"seed": seed}),
        )  # fmt: skip
        timing["train"] += time.perf_counter() - start
        kinds.append("probe" if bundle.model is None else "network")
        order = [bundle.classes.index(c) for c in classes]
        for i in test_idx:
            a, t = (None if x is None else x[i] for x in (audio, text))
            if corpus.cues[i] is None:
                proba[i] = bundle.predict(a, t).proba[order]
                continue
            start = time.perf_counter()
            ev = bundle.explain(a, t, ig_steps=bc.ig_steps)
            timing["explain"] += time.perf_counter() - start
            timing["explained"] += 1
            proba[i] = ev.proba[order]
            lifts[i] = _doc_scores(ev, bundle.classes.index(labels[i]), corpus.cues[i], bc.k)
            for name, rho in ev.agreement.items():
                agree[name].append(rho)
    return {
        "proba": proba,
        "y": y,
        "lifts": lifts,
        "agreement": agree,
        "fold_models": kinds,
        "timing": timing,
    }


def _per_document(seeds: list[dict], docs: list[int]) -> dict[str, np.ndarray]:
    """Score name -> (N_scored, 2): each document's (mass lift, top-k lift), averaged over the seeds."""
    names = sorted({n for s in seeds for i in docs for n in s["lifts"][i]})
    out = {}
    with warnings.catch_warnings():  # a score undefined in every seed stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in names:
            rows = [[s["lifts"][i].get(name, (np.nan, np.nan)) for i in docs] for s in seeds]
            out[name] = np.nanmean(rows, axis=0)
    return out


def _paired(bc: BenchExplainConfig, per_doc: dict[str, np.ndarray], groups: np.ndarray) -> dict[str, Any]:
    """Score name -> its lifts minus ``occlusion_joint``'s toward the same class, per document, mean and
    subject-bootstrap interval (attention is compared with the true-class score)."""
    out = {}
    for name, v in per_doc.items():
        ref = per_doc.get("occlusion_joint@predicted" if name.endswith("@predicted") else "occlusion_joint")
        if ref is None or name.startswith("occlusion_joint"):
            continue
        out[name] = {
            metric: grouped_mean_ci(v[:, j] - ref[:, j], groups, num_resamples=bc.resamples).to_dict()
            for j, metric in enumerate(("mass_lift", f"top{bc.k}_lift"))
        }
    return out


def _summarise(bc: BenchExplainConfig, corpus: Corpus, seeds: list[dict]) -> dict[str, Any]:
    """One run's JSON: AUC (per seed, and of the seed-averaged probabilities with its interval) and, per
    score, the mean lifts over scored documents (each document's lifts averaged over seeds)."""
    groups = corpus.feats[3]
    groups = np.asarray(groups if groups is not None else corpus.feats[4])
    y, mean_proba = seeds[0]["y"], np.mean([s["proba"] for s in seeds], axis=0)
    ci = bootstrap_auc_ci(y, mean_proba, num_resamples=bc.resamples, groups=groups)
    out: dict[str, Any] = {
        "auc_macro": {"per_seed": [macro_auc(y, s["proba"]) for s in seeds], **asdict(ci)},
        "fold_models": [s["fold_models"] for s in seeds],
    }
    docs = sorted(seeds[0]["lifts"])
    per_doc = _per_document(seeds, docs)
    ids = [corpus.feats[4][i] for i in docs]
    out["scores"] = {
        name: {
            metric: grouped_mean_ci(v[:, j], groups[docs], num_resamples=bc.resamples).to_dict()
            for j, metric in enumerate(("mass_lift", f"top{bc.k}_lift"))
        }
        for name, v in per_doc.items()
    }
    out["versus_occlusion_joint"] = _paired(bc, per_doc, groups[docs])
    out["per_document"] = {
        name: {doc: [None if np.isnan(x) else float(x) for x in row] for doc, row in zip(ids, v, strict=True)}
        for name, v in per_doc.items()
    }
    rhos = {n: [r for s in seeds for r in s["agreement"].get(n, [])] for n in ("audio", "text", "joint")}
    out["agreement_spearman_mean"] = {
        n: float(np.nanmean(v)) if np.isfinite(v).any() else None for n, v in rhos.items() if v
    }
    timing = {k: float(sum(s["timing"][k] for s in seeds)) for k in ("train", "explain", "explained")}
    timing["explain_seconds_per_document"] = timing["explain"] / max(timing["explained"], 1)
    out["seconds"] = timing
    return out


def bench_explain(bc: BenchExplainConfig) -> dict[str, Any]:
    """Run the benchmark and return its JSON-ready result."""
    start = time.perf_counter()
    corpus = load_corpus(bc)
    methods = bc.methods or (("hilbert",) if bc.features is None else ("linear", "transfer", "hilbert"))
    runs = [(m, m, ()) for m in methods]
    runs += [(f"hilbert[{v}]", "hilbert", tuple(o for o in v.split(",") if o)) for v in bc.variants]
    scored = [c for c in corpus.cues if c is not None]
    result: dict[str, Any] = {
        "config": asdict(bc),
        "source": corpus.source,
        "num_documents": len(corpus.cues),
        "num_scored_documents": len(scored),
        "cue_share_mean": float(np.mean([c.mean() for c in scored])) if scored else None,
        "lifts": "mean over scored documents; faithful scores toward the true class (kind) or the predicted "
        "class (kind@predicted), positive part for the mass lift; 95 % intervals resample subjects",
        "runs": {},
    }
    for label, method, variant in runs:
        cfg = run_config(bc, method, variant)
        logger.info("bench explain: %s (%d seeds x %d folds)", label, len(bc.seeds), bc.folds)
        per_seed = [_one_seed(bc, corpus, cfg, seed) for seed in bc.seeds]
        result["runs"][label] = {
            "method": method,
            "overrides": list(variant),
            **_summarise(bc, corpus, per_seed),
        }
    result["seconds_total"] = time.perf_counter() - start
    return result
