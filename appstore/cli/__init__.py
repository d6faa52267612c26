"""``python -m appstore``: the core services for scripts and terminals.

Errors go to stderr as one line starting with ``error:``, with exit code 1 (2 for usage
errors); a bug is logged with its traceback and shown as one line too. ``--json`` output is
documented in docs/cli.md and kept stable.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appstore.cli.output import print_json
from appstore.core import logs
from appstore.core.catalog.models import App, localized
from appstore.core.errors import AppStoreError, short_path, shorten
from appstore.core.paths import Paths
from appstore.core.units import human_size
from appstore.core.wording import age, permission

if TYPE_CHECKING:
    from appstore.core.services import Services
    from appstore.core.store.client import RefreshOutcome
    from appstore.core.store.manager import Listing

# The commands each module adds. A command loads its own module only (cli/games.py alone costs a
# tenth of a second); help, and a command not listed here, load them all, as the parser did.
# tests/test_cli_lazy.py checks these against each module's COMMANDS and parsers.
CORE_COMMANDS = ("keys", "publish", "serve", "store", "search", "show")
SUBCOMMANDS = {
    "apps": ("install", "update", "uninstall", "installed", "updates", "open"),
    "news": ("news",),
    "wallet": ("wallet",),
    "rewards": ("rewards", "share", "swap", "withdraw"),
    "games": ("games",),
    "service": ("service",),
    "desktop": ("desktop",),
}


class _Unparsable(Exception):
    pass


class _CommandFinder(argparse.ArgumentParser):
    """The top-level options only, to find the command's name before the full parser exists."""

    def error(self, message: str) -> Any:  # (argparse's own prints usage and exits)
        raise _Unparsable(message)


def _command(argv: list[str] | None) -> str | None:
    """The command ``argv`` asks for, or None if that is not plain (help, a usage error). The
    options are the parser's own, so both read ``argv`` alike."""
    finder = _CommandFinder(add_help=False)
    finder.add_argument("-h", "--help", action="store_true")
    finder.add_argument("--data-dir")
    finder.add_argument("--lang")
    finder.add_argument("command", nargs="?")
    try:
        found, _ = finder.parse_known_args(sys.argv[1:] if argv is None else argv)
    except (_Unparsable, argparse.ArgumentError):
        return None
    return None if found.help or not isinstance(found.command, str) else found.command


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{shorten(text)!r} is not a port (use 1-65535)")
    return port


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; for ``command`` (see ``_command``), with only its module's subcommands."""
    installed = Path(sys.argv[0]).name == "imapp"  # the installed command, not `python -m appstore`
    p = argparse.ArgumentParser(prog="imapp" if installed else "python -m appstore",
                                description="imapp desktop store")
    p.add_argument("--data-dir", help="where imapp keeps its files (default: $IMAPP_DATA_DIR "
                   "or the platform's user data dir)")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="language of texts")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    keys = sub.add_parser("keys", help="signing keys of a store you publish")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    k_init = keys_sub.add_parser("init", help="create signing keys in KEYS_DIR")
    k_init.add_argument("keys_dir", metavar="KEYS_DIR")

    pub = sub.add_parser("publish", help="build or refresh a signed store from a source tree")
    pub.add_argument("src", metavar="SRC_DIR")
    pub.add_argument("out", metavar="OUT_DIR")
    pub.add_argument("--keys", required=True, metavar="KEYS_DIR")

    serve = sub.add_parser("serve", help="serve a store folder on 127.0.0.1")
    serve.add_argument("dir", metavar="DIR")
    serve.add_argument("--port", type=_port, default=8000, help="1-65535 (default 8000)")

    store = sub.add_parser("store", help="the stores you trust")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    s_list = store_sub.add_parser("list", help="list stores with their status")
    s_list.add_argument("--json", action="store_true")
    s_add = store_sub.add_parser("add", help="add a store, pinning its root fingerprint")
    s_add.add_argument("url", metavar="URL")
    s_add.add_argument("--mirror", action="append", default=[], metavar="URL",
                       help="another URL serving the same store (tried when URL fails)")
    s_add.add_argument("--root-sha256", metavar="HEX",
                       help="the store's root fingerprint, as its publisher printed it")
    s_rm = store_sub.add_parser("remove", help="forget a store and its files")
    s_rm.add_argument("store_id", metavar="ID")
    s_ref = store_sub.add_parser("refresh", help="check stores for new metadata and apps")
    s_ref.add_argument("store_ids", nargs="*", metavar="ID")

    search = sub.add_parser("search", help="search the apps of every store")
    search.add_argument("query", nargs="?", default="", metavar="QUERY")
    search.add_argument("--category", metavar="C")
    search.add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="show one app")
    show.add_argument("app_id", metavar="ID")
    show.add_argument("--json", action="store_true")
    owner = next((name for name, commands in SUBCOMMANDS.items() if command in commands), None)
    for name in SUBCOMMANDS:
        if name == owner or (owner is None and command not in CORE_COMMANDS):
            importlib.import_module(f"appstore.cli.{name}").add_parsers(sub)
    return p


