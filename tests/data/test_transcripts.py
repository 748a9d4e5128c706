"""Transcript importers: SRT, WebVTT, CSV/TSV/TXT, and their error messages."""

from __future__ import annotations

import pytest

from hilbert_core.data.transcripts import Segment, parse_srt, parse_table, parse_vtt, read_transcript

SRT = """1
00:00:01,000 --> 00:00:02,500
Hello <i>there</i>,
how are you?

2
00:00:03,000 --> 00:00:04,250 X1:100 X2:200
{\\an8}Fine &amp; you?

3
01:00:00,000 --> 01:00:01,000
<font color="red"></font>
"""

VTT = """WEBVTT - interview 12
Kind: captions

NOTE recorded at the clinic,
transcribed by hand

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:04.000 position:10%,line-left align:left size:35%
<v Dr. Smith>Hello and <b>welcome</b>.</v>

01:02:03.500 --> 01:02:05.000
<v.loud Patient>I <c.yellow>feel</c> <00:00:02.000>tired</v>

NOTE a trailing note
"""


def _write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_srt(tmp_path):
    segments = read_transcript(_write(tmp_path, "talk.srt", SRT))
    assert segments == [
        Segment(1.0, 2.5, "Hello there, how are you?"),
        Segment(3.0, 4.25, "Fine & you?"),
    ]  # the third cue has no text once tags are removed


def test_srt_with_bom_crlf_and_no_cue_numbers(tmp_path):
    text = "\ufeff00:00:00,500 --> 00:00:01,000\r\nA\r\n\r\n00:00:02,000 --> 00:00:03,000\r\nB\r\n"
    path = _write(tmp_path, "talk.srt", text.encode("utf-8"))
    assert read_transcript(path) == [Segment(0.5, 1.0, "A"), Segment(2.0, 3.0, "B")]
    assert parse_srt("1\n00:00:00,500 --> 00:00:01,000\nA\n") == [Segment(0.5, 1.0, "A")]


def test_vtt_skips_notes_styles_settings_and_tags(tmp_path):
    segments = read_transcript(_write(tmp_path, "talk.vtt", VTT))
    assert segments == [
        Segment(1.0, 4.0, "Hello and welcome."),
        Segment(3723.5, 3725.0, "I feel tired"),
    ]


def test_vtt_hours_optional_and_segments_sorted():
    text = "WEBVTT\n\n00:10.000 --> 00:11.000\nlater\n\n00:00:01.000 --> 00:00:02.000\nearlier\n"
    assert [s.text for s in parse_vtt(text)] == ["earlier", "later"]


@pytest.mark.parametrize(
    "name,text",
    [
        ("t.csv", 'start,end,text,speaker\n0.5,1.5,hello,A\n2,3.25,"well, yes",B\n'),
        ("t.csv", "Begin;Stop;Utterance\n0.5;1.5;hello\n2;3.25;well, yes\n"),
        ("t.csv", 'start_s,end_s,transcript\n0:00.5,0:01.5,hello\n0:02,0:03.25,"well, yes"\n'),
        ("t.tsv", "utterance\tstart\tend\nhello\t0.5\t1.5\nwell, yes\t2\t3.25\n"),
        ("t.txt", "0.500000\t1.500000\thello\n2.000000\t3.250000\twell, yes\n"),  # Audacity labels
    ],
)
def test_tables(tmp_path, name, text):
    assert read_transcript(_write(tmp_path, name, text)) == [
        Segment(0.5, 1.5, "hello"),
        Segment(2.0, 3.25, "well, yes"),
    ]


@pytest.mark.parametrize(
    "name,text,match",
    [
        (
            "talk.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:01:02.5 --> 00:01:03,000\nbad\n",
            r"talk.srt line 6: timestamp '00:01:02.5' is not HH:MM:SS,mmm; fix the line",
        ),
        (
            "talk.srt",
            "1\nhello there\n",
            r"talk.srt line 2: expected the cue timing, got \(text, 11 characters\)",
        ),
        ("talk.srt", "00:00:05,000 --> 00:00:04,000\nx\n", r"talk.srt line 1: end 4 s is not after start 5"),
        ("talk.vtt", "00:01.000 --> 00:02.000\nx\n", r"talk.vtt line 1: .*must start with 'WEBVTT'"),
        ("talk.vtt", "WEBVTT\n\n00:01.000 --> 00:02\nx\n", r"talk.vtt line 3: timestamp '00:02' is not"),
        ("talk.vtt", "WEBVTT\n\ncue-7\nhello\n", r"talk.vtt line 4: expected a cue timing .*'cue-7'"),
        ("talk.vtt", "WEBVTT\n00:01.000 --> 00:02.000\nx\n", r"talk.vtt line 2: .*blank line"),
        (
            "talk.csv",
            "start,end,text\n1,2,a\n3,abc,b\n",
            r"talk.csv row 3: end \(text, 3 characters\) is not a time",
        ),
        ("talk.csv", "start,end,text\n-1,2,a\n", r"talk.csv row 2: start '-1' is not a time"),
        ("talk.csv", "start,end,text\nnan,2,a\n", r"talk.csv row 2: start 'nan' is not a time"),
        ("talk.csv", "start,end,text\n\n2,2,a\n", r"talk.csv row 3: end 2 s is not after start 2 s"),
        ("talk.csv", "from,end,text\n1,2,a\n", r"talk.csv line 1: no 'start' column.*start, start_s, begin"),
        ("talk.csv", "  \n", r"talk.csv: the file is empty"),
        ("talk.csv", ",,\n", r"talk.csv: no rows"),
        (
            "talk.csv",
            'start,end,text\n0,1,"two\nlines"\n1,x,a\n',
            r"talk.csv row 4: end \(text, 1 character\)",
        ),
        ("talk.txt", "0.5 1.5 hello\n", r"talk.txt: .*tab-separated"),
        ("talk.docx", "hello", r"talk.docx: unknown transcript extension '.docx'"),
    ],
)
def test_errors_name_file_line_and_value(tmp_path, name, text, match):
    with pytest.raises(ValueError, match=match):
        read_transcript(_write(tmp_path, name, text))


def test_non_utf8_says_save_as_utf8(tmp_path):
    path = _write(tmp_path, "talk.srt", "1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"talk.srt line 3: .*not UTF-8.*save it as UTF-8"):
        read_transcript(path)


def test_utf8_with_bom_is_accepted(tmp_path):
    path = _write(tmp_path, "talk.csv", "\ufeffstart,end,text\n0,1,café\n".encode())
    assert read_transcript(path) == [Segment(0.0, 1.0, "café")]


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"nope.srt: transcript file not found"):
        read_transcript(tmp_path / "nope.srt")


def test_segment_is_frozen():
    segment = Segment(0.0, 1.0, "a")
    with pytest.raises(AttributeError):
        segment.text = "b"  # type: ignore[misc]


def test_parse_table_explicit_delimiter():
    assert parse_table("start|end|text\n0|1|a|b\n", delimiter="|") == [Segment(0.0, 1.0, "a")]
