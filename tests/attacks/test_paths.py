"""Attack: a documents.csv whose paths lead out of the corpus folder (absolute, ``../``, a link).

Refused alike by ``hilbert validate`` (a problem on its row), the CLI's corpus reading, and the Studio
(validation report, overview, zip and folder import), with one line naming the row and the setting
``data_roots``; the refusal reads the same whether the file outside exists or not.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hilbert_core.cli import main
from hilbert_core.data import load_corpus
from hilbert_core.data.paths import PathOutside
from hilbert_core.data.validate import validate_corpus
from hilbert_core.service import data as data_service
from tests.attacks.conftest import write_corpus
from tests.data.conftest import write_tone

SESSION = "0123456789abcdef0123456789abcdef"
OUTSIDE = [
    ("audio_path", "/etc/passwd"),
    ("audio_path", "../outside.wav"),
    ("audio_path", "audio/../../outside.wav"),
    ("transcript_path", "/etc/hostname"),
    ("transcript_path", "../secret.srt"),
]


def _attack_corpus(root: Path, column: str, value: str) -> Path:
    """Row 3 (d2) of documents.csv names ``value``; ``root/../outside.wav`` and ``secret.srt`` exist."""
    write_tone(root.parent / "outside.wav", 1.0)
    (root.parent / "secret.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nsecret words\n", "utf-8")
    audio, transcript = ("audio/d2.wav", value) if column == "transcript_path" else (value, "")
    documents = (
        f"document_id,audio_path,transcript_path,label\nd1,audio/d1.wav,,a\nd2,{audio},{transcript},b\n"
    )
    return write_corpus(root, documents, ("audio/d1.wav", "audio/d2.wav"))


@pytest.mark.parametrize(("column", "value"), OUTSIDE)
def test_hilbert_validate_refuses_the_row_naming_the_setting(ws, tmp_path, capsys, column, value):
    corpus = _attack_corpus(tmp_path / "src" / "c", column, value)
    problems = [p for p in validate_corpus(corpus) if "leads outside" in p.message]
    assert [(p.row, p.value) for p in problems] == [(3, value)]
    assert "data_roots" in problems[0].message and "\n" not in str(problems[0])
    assert main(["validate", str(corpus)]) == 2
    out = capsys.readouterr().out
    assert f"documents.csv row 3: {column} {value!r} leads outside" in out and "data_roots: none" in out


@pytest.mark.parametrize(("column", "value"), OUTSIDE)
def test_the_cli_and_the_studio_refuse_to_read_the_corpus(ws, tmp_path, column, value):
    corpus = _attack_corpus(tmp_path / "src" / "c", column, value)
    with pytest.raises(PathOutside, match=rf"documents.csv row 3: {column} .* \(setting data_roots: none\)"):
        load_corpus(corpus)  # what `hilbert extract`, sweeps and training read corpora with
    with pytest.raises(ValueError, match="leads outside the corpus folder") as info:
        data_service.corpus_overview(corpus)  # the Data page
    assert "\n" not in str(info.value)
    report = data_service.validation_report(corpus)
    assert any("leads outside" in m for m in report.problems["what to do"])


@pytest.mark.parametrize(("column", "value"), OUTSIDE)
def test_a_zip_naming_a_path_outside_is_not_imported(ws, tmp_path, column, value):
    corpus = _attack_corpus(tmp_path / "src" / "c", column, value)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in corpus.rglob("*"):
            if path.is_file():
                z.write(path, f"c/{path.relative_to(corpus)}")
    with pytest.raises(ValueError, match=rf"row 3: {column} .*data_roots.*nothing was imported"):
        data_service.import_zip(ws, SESSION, "c.zip", buf.getvalue())
    assert list(ws.corpora_dir.iterdir()) == []


@pytest.mark.parametrize("link", [False, True])
def test_a_folder_naming_a_path_outside_is_not_imported(ws, tmp_path, monkeypatch, link):
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
    corpus = _attack_corpus(tmp_path / "src" / "c", "audio_path", "/etc/passwd")
    with pytest.raises(
        ValueError, match="row 3: audio_path '/etc/passwd' leads outside.*nothing was imported"
    ):
        data_service.import_folder(ws, corpus, "c", link=link)
    assert list(ws.corpora_dir.iterdir()) == []


def test_the_refusal_does_not_tell_whether_the_file_exists(ws, tmp_path):
    said = []
    for value in ("/etc/passwd", "/etc/no-such-file-here.wav"):
        corpus = _attack_corpus(tmp_path / value.replace("/", "_") / "c", "audio_path", value)
        [problem] = [p for p in validate_corpus(corpus) if p.row == 3]
        said.append(problem.message.replace(repr(value), "VALUE"))
    assert said[0] == said[1]


def test_a_link_inside_the_corpus_to_a_file_outside_is_refused(ws, tmp_path):
    corpus = _attack_corpus(tmp_path / "src" / "c", "audio_path", "audio/d2.wav")
    (corpus / "audio" / "d2.wav").unlink()
    (corpus / "audio" / "d2.wav").symlink_to(tmp_path / "src" / "outside.wav")
    with pytest.raises(PathOutside, match="row 3: audio_path 'audio/d2.wav' leads outside"):
        load_corpus(corpus)


def test_a_data_root_lets_a_corpus_name_recordings_on_a_raw_data_drive(ws, tmp_path, monkeypatch):
    raw = tmp_path / "raw_drive"
    write_corpus(raw, "unused\n", ("rec/d2.wav",))
    corpus = _attack_corpus(tmp_path / "src" / "c", "audio_path", str(raw / "rec" / "d2.wav"))
    with pytest.raises(PathOutside):
        load_corpus(corpus)
    monkeypatch.setenv("HILBERT_DATA_ROOTS", str(raw))
    assert load_corpus(corpus).audio_path("d2") == raw / "rec" / "d2.wav"
    assert not [p for p in validate_corpus(corpus) if p.row == 3]
    (ws.root / "settings.toml").write_text(f'data_roots = ["{raw}"]\n', encoding="utf-8")
    monkeypatch.delenv("HILBERT_DATA_ROOTS")
    assert load_corpus(corpus).audio_path("d2").is_file()  # the workspace's settings.toml says so too