def _app_json(entry: Listing, lang: str, full: bool) -> dict[str, Any]:
    app = entry.app
    out: dict[str, Any] = {
        "id": entry.ref,
        "app_id": app.id,
        "name": localized(app.name, lang),
        "summary": localized(app.summary, lang),
        "categories": list(app.categories),
        "kind": app.kind,
        "version": app.version,
        "store": app.store,
        "featured": app.featured,
    }
    if full:
        out.update(
            description=localized(app.description, lang),
            developer=app.developer,
            website=app.website,
            license=app.license,
            url=app.url or None,
            icon=app.icon,
            screenshots=list(app.screenshots),
            permissions=list(app.permissions),
            unknown_permissions=list(app.unknown_permissions),
            releases=[
                {
                    "version": r.version,
                    "size": r.size,
                    "sha256": r.sha256,
                    "date": r.date,
                    "changelog": localized(r.changelog, lang),
                    "package": r.package,
                }
                for r in app.releases
            ],
            texts={"name": dict(app.name), "summary": dict(app.summary),
                   "description": dict(app.description)},
        )
    return out


def _show_text(entry: Listing, lang: str) -> None:
    app: App = entry.app
    print(f"{localized(app.name, lang)}  ({entry.ref}, store {app.store})")
    print(f"  {localized(app.summary, lang)}")
    print(f"  developer: {app.developer}   license: {app.license}   kind: {app.kind}")
    if app.website:
        print(f"  website:   {app.website}")
    if app.url:
        print(f"  opens:     {app.url}")
    print(f"  categories: {', '.join(app.categories)}")
    asked = (*app.permissions, *app.unknown_permissions)
    if asked:
        print("  permissions:")
        for p in asked:  # an unknown one is worded as not granted
            print(f"    - {permission(p, lang)}")
    print()
    print("  " + localized(app.description, lang).replace("\n", "\n  "))
    for r in app.releases:
        print(f"\n  {r.version}  ({r.date}, {human_size(r.size) or f'{r.size} B'}, sha256 {r.sha256[:16]}…)")
        print(f"    {localized(r.changelog, lang)}")


