"""Sign-in and roles as the Studio sees them: plain Python (the sign-in gate itself is
:mod:`hilbert_core.ui.auth`). Who may do what is decided in :mod:`hilbert_core.access`; every service
function that changes the workspace asks it, so hiding a widget is a courtesy, not the protection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..access import ACTIONS, AccessRefused, Actor, acting_as, current_actor, set_actor  # noqa: F401
from ..settings import load_settings
from ..users import password_config, role_of
from ..workspace import users_path


@dataclass(frozen=True)
class SignInConfig:
    """How this workspace's Studio signs people in.

    Attributes:
        required: sign-in is on (setting ``shared``); off, the local account acts as a researcher.
        method: ``password`` (accounts of ``users.yaml``, via streamlit-authenticator) or ``oidc``
            (Streamlit's ``st.login`` with the lab's OpenID Connect provider).
        provider: the ``[auth.NAME]`` block of ``.streamlit/secrets.toml`` for ``oidc`` ("" = ``[auth]``).
        users_file: where the accounts are (``hilbert users add`` writes it).
    """

    required: bool
    method: str
    provider: str
    users_file: Path


def sign_in_config(workspace: str | Path) -> SignInConfig:
    settings = load_settings(workspace)
    return SignInConfig(settings.shared, settings.sign_in, settings.oidc_provider, users_path(workspace))


def account(workspace: str | Path, username: str | None) -> Actor | None:
    """The signed-in user as an :class:`Actor` (their role from users.yaml), or None when the file has no
    such account (an OpenID Connect user nobody added)."""
    role = role_of(workspace, username)
    return None if role is None or not username else Actor(username.strip().lower(), role)


def password_accounts(workspace: str | Path) -> dict:
    """streamlit-authenticator's credentials and cookie settings (password accounts only)."""
    return password_config(workspace)


def may(workspace: str | Path, action: str) -> bool:
    """Whether whoever acts in this thread may take ``action`` (for showing or hiding a widget)."""
    actor = current_actor(load_settings(workspace).shared)
    return actor is not None and actor.can(action)


def acting_user(workspace: str | Path) -> Actor | None:
    return current_actor(load_settings(workspace).shared)
