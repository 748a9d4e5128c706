"""Session-state keys and their initialisation; every page calls :func:`init_session_state` first, which
also runs the sign-in gate (:mod:`hilbert_core.ui.auth`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import streamlit as st

from ..service.home import open_studio_workspace
from ..service.uploads import SessionUploads, remove_old_uploads
from . import auth

if TYPE_CHECKING:
    from ..workspace import Workspace


class StateKeys:
    """Names of everything a page keeps in ``st.session_state`` (one browser session's own data)."""

    SESSION_ID = "session_id"  # random per browser session: names its upload folder
    SESSION_UPLOADS = "session_uploads"  # deletes that folder when the session ends
    WORKSPACE = "workspace"  # hilbert_core.workspace.Workspace
    WORKSPACE_ERROR = "workspace_error"
    # Data page
    CORPUS = "data_corpus"
    # Interview page
    INTERVIEW_RESULT = "interview_result"
    INTERVIEW_UPLOAD = "interview_upload"  # (recording path, transcript path or None) of the result
    INTERVIEW_SAMPLE = "interview_sample"  # the sample interview shown (its true labels), or None
    DATA_IMPORT = "data_import"  # the last import's ImportOutput (Data page)
    # Train page
    TRAIN_JOB_ID = "train_job_id"
    # Compare page
    COMPARE_REPORT = "compare_report"
    COMPARE_FOCUS = "compare_focus"  # a run id the page opens on (from a finished Train job)
    # Diagnostics page
    DIAGNOSTICS_RUN = "diagnostics_run"


def init_session_state() -> None:
    """Give this browser session an id, open the workspace once (seeding a new one, unless
    ``HILBERT_NO_SEED=1``, removing stale temporaries and upload folders older than the workspace's
    retention, 24 h by default), then pass the sign-in gate: on a shared workspace, a page run by
    nobody signed in stops at the sign-in form."""
    if StateKeys.SESSION_ID not in st.session_state:
        st.session_state[StateKeys.SESSION_ID] = uuid.uuid4().hex
    if StateKeys.WORKSPACE not in st.session_state:
        try:
            ws = open_studio_workspace()
            remove_old_uploads(ws)  # retention: upload folders idle for upload_retention_hours
            st.session_state[StateKeys.WORKSPACE] = ws
            st.session_state[StateKeys.WORKSPACE_ERROR] = None
            st.session_state[StateKeys.SESSION_UPLOADS] = SessionUploads(
                ws, st.session_state[StateKeys.SESSION_ID]
            )
        except ValueError as exc:  # one plain sentence (a seed that cannot write is one too)
            st.session_state[StateKeys.WORKSPACE] = None
            st.session_state[StateKeys.WORKSPACE_ERROR] = str(exc)
    auth.gate(st.session_state.get(StateKeys.WORKSPACE))


def workspace() -> Workspace | None:
    """The session's workspace, or None when it could not be opened (the error is in state)."""
    return st.session_state.get(StateKeys.WORKSPACE)
