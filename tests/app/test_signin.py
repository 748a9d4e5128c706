"""Sign-in on a shared workspace (AppTest): the password path end to end, roles, and the OIDC choice.

A viewer signed in through the form sees results but none of the widgets that change the workspace
(import, train, cancel, delete); a researcher sees them all (so these checks can fail). What a viewer
gets by calling the service layer directly is tests/attacks/test_viewer.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time

import pytest
from streamlit.testing.v1 import AppTest

from hilbert_core.experiments.processes import HOST, own_start, process_start
from hilbert_core.users import add_user, remove_user
from hilbert_core.workspace import open_workspace
from tests.app.pages_helper import ROOT

PAGES = ["app.py", "pages/1_Data.py", "pages/2_Interview.py", "pages/3_Train.py", "pages/4_Compare.py",
         "pages/5_Embeddings.py", "pages/6_Diagnostics.py"]  # fmt: skip
PASSWORDS = {"alice": "alice-password-1", "victor": "victor-password-1"}


@pytest.fixture
def shared_ws(demo_workspace, tmp_path, monkeypatch):
    """A copy of the demo workspace, shared (HILBERT_SHARED=1), with a researcher and a viewer."""
    root = shutil.copytree(demo_workspace, tmp_path / "shared_ws")
    ws = open_workspace(root, seed=False)
    add_user(ws.root, "alice", "researcher", PASSWORDS["alice"])
    add_user(ws.root, "victor", "viewer", PASSWORDS["victor"])
    monkeypatch.setenv("HILBERT_WORKSPACE", str(ws.root))
    monkeypatch.setenv("HILBERT_SHARED", "1")
    return ws


def _open(page: str, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if page != "app.py":
        at.switch_page(page)
    if user is not None:
        at.user = user  # what st.user holds (an OpenID Connect provider's claims)
    return at.run()


def _sign_in(at: AppTest, user: str, password: str | None = None) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Username"].set_value(user)
    fields["Password"].set_value(password or PASSWORDS[user])
    return at.button[0].click().run()


def _keys(at: AppTest, kind: str) -> set[str]:
    return {w.key for w in at.get(kind) if getattr(w, "key", None)}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_only_the_sign_in_form(shared_ws, page):
    at = _open(page)
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to HILBERT Studio"]
    assert sorted(t.label for t in at.text_input) == ["Password", "Username"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart") and not at.selectbox


def test_a_wrong_password_is_refused(shared_ws):
    at = _sign_in(_open("pages/1_Data.py"), "alice", "not-her-password")
    assert "Wrong user name or password" in at.error[0].value
    assert [t.value for t in at.title] == ["Sign in to HILBERT Studio"] and not at.selectbox


def test_a_viewer_sees_results_but_no_widget_that_changes_the_workspace(shared_ws):
    at = _sign_in(_open("pages/1_Data.py"), "victor")
    assert not at.exception and [t.value for t in at.title] == ["Data"]
    assert any("victor** (viewer)" in c.value for c in at.sidebar.caption)
    assert at.selectbox(key="data_corpus_select") is not None and at.dataframe  # results are there
    assert "data_folder_path" not in _keys(at, "text_input") and not at.get("file_uploader")
    assert not [e for e in at.expander if "Delete" in e.label]
    at.switch_page("pages/3_Train.py").run()
    assert not at.exception and "needs a researcher" in at.info[0].value
    assert "train_start" not in _keys(at, "button") and "train_kind" not in _keys(at, "radio")
    at.switch_page("pages/2_Interview.py").run()  # scoring an interview is a viewer's too
    assert not at.exception and at.get("file_uploader")


def test_a_researcher_sees_import_train_and_delete(shared_ws):
    at = _sign_in(_open("pages/1_Data.py"), "alice")
    assert not at.exception and "data_folder_path" in _keys(at, "text_input")
    assert [e for e in at.expander if "Delete" in e.label]
    at.switch_page("pages/3_Train.py").run()
    assert not at.exception and at.radio(key="train_kind") is not None


def _running_job(ws) -> str:
    """A job row whose process is this test's own (alive, same start time): it shows as running."""
    with sqlite3.connect(ws.registry_path) as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, spec_json, created_at, pid, pid_started, host) "
            "VALUES ('abcdef123456', 'cv', 'running', ?, ?, ?, ?, ?)",
            (json.dumps({"kind": "cv"}), time.time(), os.getpid(), own_start(), HOST),
        )
    return "abcdef123456"


@pytest.mark.parametrize(("user", "can_cancel"), [("victor", False), ("alice", True)])
def test_only_a_researcher_gets_the_cancel_button(shared_ws, user, can_cancel):
    _running_job(shared_ws)
    at = _sign_in(_open("pages/3_Train.py"), user)
    at.selectbox(key="train_follow").set_value("abcdef123456").run()
    assert not at.exception
    assert ("train_cancel" in _keys(at, "button")) is can_cancel


