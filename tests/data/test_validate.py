"""validate_corpus: one test per kind of problem, each naming the file, row and value; clean corpora pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hilbert_core.data.validate import Problem, validate_corpus

from .conftest import CLEAN_DOCUMENTS, CLEAN_SEGMENTS

RAVDESS = Path("/work/shared/data/ravdess")
HEADER = "document_id,start_s,end_s,text\n"


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_clean_corpus_has_no_problems(make_corpus):
    # d3 has neither segments nor a transcript: it will be transcribed, which is not a problem
    assert validate_corpus(make_corpus(), n_splits=2) == []
    assert validate_corpus(make_corpus(), tasks=["diagnosis"]) == []


def test_problem_reads_as_one_line():
    problem = Problem("documents.csv", 7, "a/x.wav", "audio_path 'a/x.wav' does not exist; fix the path.")
    assert str(problem) == "documents.csv row 7: audio_path 'a/x.wav' does not exist; fix the path."
    assert str(Problem("segments.csv", None, "", "the file is empty.")) == "segments.csv: the file is empty."


def test_missing_corpus_folder_and_documents(tmp_path):
    assert "corpus folder not found" in _only(validate_corpus(tmp_path / "nope")).message
    problem = _only(validate_corpus(tmp_path))
    assert (problem.file, problem.row) == ("documents.csv", None) and "file not found" in problem.message


@pytest.mark.parametrize(
    "documents,row,match",
    [
        ("document_id,audio_path\nd1,caf\xe9.wav\n".encode("latin-1"), None, r"line 2: .*save it as UTF-8"),
        ("document_id,audio_path\nd1,a.wav,x\n", None, r"line 2 has 3 fields but the header has 2"),
        ("document_id,path,y\nd1,a.wav,A\n", 1, r"no 'audio_path' column"),
    ],
)
def test_unreadable_documents(make_corpus, documents, row, match):
    problem = _only(validate_corpus(make_corpus(documents=documents)))
    assert (problem.file, problem.row) == ("documents.csv", row)
    assert re.search(match, str(problem)), str(problem)


def test_duplicate_and_empty_document_ids(make_corpus):
    documents = CLEAN_DOCUMENTS + "d2,audio/d2.wav,s5,,HC\n,audio/d1.wav,s6,,AD\n"
    problems = validate_corpus(make_corpus(documents=documents))
    assert [(p.row, p.value) for p in problems] == [(6, "d2"), (7, "")]
    assert "document_id 'd2' repeats row 3" in problems[0].message
    assert "document_id is empty" in problems[1].message


def test_missing_audio(make_corpus):
    documents = CLEAN_DOCUMENTS + "d5,audio/x.wav,s5,,HC\n"
    problem = _only(validate_corpus(make_corpus(documents=documents)))
    assert str(problem) == (
        "documents.csv row 6: audio_path 'audio/x.wav' does not exist; fix the path or remove the row."
    )


def test_row_numbers_are_file_lines_even_after_blank_lines(make_corpus):
    documents = CLEAN_DOCUMENTS + "\n\nd5,audio/x.wav,s5,,HC\n"
    assert _only(validate_corpus(make_corpus(documents=documents))).row == 8


@pytest.mark.parametrize("content,reason", [(b"", "file is empty"), (b"RIFF0000WAVEjunk" * 8, "")])
def test_empty_or_unreadable_audio(make_corpus, content, reason):
    root = make_corpus(files={"audio/d4.wav": content})
    problem = _only(validate_corpus(root))
    assert (problem.row, problem.value) == (5, "audio/d4.wav")
    assert f"audio_path 'audio/d4.wav' cannot be read ({reason}" in problem.message


def test_empty_audio_path_and_unknown_extension(make_corpus):
    documents = CLEAN_DOCUMENTS + "d5,,s5,,HC\nd6,audio/d6.docx,s6,,AD\n"
    problems = validate_corpus(make_corpus(documents=documents, files={"audio/d6.docx": b"x"}))
    assert [(p.row, p.value) for p in problems] == [(6, ""), (7, "audio/d6.docx")]
    assert "audio_path is empty" in problems[0].message
    assert "unknown audio extension '.docx'" in problems[1].message


def test_transcript_that_fails_to_import(make_corpus):
    root = make_corpus(files={"text/d2.srt": "1\n00:00:01.5 --> 00:00:02,000\nhi\n"})
    problem = _only(validate_corpus(root))
    assert (problem.file, problem.row, problem.value) == ("documents.csv", 3, "text/d2.srt")
    assert "line 2: timestamp '00:00:01.5' is not HH:MM:SS,mmm" in problem.message


def test_transcript_longer_than_its_recording(make_corpus):
    srt = "1\n00:00:01,000 --> 00:00:02,400\nfine\n\n2\n00:00:02,400 --> 00:00:03,000\ntoo late\n"
    problem = _only(validate_corpus(make_corpus(files={"text/d2.srt": srt})))
    assert (problem.row, problem.value) == (3, "text/d2.srt")
    assert "segment ending at 3 s, beyond the end of 'audio/d2.wav' (2.00 s)" in problem.message


def test_missing_transcript_file(make_corpus):
    documents = CLEAN_DOCUMENTS.replace("text/d2.srt", "text/gone.vtt")
    problem = _only(validate_corpus(make_corpus(documents=documents)))
    assert problem.value == "text/gone.vtt" and "not found" in problem.message


@pytest.mark.parametrize(
    "row_text,value,match",
    [
        ("d9,0,1,hi", "d9", "document_id 'd9' is not in documents.csv"),
        (",0,1,hi", "", "document_id '' is not in documents.csv"),
        ("d1,abc,2.5,hi", "abc", "start_s 'abc' is not a number of seconds"),
        ("d1,2.1,nan,hi", "nan", "end_s 'nan' is not a number of seconds"),
        ("d1,,2.5,hi", "", "start_s is empty"),
        ("d1,-1,0.5,hi", "-1", "start_s '-1' is negative"),
        ("d1,1.95,1.95,hi", "1.95", "end_s 1.95 is not after start_s 1.95"),
        ("d1,1.95,2.7,hi", "2.7", "end_s 2.7 is beyond the end of 'audio/d1.wav' (2.00 s)"),
        ("d1,1.95,2.0,", "", "text is empty"),
        ("d1,1.5,1.99,hi", "1.5-1.99", "segment 1.5-1.99 s overlaps row 3 (1-1.9 s) of document 'd1'"),
    ],
)
def test_segment_problems(make_corpus, row_text, value, match):
    problem = _only(validate_corpus(make_corpus(segments=CLEAN_SEGMENTS + row_text + "\n")))
    assert (problem.file, problem.row, problem.value) == ("segments.csv", 5, value)
    assert match in problem.message


def test_segments_within_tolerance_and_touching_are_fine(make_corpus):
    segments = CLEAN_SEGMENTS + "d1,1.9,2.4,touching the previous one and 0.4 s past the end\n"
    assert validate_corpus(make_corpus(segments=segments)) == []


def test_overlap_is_found_after_sorting_by_start(make_corpus):
    segments = HEADER + "d1,1.0,1.5,later\nd1,0.0,1.2,earlier\n"
    problem = _only(validate_corpus(make_corpus(segments=segments)))
    assert (problem.row, problem.value) == (2, "1-1.5") and "overlaps row 3" in problem.message


def test_unreadable_segments(make_corpus):
    problem = _only(validate_corpus(make_corpus(segments=HEADER.encode() + b"d1,0,1,caf\xe9\n")))
    assert problem.file == "segments.csv" and "save it as UTF-8" in problem.message
    problem = _only(validate_corpus(make_corpus(segments="document_id,start,end_s,text\nd1,0,1,a\n")))
    assert (problem.row, problem.value) == (1, "start_s")


def test_labels_with_one_class_or_none(make_corpus):
    documents = (
        "document_id,audio_path,subject_id,diagnosis,site,empty\n"
        "d1,audio/d1.wav,s1,AD,A,\n"
        "d2,audio/d2.wav,s2,HC,A,\n"
        "d3,audio/d3.flac,s3,AD,,\n"
        "d4,audio/d4.wav,s4,HC,,\n"
    )
    problems = validate_corpus(make_corpus(documents=documents))
    assert [(p.row, p.value) for p in problems] == [(None, "site"), (None, "empty")]
    assert "task 'site' has only one class ('A')" in problems[0].message
    assert "task 'empty' has no labels" in problems[1].message


def test_small_classes_count_subjects(make_corpus):
    documents = CLEAN_DOCUMENTS.replace("d3,audio/d3.flac,s3", "d3,audio/d3.flac,s1")  # AD: d1, d3 by s1
    problems = validate_corpus(make_corpus(documents=documents), n_splits=2)
    problem = _only(problems)
    assert problem.value == "AD"
    assert "task 'diagnosis': class 'AD' has 1 subjects, fewer than n_splits=2" in problem.message


def test_small_classes_count_documents_without_subjects(make_corpus):
    documents = "document_id,audio_path,y\nd1,audio/d1.wav,a\nd2,audio/d2.wav,a\nd3,audio/d3.flac,b\n"
    problems = validate_corpus(make_corpus(documents=documents, segments=None), n_splits=2)
    assert "class 'b' has 1 documents, fewer than n_splits=2" in _only(problems).message
    assert validate_corpus(make_corpus(documents=documents, segments=None)) == []


def test_unknown_task(make_corpus):
    problem = _only(validate_corpus(make_corpus(), tasks=["mood"]))
    assert problem.value == "mood" and "label columns: diagnosis" in problem.message


def test_bad_n_splits_is_a_caller_error(make_corpus):
    with pytest.raises(ValueError, match="n_splits"):
        validate_corpus(make_corpus(), n_splits=1)


@pytest.mark.skipif(not RAVDESS.is_dir(), reason="shared RAVDESS corpus not present")
def test_ravdess_is_clean():
    assert validate_corpus(RAVDESS, n_splits=5) == []
