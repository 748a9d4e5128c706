"""Sweep files: which corpora, tasks, encoders, methods, ablations and seeds to cross-validate.

A sweep file is YAML (see the README, "Sweeps")::

    name: ravdess-backbones
    corpora:
      - path: ../shared/data/ravdess      # a corpus folder (documents.csv, audio, segments.csv) ...
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

Everything is checked before anything runs; a mistake names the file, the line and what is allowed.
The grid expands into :class:`Cell` s (one cross-validation each) and the :class:`ExtractJob` s they need
(each encoder runs once per corpus, shared by every cell that uses it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import AUX_LOSSES, METHODS, MODALITIES, ExperimentConfig

TOP_KEYS = (
    "name",
    "corpora",
    "audio_encoders",
    "text_encoders",
    "methods",
    "modalities",
    "ablations",
    "seeds",
    "folds",
    "set",
    "whisper_model",
)
CORPUS_KEYS = ("path", "features", "tasks", "name", "cache")
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


class SweepFileError(ValueError):
    """A mistake in a sweep file, with its file and line."""


class _Checker:
    """Walks the YAML node tree so every error can name its line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> SweepFileError:
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        return SweepFileError(f"{self.path}{line}: {message}")

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values.")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                raise self.fail(key_node, f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}.")
            if key in out:
                raise self.fail(key_node, f"key {key!r} appears twice in {what}.")
            out[key] = value_node
        return out

    def scalars(self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None = None) -> list[yaml.Node]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            raise self.fail(node, f"'{key}' is empty; give at least one value.")
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or item.value == "":
                raise self.fail(item, f"'{key}' takes plain values (a list of names or numbers).")
            if allowed is not None and item.value not in allowed:
                raise self.fail(item, f"{key}: {item.value!r} is unknown; allowed: {', '.join(allowed)}.")
        return items

    def scalar(self, node: yaml.Node, key: str) -> str:
        """One plain, non-empty value (a name, a folder), not a list or a mapping."""
        if not isinstance(node, yaml.ScalarNode) or str(node.value).strip() == "":
            raise self.fail(node, f"'{key}' takes one plain value (a name or a folder), not a list.")
        return str(node.value)

    def integer(self, node: yaml.Node, key: str, minimum: int) -> int:
        try:
            value = int(node.value) if isinstance(node, yaml.ScalarNode) else None
        except (TypeError, ValueError):
            value = None
        if value is None or str(value) != str(node.value).strip() or value < minimum:
            raise self.fail(node, f"'{key}' is {node.value!r}; it must be an integer >= {minimum}.")
        return value


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; raises :class:`SweepFileError` (a ValueError) naming the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweepFileError(f"{path}: cannot read the sweep file ({exc.strerror or exc}).") from None
    except UnicodeDecodeError:
        raise SweepFileError(f"{path}: is not UTF-8 text; save the sweep file as UTF-8 YAML.") from None
    return parse_sweep_text(text, path)


def _build(check: _Checker, top: dict[str, yaml.Node], path: Path) -> SweepSpec:
    from .encoders import AUDIO_ENCODERS, TEXT_ENCODERS

    def names(key: str, registry=None, allowed=None) -> tuple[str, ...]:
        if key not in top:
            return ()
        items = check.scalars(top[key], key, allowed)
        for item in items:
            if registry is not None:
                try:
                    registry.parse(item.value)
                except ValueError as exc:
                    raise check.fail(item, str(exc)) from None
        return tuple(dict.fromkeys(i.value for i in items))

    audio = names("audio_encoders", AUDIO_ENCODERS)
    text = names("text_encoders", TEXT_ENCODERS)
    methods = names("methods", allowed=METHODS)
    modalities = names("modalities", allowed=MODALITIES) or ("both",)
    seeds = (
        tuple(check.integer(n, "seeds", 0) for n in check.scalars(top["seeds"], "seeds"))
        if "seeds" in top
        else (0,)
    )
    folds = check.integer(top["folds"], "folds", 2) if "folds" in top else 25
    overrides = names("set")
    for item in check.scalars(top["set"], "set") if "set" in top else []:
        _check_override(check, item)
    ablations = _ablations(check, top.get("ablations"))
    corpora = _corpora(check, top["corpora"], path.parent)
    if any(not c.is_features for c in corpora) and not (audio or text):
        raise check.fail(top["corpora"], "corpus folders need 'audio_encoders' and/or 'text_encoders'.")
    spec = SweepSpec(
        name=check.scalar(top["name"], "name") if "name" in top else path.stem,
        corpora=corpora,
        audio_encoders=audio,
        text_encoders=text,
        methods=methods,
        modalities=modalities,
        ablations=ablations,
        seeds=seeds,
        folds=folds,
        overrides=overrides,
        whisper_model=(
            check.scalar(top["whisper_model"], "whisper_model")
            if "whisper_model" in top
            else "bundled-tiny.en"
        ),
        source=str(path),
    )
    if not spec.cells():
        raise check.fail(
            top.get("modalities"),
            "the grid has no cell to run (an audio-only cell needs audio_encoders, a text-only cell "
            "text_encoders); add encoders or change 'modalities'.",
        )
    return spec


