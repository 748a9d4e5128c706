"""Cached wrappers of the analysis services (derived tables only; keyed by content stamps)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import compare


@st.cache_data(show_spinner="Computing the tables, confidence intervals and paired tests…", max_entries=8)
def _comparison(root: str, stamp: str, num_resamples: int, unit: str) -> compare.CompareOutput:
    return compare.build_comparison(Path(root), compare.CompareConfig(num_resamples=num_resamples, unit=unit))


def comparison(root: Path, num_resamples: int, unit: str) -> compare.CompareOutput:
    """The comparison of the workspace's finished runs; recomputed when a run finishes."""
    return _comparison(str(root), compare.registry_stamp(root), num_resamples, unit)
