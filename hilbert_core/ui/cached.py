"""Cached wrappers around the service layer.

``st.cache_resource``: the interview scorer (frozen encoders and loaded bundles, shared read-only by all
sessions). ``st.cache_data``: corpus-level tables, keyed by the corpus folder and the modification
times of its files, so an edited corpus is never served stale; no upload or result of one session is
ever cached here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import data as data_service
from ..service.interview import InterviewScorer


@st.cache_resource(show_spinner=False)
def scorer() -> InterviewScorer:
    return InterviewScorer()


def corpus_stamp(root: Path) -> tuple[float, ...]:
    """Modification times of a corpus's tables (the cache key part that changes when they change)."""
    return tuple(
        (root / name).stat().st_mtime if (root / name).exists() else 0.0
        for name in ("documents.csv", "segments.csv")
    )


@st.cache_data(show_spinner="Reading the corpus…", max_entries=16)
def _overview(root: str, stamp: tuple[float, ...]) -> data_service.CorpusOverview:
    return data_service.corpus_overview(Path(root))


def corpus_overview(root: Path) -> data_service.CorpusOverview:
    return _overview(str(root), corpus_stamp(root))


@st.cache_data(show_spinner="Checking the corpus…", max_entries=16)
def _validation(root: str, stamp: tuple[float, ...], n_splits: int | None) -> data_service.ValidationOutput:
    return data_service.validation_report(Path(root), n_splits)


def validation_report(root: Path, n_splits: int | None) -> data_service.ValidationOutput:
    return _validation(str(root), corpus_stamp(root), n_splits)


@st.cache_data(show_spinner=False, max_entries=64)
def _segments(root: str, stamp: tuple[float, ...], document_id: str):
    return data_service.segment_table(Path(root), document_id)


def segment_table(root: Path, document_id: str):
    return _segments(str(root), corpus_stamp(root), document_id)
