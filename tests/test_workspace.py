"""Where the workspace lives: the default, the environment variable, and a file in the way."""

from __future__ import annotations

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
