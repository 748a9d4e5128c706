"""The main flow in a real headless Chromium: open the app, upload a sample interview on the Interview
page, see the spectrum prediction and the attention timeline, open the Compare page.

Screenshots go to ``$HILBERT_SCREENSHOTS`` (default: a temporary folder). Uses the system Chromium
(/usr/bin/chromium; never `playwright install`) with networking features off.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip
pytestmark = [
    pytest.mark.browser,
    # CI sets HILBERT_REQUIRE_BROWSER=1: there a missing Chromium fails the test instead of skipping it
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("HILBERT_REQUIRE_BROWSER"),
        reason="/usr/bin/chromium is not installed",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s} s")


@pytest.fixture
def studio(demo_workspace):
    """A running `streamlit run app.py` on a free port, stopped by its process id afterwards."""
    port = _free_port()
    env = {**os.environ, "HILBERT_WORKSPACE": str(demo_workspace), "HILBERT_NO_SEED": "1",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _shoot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main section, so the viewport is
    made as tall as that section's content first (and canvases such as tables get time to draw)."""
    page.wait_for_timeout(1500)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 1000), 6000)})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HILBERT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_upload_an_interview_and_open_compare(studio, sample_interview, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    shots = _shots(tmp_path)
    audio, transcript = sample_interview
    expect.set_options(timeout=90_000)  # assertions wait as long as actions (default 5 s: a busy CI flakes)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(studio)
            expect(page.get_by_role("heading", name="HILBERT Studio")).to_be_visible()
            expect(page.get_by_text("Where to start")).to_be_visible()
            expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
            _shoot(page, shots / "1_home.png")

            page.get_by_role("link", name="Data").first.click()
            expect(page.get_by_text("Listen to a segment")).to_be_visible()
            _shoot(page, shots / "2_data.png")

            page.get_by_role("link", name="Interview").first.click()
            expect(page.get_by_role("heading", name="Interview")).to_be_visible()
            inputs = page.locator("input[type=file]")
            inputs.nth(0).set_input_files(str(audio))
            if transcript is not None:
                inputs.nth(1).set_input_files(str(transcript))
            page.get_by_role("button", name="Score the interview").click()
            expect(page.get_by_text("spectrum: class probabilities").first).to_be_visible()
            expect(page.get_by_text("Attention over the interview").first).to_be_visible()
            expect(page.locator("[data-testid=stMetric]").first).to_contain_text("spectrum")
            _shoot(page, shots / "3_interview.png")

            _open_compare(page, studio, shots)
        finally:
            browser.close()
    assert (shots / "3_interview.png").stat().st_size > 10_000


def _open_compare(page, url: str, shots: Path) -> None:
    from playwright.sync_api import expect

    if not (ROOT / "pages" / "4_Compare.py").is_file():
        page.goto(url)
        expect(page.get_by_role("link", name="Interview").first).to_be_visible()
        return
    page.get_by_role("link", name="Compare").first.click()
    expect(page.get_by_role("heading", name="Compare").first).to_be_visible()
    _shoot(page, shots / "4_compare.png")
