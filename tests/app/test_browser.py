"""The main flow in a real headless Chromium: open the app, upload a sample interview on the Interview
page, see the spectrum prediction and the attention timeline, open the Compare page.

Screenshots go to ``$HILBERT_SCREENSHOTS`` (default: a temporary folder). Uses the system Chromium
(/usr/bin/chromium; never `playwright install`) with networking features off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.browser_helper import ARGS, BROWSER_MARKS, CHROMIUM, ROOT, running_studio, shoot, shots_folder

pytestmark = BROWSER_MARKS


@pytest.fixture
def studio(demo_workspace):
    """A running `streamlit run app.py` on the demo workspace, stopped by its process id afterwards."""
    with running_studio(demo_workspace) as url:
        yield url


def test_upload_an_interview_and_open_compare(studio, sample_interview, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    shots = shots_folder(tmp_path)
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
            shoot(page, shots / "1_home.png")

            page.get_by_role("link", name="Data").first.click()
            expect(page.get_by_text("Listen to a segment")).to_be_visible()
            shoot(page, shots / "2_data.png")

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
            shoot(page, shots / "3_interview.png")

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
    shoot(page, shots / "4_compare.png")
