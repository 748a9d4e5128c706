"""Export finished runs from one registry and import them into another, paths remapped."""

from __future__ import annotations

import gzip
import json

import pytest

from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.transfer import export_runs, import_runs, read_runs_file


def _source(tmp_path):
    root = tmp_path / "build"
    reg = RunRegistry(root / "registry.sqlite")
    ext = reg.claim("extract", {"corpus_root": f"{root}/corpora/demo"}, "key-extract")
    reg.start(ext, "cpu")
    reg.finish(ext, {"info": {}}, {"features": f"{root}/features/demo-1/audio-logmel"})
    cv = reg.claim("cv", {"cell": {"corpus_root": f"{root}/corpora/demo"}, "task": "spectrum"}, "key-cv")
    reg.start(cv, "cpu")
    reg.finish(cv, {"auc_macro": 0.75, "auc_mean": 0.7, "auc_sd": 0.1, "fold_auc": [0.6, 0.8]})
    failed = reg.claim("cv", {"task": "spectrum"}, "key-failed")
    reg.fail(failed, "boom")
    return root, reg, ext, cv


def test_round_trip_keeps_ids_results_and_remaps_paths(tmp_path):
    root, reg, ext, cv = _source(tmp_path)
    path = tmp_path / "runs.json.gz"
    assert export_runs(reg, path, {str(root): "${WORKSPACE}"}) == 2  # the failed run stays behind
    assert str(root) not in gzip.decompress(path.read_bytes()).decode()
    target = RunRegistry(tmp_path / "ws" / "registry.sqlite")
    out = import_runs(target, path, {"${WORKSPACE}": tmp_path / "ws"})
    assert (out.added, out.skipped) == (2, 0)
    got = target.get(cv)
    assert got.status == "done" and got.cell_key == "key-cv" and got.auc_macro == 0.75
    assert got.config["cell"]["corpus_root"] == f"{tmp_path / 'ws'}/corpora/demo"
    assert target.report(cv)["fold_auc"] == [0.6, 0.8]
    assert target.get(ext).artefacts["features"] == f"{tmp_path / 'ws'}/features/demo-1/audio-logmel"
    assert target.find_done("key-cv").id == cv
    with target.connect() as db:
        assert db.execute("SELECT fold, auc FROM fold_metrics WHERE run_id = ?", (cv,)).fetchall() == [
            (0, 0.6),
            (1, 0.8),
        ]
    assert [r.id for r, _ in target.done_results()] == [cv]


def test_importing_twice_adds_nothing_and_done_cells_keep_their_run(tmp_path):
    root, reg, _, cv = _source(tmp_path)
    path = tmp_path / "runs.json.gz"
    export_runs(reg, path, {str(root): "${WORKSPACE}"})
    target = RunRegistry(tmp_path / "ws" / "registry.sqlite")
    mine = target.claim("cv", {"task": "spectrum"}, "key-cv")
    target.start(mine, "cpu")
    target.finish(mine, {"auc_macro": 0.5})
    first = import_runs(target, path, {"${WORKSPACE}": tmp_path / "ws"})
    assert (first.added, first.skipped) == (1, 1)
    second = import_runs(target, path, {"${WORKSPACE}": tmp_path / "ws"})
    assert (second.added, second.skipped) == (0, 2)
    assert len(target.list()) == 2 and target.find_done("key-cv").id == mine


def test_newer_or_foreign_files_are_refused_in_one_line(tmp_path):
    newer = tmp_path / "newer.json.gz"
    newer.write_bytes(
        gzip.compress(json.dumps({"format": "hilbert-runs", "version": 99, "runs": []}).encode())
    )
    with pytest.raises(ValueError, match="version 99.*upgrade hilbert-studio") as info:
        import_runs(RunRegistry(tmp_path / "r.sqlite"), newer, {})
    assert "\n" not in str(info.value)
    plain = tmp_path / "plain.json.gz"
    plain.write_text("not gzip", encoding="utf-8")
    with pytest.raises(ValueError, match="not a gzipped JSON runs file"):
        read_runs_file(plain)
    with pytest.raises(ValueError, match="cannot read the runs file"):
        read_runs_file(tmp_path / "missing.json.gz")
