"""``install``, ``update``, ``uninstall``, ``installed`` and ``updates``: the library from a
terminal. A progress bar goes to stderr on a terminal, and nowhere when it is piped."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from appstore.cli.output import print_json
from appstore.core.catalog import searchjson
from appstore.core.catalog.index import Hits, Row, StoreIndex, clashing_ids
from appstore.core.catalog.models import localized
from appstore.core.errors import AppStoreError, NotFound, shorten
from appstore.core.services import Services
from appstore.core.store.manager import CatalogView
from appstore.core.units import human_size
from appstore.core.wording import age, permissions_short

if TYPE_CHECKING:  # downloads and installs load when a command needs them, not for `search`
    from appstore.core.downloads import DownloadItem
    from appstore.core.library import Update


def add_parsers(sub: Any) -> None:
    install = sub.add_parser("install", help="download and install an app")
    install.add_argument("app_id", metavar="ID")
    install.add_argument("--version", metavar="V", help="a version other than the newest")
    install.add_argument("--accept-permissions", action="store_true",
                         help="accept what the app asks for, also more than an installed version had")
    update = sub.add_parser("update", help="update installed apps")
    update.add_argument("app_ids", nargs="*", metavar="ID")
    update.add_argument("--all", action="store_true", help="every app with an update")
    update.add_argument("--accept-permissions", action="store_true",
                        help="also install updates that ask for more permissions (see `updates`)")
    update.add_argument("--json", action="store_true")
    uninstall = sub.add_parser("uninstall", help="remove an installed app")
    uninstall.add_argument("app_id", metavar="ID")
    uninstall.add_argument("--keep-data", action="store_true",
                           help="keep what the app stored on this computer")
    installed = sub.add_parser("installed", help="list installed apps")
    installed.add_argument("--json", action="store_true")
    updates = sub.add_parser("updates", help="list installed apps with a newer version")
    updates.add_argument("--json", action="store_true")
    open_ = sub.add_parser("open", help="open an installed DApp (in the running imapp, or a new one)")
    open_.add_argument("app_id", metavar="ID")


COMMANDS = ("install", "update", "uninstall", "installed", "updates", "open")


def _size(n: int) -> str:
    return human_size(n) or f"{n} B"


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second; silent when not a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, item: DownloadItem) -> None:
        from appstore.core.downloads import State

        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and item.state == State.DOWNLOADING):
            return
        self._last = now
        p = item.progress
        width = 30
        filled = width * p.done // p.total if p.total else 0
        speed = f" {_size(p.speed_bps)}/s" if p.speed_bps else ""
        eta = f" {int(p.eta_seconds)} s left" if p.eta_seconds is not None else ""
        line = (f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                f"{_size(p.done)}/{_size(p.total)}{speed}{eta} {item.state}")
        sys.stderr.write(line[:200].ljust(100))
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def search(args: argparse.Namespace, services: Services, warn: Any) -> int:
    """``search [QUERY] [--category C] [--json]`` from the stores' SQLite indexes alone: the
    catalogues are not loaded, and results are printed as they are read. The output is the
    same as the in-memory search's (docs/cli.md)."""
    stores = services.stores.indexed()
    for s in stores:
        if s.error:
            in_use = (f"using the catalogue verified {age(s.verified_at, args.lang)}, "
                      f"{s.index.size} apps" if s.index is not None else "no verified catalogue yet")
            warn(f"{s.error} ({in_use})")
    indexes = [s.index for s in stores if s.index is not None]
    if args.category:
        known = {c for ix in indexes for c in ix.categories}
        if args.category not in known:
            raise NotFound(f"no category {shorten(args.category)!r} (categories: "
                           f"{', '.join(sorted(known))})")
    clash = clashing_ids(indexes) if len(indexes) > 1 else set()
    key = None
    if len(indexes) > 1:
        keys = [ix.sort_keys() for ix in indexes]

        def key(item: tuple[int, int]) -> tuple[bool, str]:
            return keys[item[0]][item[1]]

    hits = Hits(indexes, args.query, args.category, key)
    lang, out = args.lang, sys.stdout
    if args.json:
        lead = "[\n"
        while batch := hits.take(500):  # items as the index keeps them (docs/architecture.md)
            out.write(lead + ",\n".join(_json_items(batch, indexes, clash, lang)))
            lead = ",\n"
        out.write("[]\n" if lead == "[\n" else "\n]\n")
    else:
        lines = (f"{f'{r.store}/{r.id}' if r.id in clash else r.id}\t{localized(r.name, lang)}\t"
                 f"{localized(r.summary, lang)}\n" for r in _rows(hits, indexes))
        for batch in _batches(lines):
            out.write("".join(batch))
    return 0


