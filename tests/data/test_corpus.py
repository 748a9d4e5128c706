"""Corpus folder: loading, labels, segments from segments.csv or transcripts, and writing segments."""

from __future__ import annotations

import pytest

from hilbert_core.data.corpus import load_corpus, read_csv_table, write_segments
from hilbert_core.data.transcripts import Segment


def test_load_clean_corpus(make_corpus):
    root = make_corpus()
    corpus = load_corpus(root)
    assert corpus.document_ids == ["d1", "d2", "d3", "d4"]
    assert corpus.tasks == ["diagnosis"]
    assert corpus.audio_path("d3") == root / "audio/d3.flac"
    assert corpus.segments_for("d1") == [Segment(0.0, 0.8, "hello there"), Segment(1.0, 1.9, "well, yes")]
    assert corpus.segments_for("d2") == [Segment(0.2, 1.0, "Hi."), Segment(1.0, 1.8, "Bye.")]  # from SRT
    assert corpus.segments_for("d3") == []  # to be transcribed
    assert "d3" not in corpus.segments
    with pytest.raises(ValueError, match="document 'nope' is not in documents.csv"):
        corpus.segments_for("nope")


def test_segments_csv_wins_over_transcript(make_corpus):
    segments = "document_id,start_s,end_s,text\nd2,0.1,0.4,from csv\n"
    corpus = load_corpus(make_corpus(segments=segments))
    assert corpus.segments_for("d2") == [Segment(0.1, 0.4, "from csv")]


def test_labels_skip_unlabelled_and_keep_strings(make_corpus):
    documents = (
        "document_id,audio_path,subject_id,score,site\n"
        "d1,audio/d1.wav,s1,1,A\n"
        "d2,audio/d2.wav,,0,\n"
        "d3,audio/d3.flac,s1,,B\n"
        "d4,audio/d4.wav,s4,1,B\n"
    )
    corpus = load_corpus(make_corpus(documents=documents, segments=None))
    assert corpus.tasks == ["score", "site"]
    assert corpus.labels("score") == (["d1", "d2", "d4"], ["1", "0", "1"], ["s1", "d2", "s4"])
    assert corpus.labels("site") == (["d1", "d3", "d4"], ["A", "B", "B"], ["s1", "s1", "s4"])
    with pytest.raises(ValueError, match="task 'age' is not a label column.*score, site"):
        corpus.labels("age")


def test_labels_without_subjects_have_no_groups(make_corpus):
    documents = "document_id,audio_path,y\nd1,audio/d1.wav,a\nd2,audio/d2.wav,b\n"
    assert load_corpus(make_corpus(documents=documents, segments=None)).labels("y") == (
        ["d1", "d2"],
        ["a", "b"],
        None,
    )


def test_tolerant_of_bad_rows(make_corpus):
    segments = (
        "document_id,start_s,end_s,text\n"
        "d1,0,1,ok\n"
        "d1,x,2,bad start\n"
        "d9,0,1,unknown document\n"
        "d1,3,2,backwards\n"
    )
    files = {"text/d2.srt": "not a subtitle file\n"}
    corpus = load_corpus(make_corpus(segments=segments, files=files))
    assert corpus.segments == {"d1": [Segment(0.0, 1.0, "ok")]}


@pytest.mark.parametrize(
    "documents,match",
    [
        (None, r"documents.csv: file not found"),
        ("document_id,path\nd1,a.wav\n", r"documents.csv has no 'audio_path' column"),
        ("document_id,audio_path\nd1,caf\xe9.wav\n".encode("latin-1"), r"line 2: .*save it as UTF-8"),
        ("", r"documents.csv: the file is empty"),
        ("document_id,audio_path\nd1,a.wav,extra\n", r"line 2 has 3 fields but the header has 2"),
    ],
)
def test_unreadable_documents_raise_one_line(make_corpus, documents, match):
    root = make_corpus(documents=documents)
    with pytest.raises(ValueError, match=match) as info:
        load_corpus(root)
    assert "\n" not in str(info.value)


def test_missing_segment_column_raises(make_corpus):
    with pytest.raises(ValueError, match=r"segments.csv has no 'end_s' column"):
        load_corpus(make_corpus(segments="document_id,start_s,text\nd1,0,a\n"))


def test_read_csv_table_index_is_file_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b,\n\n1, x ,\n"2\nstill 2",,\n3,y\n', encoding="utf-8")
    table = read_csv_table(path)
    assert list(table.columns) == ["a", "b"]  # trailing empty column dropped
    assert table.index.tolist() == [3, 4, 6]
    assert table["b"].tolist()[0] == "x" and table["b"].isna().tolist() == [False, True, False]


def test_write_segments_orders_and_round_trips(make_corpus):
    root = make_corpus(segments=None)
    segments = {
        "d4": [Segment(1.0, 2.0, "b"), Segment(0.25, 0.75, 'quote "this", please')],
        "zz": [Segment(0.0, 1.0, "not in documents.csv")],
        "d1": [Segment(0.1, 0.2, "first")],
    }
    path = write_segments(root, segments)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "document_id,start_s,end_s,text"
    assert [line.split(",")[0] for line in lines[1:]] == ["d1", "d4", "d4", "zz"]
    assert lines[2] == 'd4,0.25,0.75,"quote ""this"", please"'
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []  # no temp files left
    corpus = load_corpus(root)
    assert corpus.segments_for("d4") == sorted(segments["d4"], key=lambda s: s.start_s)
    assert corpus.segments_for("d1") == segments["d1"]
    assert corpus.segments_for("d2") == [Segment(0.2, 1.0, "Hi."), Segment(1.0, 1.8, "Bye.")]
