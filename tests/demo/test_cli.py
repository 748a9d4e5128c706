"""``hilbert demo-corpus``."""

from __future__ import annotations

from pathlib import Path

import pytest

from hilbert_core.cli import main


def test_demo_corpus_without_audio(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo-corpus", str(out), "--no-audio", "--documents", "20", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "20 documents" in lines[0] and "schizophrenia 5" in lines[0]
    assert (out / "documents.csv").is_file()


def test_too_few_documents_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-corpus", str(tmp_path / "demo"), "--no-audio", "--documents", "3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: num_documents=3")
    assert not (tmp_path / "demo").exists()
