"""The home page: what an empty workspace tells the user, and what a demo workspace shows."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from hilbert_core.service import home

ROOT = Path(__file__).resolve().parents[2]


def _run(page: str = "app.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def test_empty_workspace_says_what_to_do(empty_workspace):
    at = _run()
    assert at.title[0].value == "HILBERT Studio"
    assert "workspace is empty" in at.info[0].value and "Data" in at.info[0].value
    assert str(empty_workspace.resolve()) in " ".join(c.value for c in at.caption)
    assert "HILBERT_WORKSPACE" in " ".join(c.value for c in at.caption)
    assert not any((empty_workspace / "corpora").iterdir())  # nothing was seeded


def test_demo_workspace_lists_corpora_models_and_runs(demo_workspace):
    at = _run()
    assert not at.info
    assert "Synthetic demo" in at.warning[0].value  # the demo banner
    tables = [df.value for df in at.dataframe]
    corpora, models, runs = tables[0], tables[1], tables[2]
    assert len(corpora) >= 1 and corpora["documents"].iloc[0] > 0
    assert "spectrum" in set(models["task"])
    done = runs[(runs["kind"] == "cv") & (runs["status"] == "done")]
    auc = "AUC (pooled OOF, %)"  # the headline AUC, labelled with its kind and unit
    assert len(done) >= 2 and done[auc].between(0, 100).all() and done[auc].max() > 1  # percent
    assert any("pooled out-of-fold macro AUC" in c.value for c in at.caption)
    assert "device:" in at.caption[0].value and ("CPU" in at.caption[0].value or "GPU" in at.caption[0].value)
    links = at.get("page_link")
    assert {"Data", "Interview"} <= {link.proto.label for link in links}


def test_a_workspace_that_cannot_be_opened_is_one_sentence(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    monkeypatch.setenv("HILBERT_WORKSPACE", str(not_a_folder))
    at = _run()
    assert len(at.error) == 1 and "is a file, not a folder" in at.error[0].value
    assert "HILBERT_WORKSPACE" in at.error[0].value


def test_seeding_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(home.NO_SEED_VAR, "1")
    assert not home.seeding_enabled()
    monkeypatch.setenv(home.NO_SEED_VAR, "")
    assert home.seeding_enabled()


def test_streamlit_config_keeps_data_local():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "localhost"  # not listening on the network by default
    assert 0 < config["server"]["maxUploadSize"] <= 1024
