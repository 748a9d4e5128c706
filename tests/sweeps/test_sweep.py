"""Sweeps: every cell once, resume after a crash or SIGKILL, extraction shared between cells."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from hilbert_core.cli import main
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.experiments.sweep import run_sweep
from hilbert_core.experiments.sweep_file import load_sweep
from hilbert_core.workspace import registry_path
from tests.sweeps.sweeps_helper import write_sweep
from tests.tiny import TINY_SET


def _done_per_cell(workspace) -> Counter:
    return Counter(r.cell_key for r in RunRegistry(registry_path(workspace)).list(kind="cv", status="done"))


def _count_done(path) -> int:
    """Finished cv runs, read without opening (and so without write-locking) the registry."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM runs WHERE kind = 'cv' AND status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def test_sweep_runs_every_cell_once_and_skips_done_work(tmp_path, features_sweep):
    spec = load_sweep(features_sweep)
    seen = []
    out = run_sweep(spec, tmp_path / "ws", engine="sequential", progress=lambda f, m: seen.append((f, m)))
    assert (out.cells, out.ran, out.already_done, out.failed) == (4, 4, 0, [])
    assert seen[-1][0] == 1.0 and "done:" in seen[-1][1]
    again = run_sweep(spec, tmp_path / "ws", engine="sequential")
    assert (again.ran, again.already_done) == (0, 4)
    done = _done_per_cell(tmp_path / "ws")
    assert sorted(done) == sorted(c.key for c in spec.cells()) and set(done.values()) == {1}
    record = RunRegistry(registry_path(tmp_path / "ws")).get(out.run_ids[0])
    assert record.config["cell"]["method"] in ("linear", "transfer") and record.device.startswith("cpu")


def test_a_run_cut_off_by_a_crash_is_redone_once(tmp_path, features_sweep):
    spec = load_sweep(features_sweep)
    registry = RunRegistry(registry_path(tmp_path / "ws"))
    victim = spec.cells()[0]
    run_id = registry.claim("cv", {"cell": victim.describe()}, victim.key)
    registry.start(run_id, "cpu")
    with sqlite3.connect(registry.path) as db:  # as if its process had died: a pid that does not exist
        db.execute("UPDATE runs SET pid = 2147483646 WHERE id = ?", (run_id,))
    out = run_sweep(spec, tmp_path / "ws", engine="sequential")
    assert out.ran == 4
    assert registry.get(run_id).status == "failed" and "interrupted" in registry.get(run_id).error
    assert set(_done_per_cell(tmp_path / "ws").values()) == {1}


def test_a_deleted_features_folder_is_extracted_again(tmp_path, corpus):
    body = f"""
corpora:
  - path: {corpus}
    tasks: [label]
audio_encoders: [logmel]
methods: [linear]
folds: 3
set: [{", ".join(TINY_SET)}]
"""
    spec = load_sweep(write_sweep(tmp_path, body))
    first = run_sweep(spec, tmp_path / "ws", engine="sequential")
    assert (first.extracted, first.ran) == (1, 1)
    import shutil

    shutil.rmtree(tmp_path / "ws" / "features")
    registry = RunRegistry(registry_path(tmp_path / "ws"))
    registry.fail(first.run_ids[0], "to run the cell again")
    again = run_sweep(spec, tmp_path / "ws", engine="sequential")
    assert (again.extracted, again.ran, again.failed) == (1, 1, [])
    extracts = registry.list(kind="extract")
    assert sorted(r.status for r in extracts) == ["done", "failed"]
    assert any("features folder is missing" in (r.error or "") for r in extracts)


def test_a_failing_hook_does_not_lose_the_result(tmp_path, features_sweep, caplog):
    def broken(run_id, cell, report):
        raise ConnectionError("tracking server down")

    out = run_sweep(load_sweep(features_sweep), tmp_path / "ws", engine="sequential", hooks=(broken,))
    assert out.ran == 4 and out.failed == []
    assert "tracking server down" in caplog.text


def test_the_database_refuses_a_second_done_run_of_a_cell(tmp_path):
    registry = RunRegistry(tmp_path / "registry.sqlite")
    first = registry.create("cv", {}, cell_key="k")
    second = registry.create("cv", {}, cell_key="k")
    assert registry.finish(first, {"auc_macro": 0.7, "fold_auc": [0.7]}) is True
    assert registry.finish(second, {"auc_macro": 0.8, "fold_auc": [0.8]}) is False
    assert registry.get(second).status == "cancelled" and "duplicate" in registry.get(second).error
    assert registry.claim("cv", {}, "k") is None


