"""Input checks, padding, fold construction, and the corpus folder (documents, audio, transcripts)."""

from __future__ import annotations

from .corpus import Corpus, CsvReadError, load_corpus, read_csv_table, write_segments
from .dataset import PaddedDocuments, encode_labels, pad_documents
from .splits import check_foldable, inner_splits, make_folds
from .transcripts import Segment, parse_srt, parse_table, parse_vtt, read_transcript
from .validate import Problem, validate_corpus

__all__ = [
    "Corpus",
    "CsvReadError",
    "PaddedDocuments",
    "Problem",
    "Segment",
    "check_foldable",
    "encode_labels",
    "inner_splits",
    "load_corpus",
    "make_folds",
    "pad_documents",
    "parse_srt",
    "parse_table",
    "parse_vtt",
    "read_csv_table",
    "read_transcript",
    "validate_corpus",
    "write_segments",
]
