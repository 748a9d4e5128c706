"""The corpus folder: layout, determinism, atomic writes and overwrite rules (no espeak-ng needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hilbert_core.data.corpus import load_corpus
from hilbert_core.demo import DemoConfig, synth, write_demo_corpus
from hilbert_core.demo import corpus as demo_corpus

FILES = ("documents.csv", "segments.csv", "cues.csv", "plan.json")


def _write(root: Path, seed: int = 5, **kwargs) -> Path:
    write_demo_corpus(root, DemoConfig(seed=seed, num_documents=20), audio=False, **kwargs)
    return root


def test_corpus_without_audio_loads(tmp_path: Path) -> None:
    root = _write(tmp_path / "demo")
    corpus = load_corpus(root)
    assert corpus.tasks == ["spectrum", "affect", "sleep"]
    assert len(corpus.document_ids) == 20
    plan = json.loads((root / "plan.json").read_text())
    assert plan["timing"] == "estimated" and plan["has_audio"] is False
    for doc in plan["documents"]:
        segments = corpus.segments_for(doc["document_id"])
        assert [s.text for s in segments] == [s["text"] for s in doc["segments"]]
        assert all(s.end_s > s.start_s for s in segments)
    ids, labels, groups = corpus.labels("spectrum")
    assert len(set(groups)) == 20 and set(labels) == {"control", "depression", "bipolar", "schizophrenia"}
    assert not (root / "audio").exists()


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = _write(tmp_path / "a"), _write(tmp_path / "b"), _write(tmp_path / "c", seed=6)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "segments.csv").read_bytes() != (c / "segments.csv").read_bytes()
    assert (a / "documents.csv").read_bytes() != (c / "documents.csv").read_bytes()


def test_cues_file_matches_segments(tmp_path: Path) -> None:
    root = _write(tmp_path / "demo")
    cues = (root / "cues.csv").read_text().splitlines()
    segments = (root / "segments.csv").read_text().splitlines()
    assert cues[0] == "document_id,segment,start_s,end_s,prompt_id,cues"
    assert len(cues) == len(segments)
    assert any("lexical:depression" in line for line in cues)


def test_refuses_a_non_empty_folder_unless_overwrite(tmp_path: Path) -> None:
    root = _write(tmp_path / "demo")
    with pytest.raises(ValueError, match="overwrite"):
        _write(root)
    _write(root, seed=9, overwrite=True)
    assert json.loads((root / "plan.json").read_text())["config"]["seed"] == 9
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a demo corpus"):
        _write(other, overwrite=True)
    assert (other / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo", "mine"]  # no leftovers


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_corpus, "_write_tables", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        _write(tmp_path / "demo")
    assert list(tmp_path.iterdir()) == []


def test_missing_espeak_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth.shutil, "which", lambda name: None)
    with pytest.raises(ValueError, match="apt-get install espeak-ng"):
        write_demo_corpus(tmp_path / "demo", DemoConfig(num_documents=20))
    assert list(tmp_path.iterdir()) == []


def test_a_failing_synthesis_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(voice: str, segment) -> None:
        raise ValueError(f"espeak-ng could not speak with voice {voice!r}")

    monkeypatch.setattr(synth.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    monkeypatch.setattr(synth, "synthesize_segment", fail)
    with pytest.raises(ValueError, match="could not speak"):
        write_demo_corpus(tmp_path / "demo", DemoConfig(num_documents=20))
    assert list(tmp_path.iterdir()) == []


def test_files_follow_the_umask(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        root = _write(tmp_path / "demo")
    finally:
        os.umask(mask)
    assert {oct(p.stat().st_mode & 0o777) for p in root.iterdir()} == {oct(0o644)}
