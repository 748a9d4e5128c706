"""Who is acting, and what their role lets them do.

Two roles: a ``viewer`` sees results and scores an interview; a ``researcher`` may also import and delete
corpora, start and cancel trainings and name hub models. On a laptop (setting ``shared`` off) nobody signs
in and the account running the Studio acts as a researcher. On a shared server the Studio's sign-in gate
(:mod:`hilbert_core.ui.auth`) says who is acting for each page run, with :func:`set_actor`; every service
function that changes the workspace asks :func:`require` first, so a viewer (or nobody) calling the
service layer directly is refused with one line, whatever the page shows.

The acting user is a context variable: it belongs to the thread (a Streamlit script run) that set it,
so one browser session never acts as another. A worker thread starts without one: code that hands
work to a thread runs it inside :func:`acting_as`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

ROLES = ("viewer", "researcher")
ACTIONS = {
    "import": "import a corpus",
    "train": "start a training",
    "cancel": "cancel a job",
    "delete": "delete a corpus",
    "hub_model": "name a hub model",
}  # each a researcher's; a viewer may do none of them


class AccessRefused(ValueError):
    """An action the acting user may not take (a ValueError: pages and the CLI show it as one line)."""


@dataclass(frozen=True)
class Actor:
    """A user as the audit log records them: ``via`` is ``studio`` or ``cli``."""

    name: str
    role: str
    via: str = "studio"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(
                f"role {self.role!r} of user {self.name!r} is unknown; use viewer or researcher."
            )

    def can(self, action: str) -> bool:
        return self.role == "researcher" or action not in ACTIONS


_ACTOR: ContextVar[Actor | None] = ContextVar("hilbert_actor", default=None)


def local_actor(via: str = "studio") -> Actor:
    """The account running this process, as a researcher (a laptop, or the command line)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        name = f"uid {os.getuid()}"
    return Actor(name, "researcher", via)


def set_actor(actor: Actor | None) -> None:
    """Say who acts in this thread from now on (the Studio's sign-in gate, once per page run)."""
    _ACTOR.set(actor)


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[Actor | None]:
    """Act as ``actor`` inside the block (tests, worker threads)."""
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)


def current_actor(shared: bool) -> Actor | None:
    """Who acts in this thread: the signed-in user, else on a laptop the local account, else None."""
    actor = _ACTOR.get()
    if actor is not None or shared:
        return actor
    return local_actor()


def require(workspace: str | Path, action: str) -> Actor:
    """The acting user when they may take ``action`` in ``workspace``.

    Raises:
        AccessRefused: nobody signed in on a shared server, or the user is a viewer.
    """
    from .settings import load_settings

    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is unknown; one of {', '.join(ACTIONS)}.")
    actor = current_actor(load_settings(workspace).shared)
    if actor is None:
        raise AccessRefused(
            f"nobody is signed in, and this workspace is shared (setting shared): sign in to "
            f"{ACTIONS[action]}."
        )
    if not actor.can(action):
        raise AccessRefused(
            f"{actor.name} is a viewer and viewers cannot {ACTIONS[action]}; ask a researcher, or the "
            f"administrator to run `hilbert users add {actor.name} --role researcher`."
        )
    return actor
