"""Attack: symbolic links to /etc inside an imported folder or zip; folders outside the import roots;
a linked corpus that would make the Studio write into the user's own folder."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from hilbert_core.data import load_corpus
from hilbert_core.data.corpus import write_segments
from hilbert_core.data.transcripts import Segment
from hilbert_core.service import data as data_service
from tests.attacks.conftest import write_corpus

SESSION = "0123456789abcdef0123456789abcdef"
DOCUMENTS = "document_id,audio_path,label\nd1,audio/d1.wav,a\nd2,audio/d2.wav,b\n"


def _source(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "src" / "c", DOCUMENTS, ("audio/d1.wav", "audio/d2.wav"))


@pytest.mark.parametrize("link", [False, True])
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_link_to_etc_inside_an_imported_folder_is_refused(ws, tmp_path, monkeypatch, link, what):
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
    corpus = _source(tmp_path)
    if what == "file":
        (corpus / "audio" / "passwd.wav").symlink_to("/etc/passwd")
    else:
        (corpus / "etc").symlink_to("/etc", target_is_directory=True)
    with pytest.raises(ValueError, match=r"is a symbolic link; links are not followed.*nothing was imported"):
        data_service.import_folder(ws, corpus, "c", link=link)
    assert list(ws.corpora_dir.iterdir()) == []  # nothing copied, no temporary left
    assert not list(ws.root.rglob("passwd*")) and not list(ws.root.rglob("hostname"))


def test_a_link_to_etc_inside_a_zip_is_refused(ws):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("c/documents.csv", DOCUMENTS)
        info = zipfile.ZipInfo("c/audio")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc")
    with pytest.raises(ValueError, match=r"the zip entry 'c/audio' is a link"):
        data_service.import_zip(ws, SESSION, "c.zip", buf.getvalue())
    assert list(ws.corpora_dir.iterdir()) == [] and not any(ws.uploads_dir.rglob("*.zip"))


def test_folder_import_only_from_the_import_roots(ws, tmp_path, monkeypatch):
    corpus = _source(tmp_path)
    monkeypatch.setenv("HILBERT_SHARED", "1")  # a shared server: no import root unless the setting says
    from hilbert_core.access import Actor, acting_as

    with acting_as(Actor("alice", "researcher")):
        for source in (corpus, Path("/etc"), tmp_path / "no-such-folder"):  # the same answer for all
            with pytest.raises(ValueError, match=r"is not allowed: it is not under an import root \(setting "
                               r"import_roots: none"):  # fmt: skip
                data_service.import_folder(ws, source, "c")
        monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
        assert data_service.import_folder(ws, corpus, "c").path == ws.corpora_dir / "c"


def test_on_a_laptop_the_home_folder_is_the_import_root(ws, tmp_path, monkeypatch):
    corpus = _source(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "src"))
    assert data_service.import_folder(ws, corpus, "c").problems == []
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    with pytest.raises(ValueError, match="not under an import root"):
        data_service.import_folder(ws, corpus, "d")


def test_a_linked_corpus_reads_the_source_but_writes_only_in_the_workspace(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
    corpus = _source(tmp_path)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in corpus.rglob("*"))
    out = data_service.import_folder(ws, corpus, "linked", link=True)
    assert not out.path.is_symlink() and sorted(p.name for p in out.path.iterdir()) == [
        "documents.csv",
        "source.json",
    ]
    loaded = load_corpus(out.path)
    assert loaded.audio_path("d1") == corpus / "audio" / "d1.wav"  # recordings stay where they are
    write_segments(loaded.root, {"d1": [Segment(0.0, 1.0, "words")]})  # what transcription writes
    assert (out.path / "segments.csv").is_file() and not (corpus / "segments.csv").exists()
    assert sorted((p.name, p.stat().st_mtime_ns) for p in corpus.rglob("*")) == before


def test_an_old_style_linked_corpus_is_never_written_into(ws, tmp_path):
    corpus = _source(tmp_path)
    (ws.corpora_dir / "old").symlink_to(corpus, target_is_directory=True)  # a link import of before
    with pytest.raises(ValueError, match="link to a folder outside the workspace.*import the corpus again"):
        write_segments(ws.corpora_dir / "old", {"d1": [Segment(0.0, 1.0, "words")]})
    assert not (corpus / "segments.csv").exists()
