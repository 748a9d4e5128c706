"""Settings (settings.toml and the environment), the users file and the audit log."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from hilbert_core.access import AccessRefused, Actor, acting_as, require
from hilbert_core.audit import read_audit
from hilbert_core.cli import main
from hilbert_core.settings import load_settings
from hilbert_core.users import add_user, list_users, password_config, remove_user, role_of
from hilbert_core.workspace import open_workspace

ENV = ("HILBERT_SHARED", "HILBERT_SIGN_IN", "HILBERT_IMPORT_ROOTS", "HILBERT_DATA_ROOTS", "HILBERT_MAX_JOBS",
       "HILBERT_UPLOAD_RETENTION_HOURS")  # fmt: skip


@pytest.fixture
def ws(tmp_path, monkeypatch):
    for var in ENV:
        monkeypatch.delenv(var, raising=False)
    return open_workspace(tmp_path / "ws", seed=False)


def test_defaults_are_a_laptop(ws):
    s = load_settings(ws.root)
    assert not s.shared and s.sign_in == "password" and s.max_jobs == 2 and s.upload_retention_hours == 24
    assert s.allowed_import_roots == (Path.home(),) and s.data_roots == ()


def test_one_variable_makes_a_shared_server(ws, monkeypatch):
    monkeypatch.setenv("HILBERT_SHARED", "1")
    s = load_settings(ws.root)
    assert s.shared and s.allowed_import_roots == ()
    with pytest.raises(AccessRefused, match="nobody is signed in"):
        require(ws.root, "import")


def test_settings_toml_and_the_environment(ws, tmp_path, monkeypatch):
    (ws.root / "settings.toml").write_text(
        f'shared = true\nsign_in = "oidc"\ndata_roots = ["{tmp_path}"]\nmax_jobs = 4\n', encoding="utf-8"
    )
    s = load_settings(ws.root)
    assert s.shared and s.sign_in == "oidc" and s.max_jobs == 4 and s.data_roots == (tmp_path.resolve(),)
    monkeypatch.setenv("HILBERT_MAX_JOBS", "1")
    assert load_settings(ws.root).max_jobs == 1


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('sign_in = "ldap"\n', "sign_in='ldap'.*unknown; use password or oidc"),
        ("max_jobs = 0\n", "max_jobs=0.*must be 1 or more"),
        ('data_roots = ["relative/path"]\n', "setting data_roots=.*wrong kind of value"),
        ("colour = 1\n", "unknown setting 'colour'"),
        ("shared = \n", "cannot be read"),
    ],
)
def test_bad_settings_are_one_line(ws, text, match):
    (ws.root / "settings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        load_settings(ws.root)
    assert "\n" not in str(info.value)


def test_users_are_stored_hashed_and_private(ws):
    from streamlit_authenticator.utilities import Hasher

    add_user(ws.root, "Alice", "researcher", "a-long-password")
    add_user(ws.root, "bob@lab.org", "viewer", oidc=True)
    text = (ws.root / "users.yaml").read_text()
    assert "a-long-password" not in text and stat.S_IMODE((ws.root / "users.yaml").stat().st_mode) == 0o600
    config = password_config(ws.root)
    assert list(config["credentials"]["usernames"]) == ["alice"]  # OIDC users have no password
    assert Hasher.check_pw("a-long-password", config["credentials"]["usernames"]["alice"]["password"])
    assert len(config["cookie"]["key"]) == 64
    assert [(u.username, u.role, u.oidc) for u in list_users(ws.root)] == [
        ("alice", "researcher", False),
        ("bob@lab.org", "viewer", True),
    ]
    assert role_of(ws.root, "ALICE") == "researcher" and role_of(ws.root, "eve") is None
    remove_user(ws.root, "alice")
    assert role_of(ws.root, "alice") is None
    with pytest.raises(ValueError, match="there is no user 'alice'.*users: bob@lab.org"):
        remove_user(ws.root, "alice")
    with pytest.raises(ValueError, match="at least 10"):
        add_user(ws.root, "carol", "viewer", "short")
    with pytest.raises(ValueError, match="role 'admin' is unknown"):
        add_user(ws.root, "carol", "admin", "a-long-password")


def test_the_users_command(ws, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    args = ["--workspace", str(ws.root)]
    assert main(["users", "add", "alice", "--role", "researcher", "--password-stdin", *args]) == 0
    assert main(["users", "add", "bob@lab.org", "--oidc", "--role", "viewer", *args]) == 0
    assert main(["users", "list", *args]) == 0
    out = capsys.readouterr().out
    assert "alice researcher\n" in out and "bob@lab.org viewer (OpenID Connect)" in out
    assert main(["users", "add", "carol", *args]) == 2
    assert "needs --role" in capsys.readouterr().err
    assert main(["users", "remove", "alice", *args]) == 0
    actions = [(e["action"], e["target"], e["via"]) for e in read_audit(ws.root)]
    assert actions == [
        ("add user", "alice", "cli"),
        ("add user", "bob@lab.org", "cli"),
        ("remove user", "alice", "cli"),
    ]
    assert "a-long-password" not in (ws.root / "audit.jsonl").read_text()


def test_roles(ws, monkeypatch):
    monkeypatch.setenv("HILBERT_SHARED", "1")
    with acting_as(Actor("victor", "viewer")):
        with pytest.raises(AccessRefused, match="victor is a viewer and viewers cannot start a training"):
            require(ws.root, "train")
    with acting_as(Actor("alice", "researcher")):
        assert require(ws.root, "delete").name == "alice"
    with pytest.raises(ValueError, match="role 'admin'"):
        Actor("x", "admin")


def test_the_audit_log_appends_one_json_line_per_action(ws):
    from hilbert_core.audit import record

    with acting_as(Actor("alice", "researcher")):
        record(ws.root, "import corpus", "c1", files=3)
    record(ws.root, "delete corpus", "c1")  # a laptop: the local account
    lines = (ws.root / "audit.jsonl").read_text().splitlines()
    assert [json.loads(x)["user"] for x in lines][0] == "alice" and json.loads(lines[0])["files"] == 3
    assert stat.S_IMODE((ws.root / "audit.jsonl").stat().st_mode) == 0o600
