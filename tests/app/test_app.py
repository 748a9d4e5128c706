from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_home_page_loads_and_says_where_to_start():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "HILBERT Studio"
    assert "README" in at.info[0].value


def test_usage_statistics_are_off():
    assert "gatherUsageStats = false" in (ROOT / ".streamlit" / "config.toml").read_text()
