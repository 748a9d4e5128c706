"""Open a Studio page the way the Studio runs it (entry point app.py, so page links resolve)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest_analysis import ROOT


def open_page(page: str, timeout: float = 30) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(page)
    return at.run()
