"""Where the workspace lives: the default, the environment variable, and a file in the way."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hilbert_core.workspace import ENV_VAR, SUBFOLDERS, default_root, open_workspace


def test_default_root_is_in_the_home_folder(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert default_root() == Path.home() / ".hilbert-studio" / "workspace"


def test_environment_variable_overrides_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert default_root() == tmp_path / "elsewhere"
    ws = open_workspace(seed=False)
    assert ws.root == (tmp_path / "elsewhere").resolve()
    assert all((ws.root / name).is_dir() for name in SUBFOLDERS)
    assert ws.is_empty() and ws.corpora() == [] and ws.models() == []


def test_a_file_in_the_way_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "ws"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ValueError, match=f"is a file, not a folder.*{ENV_VAR}") as info:
        open_workspace(blocker, seed=False)
    assert "\n" not in str(info.value)


def test_an_unwritable_place_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot create workspace"):
        open_workspace(blocker / "ws", seed=False)


def _demo_assets() -> bool:
    from hilbert_core.workspace import ASSETS

    return (ASSETS / "demo" / "MANIFEST.json").is_file()


def _check_one_clean_seed(root: Path) -> None:
    from hilbert_core.demo.seed import seed_state
    from hilbert_core.experiments.registry import RunRegistry
    from hilbert_core.workspace import ASSETS

    manifest = json.loads((ASSETS / "demo" / "MANIFEST.json").read_text(encoding="utf-8"))
    ws = open_workspace(root, seed=False)
    assert seed_state(ws.root) == "done" and [p.name for p in ws.corpora()] == ["demo"]
    assert (ws.root / "corpora" / "demo" / "segments.csv").is_file()
    leftovers = [p for sub in ("corpora", "models") for p in (ws.root / sub).glob(".*tmp-*")]
    assert not leftovers
    assert len(RunRegistry(ws.registry_path).list()) == manifest["runs"]["exported"]  # not duplicated


@pytest.mark.skipif(not _demo_assets(), reason="no shipped demo assets")
def test_sessions_opening_a_new_workspace_at_once_share_one_seed(tmp_path):
    root = tmp_path / "ws"
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(open_workspace, root) for _ in range(3)]
        roots = {f.result().root for f in futures}  # re-raises any error
    assert roots == {root.resolve()}
    _check_one_clean_seed(root)


@pytest.mark.skipif(not _demo_assets(), reason="no shipped demo assets")
def test_processes_opening_a_new_workspace_at_once_share_one_seed(tmp_path):
    root = tmp_path / "ws"
    code = "import sys; from hilbert_core.workspace import open_workspace; open_workspace(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(root)], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    _check_one_clean_seed(root)


@pytest.mark.skipif(not _demo_assets(), reason="no shipped demo assets")
def test_stale_copies_are_cleared_and_hidden(tmp_path):
    from hilbert_core.demo.seed import MARKER

    ws = open_workspace(tmp_path / "ws", seed=False)
    stale = ws.corpora_dir / ".demo.tmp-deadbeef"
    (stale / "audio").mkdir(parents=True)
    (stale / "documents.csv").write_text("document_id,audio_path\n", encoding="utf-8")
    assert ws.corpora() == []  # a copy in progress is not a corpus
    (ws.root / MARKER).write_text(json.dumps({"status": "started"}), encoding="utf-8")
    open_workspace(ws.root)
    assert not stale.exists()
    _check_one_clean_seed(ws.root)


def test_a_seed_that_cannot_write_is_one_sentence(tmp_path, monkeypatch):
    import hilbert_core.demo.seed as seed

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "ws" / "corpora" / "demo"))

    monkeypatch.setattr(seed, "_copy_folder", disk_full)
    monkeypatch.setattr(seed.store, "read_json", lambda *a, **k: {})
    ws = open_workspace(tmp_path / "ws", seed=False)
    with pytest.raises(
        ValueError, match="cannot seed the workspace .*No space left.*HILBERT_NO_SEED"
    ) as info:
        seed.seed_workspace(ws, tmp_path / "assets")
    assert "\n" not in str(info.value) and "corpora/demo" in str(info.value)
