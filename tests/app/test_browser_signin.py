"""Sign-in in a real headless Chromium: a shared Studio shows only the sign-in form; a viewer signs in
with a password, sees results but no import, training or delete, and signs out again.

Screenshots go to ``$HILBERT_SCREENSHOTS`` (default: a temporary folder): the sign-in page and the
viewer's pages.
"""

from __future__ import annotations

import shutil

import pytest

from hilbert_core.users import add_user
from tests.app.browser_helper import ARGS, BROWSER_MARKS, CHROMIUM, running_studio, shoot, shots_folder

pytestmark = BROWSER_MARKS


@pytest.fixture
def shared_studio(demo_workspace, tmp_path):
    """`streamlit run app.py` on a shared demo workspace (seeded here, so its runs name its own corpus
    path) with a viewer and a researcher."""
    from hilbert_core.workspace import ASSETS, open_workspace

    if (ASSETS / "demo" / "MANIFEST.json").is_file():
        from hilbert_core.demo.seed import seed_workspace

        root = open_workspace(tmp_path / "shared_ws", seed=False).root
        seed_workspace(open_workspace(root, seed=False), ASSETS / "demo")
    else:
        root = shutil.copytree(demo_workspace, tmp_path / "shared_ws")
    add_user(root, "victor", "viewer", "victor-password-1")
    add_user(root, "alice", "researcher", "alice-password-1")
    with running_studio(root, HILBERT_SHARED="1") as url:
        yield url


def _sign_in(page, user: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_viewer_signs_in_sees_results_only_and_signs_out(shared_studio, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    shots = shots_folder(tmp_path)
    expect.set_options(timeout=90_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(shared_studio)
            expect(page.get_by_role("heading", name="Sign in to HILBERT Studio")).to_be_visible()
            expect(page.get_by_text("Where to start")).not_to_be_visible()
            shoot(page, shots / "signin_1_form.png")

            _sign_in(page, "victor", "wrong-password")
            expect(page.get_by_text("Wrong user name or password")).to_be_visible()
            _sign_in(page, "victor", "victor-password-1")
            expect(page.get_by_role("heading", name="HILBERT Studio", exact=True)).to_be_visible()
            expect(page.get_by_text("Signed in as")).to_be_visible()
            expect(page.get_by_text("Where to start")).to_be_visible()
            expect(page.get_by_role("textbox", name="Username")).to_have_count(0)  # the form is gone
            shoot(page, shots / "signin_2_viewer_home.png")

            page.get_by_role("link", name="Data").first.click()
            expect(page.get_by_text("Importing a corpus needs a researcher's account")).to_be_visible()
            expect(page.get_by_text("Listen to a segment")).to_be_visible()
            expect(page.get_by_text("Import a corpus", exact=True)).to_have_count(0)
            expect(page.get_by_text("Delete this corpus")).to_have_count(0)
            shoot(page, shots / "signin_3_viewer_data.png")

            page.get_by_role("link", name="Train").first.click()
            expect(page.get_by_text("Starting a training needs a researcher's account")).to_be_visible()
            expect(page.get_by_role("button", name="Start")).to_have_count(0)
            shoot(page, shots / "signin_4_viewer_train.png")

            page.get_by_role("link", name="Interview").first.click()  # scoring is a viewer's too
            expect(page.get_by_role("button", name="Score the interview")).to_be_visible()
            shoot(page, shots / "signin_5_viewer_interview.png")

            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("heading", name="Sign in to HILBERT Studio")).to_be_visible()
            _sign_in(page, "alice", "alice-password-1")  # a researcher: import and delete are there
            expect(page.get_by_text("Signed in as")).to_be_visible()
            page.get_by_role("link", name="Data").first.click()
            expect(page.get_by_text("Import a corpus", exact=True)).to_be_visible()
            page.get_by_text("Delete this corpus and everything derived from it").click()
            page.get_by_role("button", name="Count what would be deleted").click()
            expect(page.get_by_text("Deleting removes corpus 'demo'")).to_be_visible()
            shoot(page, shots / "signin_6_researcher_delete.png")
        finally:
            browser.close()
    assert (shots / "signin_3_viewer_data.png").stat().st_size > 10_000
