"""The Data page and its service: imports (folder, zip; unsafe zips refused), validation, overview, audio."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
import soundfile as sf
from streamlit.testing.v1 import AppTest

from hilbert_core.data.archive import ZipLimits, extract_zip
from hilbert_core.service import data as data_service
from hilbert_core.service.uploads import session_dir
from hilbert_core.workspace import open_workspace
from tests.app.pages_helper import open_page

ROOT = Path(__file__).resolve().parents[2]
SESSION = "0123456789abcdef0123456789abcdef"


def _page() -> AppTest:
    at = open_page("pages/1_Data.py")
    assert not at.exception, at.exception
    return at


def _demo_corpus(ws_root: Path) -> Path:
    return sorted((ws_root / "corpora").glob("*/documents.csv"))[0].parent


def _zip(files: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _corpus_zip(corpus: Path, top: str = "mycorpus") -> bytes:
    files = {f"{top}/{p.relative_to(corpus)}": p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    return _zip({k: v for k, v in files.items() if "/.hilbert/" not in k})


def test_empty_workspace_says_how_to_import(empty_workspace):
    at = _page()
    assert "No corpus in this workspace yet" in at.info[0].value
    assert at.text_input(key="data_folder_path") is not None
    assert not at.get("plotly_chart")


def test_demo_workspace_shows_validation_labels_and_a_segment_player(demo_workspace):
    at = _page()
    assert at.selectbox(key="data_corpus_select").value == _demo_corpus(demo_workspace).name
    headline = (at.success or at.warning)[0].value
    assert "No problems found" in headline or "problem(s) to fix" in headline
    assert len(at.get("plotly_chart")) >= 1  # one label distribution per task
    assert [m.label for m in at.metric] == ["Documents", "Subjects", "Segments", "Speech"]
    assert int(at.metric[0].value) == len(at.dataframe[-2].value)  # documents table
    assert len(at.get("audio")) == 1
    at.selectbox(key="data_player_seg").set_value(1).run()
    assert not at.exception and len(at.get("audio")) == 1


def test_import_a_folder_through_the_page(empty_workspace, demo_workspace, monkeypatch):
    target = empty_workspace.parent / "fresh_ws"
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", f"{demo_workspace}:{target}")  # folder import's roots
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.switch_page("pages/1_Data.py")
    at.session_state["workspace"] = open_workspace(target, seed=False)
    at.session_state["workspace_error"] = None
    at.run()
    at.text_input(key="data_folder_path").set_value(str(_demo_corpus(demo_workspace)))
    at.text_input(key="data_folder_name").set_value("imported")
    at.button(key="FormSubmitter:data_import_folder-Import folder").click().run()
    assert not at.exception and not at.error
    assert "Imported imported" in at.success[0].value
    assert (target / "corpora" / "imported" / "documents.csv").is_file()
    at.text_input(key="data_folder_path").set_value(str(target / "nowhere"))
    at.button(key="FormSubmitter:data_import_folder-Import folder").click().run()
    assert "is not a folder" in at.error[0].value and not at.exception


def test_zip_import_lands_whole_inside_the_workspace(tmp_path, demo_workspace):
    ws = open_workspace(tmp_path / "ws", seed=False)
    out = data_service.import_zip(ws, SESSION, "mycorpus.zip", _corpus_zip(_demo_corpus(demo_workspace)))
    assert out.path == ws.corpora_dir / "mycorpus" and (out.path / "documents.csv").is_file()
    assert [p.name for p in ws.corpora()] == ["mycorpus"]
    assert not any(p.name.startswith(".") for p in ws.corpora_dir.iterdir())  # no temp folder left
    assert not any(session_dir(ws, SESSION).iterdir())  # the uploaded zip is removed
    with pytest.raises(ValueError, match="already has a corpus called 'mycorpus'"):
        data_service.import_zip(ws, SESSION, "mycorpus.zip", _corpus_zip(_demo_corpus(demo_workspace)))


@pytest.mark.parametrize(
    ("files", "links", "match"),
    [
        ({"../evil.txt": b"x", "c/documents.csv": b"document_id,audio_path\n"}, (), "points outside"),
        ({"/etc/evil.txt": b"x"}, (), "points outside"),
        ({"c/documents.csv": b"document_id,audio_path\n"}, ("c/link",), "is a link"),
        ({"c/big.bin": b"\0" * 2_000_000}, (), "zip bomb"),
        ({"c/readme.txt": b"hello"}, (), "no documents.csv"),
        ({"c/a": b"file", "c/a/b": b"x"}, (), r"the zip entry 'c/a/b' cannot be written \(File exists"),
        ({"c/a/b": b"x", "c/a": b"file"}, (), r"the zip entry 'c/a' cannot be written \(Is a directory"),
        ({"c/" + "x" * 300: b"x"}, (), r"cannot be written \(File name too long\); zip the corpus again"),
        ({"c/documents.csv": b""}, (), r"c.zip: c/documents.csv: the file is empty.*nothing was imported"),
        ({"c/documents.csv": b"\x89PNG\r\n\x1a\n\x00\x00garbage"}, (), "c/documents.csv"),
        ({"c/documents.csv": b"name,age\nx,1\n"}, (), "has no 'document_id' column"),
        ({"c/documents.csv": b"document_id,audio_path\n"}, (), "has a header but no rows"),
    ],
)
def test_unsafe_or_wrong_zips_are_refused_and_leave_nothing(tmp_path, files, links, match):
    ws = open_workspace(tmp_path / "ws", seed=False)
    with pytest.raises(ValueError, match=match):
        data_service.import_zip(ws, SESSION, "c.zip", _zip(files, links))
    assert list(ws.corpora_dir.iterdir()) == []
    assert not any(ws.uploads_dir.rglob("*.*"))  # the uploaded zip is gone too
    assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil.txt").exists()


@pytest.mark.parametrize(
    ("documents", "match"),
    [(b"", "the file is empty"), (b"\x00\xff\xfe garbage \x00", "documents.csv"),
     (b"id;path\n1;a.wav\n", "has no 'document_id' column")],
)  # fmt: skip
def test_a_folder_with_an_unusable_documents_csv_is_refused_and_leaves_nothing(
    tmp_path, documents, match, monkeypatch
):
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path))
    ws = open_workspace(tmp_path / "ws", seed=False)
    source = tmp_path / "src"
    source.mkdir()
    (source / "documents.csv").write_bytes(documents)
    for link in (False, True):
        with pytest.raises(ValueError, match=match) as info:
            data_service.import_folder(ws, source, "mine", link=link)
        assert "nothing was imported" in str(info.value) and "\n" not in str(info.value)
        assert list(ws.corpora_dir.iterdir()) == []


def test_zip_limits_and_bad_files(tmp_path):
    zip_path = tmp_path / "many.zip"
    zip_path.write_bytes(_zip({f"c/{i}.txt": b"x" for i in range(5)}))
    with pytest.raises(ValueError, match="holds 5 entries"):
        extract_zip(zip_path, tmp_path / "out", ZipLimits(max_files=3))
    assert not (tmp_path / "out").exists()
    ws = open_workspace(tmp_path / "ws", seed=False)
    with pytest.raises(ValueError, match="not a readable zip"):
        data_service.import_zip(ws, SESSION, "c.zip", b"PK not really")
    with pytest.raises(ValueError, match="not a .zip file"):
        data_service.import_zip(ws, SESSION, "c.tar", b"x")
    with pytest.raises(ValueError, match="not a hex id"):
        data_service.import_zip(ws, "../other", "c.zip", b"x")


def test_validation_names_the_broken_file(tmp_path, demo_workspace):
    corpus = shutil.copytree(_demo_corpus(demo_workspace), tmp_path / "broken")
    victim = sorted((corpus / "audio").iterdir())[0]
    victim.unlink()
    report = data_service.validation_report(corpus)
    assert not report.is_clean and "problem(s) to fix" in report.headline
    assert report.problems["what to do"].str.len().gt(0).all()
    assert any(
        victim.name in str(v) + m for v, m in zip(report.problems["value"], report.problems["what to do"])
    )


def test_overview_counts_and_segment_audio(demo_workspace):
    corpus = _demo_corpus(demo_workspace)
    overview = data_service.corpus_overview(corpus)
    assert overview.num_segments == int(overview.documents["segments"].sum()) > 0
    for task, counts in overview.label_counts.items():
        labelled = (overview.documents[task] != "").sum()
        assert counts["documents"].sum() == labelled
        assert overview.imbalance[task] == counts["documents"].max() / counts["documents"].min()
    doc = overview.documents["document"].iloc[0]
    segs = data_service.segment_table(corpus, doc)
    wav = data_service.segment_audio(corpus, doc, 0)
    samples, rate = sf.read(io.BytesIO(wav))
    assert rate == 16000
    assert abs(len(samples) / rate - (segs["end_s"][0] - segs["start_s"][0])) < 0.01
    with pytest.raises(ValueError, match="choose 0 to"):
        data_service.segment_audio(corpus, doc, 999)
