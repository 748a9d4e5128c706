"""Nothing lost, nothing left: the registry upgrade is one transaction, bundles are replaced in one folder
rename, stale temporaries and expired uploads go, the workspace is private, Ray's temporary folder is
in it, and logs hold no transcript text."""

from __future__ import annotations

import gc
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from hilbert_core.experiments import registry_schema
from hilbert_core.experiments.registry import SCHEMA_VERSION, RunRegistry
from hilbert_core.io import replace_folder, temp_path
from hilbert_core.lifecycle import remove_expired_uploads, remove_stale_temp
from hilbert_core.service.uploads import SessionUploads, save_upload
from hilbert_core.training.checkpoint import read_bundle, write_bundle
from hilbert_core.workspace import open_workspace

SCHEMA_1 = (
    "CREATE TABLE runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, cell_key TEXT, "
    "config_json TEXT NOT NULL, created_at REAL NOT NULL, started_at REAL, finished_at REAL, device TEXT, "
    "pid INTEGER, package_version TEXT NOT NULL, error TEXT, artefacts_json TEXT NOT NULL DEFAULT '{}');"
    "PRAGMA user_version = 1;"
)


def _tables(path) -> tuple[int, list[str], list[str]]:
    with sqlite3.connect(path) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        columns = sorted(r[1] for r in db.execute("PRAGMA table_info(runs)"))
    return version, tables, columns


def test_a_failed_schema_upgrade_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "registry.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    before = _tables(path)
    real = registry_schema._add_columns

    def failing(db, table, columns):  # the last step of the upgrade fails, after tables were created
        real(db, table, columns)
        if table == "jobs":
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(registry_schema, "_add_columns", failing)
    with pytest.raises(sqlite3.OperationalError):
        RunRegistry(path)
    assert _tables(path) == before  # no jobs table, no new columns, still version 1
    monkeypatch.undo()
    RunRegistry(path)
    version, tables, columns = _tables(path)
    assert version == SCHEMA_VERSION and "jobs" in tables and {"pid_started", "job_id"} <= set(columns)


def test_a_bundle_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "models" / "m"
    write_bundle(out, {"w": torch.zeros(2)}, {"info": {"v": 1}})
    write_bundle(out, {"w": torch.ones(3)}, {"info": {"v": 2}}, overwrite=True)
    tensors, meta = read_bundle(out)
    assert meta["info"]["v"] == 2 and tensors["w"].shape == (3,)
    assert sorted(p.name for p in out.parent.iterdir()) == ["m"]  # no temporary or old folder left

    import hilbert_core.training.checkpoint as checkpoint

    def broken(path, text):  # the JSON fails after the new weights were written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint, "atomic_write_text", broken)
    with pytest.raises(OSError):
        write_bundle(out, {"w": torch.ones(5)}, {"info": {"v": 3}}, overwrite=True)
    tensors, meta = read_bundle(out)
    assert meta["info"]["v"] == 2 and tensors["w"].shape == (3,)  # the old bundle, both files
    assert sorted(p.name for p in out.parent.iterdir()) == ["m"]
    (out / "notes.txt").write_text("mine")
    monkeypatch.undo()
    with pytest.raises(ValueError, match="holds other files"):
        write_bundle(out, {"w": torch.ones(1)}, {}, overwrite=True)


