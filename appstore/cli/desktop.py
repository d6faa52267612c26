"""``imapp desktop install|uninstall``: imapp in the desktop's menu for the current user, with
its icons and the ``imapp://`` link handler (appstore/core/desktop.py says what goes where)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

COMMANDS = ("desktop",)


def add_parsers(sub: Any) -> None:
    desk = sub.add_parser("desktop", help="put imapp in the desktop's menu (or take it out)")
    desk_sub = desk.add_subparsers(dest="desktop_command", required=True)
    for name, text in (("install", "install the launcher, menu entry, icons and imapp:// handler "
                                   "for the current user ($XDG_DATA_HOME)"),
                       ("uninstall", "remove what `desktop install` installed")):
        p = desk_sub.add_parser(name, help=text)
        p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from appstore.core import desktop

    places = desktop.Places.of_user()
    if args.desktop_command == "install":
        out = desktop.install(places)
    elif args.desktop_command == "uninstall":
        out = desktop.uninstall(places)
    else:
        raise AssertionError(args.desktop_command)
    if args.json:
        json.dump({"files": [str(p) for p in out.files], "handler": out.handler or None,
                   "notes": out.notes}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        verb = "installed" if args.desktop_command == "install" else "removed"
        for path in out.files:
            print(f"{verb} {path}")
        if out.handler:
            print(f"imapp:// links: {'set' if verb == 'installed' else 'unset'} in "
                  f"{places.mimeapps if out.handler == 'mimeapps.list' else 'the desktop (xdg-mime)'}")
        if not out.files and not out.handler:
            print("nothing to remove: imapp was not installed in this desktop")
    for note in out.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
