"""``hilbert users add|remove|list``: the accounts that may sign in to a shared Studio (``users.yaml``)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .common import write


def _workspace(args: argparse.Namespace):
    from ..workspace import default_root, open_workspace

    return open_workspace(args.workspace or default_root(), seed=False)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ; run the command again.")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from ..audit import record
    from ..users import add_user, list_users, remove_user

    ws = _workspace(args)
    if args.action == "list":
        for user in list_users(ws.root):
            write(f"{user.username} {user.role}{' (OpenID Connect)' if user.oidc else ''}")
        return 0
    if not args.name:
        raise ValueError(f"`hilbert users {args.action}` needs a user name; e.g. `hilbert users add alice`.")
    if args.action == "remove":
        remove_user(ws.root, args.name)
        record(ws.root, "remove user", args.name.lower())
        write(f"removed {args.name.lower()} from {ws.root / 'users.yaml'}")
        return 0
    if args.role is None:
        raise ValueError("`hilbert users add` needs --role viewer or --role researcher.")
    user = add_user(ws.root, args.name, args.role, None if args.oidc else _password(args), oidc=args.oidc)
    record(ws.root, "add user", user.username, role_given=user.role)
    write(f"{user.username} is a {user.role} of {ws.root} (accounts: {ws.root / 'users.yaml'})")
    return 0


def add_users_parser(sub) -> None:
    p = sub.add_parser("users", help="accounts of a shared Studio: add, remove, list (see `shared` setting)")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("name", nargs="?", default=None, help="user name (an e-mail address with --oidc)")
    p.add_argument("--role", choices=("viewer", "researcher"), default=None, help="what the user may do")
    p.add_argument("--oidc", action="store_true", help="signed in by the lab's OpenID Connect provider")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--workspace", default=None, help="workspace folder ($HILBERT_WORKSPACE)")
    p.set_defaults(func=cmd_users)