# Settings the grid itself sets per cell; a 'set:' line must not fight them.
GRID_SETTINGS = {
    "eval.method": "methods",
    "eval.modality": "modalities",
    "eval.seed": "seeds",
    "eval.n_splits": "folds",
    "eval.losses": "ablations",
}


def _check_override(check: _Checker, item: yaml.Node) -> None:
    key = item.value.split("=", 1)[0].strip()
    if key in GRID_SETTINGS:
        use = GRID_SETTINGS[key]
        raise check.fail(item, f"set: {key} is chosen by the grid; use the '{use}' key instead.")
    try:
        ExperimentConfig().apply_overrides([item.value])
    except (ValueError, TypeError) as exc:
        raise check.fail(item, str(exc).splitlines()[0]) from None


def _ablations(check: _Checker, node: yaml.Node | None) -> tuple[tuple[str, ...], ...]:
    if node is None:
        return (AUX_LOSSES,)
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise check.fail(node, "'ablations' is a list of loss lists, e.g. [[contrastive, cka, mi], [cka]].")
    out = []
    for item in node.value:
        losses = check.scalars(item, "ablations", AUX_LOSSES)
        out.append(tuple(sorted({n.value for n in losses}, key=AUX_LOSSES.index)))
    return tuple(dict.fromkeys(out))


def _corpora(check: _Checker, node: yaml.Node, base: Path) -> tuple[CorpusSpec, ...]:
    from .data.corpus import RESERVED, read_csv_table
    from .features_io import RESERVED as FEATURE_RESERVED

    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise check.fail(node, "'corpora' is a list of {path: FOLDER, tasks: [...]} entries.")
    out = []
    for item in node.value:
        entry = check.mapping(item, CORPUS_KEYS, "a corpus entry")
        kinds = [k for k in ("path", "features") if k in entry]
        if len(kinds) != 1:
            raise check.fail(
                item, "a corpus entry needs exactly one of 'path' (corpus folder) or 'features'."
            )
        where = entry[kinds[0]]
        root = (base / check.scalar(where, kinds[0])).resolve()
        table_path = root / "documents.csv"
        if not table_path.is_file():
            raise check.fail(where, f"{root} has no documents.csv; give a corpus or feature folder.")
        try:
            columns = list(read_csv_table(table_path).columns)
        except ValueError as exc:
            raise check.fail(where, str(exc)) from None
        known = [c for c in columns if c not in RESERVED and c not in FEATURE_RESERVED]
        if "tasks" not in entry:
            raise check.fail(
                item, f"a corpus entry needs 'tasks'; columns of {table_path}: {', '.join(known)}."
            )
        tasks = tuple(n.value for n in check.scalars(entry["tasks"], "tasks", tuple(known)))
        cache = check.scalar(entry["cache"], "cache") if "cache" in entry else None
        out.append(
            CorpusSpec(
                name=check.scalar(entry["name"], "name") if "name" in entry else root.name,
                root=str(root),
                is_features=kinds[0] == "features",
                tasks=tasks,
                cache=str((base / cache).resolve()) if cache is not None else None,
                fingerprint=hashlib.sha256(table_path.read_bytes()).hexdigest()[:16],
            )
        )
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise check.fail(node, f"corpus names {names} repeat; give each entry a distinct 'name'.")
    return tuple(out)


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


def parse_sweep_text(text: str, path: Path) -> SweepSpec:
    """Parse sweep YAML given as text; ``path`` names it in errors and anchors relative folders."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise SweepFileError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    check = _Checker(path)
    if root is None:
        raise SweepFileError(f"{path}: the sweep file is empty; see the README, 'Sweeps'.")
    top = check.mapping(root, TOP_KEYS, "the sweep file")
    for required in ("corpora", "methods"):
        if required not in top:
            raise check.fail(root, f"'{required}' is missing; it is required.")
    return _build(check, top, path)
