"""The accounts that may sign in to a shared Studio: ``<workspace>/users.yaml`` (mode 0600).

The file has streamlit-authenticator's layout, so that library checks the passwords::

    credentials:
      usernames:
        alice: {name: Alice, email: "", password: "$2b$12$...", roles: [researcher]}
        bob@lab.org: {name: bob@lab.org, email: bob@lab.org, roles: [viewer], oidc: true}
    cookie: {name: hilbert_studio_auth, key: <random>, expiry_days: 1}

Passwords are stored only as bcrypt hashes. Entries with ``oidc: true`` have no password: they give the
role of someone the lab's OpenID Connect provider signs in (matched on their e-mail address). Managed
with ``hilbert users add|remove|list`` (:mod:`hilbert_core.cli.users`); the Studio only reads it.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .access import ROLES
from .io import atomic_write_text
from .workspace import users_path

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
COOKIE_NAME = "hilbert_studio_auth"
MIN_PASSWORD = 10


@dataclass(frozen=True)
class UserRecord:
    """One account as ``hilbert users list`` shows it (never its hash)."""

    username: str
    role: str
    oidc: bool


def _read(root: str | Path) -> dict[str, Any]:
    path = users_path(root)
    if not path.is_file():
        return {"credentials": {"usernames": {}}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(
            f"{path} cannot be read ({exc}); fix it or remove it and add the users again."
        ) from None
    if not isinstance(data.get("credentials", {}).get("usernames", {}), dict):
        raise ValueError(f"{path} has no credentials.usernames mapping; remove it and add the users again.")
    data.setdefault("credentials", {}).setdefault("usernames", {})
    data["credentials"]["usernames"] = data["credentials"]["usernames"] or {}
    return data


def _write(root: str | Path, data: dict[str, Any]) -> None:
    path = users_path(root)
    data.setdefault("cookie", {"name": COOKIE_NAME, "key": secrets.token_hex(32), "expiry_days": 1})
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=True))
    os.chmod(path, 0o600)


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise ValueError(
            f"user name {username!r} must be 1-64 lower-case letters, digits or . _ @ + - (an e-mail address "
            "for OpenID Connect users); choose another."
        )
    return name


def add_user(
    root: str | Path, username: str, role: str, password: str | None = None, oidc: bool = False
) -> UserRecord:
    """Add (or replace) an account: with a password (hashed here), or ``oidc`` (none; matched by e-mail).

    Raises:
        ValueError: a bad name or role, a password shorter than :data:`MIN_PASSWORD`, or both/neither of
            ``password`` and ``oidc``.
    """
    import bcrypt

    name = check_username(username)
    if role not in ROLES:
        raise ValueError(f"role {role!r} is unknown; use viewer or researcher.")
    if oidc == (password is not None):
        raise ValueError("give a password, or --oidc for a user the lab's OpenID Connect provider signs in.")
    entry: dict[str, Any] = {"name": name, "email": name if oidc else "", "roles": [role]}
    if oidc:
        entry["oidc"] = True
    else:
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password has {len(password)} characters; use at least {MIN_PASSWORD}.")
        entry["password"] = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")
    data = _read(root)
    data["credentials"]["usernames"][name] = entry
    _write(root, data)
    return UserRecord(name, role, oidc)


def remove_user(root: str | Path, username: str) -> None:
    """Remove an account; raises ValueError naming the known ones when there is none of that name."""
    name = check_username(username)
    data = _read(root)
    if name not in data["credentials"]["usernames"]:
        known = ", ".join(sorted(data["credentials"]["usernames"])) or "none"
        raise ValueError(f"there is no user {name!r} in {users_path(root)}; users: {known}.")
    del data["credentials"]["usernames"][name]
    _write(root, data)


def list_users(root: str | Path) -> list[UserRecord]:
    return [
        UserRecord(name, _role(entry), bool(entry.get("oidc")))
        for name, entry in sorted(_read(root)["credentials"]["usernames"].items())
    ]


def _role(entry: dict[str, Any]) -> str:
    roles = [r for r in entry.get("roles") or [] if r in ROLES]
    return "researcher" if "researcher" in roles else "viewer"


def role_of(root: str | Path, username: str | None) -> str | None:
    """The role of an account (a user name, or an OpenID Connect user's e-mail), or None when unknown."""
    entry = _read(root)["credentials"]["usernames"].get((username or "").strip().lower())
    return None if entry is None else _role(entry)


def password_config(root: str | Path) -> dict[str, Any]:
    """What streamlit-authenticator needs: the password accounts (a copy) and the cookie settings."""
    data = _read(root)
    if "cookie" not in data:  # a file written by hand: give it a cookie key once
        _write(root, data)
        data = _read(root)
    users = {n: copy.deepcopy(e) for n, e in data["credentials"]["usernames"].items() if e.get("password")}
    return {"credentials": {"usernames": users}, "cookie": dict(data["cookie"])}