def _batches(items: Any, size: int = 500) -> Any:
    """Lists of up to ``size`` items (one write each: 100,000 small writes cost a lot more)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows(hits: Hits, indexes: list[StoreIndex]) -> Any:
    """The search rows of ``hits``, best first, read in batches."""
    while True:
        batch = hits.take(500)
        if not batch:
            return
        by_store: dict[int, list[int]] = {}
        for k, pos in batch:
            by_store.setdefault(k, []).append(pos)
        found = {k: dict(zip(ps, indexes[k].rows(ps), strict=True)) for k, ps in by_store.items()}
        for k, pos in batch:
            yield found[k][pos]


def _search_json(r: Row, clash: set[str], lang: str) -> dict[str, Any]:
    """A result as ``search --json`` prints it (docs/cli.md)."""
    return {
        "id": f"{r.store}/{r.id}" if r.id in clash else r.id,
        "app_id": r.id,
        "name": localized(r.name, lang),
        "summary": localized(r.summary, lang),
        "categories": list(r.categories),
        "kind": r.kind,
        "version": r.version,
        "store": r.store,
        "featured": r.featured,
    }


def _search_json_text(r: Row, clash: set[str], lang: str) -> str:
    """``_search_json(r, …)`` as ``json.dump(results, indent=2, ensure_ascii=False)`` lays out
    an item of its list (``searchjson.item``, the layout the index keeps its items in)."""
    return searchjson.item(f"{r.store}/{r.id}" if r.id in clash else r.id, r.id, r.name,
                           r.summary, r.categories, r.kind, r.version, r.store, r.featured, lang)


def _json_items(batch: list[tuple[int, int]], indexes: list[StoreIndex], clash: set[str],
                lang: str) -> list[str]:
    """The ``--json`` items of a batch of hits (store number, rank), in order."""
    if len(indexes) == 1:
        return indexes[0].json_items([pos for _, pos in batch], lang, clash)
    by_store: dict[int, list[int]] = {}
    for k, pos in batch:
        by_store.setdefault(k, []).append(pos)
    found = {k: dict(zip(ps, indexes[k].json_items(ps, lang, clash), strict=True))
             for k, ps in by_store.items()}
    return [found[k][pos] for k, pos in batch]


def _installed_ref(services: Services, view: CatalogView | None, ref: str) -> tuple[str, str]:
    """(store, app_id) of an installed app named ``ID`` or ``STORE/ID``."""
    installed = services.installs.installed()
    store, _, app_id = ref.rpartition("/")
    hits = [a for a in installed if a.app_id == app_id and (not store or a.store == store)]
    if len(hits) > 1:
        raise NotFound(f"{app_id!r} is installed from several stores: use one of "
                       f"{', '.join(a.id for a in hits)}")
    if not hits:
        raise NotFound(f"{ref!r} is not installed (see `installed`)")
    return hits[0].store, hits[0].app_id


def run(args: argparse.Namespace, services: Services, view: CatalogView) -> int:
    installs = services.installs
    cmd = args.command
    if cmd == "installed":
        rows = installs.installed()
        if args.json:
            print_json([a.to_json() for a in rows])
        else:
            for a in rows:
                gone = "  (store removed: no updates)" if a.store_gone else ""
                print(f"{a.id}\t{a.version}\t{_size(a.size)}\tinstalled {a.installed_at}{gone}")
        return 0
    if cmd == "updates":
        ups = installs.updates(view.apps_at((a.store, a.app_id) for a in installs.installed()))
        if args.json:
            print_json([u.to_json() for u in ups])
        else:
            for u in ups:
                more = (f"\twaits: asks for more: {permissions_short(u.asks_for, args.lang)}"
                        if u.waits else "")
                print(f"{u.id}\t{u.installed} → {u.available}{more}")
        return 0
    if cmd == "uninstall":
        store, app_id = _installed_ref(services, view, args.app_id)
        removed = installs.uninstall(store, app_id, keep_data=args.keep_data)
        kept = " (its data kept)" if args.keep_data else ""
        print(f"uninstalled {removed.id} {removed.version}{kept}")
        return 0
    if cmd == "open":
        try:  # an installed app first: it opens even when its store was removed
            store, app_id = _installed_ref(services, view, args.app_id)
        except NotFound:
            app = view.find(args.app_id).app
            if app.kind != "link":
                raise NotFound(f"{app.id} is not installed: `install {args.app_id}` first") from None
            store, app_id = app.store, app.id
        services.close()
        from appstore.ui.app import main as gui

        # hands the link to the imapp already running on this data dir, or starts one on it
        return gui(["--data-dir", str(services.paths.root), f"imapp://open/{store}/{app_id}"])
    if cmd == "install":
        from appstore.core.library import PermissionsNeeded
        from appstore.core.library.library import catalog_permissions

        app = view.find(args.app_id).app
        bar = ProgressBar(f"{app.id}")
        try:
            done = installs.install(app, args.version, on_item=bar,
                                    accept=catalog_permissions(app) if args.accept_permissions else ())
        except PermissionsNeeded as e:
            raise AppStoreError(f"{e.app} {e.version} asks for more than you accepted: "
                                f"{permissions_short(e.asks_for, args.lang)}; add --accept-permissions "
                                "to accept them") from None
        finally:
            bar.done()
        print(f"installed {done.id} {done.version} ({_size(done.size)})")
        return 0
    return _update(args, services, view)


def _update(args: argparse.Namespace, services: Services, view: CatalogView) -> int:
    """``update [ID ...] [--all] [--accept-permissions] [--json]``: an update that asks for more
    permissions than the user accepted is skipped with a warning (and listed in ``waiting``)
    unless ``--accept-permissions``; the others install as usual."""
    from appstore.core.installs import NotInstallable
    from appstore.core.library import PermissionsNeeded

    installs = services.installs
    ups = installs.updates(view.apps_at((a.store, a.app_id) for a in installs.installed()))
    if args.app_ids:
        wanted = {_installed_ref(services, view, ref) for ref in args.app_ids}
        ups = [u for u in ups if (u.store, u.app_id) in wanted]
        if not ups and not args.json:
            print("no updates for those apps")
            return 0
    elif not args.all:
        raise AppStoreError("name the apps to update, or use --all")
    updated: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []

    def wait(u: Update, asks: tuple[str, ...]) -> None:
        waiting.append({"id": u.id, "app_id": u.app_id, "store": u.store, "installed": u.installed,
                        "version": u.available, "asks_for": list(asks)})
        print(f"warning: {u.id} {u.installed} → {u.available} waits for your consent: it asks for "
              f"more: {permissions_short(asks, args.lang)}; `update {u.id} --accept-permissions` "
              "accepts them and updates it", file=sys.stderr)

    for u in ups:
        if u.waits and not args.accept_permissions:
            wait(u, u.asks_for)
            continue
        app = view.find(u.id).app
        bar = ProgressBar(u.id)
        try:
            done = installs.install(app, on_item=bar, accept=u.asks_for)
        except PermissionsNeeded as e:  # the package asks for more than its catalogue entry said
            wait(u, e.asks_for)
            continue
        except AppStoreError as e:
            message = str(e) if isinstance(e, NotInstallable) else f"{u.id}: {e}"
            failed.append({"id": u.id, "app_id": u.app_id, "store": u.store, "version": u.available,
                           "error": message})
            print(f"error: {message}", file=sys.stderr)
            continue
        finally:
            bar.done()
        updated.append({"id": done.id, "app_id": done.app_id, "store": done.store,
                        "previous": u.installed, "version": done.version})
        if not args.json:
            print(f"updated {done.id} {u.installed} → {done.version}")
    if args.json:
        print_json({"updated": updated, "failed": failed, "waiting": waiting})
    elif not ups:
        print("all apps are up to date")
    return 1 if failed else 0
