"""Transcript importers: SRT, WebVTT and CSV/TSV files become a list of timed :class:`Segment` s.

Every error is a ValueError naming the file, the line (or row) and the bad value, and saying what to
fix, e.g. ``talk.srt line 14: timestamp '00:01:02.5' is not HH:MM:SS,mmm; fix the line.``
Line and row numbers are 1-based lines of the file (a CSV header is line 1). Messages never quote what
was said: a value is shown only when it looks like a time or a number (short, no spaces, with a digit),
so a parse error that lands in a log holds no transcript text (:func:`shown`).
"""

from __future__ import annotations

import csv
import html
import io
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
SHOWN_MAX = 16


def shown(value: str) -> str:
    """``value`` quoted when it looks like a time, a number or a cue number (short, no spaces, a digit),
    else only its length: error messages and logs never carry transcript text."""
    text = value.strip()
    if text.lower() in ("nan", "inf") or (
        len(text) <= SHOWN_MAX and re.search(r"\d", text) and not re.search(r"\s", text)
    ):
        return repr(text)
    return f"(text, {len(text)} character{'' if len(text) == 1 else 's'})"


START_ALIASES = ("start", "start_s", "begin")
END_ALIASES = ("end", "end_s", "stop")
TEXT_ALIASES = ("text", "transcript", "utterance")
EXTENSIONS = (".srt", ".vtt", ".csv", ".tsv", ".txt")

