"""The sign-in gate every page passes through (:func:`hilbert_core.ui.state.init_session_state` calls
:func:`gate`), and what a page asks about the signed-in user (:func:`may`, :func:`acting`).

Off unless the workspace is shared (setting ``shared``, or ``HILBERT_SHARED=1``). Then either
streamlit-authenticator checks a user name and password against ``users.yaml`` (``sign_in =
"password"``, the default), or Streamlit's own ``st.login`` signs the user in with the lab's OpenID
Connect provider (``sign_in = "oidc"``; its settings are in ``.streamlit/secrets.toml``) and
``users.yaml`` gives their role by e-mail. A page run by nobody signed in shows only the sign-in form.
The role is read from ``users.yaml`` on every run, so a removed account is out at its next click.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ..service import access

USER_KEY = "signed_in_user"  # the Actor of this browser session (None: nobody, or sign-in is off)
LOGIN_FORM = "hilbert_login"


def gate(ws) -> None:
    """Say who acts in this page run; when sign-in is on and nobody is signed in, show the sign-in form
    and stop the page."""
    access.set_actor(None)
    st.session_state[USER_KEY] = None
    if ws is None:  # the page shows why the workspace cannot be opened, and stops
        return
    cfg = access.sign_in_config(ws.root)
    if not cfg.required:
        return  # a laptop: the local account acts (hilbert_core.access.current_actor)
    actor = _oidc_user(ws, cfg) if cfg.method == "oidc" else _password_user(ws, cfg)
    if actor is None:
        st.stop()
    access.set_actor(actor)
    st.session_state[USER_KEY] = actor
    st.sidebar.caption(f"Signed in as **{actor.name}** ({actor.role})")


def _password_user(ws, cfg):
    import streamlit_authenticator as stauth

    config = access.password_accounts(ws.root)
    if not config["credentials"]["usernames"]:
        st.error(
            f"This Studio needs sign-in, but it has no accounts yet: the administrator adds them with "
            f"`hilbert users add NAME --role researcher --workspace {ws.root}`."
        )
        return None
    cookie = config["cookie"]
    auth = stauth.Authenticate(
        config["credentials"], cookie["name"], cookie["key"], float(cookie.get("expiry_days", 1)),
        auto_hash=False, login_sleep_time=0,
    )  # fmt: skip
    was_in = bool(st.session_state.get("authentication_status"))
    if not was_in:
        st.title("Sign in to HILBERT Studio")
        st.caption("This Studio is shared: sign in with the account your administrator gave you.")
    fields = {"Form name": "Sign in", "Login": "Sign in"}
    try:
        auth.login(location="main", key=LOGIN_FORM, fields=fields)
    except stauth.LoginError:  # the browser remembers an account removed since: ignore its cookie
        st.session_state["logout"] = True
        auth.login(location="main", key=LOGIN_FORM, fields=fields)
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error("Wrong user name or password; try again.")
    if not status:
        return None
    if not was_in:  # signed in just now: show the page without the form
        st.rerun()
    actor = access.account(ws.root, st.session_state.get("username"))
    if actor is None:  # removed from users.yaml since signing in
        auth.logout(location="unrendered")
        st.error("This account no longer exists; ask the administrator.")
        return None
    auth.logout("Sign out", location="sidebar", key="hilbert_logout")
    if not st.session_state.get("authentication_status"):  # just signed out
        st.rerun()
    return actor


def _oidc_user(ws, cfg):
    provider = (cfg.provider,) if cfg.provider else ()
    logged_in = st.user.get("is_logged_in")  # absent when secrets.toml has no [auth] block
    if logged_in is None:
        st.error(
            'This Studio is set to sign in with OpenID Connect (sign_in = "oidc"), but '
            ".streamlit/secrets.toml has no [auth] block; the administrator sets it up (see the README, "
            "'Running the Studio for a team')."
        )
        return None
    if not logged_in:
        st.title("Sign in to HILBERT Studio")
        st.caption("This Studio is shared: sign in with your institution's account.")
        st.button("Sign in", key="hilbert_oidc_login", type="primary", on_click=st.login, args=provider)
        return None
    email = st.user.get("email")
    actor = access.account(ws.root, email)
    if actor is None:
        st.error(
            f"{email} has no role in this Studio yet; ask the administrator to run `hilbert users add "
            f"{email} --oidc --role viewer` (or researcher)."
        )
        st.button("Sign out", key="hilbert_oidc_logout", on_click=st.logout)
        return None
    st.sidebar.button("Sign out", key="hilbert_oidc_logout", on_click=st.logout)
    return actor


def signed_in():
    """The session's signed-in user (an Actor), or None (nobody, or sign-in is off)."""
    return st.session_state.get(USER_KEY)


def may(ws, action: str) -> bool:
    """Whether this session's user may take ``action`` (to show or hide its widgets)."""
    with acting():
        return access.may(ws.root, action)


@contextmanager
def acting() -> Iterator[None]:
    """Act as this session's user inside the block: for fragments, which rerun without the gate."""
    with access.acting_as(signed_in()):
        yield
