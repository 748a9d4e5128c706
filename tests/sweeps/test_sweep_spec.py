"""Sweep files: parsing, the expanded grid, and errors that name the line."""

from __future__ import annotations

import pytest

from hilbert_core.experiments.job_spec import single_cell_spec
from hilbert_core.experiments.sweep_file import SweepFileError, load_sweep
from tests.sweeps.sweeps_helper import write_sweep


@pytest.fixture
def corpus_dir(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "documents.csv").write_text(
        "document_id,audio_path,subject_id,spectrum,affect\nd1,a.wav,s1,control,flat\n", encoding="utf-8"
    )
    return root


GRID = """
name: grid
corpora:
  - path: corpus
    tasks: [spectrum, affect]
audio_encoders: [logmel, egemaps]
text_encoders: [minilm-l6, lexicon]
methods: [linear, hilbert]
modalities: [both, audio]
ablations: [[contrastive, cka, mi], [cka]]
seeds: [0]
folds: 5
set: [train.epochs=3]
"""


def test_grid_expands_without_duplicates(tmp_path, corpus_dir):
    spec = load_sweep(write_sweep(tmp_path, GRID))
    cells = spec.cells()
    # both: 2 tasks x 2 audio x 2 text x (linear + 2 hilbert ablations) = 24;
    # audio-only ignores the text encoder: 2 tasks x 2 audio x 3 = 12
    assert len(cells) == 36
    assert len({c.key for c in cells}) == 36
    assert all(c.text_encoder == "" for c in cells if c.modality == "audio")
    assert all(c.losses is None for c in cells if c.method == "linear")
    assert {c.losses for c in cells if c.method == "hilbert"} == {("contrastive", "cka", "mi"), ("cka",)}
    # each encoder runs once per corpus, whatever the number of cells using it
    jobs = spec.extract_jobs()
    assert sorted((j.role, j.encoder) for j in jobs) == [
        ("audio", "egemaps"),
        ("audio", "logmel"),
        ("text", "lexicon"),
        ("text", "minilm-l6"),
    ]
    cfg = next(c for c in cells if c.method == "hilbert" and c.losses == ("cka",)).config()
    assert cfg.eval.losses == ("cka",) and cfg.eval.n_splits == 5 and cfg.train.epochs == 3


def test_cell_keys_are_stable_across_parses(tmp_path, corpus_dir):
    first = [c.key for c in load_sweep(write_sweep(tmp_path, GRID)).cells()]
    second = [c.key for c in load_sweep(write_sweep(tmp_path, GRID)).cells()]
    assert first == second


@pytest.mark.parametrize(
    "old, new, line, match",
    [
        ("folds: 5", "fold: 5", 11, "unknown key 'fold'.*allowed: name, corpora"),
        ("[logmel, egemaps]", "[logmel, wav2vec9]", 5, "audio encoder 'wav2vec9' is unknown"),
        ("[minilm-l6, lexicon]", "[minilm-l6, bert]", 6, "text encoder 'bert' is unknown"),
        ("[linear, hilbert]", "[linear, hilbertt]", 7, "methods: 'hilbertt' is unknown; allowed: linear"),
        ("[spectrum, affect]", "[spectrum, mood]", 4, "tasks: 'mood' is unknown; allowed: spectrum, affect"),
        ("[[contrastive, cka, mi], [cka]]", "[[cka, kl]]", 9, "ablations: 'kl' is unknown"),
        ("folds: 5", "folds: five", 11, "'folds' is 'five'; it must be an integer >= 2"),
        ("[train.epochs=3]", "[train.epoch=3]", 12, "override 'train.epoch=3'"),
        ("path: corpus", "path: nowhere", 3, "has no documents.csv"),
        ("path: corpus", "path: [corpus]", 3, "'path' takes one plain value"),
        ("name: grid", "name: {a: 1}", 1, "'name' takes one plain value"),
        ("[train.epochs=3]", "[eval.seed=3]", 12, "eval.seed is chosen by the grid; use the 'seeds' key"),
        ("[train.epochs=3]", "[train.lr=fast]", 12, "wrong type"),
        ("folds: 5", "folds: [5]", 11, "'folds' is"),
        ("[logmel, egemaps]", "[]", 5, "'audio_encoders' is empty"),
    ],
)
def test_mistakes_name_the_line(tmp_path, corpus_dir, old, new, line, match):
    path = write_sweep(tmp_path, GRID.replace(old, new))
    with pytest.raises(SweepFileError, match=match) as info:
        load_sweep(path)
    assert f"{path}, line {line}:" in str(info.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(SweepFileError, match="cannot read the sweep file"):
        load_sweep(tmp_path / "absent.yaml")
    with pytest.raises(SweepFileError, match="line 2: not valid YAML"):
        load_sweep(write_sweep(tmp_path, "name: x\n  bad: [\n"))
    with pytest.raises(SweepFileError, match="'methods' is missing"):
        load_sweep(write_sweep(tmp_path, "corpora: []\n"))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(SweepFileError, match="is not UTF-8 text"):
        load_sweep(latin)


def test_a_grid_without_cells_is_refused(tmp_path, corpus_dir):
    body = GRID.replace("audio_encoders: [logmel, egemaps]\n", "").replace("[both, audio]", "[audio]")
    with pytest.raises(SweepFileError, match="the grid has no cell to run"):
        load_sweep(write_sweep(tmp_path, body))


def test_single_run_spec_is_a_one_cell_sweep(corpus_dir):
    spec = single_cell_spec(
        {
            "kind": "cv",
            "corpus": str(corpus_dir),
            "task": "affect",
            "audio_encoder": "logmel",
            "method": "linear",
        }
    )
    (cell,) = spec.cells()
    assert (cell.task, cell.audio_encoder, cell.text_encoder, cell.method) == (
        "affect",
        "logmel",
        "",
        "linear",
    )
    with pytest.raises(ValueError, match="unknown keys \\['colour'\\]"):
        single_cell_spec({"kind": "cv", "corpus": str(corpus_dir), "task": "affect", "colour": 1})
    with pytest.raises(ValueError, match="exactly one of 'corpus'"):
        single_cell_spec({"kind": "cv", "task": "affect"})
