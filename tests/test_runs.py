from __future__ import annotations

import multiprocessing as mp
import sqlite3

import pytest

from hilbert_core.cli import main
from hilbert_core.experiments.registry import SCHEMA_VERSION, RunRegistry
from tests.tiny import TINY_ARGS

REPORT = {"auc_macro": 0.8, "auc_mean": 0.79, "auc_sd": 0.05, "fold_auc": [0.7, 0.85, 0.82]}


def test_lifecycle_and_results(tmp_path):
    reg = RunRegistry(tmp_path / "registry.sqlite")
    run = reg.create("cv", {"eval": {"method": "hilbert"}}, cell_key="cell-1")
    assert reg.get(run).status == "queued" and reg.find_done("cell-1") is None
    reg.start(run, "cpu")
    reg.finish(run, REPORT, {"report": "r.json"})
    rec = reg.get(run)
    assert rec.status == "done" and rec.auc_macro == 0.8 and rec.artefacts == {"report": "r.json"}
    assert rec.seconds is not None and rec.seconds >= 0 and rec.package_version
    assert reg.report(run) == REPORT and reg.find_done("cell-1").id == run
    with sqlite3.connect(reg.path) as db:
        assert db.execute("SELECT fold, auc FROM fold_metrics ORDER BY fold").fetchall() == [
            (0, 0.7),
            (1, 0.85),
            (2, 0.82),
        ]


def test_failed_and_cancelled_runs_have_no_results(tmp_path):
    reg = RunRegistry(tmp_path / "r.sqlite")
    a, b = reg.create("cv", {}), reg.create("train", {})
    reg.fail(a, "ValueError: bad input")
    reg.cancel(b)
    assert {r.status for r in reg.list()} == {"failed", "cancelled"}
    assert [r.id for r in reg.list(status="failed")] == [a]
    with pytest.raises(ValueError, match="has no results"):
        reg.report(a)
    with pytest.raises(ValueError, match="is not in"):
        reg.get("nope")


def test_a_crash_inside_finish_never_leaves_a_finished_run(tmp_path):
    reg = RunRegistry(tmp_path / "r.sqlite")
    run = reg.create("cv", {})
    reg.start(run, "cpu")
    bad = {**REPORT, "fold_auc": [0.5, object()]}  # the fold rows fail after the results row was written
    with pytest.raises((sqlite3.Error, TypeError)):
        reg.finish(run, bad)
    assert reg.get(run).status == "running" and reg.get(run).auc_macro is None


def test_newer_registry_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    RunRegistry(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ValueError, match="newer hilbert-studio"):
        RunRegistry(path)


def _writer(path: str, n: int) -> None:
    reg = RunRegistry(path)
    for _ in range(n):
        run = reg.create("cv", {})
        reg.start(run, "cpu")
        reg.finish(run, REPORT)


def test_two_processes_write_at_once(tmp_path):
    path = str(tmp_path / "r.sqlite")
    RunRegistry(path)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 15)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert all(p.exitcode == 0 for p in procs)
    runs = RunRegistry(path).list()
    assert len(runs) == 30 and all(r.status == "done" and r.auc_macro == 0.8 for r in runs)


def test_cli_records_cv_runs_in_the_workspace(tmp_path, capsys):
    feats = tmp_path / "feats"
    main(["synth-features", str(feats), "--documents", "30", "--min-segments", "3", "--max-segments", "4"])
    ws = tmp_path / "ws"
    assert (
        main(
            [
                "cv",
                "--features",
                str(feats),
                "--task",
                "label",
                "--folds",
                "3",
                "--workspace",
                str(ws),
                "--out",
                str(tmp_path / "r.json"),
                *TINY_ARGS,
            ]
        )
        == 0
    )
    assert main(["cv", "--features", str(feats), "--task", "nope", "--workspace", str(ws)]) == 2
    capsys.readouterr()
    assert main(["runs", "--workspace", str(ws)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("# AUC = pooled out-of-fold macro AUC (%")  # what the AUC column is
    lines = lines[1:]
    assert len(lines) == 2 and "failed" in lines[0] and "done" in lines[1] and "AUC" in lines[1]
    assert lines[1].split(" AUC ")[1].split()[1] == "%"  # percent, labelled


def test_cli_records_train_runs_and_schema_1_registries_are_upgraded(tmp_path, capsys):
    feats = tmp_path / "feats"
    main(["synth-features", str(feats), "--documents", "30", "--min-segments", "3", "--max-segments", "4"])
    ws = tmp_path / "ws"
    ws.mkdir()
    with sqlite3.connect(ws / "registry.sqlite") as db:  # a registry from the first release
        db.executescript(
            "CREATE TABLE runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, "
            "cell_key TEXT, config_json TEXT NOT NULL, created_at REAL NOT NULL, started_at REAL, "
            "finished_at REAL, device TEXT, pid INTEGER, package_version TEXT NOT NULL, error TEXT, "
            "artefacts_json TEXT NOT NULL DEFAULT '{}');"
            "INSERT INTO runs VALUES "
            "('old1', 'cv', 'failed', NULL, '{}', 1.0, 1.0, 2.0, 'cpu', 1, '0.1.0', 'x', '{}');"
            "PRAGMA user_version = 1;"
        )
    model = tmp_path / "model"
    train = [
        "train",
        "--features",
        str(feats),
        "--task",
        "label",
        "--out",
        str(model),
        "--workspace",
        str(ws),
    ]
    assert main([*train, *TINY_ARGS]) == 0
    reg = RunRegistry(ws / "registry.sqlite")
    (run,) = reg.list(kind="train")
    assert run.status == "done" and run.artefacts["bundle"] == str(model.resolve())
    assert reg.report(run.id)["classes"] == ["class_0", "class_1", "class_2"]
    assert reg.get("old1").status == "failed" and reg.get("old1").job_id is None
    with sqlite3.connect(ws / "registry.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_opening_a_current_registry_writes_nothing(tmp_path):
    """A registry of this schema is only read when opened (a read-only shared workspace opens too)."""
    import hashlib

    path = tmp_path / "runs.sqlite"
    registry = RunRegistry(path)
    registry.finish(registry.create("cv", {"x": 1}), {"auc_macro": 0.5, "fold_auc": [0.5]})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    again = RunRegistry(path)
    assert [r.status for r in again.list()] == ["done"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
