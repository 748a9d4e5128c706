"""The widgets every page shares: the workspace guard and page links, the prerequisite guard, progress
bars (direct and of background tasks), buttons that count clicks, charts with downloads,
and :func:`show_error`, the one way to show a problem. Streamlit lives here; numbers come from the
service layer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from ..service import background, plots
from ..service.background import TaskState
from .navigation import PAGES
from .state import StateKeys, workspace

APP_ROOT = Path(__file__).resolve().parents[2]  # the folder holding app.py and pages/


def require_workspace():
    """The session's workspace; when it could not be opened, say why and how to fix it, and stop."""
    ws = workspace()
    if ws is None:
        st.error(
            f"The workspace cannot be opened: {st.session_state.get(StateKeys.WORKSPACE_ERROR)} "
            "Set HILBERT_WORKSPACE to a writable folder and restart `streamlit run app.py`."
        )
        st.stop()
    return ws


def page_link(page: str, label: str | None = None) -> None:
    """A link to one of our pages (by file), shown only when that page exists."""
    for path, name, icon, help_text in PAGES:
        if path == page and (APP_ROOT / path).is_file():
            st.page_link(path, label=label or name, icon=icon, help=help_text)


def progress_reporter(label: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    """A ``progress(fraction, message)`` callback drawing a progress bar, and a function clearing it."""
    bar = st.progress(0.0, text=label)

    def update(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{label}: {message}")

    return update, bar.empty


def show_error(error: Exception | str) -> None:
    """The one way a page shows a problem: one plain sentence (never a traceback)."""
    text = error if isinstance(error, str) else str(error) or type(error).__name__
    st.error(text, icon="⚠️")


def guard(missing: bool, message: str, page: str, label: str) -> None:
    """When a prerequisite is ``missing``: explain, link to the page that provides it, stop."""
    if missing:
        st.info(message)
        page_link(page, label)
        st.stop()


def figure_downloads(fig: go.Figure, stem: str, key: str) -> None:
    """PNG and SVG download buttons for ``fig`` (rendered only when clicked; the chart's own camera
    icon gives a PNG too)."""
    problem = plots.image_export_problem()
    if problem:
        st.caption(problem)
        return

    def render(fmt: str) -> Callable[[], bytes]:
        return lambda: plots.figure_bytes(fig, fmt)

    cols = st.columns(2)
    for col, fmt in zip(cols, plots.IMAGE_FORMATS, strict=True):
        col.download_button(
            f"{fmt.upper()}", render(fmt), file_name=f"{stem}.{fmt}", mime=plots.MIME[fmt],
            key=f"{key}_{fmt}", on_click="ignore", icon=":material/download:",
        )  # fmt: skip


def chart(fig: go.Figure, stem: str, key: str) -> None:
    st.plotly_chart(fig, key=f"{key}_chart")
    figure_downloads(fig, stem, key)


def task_progress(state: TaskState | None, waiting: str) -> bool:
    """Progress bar of a background task; True when it finished without error (errors are shown)."""
    if state is None:
        return False
    if state.error:
        show_error(state.error)
        return False
    if not state.done:
        st.progress(state.progress, text=f"{waiting}: {state.message}")
        return False
    return True


def follow_task(state: TaskState | None, waiting: str) -> bool:
    """Like :func:`task_progress`, but a running task is followed by a fragment that polls once a
    second and reruns the page when the task ends: nothing polls once it is done or failed."""
    if state is None or state.done:
        return task_progress(state, waiting)
    _poll_task(state.key, waiting)
    return False


@st.fragment(run_every=1.0)
def _poll_task(key: str, waiting: str) -> None:
    state = background.get(key)
    if state is None or state.done:
        st.rerun(scope="app")  # the page shows the result (or the error) without this fragment
    st.progress(state.progress, text=f"{waiting}: {state.message}")


def clicked(label: str, key: str, **kwargs) -> bool:
    """A button that counts its clicks in the session: True once per click, however often the page or
    its fragments rerun (so a failed background task is retried once per click, never in a loop)."""
    st.button(label, key=key, on_click=background.click, args=(st.session_state, key), **kwargs)
    return background.new_click(st.session_state, key)