def test_replace_folder_swaps_in_one_step(tmp_path):
    target, new = tmp_path / "t", tmp_path / ".t.new"
    target.mkdir()
    (target / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    replace_folder(new, target)
    assert (target / "a").read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def _backdate(path, hours: float) -> None:
    stamp = time.time() - hours * 3600
    for p in [path, *path.rglob("*")]:
        os.utime(p, (stamp, stamp))


def test_stale_temporaries_go_live_ones_stay(tmp_path):
    ws = open_workspace(tmp_path / "ws", seed=False)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = ws.corpora_dir / f".import-{dead.stdout.strip()}-0123abcd"  # its process is gone
    stale.mkdir()
    (stale / "documents.csv").write_text("x")
    live = temp_path(ws.corpora_dir, "unzip")  # this process: in use
    live.mkdir()
    old_tmp = ws.models_dir / ".bundle.json.ab12cd34.tmp"  # an atomic write a kill interrupted
    old_tmp.write_text("x")
    _backdate(old_tmp, 2)
    fresh_tmp = ws.jobs_dir / ".x.log.zz99yy88.tmp"
    fresh_tmp.write_text("x")
    mine = ws.corpora_dir / ".hidden-notes"  # not a temporary: never touched
    mine.write_text("x")
    assert remove_stale_temp(ws) == 2
    assert not stale.exists() and not old_tmp.exists()
    assert live.exists() and fresh_tmp.exists() and mine.exists()


def test_uploads_expire_after_the_retention_and_when_the_session_ends(tmp_path, monkeypatch):
    monkeypatch.delenv("HILBERT_UPLOAD_RETENTION_HOURS", raising=False)
    ws = open_workspace(tmp_path / "ws", seed=False)
    old = save_upload(ws, "a" * 32, "old.wav", b"1").parent.parent
    new = save_upload(ws, "b" * 32, "new.wav", b"1").parent.parent
    _backdate(old, 25)  # the default retention is 24 h
    assert remove_expired_uploads(ws) == 1 and not old.exists() and new.exists()
    monkeypatch.setenv("HILBERT_UPLOAD_RETENTION_HOURS", "0.5")
    _backdate(new, 1)
    assert remove_expired_uploads(ws) == 1 and not new.exists()
    holder = SessionUploads(ws, "c" * 32)  # what a browser session's state keeps
    folder = save_upload(ws, "c" * 32, "x.wav", b"1").parent.parent
    del holder  # the session ended: Streamlit dropped its state
    gc.collect()
    assert not folder.exists()


def test_a_new_workspace_is_private_and_a_shared_one_is_made_private(tmp_path, monkeypatch):
    ws = open_workspace(tmp_path / "new_ws", seed=False)
    assert stat.S_IMODE(ws.root.stat().st_mode) == 0o700
    loose = tmp_path / "loose_ws"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    open_workspace(loose, seed=False)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o755  # a laptop's own choice is left
    monkeypatch.setenv("HILBERT_SHARED", "1")
    open_workspace(loose, seed=False)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


def test_a_local_ray_keeps_its_temporary_folder_in_the_workspace(tmp_path):
    import shutil
    import tempfile

    from hilbert_core.experiments.engines_ray import local_ray_kwargs

    short = Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))  # a short path (Ray's socket paths are limited)
    try:
        kwargs, private = local_ray_kwargs(short, 2)
    finally:
        shutil.rmtree(short)
    assert kwargs["_temp_dir"] == str(short.resolve() / ".ray") and private is None
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    kwargs, private = local_ray_kwargs(deep, 2)
    spill = kwargs["_system_config"]["object_spilling_config"]
    assert str(deep.resolve() / ".ray" / "spill") in spill  # spilled objects: in the workspace
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    private.rmdir()


def test_logs_hold_no_transcript_text(tmp_path, caplog):
    from hilbert_core.data import load_corpus
    from tests.data.conftest import write_tone

    root = tmp_path / "c"
    write_tone(root / "a.wav", 1.0)
    (root / "documents.csv").write_text("document_id,audio_path,transcript_path\nd1,a.wav,t.srt\n")
    (root / "t.srt").write_text("1\nthe patient said something private\n")  # no cue timing
    with caplog.at_level(logging.DEBUG):
        corpus = load_corpus(root, data_roots=())
    assert corpus.segments == {} and "transcript skipped" in caplog.text and "line 2" in caplog.text
    assert "private" not in caplog.text and "patient" not in caplog.text