_SRT_TIME = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})$")
_VTT_TIME = re.compile(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_CLOCK_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # HTML-like tags (<v Bob>, <i>, <00:01.000>) and {\an8}


@dataclass(frozen=True)
class Segment:
    """One timed stretch of speech.

    Attributes:
        start_s: start, in seconds from the beginning of the recording.
        end_s: end, in seconds (greater than ``start_s``).
        text: what was said (may be empty before transcription).
    """

    start_s: float
    end_s: float
    text: str


def read_transcript(path: str | Path) -> list[Segment]:
    """Import a transcript, choosing the parser by extension (.srt, .vtt, .csv, .tsv, tab-separated .txt).

    Returns:
        Segments sorted by start time; cues whose text is empty after removing tags are dropped.

    Raises:
        ValueError: naming the file, line and value for anything that cannot be imported.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"{path}: unknown transcript extension {path.suffix!r}; use .srt, .vtt, .csv, .tsv or "
            "tab-separated .txt."
        )
    if not path.is_file():
        raise ValueError(f"{path}: transcript file not found; fix the path.")
    text = decode_text(path.read_bytes(), path)
    if suffix == ".srt":
        return parse_srt(text, source=str(path))
    if suffix == ".vtt":
        return parse_vtt(text, source=str(path))
    delimiter = {".tsv": "\t", ".txt": "\t"}.get(suffix)
    if suffix == ".txt" and "\t" not in text:
        raise ValueError(
            f"{path}: a .txt transcript must be tab-separated start, end, text (as Audacity exports "
            "labels); no tab found. Separate the columns with tabs or save it as .csv."
        )
    return parse_table(text, source=str(path), delimiter=delimiter)


def decode_text(data: bytes, source: str | Path) -> str:
    """UTF-8 (with or without a byte-order mark) to text with ``\\n`` line ends."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{source} line {line}: byte {data[exc.start : exc.start + 1]!r} is not UTF-8; open the file "
            "in a text editor and save it as UTF-8."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_srt(text: str, source: str = "<srt>") -> list[Segment]:
    """Parse SubRip text: blocks of an optional cue number, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text lines."""
    segments = []
    for first, lines in _blocks(text):
        k = 1 if lines[0].strip().isdigit() and len(lines) > 1 else 0
        if "-->" not in lines[k]:
            expected = "a cue number or 'HH:MM:SS,mmm --> HH:MM:SS,mmm'" if k == 0 else "the cue timing"
            raise ValueError(
                f"{source} line {first + k}: expected {expected}, got {shown(lines[k])}; fix the line."
            )
        start, end = _timing(lines[k], first + k, source, _SRT_TIME, "HH:MM:SS,mmm")
        _add(segments, start, end, lines[k + 1 :], first + k, source)
    return sorted(segments, key=lambda s: s.start_s)


def parse_vtt(text: str, source: str = "<vtt>") -> list[Segment]:
    """Parse WebVTT, skipping the header, NOTE/STYLE/REGION blocks and cue settings; strips all tags."""
    blocks = _blocks(text)
    if not blocks or not re.match(r"WEBVTT(?:[ \t]|$)", blocks[0][1][0]):
        raise ValueError(f"{source} line 1: a WebVTT file must start with 'WEBVTT'; add that line.")
    header_first, header = blocks[0]
    for i, line in enumerate(header):
        if "-->" in line:
            raise ValueError(
                f"{source} line {header_first + i}: a cue follows the WEBVTT header without a blank line "
                "between them; insert an empty line after the header."
            )
    segments = []
    for first, lines in blocks[1:]:
        if re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            continue
        k = 0 if "-->" in lines[0] else 1
        if k >= len(lines) or "-->" not in lines[k]:
            raise ValueError(
                f"{source} line {first + k - (k >= len(lines))}: expected a cue timing "
                f"'MM:SS.mmm --> MM:SS.mmm' after {shown(lines[0])}; fix the cue."
            )
        start, end = _timing(lines[k], first + k, source, _VTT_TIME, "[HH:]MM:SS.mmm")
        _add(segments, start, end, lines[k + 1 :], first + k, source)
    return sorted(segments, key=lambda s: s.start_s)


def parse_table(text: str, source: str = "<table>", delimiter: str | None = None) -> list[Segment]:
    """Parse delimited text with start, end and text columns (sniffs ``,``, ``;`` or tab if not given).

    The header may name the columns with any alias in :data:`START_ALIASES`, :data:`END_ALIASES` and
    :data:`TEXT_ALIASES` (other columns are ignored). Without a header (first row starting with two
    numbers) the columns are start, end, text. Times are seconds (``12.5``) or clock time (``0:12.5``).
    """
    if not text.strip():
        raise ValueError(
            f"{source}: the file is empty; write a header 'start,end,text' and one row per segment."
        )
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        while (row := next(reader, None)) is not None:
            line = reader.line_num - sum(cell.count("\n") for cell in row)  # first line of the record
            if any(cell.strip() for cell in row):
                rows.append((line, row))
    except csv.Error as exc:
        raise ValueError(
            f"{source} line {reader.line_num + 1}: cannot be parsed ({exc}); check quotes and delimiters."
        ) from None
    if not rows:
        raise ValueError(f"{source}: no rows; write a header 'start,end,text' and one row per segment.")
    head_line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    if len(header) >= 3 and _seconds(header[0]) is not None and _seconds(header[1]) is not None:
        columns, body = (0, 1, 2), rows  # headerless, e.g. an Audacity label export
    else:
        columns = tuple(
            _column(names, aliases, source, head_line)
            for aliases in (START_ALIASES, END_ALIASES, TEXT_ALIASES)
        )
        body = rows[1:]
    segments = []
    for line, row in body:
        cells = [row[c] if c < len(row) else "" for c in columns]
        times = []
        for name, cell in zip(("start", "end"), cells[:2], strict=True):
            value = _seconds(cell)
            if value is None:
                raise ValueError(
                    f"{source} row {line}: {name} {shown(cell)} is not a time in seconds; write a "
                    "non-negative number with a decimal point such as 12.5 (or clock time 0:12.5)."
                )
            times.append(value)
        _add(segments, times[0], times[1], [cells[2]], line, source, what="row")
    return sorted(segments, key=lambda s: s.start_s)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (1-based line number of the first line, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for i, line in enumerate([*text.split("\n"), ""]):
        if line.strip():
            if not current:
                blocks.append((i + 1, current))
            current.append(line)
        else:
            current = []
    return blocks


def _timing(line: str, number: int, source: str, pattern: re.Pattern[str], form: str) -> tuple[float, float]:
    left, _, right = line.partition("-->")
    parts = right.split()
    for stamp in (left.strip(), parts[0] if parts else ""):
        if not pattern.match(stamp):
            raise ValueError(f"{source} line {number}: timestamp {stamp!r} is not {form}; fix the line.")
    return _clock(pattern.match(left.strip())), _clock(pattern.match(parts[0]))  # type: ignore[arg-type]


def _clock(match: re.Match[str]) -> float:
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _seconds(cell: str) -> float | None:
    """Seconds from ``12.5`` or ``[H:]M:S[.f]``; None when not a finite, non-negative time."""
    cell = cell.strip()
    match = _CLOCK_TIME.match(cell)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _column(names: list[str], aliases: tuple[str, ...], source: str, line: int) -> int:
    for alias in aliases:
        if alias in names:
            return names.index(alias)
    raise ValueError(
        f"{source} line {line}: no {aliases[0]!r} column in header {names}; name it one of "
        f"{', '.join(aliases)} (columns needed: start, end, text)."
    )


def _add(
    segments: list[Segment],
    start: float,
    end: float,
    lines: list[str],
    number: int,
    source: str,
    what: str = "line",
) -> None:
    if not end > start:
        raise ValueError(
            f"{source} {what} {number}: end {end:g} s is not after start {start:g} s; fix the times."
        )
    text = html.unescape(_TAG.sub("", " ".join(line.strip() for line in lines)))
    text = " ".join(text.split())
    if text:
        segments.append(Segment(start, end, text))
    else:
        logger.debug("%s %s %d: cue without text skipped", source, what, number)