def test_sigkill_then_restart_finishes_every_cell_exactly_once(tmp_path, feature_folder):
    # 40 epochs: cells long enough for the sweep to be killed between them, not after the last one
    sweep = write_sweep(
        tmp_path,
        f"""
        name: killed
        corpora:
          - features: {feature_folder}
            tasks: [label]
        methods: [linear, transfer, hilbert]
        seeds: [0, 1, 2]
        folds: 3
        set: [{", ".join(TINY_SET)}, train.epochs=40]
        """,
    )
    workspace = tmp_path / "ws"
    cmd = [sys.executable, "-m", "hilbert_core.cli.entry", "sweep", str(sweep), "--workspace", str(workspace)]
    proc = subprocess.Popen(
        [*cmd, "--engine", "sequential"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if _count_done(registry_path(workspace)) >= 2:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = sum(_done_per_cell(workspace).values())
    assert 2 <= done_before < 9
    assert main(["sweep", str(sweep), "--workspace", str(workspace), "--engine", "sequential"]) == 0
    done = _done_per_cell(workspace)
    assert len(done) == 9 and set(done.values()) == {1}
    statuses = Counter(r.status for r in RunRegistry(registry_path(workspace)).list(kind="cv"))
    assert statuses["done"] == 9 and statuses["running"] == 0 and statuses["queued"] == 0


def test_corpus_sweep_extracts_each_encoder_once(tmp_path, corpus):
    sweep = write_sweep(
        tmp_path,
        f"""
        corpora:
          - path: {corpus}
            tasks: [label]
        audio_encoders: [logmel]
        text_encoders: [lexicon]
        methods: [linear, transfer]
        modalities: [both, text]
        folds: 3
        set: [{", ".join(TINY_SET)}]
        """,
    )
    workspace = tmp_path / "ws"
    out = run_sweep(load_sweep(sweep), workspace, engine="sequential")
    assert (out.cells, out.ran, out.extracted, out.failed) == (4, 4, 2, [])
    registry = RunRegistry(registry_path(workspace))
    extracts = registry.list(kind="extract", status="done")
    assert sorted(r.config["encoder"] for r in extracts) == ["lexicon", "logmel"]
    for record in extracts:
        assert (record.artefacts["features"] + "/documents.csv").replace("//", "/")
        assert os.path.isfile(os.path.join(record.artefacts["features"], "documents.csv"))
    text_only = [r for r in registry.list(kind="cv") if r.config["cell"]["modality"] == "text"]
    assert all(r.config["cell"]["audio_encoder"] == "" for r in text_only)
    # a second sweep with one more method reuses the stored features
    sweep.write_text(sweep.read_text().replace("[linear, transfer]", "[linear, transfer, transfer_moe]"))
    more = run_sweep(load_sweep(sweep), workspace, engine="sequential")
    assert (more.ran, more.extracted, more.already_done) == (2, 0, 4)


def test_failed_cells_are_recorded_and_the_rest_goes_on(tmp_path, feature_folder):
    # a GPU that is not there fails the neural cell; the linear one does not use it
    sweep = write_sweep(
        tmp_path,
        f"""
        corpora:
          - features: {feature_folder}
            tasks: [label]
        methods: [linear, transfer]
        folds: 3
        set: [{", ".join(TINY_SET)}, train.device=cuda:7]
        """,
    )
    out = run_sweep(load_sweep(sweep), tmp_path / "ws", engine="sequential")
    assert out.ran == 1 and len(out.failed) == 1
    assert "transfer" in out.failed[0][0] and "GPU" in out.failed[0][1]
    failed = RunRegistry(registry_path(tmp_path / "ws")).list(kind="cv", status="failed")
    assert len(failed) == 1 and "GPU" in failed[0].error


def test_cli_sweep_errors_are_one_line(tmp_path, capsys):
    bad = write_sweep(tmp_path, "corpora: []\nmethods: [lineer]\n")
    assert main(["sweep", str(bad), "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2" in err and "'lineer' is unknown" in err


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_parallel_engines_give_the_same_results_as_sequential(tmp_path, features_sweep, engine):
    if engine == "ray":
        pytest.importorskip("ray")
    spec = load_sweep(features_sweep)
    seq = run_sweep(spec, tmp_path / "seq", engine="sequential")
    par = run_sweep(spec, tmp_path / engine, engine=engine, workers=2)
    assert par.ran == seq.ran == 4

    def aucs(ws):
        return {r.cell_key: round(r.auc_macro, 6) for r in RunRegistry(registry_path(ws)).list(status="done")}

    assert aucs(tmp_path / engine) == aucs(tmp_path / "seq")
    pids = {r.pid for r in RunRegistry(registry_path(tmp_path / engine)).list(status="done")}
    assert pids == {os.getpid()}  # the driver writes the registry; workers only compute


def test_task_errors_name_the_cause_in_one_line():
    from hilbert_core.experiments.sweep import task_error

    class RayTaskError(Exception):  # as Ray wraps a task's exception: coloured header, cause kept
        def __init__(self, cause):
            super().__init__(
                "\x1b[36mray::cv_task()\x1b[39m (pid=1, ip=10.0.0.1)\nTraceback (most recent call last):"
            )
            self.cause = cause

    assert (
        task_error(RayTaskError(ImportError("cannot import name 'x'")))
        == "ImportError: cannot import name 'x'"
    )
    assert task_error(ValueError("\nbad value\nmore")) == "ValueError: bad value"
    assert task_error(RuntimeError()) == "RuntimeError: no message"


def test_stored_features_are_found_by_corpus_content(tmp_path, corpus):
    import shutil

    from hilbert_core.experiments.stored import stored_features

    body = f"""
corpora:
  - path: {corpus}
    tasks: [label]
audio_encoders: [logmel]
text_encoders: [lexicon]
methods: [linear]
folds: 3
set: [{", ".join(TINY_SET)}]
"""
    run_sweep(load_sweep(write_sweep(tmp_path, body)), tmp_path / "ws", engine="sequential")
    copy = tmp_path / "elsewhere" / "renamed"
    shutil.copytree(corpus, copy)  # same documents.csv, another name and folder
    feats = stored_features(tmp_path / "ws", copy, "logmel", "lexicon")
    assert feats is not None and len(feats.audio) == len(feats.text) == len(feats.table)
    assert stored_features(tmp_path / "ws", copy, "", "lexicon").audio is None
    assert stored_features(tmp_path / "ws", copy, "egemaps", "lexicon") is None  # never extracted
    (copy / "documents.csv").write_text((copy / "documents.csv").read_text() + "\n", encoding="utf-8")
    assert stored_features(tmp_path / "ws", copy, "logmel", "lexicon") is None  # other content
