"""Reading a sweep file: YAML walked node by node, so that every mistake names its file and line.

Everything is checked before anything runs (keys, encoders, methods, tasks, losses, config overrides,
folders); the result is a :class:`hilbert_core.experiments.sweep_spec.SweepSpec`. See the README,
"Experiments at scale", for the format.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from ..config import AUX_LOSSES, METHODS, MODALITIES, ExperimentConfig
from .sweep_spec import CorpusSpec, SweepSpec

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
    from ..encoders import AUDIO_ENCODERS, TEXT_ENCODERS

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
        if isinstance(item, yaml.SequenceNode) and not item.value or getattr(item, "value", None) == "none":
            out.append(())  # [] or none: the HILBERT architecture on cross-entropy only (the control)
            continue
        losses = check.scalars(item, "ablations", AUX_LOSSES)
        out.append(tuple(sorted({n.value for n in losses}, key=AUX_LOSSES.index)))
    return tuple(dict.fromkeys(out))


def _corpora(check: _Checker, node: yaml.Node, base: Path) -> tuple[CorpusSpec, ...]:
    from ..data.corpus import RESERVED, read_csv_table
    from ..data.features import RESERVED as FEATURE_RESERVED

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