def test_a_removed_account_is_signed_out_at_its_next_click(shared_ws):
    at = _sign_in(_open("pages/1_Data.py"), "alice")
    assert [t.value for t in at.title] == ["Data"]
    remove_user(shared_ws.root, "alice")
    at.run()
    assert "no longer exists" in at.error[0].value and not at.selectbox


def test_no_accounts_yet_says_how_to_add_one(empty_workspace, monkeypatch):
    monkeypatch.setenv("HILBERT_SHARED", "1")
    at = _open("app.py")
    assert "hilbert users add NAME --role researcher" in at.error[0].value and not at.text_input


def test_the_oidc_setting_chooses_st_login(shared_ws, monkeypatch):
    import streamlit as st

    calls = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    monkeypatch.setenv("HILBERT_SIGN_IN", "oidc")
    (shared_ws.root / "settings.toml").write_text('oidc_provider = "lab"\n', encoding="utf-8")
    assert "has no [auth] block" in _open("pages/1_Data.py").error[0].value  # not set up: says so
    at = _open("pages/1_Data.py", {"is_logged_in": False})
    assert not at.exception and not at.text_input  # no password form
    at.button(key="hilbert_oidc_login").click().run()
    assert calls == [("lab",)]
    assert [t.value for t in at.title] == ["Sign in to HILBERT Studio"]  # still nobody signed in


def test_an_oidc_user_gets_the_role_users_yaml_gives_their_email(shared_ws, monkeypatch):
    monkeypatch.setenv("HILBERT_SIGN_IN", "oidc")
    add_user(shared_ws.root, "bob@lab.org", "viewer", oidc=True)
    at = _open("pages/1_Data.py", {"is_logged_in": True, "email": "bob@lab.org"})
    assert not at.exception and [t.value for t in at.title] == ["Data"]
    assert any("bob@lab.org** (viewer)" in c.value for c in at.sidebar.caption)
    assert "data_folder_path" not in _keys(at, "text_input")
    at = _open("pages/1_Data.py", {"is_logged_in": True, "email": "eve@elsewhere.org"})
    assert "has no role in this Studio" in at.error[0].value and not at.selectbox


def test_sign_in_is_off_on_a_laptop(demo_workspace):
    at = _open("pages/1_Data.py")
    assert not at.exception and [t.value for t in at.title] == ["Data"]
    assert "data_folder_path" in _keys(at, "text_input")


def test_a_viewer_who_gets_the_widgets_anyway_is_refused_by_the_service(shared_ws, monkeypatch, tmp_path):
    """Widgets shown to a viewer by mistake (here: forced) still cannot change the workspace."""
    import signal
    import subprocess
    import sys

    from hilbert_core.ui import views_data, views_lifecycle, views_train

    for module in (views_data, views_lifecycle, views_train):
        monkeypatch.setattr(module, "may", lambda ws, action: True)
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(shared_ws.root))
    corpus = next(iter(shared_ws.corpora()))
    at = _sign_in(_open("pages/1_Data.py"), "victor")
    at.text_input(key="data_folder_path").set_value(str(corpus))
    at.text_input(key="data_folder_name").set_value("stolen")
    at.button(key="FormSubmitter:data_import_folder-Import folder").click().run()
    assert "victor is a viewer and viewers cannot import a corpus" in at.error[0].value
    at.button(key="data_delete_count").click().run()
    at.text_input(key="data_delete_confirm").set_value(corpus.name).run()
    at.button(key="data_delete_go").click().run()
    assert "viewers cannot delete a corpus" in at.error[0].value and (corpus / "documents.csv").is_file()
    at.switch_page("pages/3_Train.py").run()
    at.button(key="train_start").click().run()
    assert "viewers cannot start a training" in at.error[0].value
    job = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        with sqlite3.connect(shared_ws.registry_path) as db:
            db.execute(
                "INSERT INTO jobs (id, kind, status, spec_json, created_at, pid, pid_started, host) "
                "VALUES ('abcdef123456', 'cv', 'running', '{}', ?, ?, ?, ?)",
                (time.time(), job.pid, process_start(job.pid), HOST),
            )
        at.run()
        at.selectbox(key="train_follow").set_value("abcdef123456").run()
        at.button(key="train_cancel").click().run()
        assert "viewers cannot cancel a job" in at.error[0].value and job.poll() is None
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    assert sorted(c.name for c in shared_ws.corpora()) == [corpus.name]
    with sqlite3.connect(shared_ws.registry_path) as db:
        assert db.execute("SELECT id FROM jobs").fetchall() == [("abcdef123456",)]
