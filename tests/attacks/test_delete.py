"""Deleting a corpus and everything derived from it: on a freshly seeded demo workspace nothing that names
its documents is left; a corpus a running job uses is not deleted (decided: refuse, naming the job)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hilbert_core.audit import read_audit
from hilbert_core.cli import main
from hilbert_core.data.corpus import read_csv_table
from hilbert_core.service import data as data_service
from tests.app.pages_helper import open_page
from tests.attacks.conftest import add_job_row, write_corpus


def _files(root: Path) -> tuple[int, int]:
    """Files and bytes under ``root`` (SQLite's -wal/-shm companions, which come and go, aside)."""
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))]
    return len(files), sum(p.stat().st_size for p in files)


def _names(ws, corpus: Path) -> set[str]:
    table = read_csv_table(corpus / "documents.csv")
    return set(table["document_id"].dropna()) | set(table.get("subject_id", []).dropna())


def _mentioning(root: Path, names: set[str]) -> list[str]:
    """Files under ``root`` whose bytes hold any of ``names`` (what `grep -rl` would list)."""
    found = []
    for path in (p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(n.encode() in data for n in names):
            found.append(str(path.relative_to(root)))
    return found


def test_deleting_the_demo_corpus_leaves_nothing_that_names_its_documents(seeded_ws):
    ws = seeded_ws
    corpus = ws.corpora_dir / "demo"
    names = _names(ws, corpus)
    before = _files(ws.root)
    assert _mentioning(ws.root, {"doc0001"})  # the registry's reports, features, the model: they do
    footprint = data_service.corpus_footprint(ws, "demo")
    assert footprint.run_ids and footprint.models and footprint.features
    out = data_service.delete_corpus(ws, "demo")
    after = _files(ws.root)
    assert after[0] < before[0] and before[0] - after[0] >= out.footprint.num_files - 1
    assert _mentioning(ws.root, names) == []
    assert ws.corpora() == [] and ws.models() == [] and not any(ws.features_dir.iterdir())
    with sqlite3.connect(ws.registry_path) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM results").fetchone() == (0,)
    [entry] = [e for e in read_audit(ws.root) if e["action"] == "delete corpus"]
    assert entry["target"] == "demo" and entry["runs"] == len(footprint.run_ids)


def test_a_corpus_used_by_a_running_job_is_not_deleted(seeded_ws, sleeper, capsys):
    ws = seeded_ws
    corpus = ws.corpora_dir / "demo"
    add_job_row(ws, "uses00000001", {"kind": "cv", "corpus": str(corpus), "task": "spectrum"}, sleeper.pid)
    before = _files(ws.root)
    with pytest.raises(ValueError, match=r"is used by job uses00000001, which is still queued or running; "
                       r"cancel it first .*hilbert jobs cancel uses00000001"):  # fmt: skip
        data_service.delete_corpus(ws, "demo")
    assert main(["corpus", "delete", "demo", "--yes", "--workspace", str(ws.root)]) == 2
    assert "used by job uses00000001" in capsys.readouterr().err
    assert _files(ws.root) == before and (corpus / "documents.csv").is_file()
    with sqlite3.connect(ws.registry_path) as db:
        db.execute("UPDATE jobs SET status = 'done' WHERE id = 'uses00000001'")
    data_service.delete_corpus(ws, "demo")  # once the job is over
    assert not corpus.exists()
    with sqlite3.connect(ws.registry_path) as db:  # the job's row goes with the corpus
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone() == (0,)


def test_the_cli_counts_asks_and_deletes(seeded_ws, capsys, monkeypatch):
    ws = seeded_ws
    assert main(["corpus", "delete", "demo", "--dry-run", "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert "deleting removes corpus 'demo': its folder, 1 feature store, 0 cache entries, " in out
    assert (ws.corpora_dir / "demo").is_dir()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["corpus", "delete", "demo", "--workspace", str(ws.root)]) == 2
    assert "pass --yes" in capsys.readouterr().err and (ws.corpora_dir / "demo").is_dir()
    assert main(["corpus", "delete", "demo", "--yes", "--workspace", str(ws.root)]) == 0
    assert "deleted" in capsys.readouterr().out and not (ws.corpora_dir / "demo").exists()
    assert main(["corpus", "delete", "demo", "--yes", "--workspace", str(ws.root)]) == 2  # gone: one line


def test_deleting_a_linked_corpus_never_touches_its_source(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
    source = write_corpus(tmp_path / "src" / "c", "document_id,audio_path\nd1,audio/d1.wav\n")
    data_service.import_folder(ws, source, "linked", link=True)
    data_service.delete_corpus(ws, "linked")
    assert not (ws.corpora_dir / "linked").exists()
    assert sorted(p.name for p in source.rglob("*")) == ["audio", "d1.wav", "documents.csv"]


def test_the_data_page_deletes_after_a_count_and_a_typed_confirmation(seeded_ws):
    at = open_page("pages/1_Data.py")
    at.button(key="data_delete_count").click().run()
    assert "Deleting removes corpus 'demo'" in at.warning[-1].value
    assert at.button(key="data_delete_go").disabled  # not before the name is typed
    at.text_input(key="data_delete_confirm").set_value("demo").run()
    at.button(key="data_delete_go").click().run()
    assert not at.exception and "Deleted corpus 'demo'" in at.success[0].value
    assert "No corpus in this workspace yet" in at.info[0].value
    assert not (seeded_ws.corpora_dir / "demo").exists()


def test_cache_entries_projections_jobs_and_logs_go_too_and_nothing_else(ws, tmp_path):
    import json

    import torch

    from hilbert_core.encoders.extract import ExtractConfig, extract_corpus
    from hilbert_core.training.checkpoint import write_bundle
    from hilbert_core.workspace import embeddings_cache, job_curves, job_log

    segments = "document_id,start_s,end_s,text\n" + "".join(f"d{i},0.0,0.9,word {i}\n" for i in (1, 2))
    docs = "document_id,audio_path,label\nd1,audio/d1.wav,a\nd2,audio/d2.wav,b\n"
    mine = write_corpus(ws.corpora_dir / "mine", docs, ("audio/d1.wav", "audio/d2.wav"))
    (mine / "segments.csv").write_text(segments, encoding="utf-8")
    other = write_corpus(ws.corpora_dir / "other", docs.replace("d2", "d9"), ("audio/d1.wav", "audio/d9.wav"))
    (other / "segments.csv").write_text(
        segments.replace("d2", "d9").replace("word", "other"), encoding="utf-8"
    )
    for corpus in (mine, other):
        extract_corpus(corpus, ExtractConfig("logmel", "lexicon", cache_dir=ws.cache_dir))
    kept_entries = set(ws.cache_dir.rglob("*.npy"))
    for corpus, name in ((mine, "m1"), (other, "m2")):  # a model of each corpus and its projection
        write_bundle(ws.models_dir / name, {"w": torch.zeros(1)}, {"info": {"corpus": str(corpus)}})
        embeddings_cache(ws.root, name).parent.mkdir(parents=True, exist_ok=True)
        embeddings_cache(ws.root, name).write_text(json.dumps({"model_dir": str(ws.models_dir / name)}))
    add_job_row(ws, "job000000001", {"kind": "cv", "corpus": str(mine), "task": "label"}, None, "done")
    with sqlite3.connect(ws.registry_path) as db:
        db.execute(
            "UPDATE jobs SET log_path = ? WHERE id = 'job000000001'", (str(job_log(ws.root, "job000000001")),)
        )
    job_log(ws.root, "job000000001").write_text("log")
    job_curves(ws.root, "job000000001").write_text("{}\n")

    footprint = data_service.corpus_footprint(ws, "mine")
    assert (
        footprint.models == ("m1",) and footprint.embeddings == 1 and footprint.job_ids == ("job000000001",)
    )
    assert 0 < footprint.cache_entries < len(kept_entries)
    data_service.delete_corpus(ws, "mine")
    left = set(ws.cache_dir.rglob("*.npy"))
    assert len(left) == len(kept_entries) - footprint.cache_entries and left < kept_entries
    assert [m.name for m in ws.models()] == ["m2"] and [c.name for c in ws.corpora()] == ["other"]
    assert not embeddings_cache(ws.root, "m1").exists() and embeddings_cache(ws.root, "m2").exists()
    assert not job_log(ws.root, "job000000001").exists() and not job_curves(ws.root, "job000000001").exists()
    assert _mentioning(ws.root, {"word 1", "word 2"}) == []  # its text appears nowhere any more
