"""Getting an app: from a catalogue entry to a verified download to an installed version, and
back out again. The one path for the GUI and the CLI (docs/library.md, docs/downloads.md).

1. ``plan``: the release's package is looked up in the store's signed metadata (under the
   store's lock, which is released before any byte moves) and checked against the catalogue.
2. The download queue fetches it, resumable, verifying length and SHA-256 as it streams.
3. ``finish``: the verified file is unpacked with guards and made live atomically; the
   ``download`` (first install) or ``update`` activity is recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appstore.core.activity import Activity, ActivityLog
from appstore.core.catalog.checks import check_release_target
from appstore.core.catalog.models import App, Release
from appstore.core.downloads import DownloadRequest, State
from appstore.core.errors import AppStoreError, NotFound, shorten
from appstore.core.fileio import write_json_atomic
from appstore.core.jobs import JobContext
from appstore.core.library import InstalledApp, Update
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.store.manager import Stores
from appstore.core.versions import Version

if TYPE_CHECKING:
    from appstore.core.downloads import DownloadItem, DownloadQueue
    from appstore.core.library import Library

_KEY = re.compile(r"^(?P<store>[^/@]+)/(?P<app>[^/@]+)@(?P<version>[^/@]+)$")


class NotInstallable(AppStoreError):
    """The app cannot be installed (a link DApp, no such version…)."""


HISTORY_FILE = "history.json"
HISTORY_MAX = 50


@dataclass(frozen=True)
class Finished:
    """A download that was installed: what the Downloads page lists under "Completed"."""

    key: str  # the download key, STORE/APP_ID@VERSION
    store: str
    app_id: str
    version: str
    size: int  # bytes downloaded
    finished_at: str  # UTC ISO 8601
    update: bool

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "store": self.store, "app_id": self.app_id,
                "version": self.version, "size": self.size, "finished_at": self.finished_at,
                "update": self.update}


@dataclass(frozen=True)
class Planned:
    """A release chosen for download: what to fetch and what it will install."""

    app: App
    release: Release
    request: DownloadRequest
    update: bool  # a version of this app is installed already


def download_key(store: str, app_id: str, version: str) -> str:
    return f"{store}/{app_id}@{version}"


def parse_key(key: str) -> tuple[str, str, str] | None:
    """(store, app_id, version) of a download key, or None if it is not one of ours."""
    m = _KEY.match(key)
    return (m["store"], m["app"], m["version"]) if m else None


def pick_release(app: App, version: str | None = None) -> Release:
    if app.kind != "web" or not app.releases:
        raise NotInstallable(f"{app.id} is a link DApp: it opens its website inside imapp and "
                             "needs no install")
    if version is None:
        return app.releases[0]
    for release in app.releases:
        if release.version == version:
            return release
    known = ", ".join(r.version for r in app.releases)
    raise NotFound(f"{app.id} has no version {shorten(version)!r} (versions: {known})")


class Installs:
    """Installs, updates and uninstalls apps of the configured stores. Methods do network and
    disk I/O: call them off the GUI thread."""

    def __init__(self, paths: Paths, stores: Stores, activity: ActivityLog, *,
                 autostart: bool = True) -> None:
        """``autostart``: downloads left unfinished by the last run resume when the queue is
        opened (the GUI); the CLI passes False and runs only what it is asked."""
        self.autostart = autostart
        self.paths = paths
        self.stores = stores
        self.activity = activity
        self._library: Library | None = None
        self._queue: DownloadQueue | None = None
        self._lock = threading.Lock()

    @property
    def library(self) -> Library:
        with self._lock:
            if self._library is None:
                from appstore.core.library import Library

                self._library = Library.open(self.paths)
            return self._library

    @property
    def queue(self) -> DownloadQueue:
        """The download queue, restored from the last run (unfinished downloads resume)."""
        with self._lock:
            if self._queue is None:
                from appstore.core.downloads import DownloadQueue

                self._queue = DownloadQueue.load(self.paths.downloads_dir, autostart=self.autostart)
            return self._queue

    # -- getting -----------------------------------------------------------------------------------
    def plan(self, app: App, version: str | None = None, *, accept: Collection[str] = ()) -> Planned:
        """The download for ``app`` (its newest release, or ``version``), checked against the
        store's signed target info. An update to a version whose catalogue entry asks for more
        than the user accepted (before, or now in ``accept``) is refused before anything is
        downloaded (``PermissionsNeeded``)."""
        from appstore.core.downloads import target_urls
        from appstore.core.library import PermissionsNeeded, asks_for
        from appstore.core.library.library import catalog_permissions

        release = pick_release(app, version)
        installed = self.library.get(app.store, app.id)
        if installed is not None and Version(release.version) > Version(installed.version):
            missing = asks_for(catalog_permissions(app), (*installed.accepted, *accept))
            if missing:
                raise PermissionsNeeded(installed.id, release.version, missing)
        client = self.stores.client(app.store)
        info = client.target_info(release.package)  # under the store's lock, briefly
        sha256 = info.hashes.get("sha256", "")
        check_release_target(release, info.length, sha256)
        request = DownloadRequest(
            key=download_key(app.store, app.id, release.version), store_id=app.store,
            target=release.package, length=info.length, sha256=sha256,
            urls=target_urls(client.entry.mirrors, release.package, sha256))
        return Planned(app, release, request, installed is not None)

    def start(self, app: App, version: str | None = None) -> DownloadItem:
        """Queue the download of ``app``; ``finish`` installs it once it is verified. (An
        update that asks for more waits until ``accept`` has recorded the user's consent.)"""
        return self.queue.add(self.plan(app, version).request)

    def accept(self, store: str, app_id: str, permissions: Iterable[str]) -> InstalledApp:
        """The user accepts ``permissions`` for the installed app (the GUI's consent dialog):
        kept in the library, so the update installs whenever its download completes."""
        return self.library.accept(store, app_id, permissions)

    def finish(self, app: App, item: DownloadItem, ctx: JobContext, *,
               accept: Collection[str] = ()) -> InstalledApp:
        """Install the verified download ``item`` of ``app`` and record the activity
        (``accept``: as ``Library.install``)."""
        parsed = parse_key(item.key)
        if item.state != State.DONE or item.path is None or parsed is None:
            raise AppStoreError(f"{app.id}: the download is not finished")
        release = pick_release(app, parsed[2])
        if release.sha256 != item.request.sha256:
            raise AppStoreError(f"{app.id} {release.version}: the store now offers a different "
                                "package; install it again")
        before = self.library.get(app.store, app.id)
        installed = self.library.install(item.path, app, release, store=app.store, ctx=ctx,
                                         accept=accept)
        if not any(s.id == app.store for s in self.stores.config.stores):
            self.library.mark_store_gone(app.store)  # removed while this was installing
        newer = before is not None and Version(installed.version) > Version(before.version)
        if before is None or newer:
            self.activity.record(Activity.UPDATE if newer else Activity.DOWNLOAD, app.store, app.id,
                                 version=installed.version if newer else None)
        if self.queue.remove(item.key):
            item.path.unlink(missing_ok=True)  # unpacked now: the package is not needed
        self._remember(Finished(item.key, app.store, app.id, release.version, item.request.length,
                                installed.installed_at, before is not None))
        return installed

    def abandon(self, item: DownloadItem) -> None:
        """Forget a finished download that will not be installed (its package was refused):
        the verified file goes too, rather than stay in the data dir for ever."""
        if self.queue.remove(item.key) and item.path is not None:
            item.path.unlink(missing_ok=True)

    # -- what was downloaded -------------------------------------------------------------------------
    def history(self) -> list[Finished]:
        """Installed downloads, newest first (at most ``HISTORY_MAX``)."""
        try:
            raw = json.loads((self.paths.downloads_dir / HISTORY_FILE).read_bytes())
        except (OSError, ValueError):
            return []
        out = []
        for row in raw if isinstance(raw, list) else []:
            try:
                out.append(Finished(str(row["key"]), str(row["store"]), str(row["app_id"]),
                                    str(row["version"]), int(row["size"]), str(row["finished_at"]),
                                    bool(row["update"])))
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry: the rest is still worth showing
        return out

    def clear_history(self) -> None:
        with self._lock:
            (self.paths.downloads_dir / HISTORY_FILE).unlink(missing_ok=True)

    def _remember(self, done: Finished) -> None:
        with self._lock:
            rows = [done] + [f for f in self.history() if f.key != done.key]
            try:
                write_json_atomic(self.paths.downloads_dir / HISTORY_FILE,
                                  [f.to_json() for f in rows[:HISTORY_MAX]])
            except OSError as e:  # only a list to look at: the app is installed all the same
                log.warning("could not save the download history: %s", e)

    def install(self, app: App, version: str | None = None, *, ctx: JobContext | None = None,
                on_item: Callable[[DownloadItem], None] | None = None,
                accept: Collection[str] = ()) -> InstalledApp:
        """Download and install now (the CLI): ``on_item`` hears the download's progress;
        ``accept``: permissions the user accepts with this install (``PermissionsNeeded`` for
        an update that asks for more than they accepted)."""
        ctx = ctx or JobContext()
        planned = self.plan(app, version, accept=accept)
        queue = self.queue
        key = planned.request.key
        unsubscribe = queue.subscribe(lambda it: on_item(it) if on_item and it.key == key else None)
        try:
            queue.add(planned.request)
            while True:
                item = queue.wait(key, timeout=0.5)
                if ctx.cancelled:
                    queue.pause(key)  # the part is kept: the next install resumes it
                    ctx.check()
                if item is None or not item.state.active:
                    break
        finally:
            unsubscribe()
        if item is None:
            raise AppStoreError(f"{app.id}: the download was removed")
        if item.state != State.DONE:
            raise AppStoreError(item.error or f"{app.id}: the download was {item.state}")
        return self.finish(app, item, ctx, accept=accept)

    # -- the library --------------------------------------------------------------------------------
    def uninstall(self, store: str, app_id: str, *, keep_data: bool = False) -> InstalledApp:
        installed = self.library.get(store, app_id)
        if installed is None:
            raise NotFound(f"{shorten(app_id)} is not installed (see `installed`)")
        self.library.uninstall(store, app_id, keep_data=keep_data)
        return installed

    def installed(self) -> list[InstalledApp]:
        return self.library.installed()

    def updates(self, apps: Iterable[App]) -> list[Update]:
        return self.library.updates(apps)

    def store_removed(self, store: str) -> None:
        """Its apps stay installed and working; they get no more updates; its downloads stop."""
        self.library.mark_store_gone(store)
        queue = self._queue
        if queue is not None:
            for item in queue.items():
                if item.request.store_id == store:
                    queue.cancel(item.key)
                    queue.remove(item.key)

    def store_added(self, store: str) -> None:
        """A store trusted (again) under this id: its installed apps get updates from it."""
        self.library.mark_store_back(store)

    def close(self) -> None:
        """Pause running downloads (their partial files are kept) and close the database."""
        with self._lock:
            queue, library = self._queue, self._library
            self._queue = self._library = None
        if queue is not None:
            queue.close()
        if library is not None:
            library.close()
