"""Sweep files: which corpora, tasks, encoders, methods, ablations and seeds to cross-validate.

A sweep file is YAML (see the README, "Sweeps")::

    name: ravdess-backbones
    corpora:
      - path: data/ravdess                # a corpus folder (documents.csv, audio, segments.csv) ...
        tasks: [emotion]
      # - features: my_features/          # ... or a feature folder you extracted yourself
    audio_encoders: [logmel, egemaps]
    text_encoders: [minilm-l6, lexicon]
    methods: [linear, hilbert]
    modalities: [both]                    # optional: both, audio, text
    ablations: [[contrastive, cka, mi], [contrastive]]   # optional: hilbert's auxiliary losses
    seeds: [0]
    folds: 5
    set: [train.num_inner=1]              # optional: config overrides for every cell

It is read and checked by :mod:`hilbert_core.experiments.sweep_file` (a mistake names the file, the line
and what is allowed) into a :class:`SweepSpec`. The grid expands into :class:`Cell` s (one
cross-validation each) and the :class:`ExtractJob` s they need (each encoder runs once per corpus, shared
by every cell that uses it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import AUX_LOSSES, ExperimentConfig

LOSS_METHODS = ("hilbert",)  # methods whose auxiliary losses an ablation changes


@dataclass(frozen=True)
class CorpusSpec:
    """One corpus of a sweep: a corpus folder (``path``) or a feature folder (``features``)."""

    name: str
    root: str
    is_features: bool
    tasks: tuple[str, ...]
    cache: str | None = None
    fingerprint: str = ""  # of documents.csv: a copied or moved corpus keeps its finished work

    @property
    def identity(self) -> str:
        """What sweep keys use for the corpus: its content, not its location."""
        return f"{self.name}:{self.fingerprint}" if self.fingerprint else self.root


@dataclass(frozen=True)
class ExtractJob:
    """Run one encoder over one corpus. ``role`` is ``audio`` or ``text``."""

    corpus: CorpusSpec
    role: str
    encoder: str
    whisper_model: str

    @property
    def key(self) -> str:
        return _digest(
            {"kind": "extract", "corpus": self.corpus.identity, "role": self.role, "encoder": self.encoder}
            | ({"whisper_model": self.whisper_model} if self.role == "text" else {})
        )

    @property
    def label(self) -> str:
        return f"{self.corpus.name}/{self.role}:{self.encoder}"


@dataclass(frozen=True)
class Cell:
    """One cross-validation of a sweep; ``key`` identifies it across restarts."""

    corpus: CorpusSpec
    task: str
    audio_encoder: str  # "" when the cell does not use audio
    text_encoder: str  # "" when the cell does not use text
    method: str
    modality: str
    losses: tuple[str, ...] | None  # None for methods without auxiliary losses
    seed: int
    folds: int
    overrides: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The cell as plain JSON: stored with its run and used by ``hilbert report``."""
        out = asdict(self)
        out["corpus"] = self.corpus.name
        out["corpus_root"] = self.corpus.root
        out["losses"] = None if self.losses is None else list(self.losses)
        out["overrides"] = list(self.overrides)
        return out

    @property
    def key(self) -> str:
        fields = {k: v for k, v in self.describe().items() if k not in ("corpus", "corpus_root")}
        return _digest({"kind": "cv", "corpus": self.corpus.identity, **fields})

    @property
    def label(self) -> str:
        losses = (
            "" if self.losses is None or set(self.losses) == set(AUX_LOSSES) else f"[{'+'.join(self.losses)}]"
        )
        pair = "+".join(e for e in (self.audio_encoder, self.text_encoder) if e) or "features"
        return f"{self.corpus.name}/{self.task} {pair} {self.method}{losses} {self.modality} seed {self.seed}"

    def config(self) -> ExperimentConfig:
        evals: dict[str, Any] = {
            "method": self.method,
            "modality": self.modality,
            "seed": self.seed,
            "n_splits": self.folds,
        }
        if self.losses is not None:
            evals["losses"] = self.losses
        return ExperimentConfig().apply_overrides(list(self.overrides)).replace(eval=evals)


@dataclass(frozen=True)
class SweepSpec:
    """A parsed, validated sweep file."""

    name: str
    corpora: tuple[CorpusSpec, ...]
    audio_encoders: tuple[str, ...]
    text_encoders: tuple[str, ...]
    methods: tuple[str, ...]
    modalities: tuple[str, ...] = ("both",)
    ablations: tuple[tuple[str, ...], ...] = (AUX_LOSSES,)
    seeds: tuple[int, ...] = (0,)
    folds: int = 25
    overrides: tuple[str, ...] = ()
    whisper_model: str = "bundled-tiny.en"
    source: str = field(default="", compare=False)

    def cells(self) -> list[Cell]:
        """Every distinct cross-validation of the grid (an audio-only cell ignores the text encoder, etc.)."""
        seen: dict[str, Cell] = {}
        for corpus in self.corpora:
            audio = ("",) if corpus.is_features else self.audio_encoders or ("",)
            text = ("",) if corpus.is_features else self.text_encoders or ("",)
            grid = itertools.product(
                corpus.tasks, audio, text, self.methods, self.modalities, self.ablations, self.seeds
            )
            for task, a, t, method, modality, losses, seed in grid:
                if modality == "audio" and not corpus.is_features:
                    t = ""
                if modality == "text" and not corpus.is_features:
                    a = ""
                if not corpus.is_features and not (a or t):
                    continue
                cell = Cell(
                    corpus,
                    task,
                    a,
                    t,
                    method,
                    modality,
                    tuple(losses) if method in LOSS_METHODS else None,
                    seed,
                    self.folds,
                    self.overrides,
                )
                seen.setdefault(cell.key, cell)
        return list(seen.values())

    def extract_jobs(self, cells: list[Cell] | None = None) -> list[ExtractJob]:
        """The encoder runs the cells need, each once."""
        jobs: dict[str, ExtractJob] = {}
        for cell in cells if cells is not None else self.cells():
            if cell.corpus.is_features:
                continue
            for role, enc in (("audio", cell.audio_encoder), ("text", cell.text_encoder)):
                if enc:
                    job = ExtractJob(cell.corpus, role, enc, self.whisper_model)
                    jobs.setdefault(job.key, job)
        return list(jobs.values())


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]
