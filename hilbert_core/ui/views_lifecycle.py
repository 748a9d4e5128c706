"""Deleting a corpus from the Data page: count what goes, confirm by typing its name, delete.

Only a researcher sees it (and the service refuses anyone else); a corpus used by a running job is
refused with the job's id.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import data as data_service
from .auth import may
from .state import StateKeys
from .widgets import show_error

FOOTPRINT_KEY = "data_delete_footprint"


def render_delete(ws, root: Path) -> None:
    """An expander that deletes the corpus at ``root`` and everything derived from it."""
    if not may(ws, "delete"):
        return
    name = root.name
    with st.expander("Delete this corpus and everything derived from it"):
        st.caption(
            "Removes the corpus folder (a linked corpus's copies only, never your original folder), its "
            "features and cache entries, the runs trained on it with their reports, their jobs and logs, "
            "models trained on it and their embedding projections. This cannot be undone."
        )
        if st.button("Count what would be deleted", key="data_delete_count"):
            try:
                st.session_state[FOOTPRINT_KEY] = data_service.corpus_footprint(ws, name)
            except ValueError as exc:
                show_error(exc)
        footprint = st.session_state.get(FOOTPRINT_KEY)
        if footprint is None or footprint.name != name:
            return
        st.warning(f"Deleting removes {footprint.summary()}.")
        typed = st.text_input(f"Type {name} to confirm", key="data_delete_confirm")
        if st.button("Delete", type="primary", key="data_delete_go", disabled=typed.strip() != name):
            try:
                with st.spinner("Deleting…"):
                    out = data_service.delete_corpus(ws, name)
            except ValueError as exc:
                show_error(exc)
                return
            st.session_state.pop(FOOTPRINT_KEY, None)
            st.session_state.pop(StateKeys.CORPUS, None)
            st.session_state["data_delete_done"] = out.footprint.summary()
            st.rerun()


def show_deleted() -> None:
    """The confirmation of the last deletion (shown once, after the page reran without the corpus)."""
    done = st.session_state.pop("data_delete_done", None)
    if done:
        st.success(f"Deleted {done}.")