def run(argv: list[str] | None = None) -> int:
    return _run(_parser(_command(argv)).parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    cmd = args.command

    if cmd in ("keys", "publish", "serve"):
        return _publishing(args)
    if cmd == "service":
        from appstore.cli import service

        return service.run(args)
    if cmd == "desktop":
        from appstore.cli import desktop

        return desktop.run(args)

    from appstore.core.services import Services
    from appstore.service.builtin import start_demo_service

    paths = Paths.resolve(args.data_dir)
    paths.ensure()
    logs.setup(paths.root)
    services = Services.open(str(paths.root), on_warning=_warn, embedded=start_demo_service)
    services.autostart_downloads = False  # a command runs what it is asked, not the GUI's queue
    if cmd == "store":
        return _store(args, services)
    if cmd in SUBCOMMANDS["wallet"]:
        from appstore.cli import wallet

        return wallet.run(args, services)
    if cmd in SUBCOMMANDS["news"]:
        from appstore.cli import news

        try:
            return news.run(args, services)
        finally:
            services.close()
    if cmd in SUBCOMMANDS["games"]:
        from appstore.cli import games

        try:
            return games.run(args, services)
        finally:
            services.close()
    from appstore.cli import apps

    if cmd == "search":  # from the stores' search indexes, without loading the catalogues
        return apps.search(args, services, _warn)
    view, outcomes = services.load_catalog()
    for o in outcomes:
        if o.error:
            _warn(f"{o.error} ({_in_use(o, args.lang)})")
    if cmd in SUBCOMMANDS["apps"]:
        try:
            code = apps.run(args, services, view)
            if cmd in ("install", "update", "open"):
                from appstore.cli import rewards

                rewards.claim_and_tell(services, view)  # what was recorded earns IA now
            return code
        finally:
            services.close()
    if cmd in SUBCOMMANDS["rewards"]:
        from appstore.cli import rewards

        try:
            return rewards.run(args, services, view)
        finally:
            services.close()
    entry = view.find(args.app_id)
    if args.json:
        print_json(_app_json(entry, args.lang, True))
    else:
        _show_text(entry, args.lang)
    return 0


def _publishing(args: argparse.Namespace) -> int:
    """``keys``, ``publish`` and ``serve``: a store's side, with no data dir."""
    cmd = args.command
    if cmd == "keys":
        from appstore.core.publish.keys import init_keys

        init_keys(Path(args.keys_dir))
        print(f"created signing keys in {args.keys_dir} (keep this folder private)")
        return 0
    if cmd == "publish":
        from appstore.core.publish.builder import publish
        from appstore.core.publish.keys import load_keys
        from appstore.core.publish.source import load_source

        content = load_source(Path(args.src))
        result = publish(content, Path(args.out), load_keys(Path(args.keys)))
        state = "changed" if result.targets_changed else "unchanged, re-signed"
        vers = " ".join(f"{k}={v}" for k, v in sorted(result.versions.items()) if "-" not in k)
        print(f"published {len(content.catalog['apps'])} apps to {args.out} ({state}; {vers})")
        print(f"root-sha256: {result.root_sha256}")
        return 0
    from appstore.core.publish.server import serve_forever

    serve_forever(Path(args.dir), args.port)
    return 0


def _store(args: argparse.Namespace, services: Services) -> int:
    """``store add|remove|refresh|list``."""
    stores = services.stores
    sc = args.store_command
    if sc == "add":
        outcome = services.add_store([args.url, *args.mirror], args.root_sha256,
                                     confirm=_ask_fingerprint if sys.stdin.isatty() else None)
        n = len(outcome.catalog.apps) if outcome.catalog else 0
        print(f"added store {outcome.store_id} ({n} apps)")
        return 0
    if sc == "remove":
        services.remove_store(args.store_id)
        print(f"removed store {args.store_id}")
        return 0
    if sc == "refresh":
        failed = 0
        for o in stores.refresh(args.store_ids or None):
            n = len(o.catalog.apps) if o.catalog else 0
            if o.error:
                failed += 1
                _say("error", f"{o.error} ({_in_use(o, args.lang)})")
            else:
                print(f"{o.store_id}: up to date ({n} apps)")
        return 1 if failed else 0
    # list
    rows: list[dict[str, Any]] = []
    for s in stores.config.stores:
        st = stores.client(s.id).state()
        rows.append({"id": s.id, "url": s.mirrors[0], "mirrors": s.mirrors,
                     "root_sha256": s.root_sha256, "builtin": s.builtin,
                     "last_success": st.last_success, "last_error": st.last_error})
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            error = r["last_error"] and r["last_error"].removeprefix(f"{r['id']}: ")
            status = f"failing: {_one_line(error)}" if error else "ok"
            verified = (f"verified {age(r['last_success'], args.lang)}" if r["last_success"]
                        else "never verified")
            print(f"{r['id']}\t{r['url']}\t{status}, {verified}")
    return 0


def _in_use(o: RefreshOutcome, lang: str) -> str:
    """What is shown instead, after a store failed."""
    if o.catalog is None:
        return "no verified catalogue yet"
    return f"using the catalogue verified {age(o.verified_at, lang)}, {len(o.catalog.apps)} apps"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _say(kind: str, message: str) -> None:
    print(f"{kind}: {_one_line(message)}", file=sys.stderr)


def _warn(message: str) -> None:
    _say("warning", message)


def _ask_fingerprint(fingerprint: str) -> bool:
    print(f"The store's root fingerprint is\n  {fingerprint}\nCompare it with the one its "
          "publisher gave you.", file=sys.stderr)
    try:
        return input("Trust this store? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _start_logging(args: argparse.Namespace) -> None:
    """Log to the data dir if it is already there (the commands that use the data dir set
    logging up when they open it; ``keys``, ``publish`` and ``serve`` do not create it)."""
    try:
        paths = Paths.resolve(args.data_dir)
        if paths.root.is_dir():
            logs.setup(paths.root)
    except (AppStoreError, OSError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run a command; every failure ends as one ``error:`` line on stderr (exit 1)."""
    args = _parser(_command(argv)).parse_args(argv)  # usage errors: exit 2
    try:
        _start_logging(args)
        return _run(args)
    except AppStoreError as e:
        logs.log.info("error: %s", e)
        _say("error", str(e))
        return 1
    except KeyboardInterrupt:
        if "appstore.core.store.fetcher" in sys.modules:
            from appstore.core.store import fetcher

            fetcher.abort_all()  # the other stores' threads stop now, not at their deadlines
        return 130
    except BrokenPipeError:  # e.g. `... | head`
        sys.stderr.close()
        return 0
    except OSError as e:  # a file of ours, or one the user named, that cannot be used
        logs.log.info("error: %s", e)
        what = e.strerror or str(e)
        _say("error", f"cannot use {short_path(e.filename)}: {what}" if e.filename else what)
        return 1
    except Exception as e:
        _say("error", logs.report_bug(e))
        return 1
