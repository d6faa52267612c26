"""The GUI's side of getting apps: what state each app is in (queued, downloading 43 %,
paused, verifying, installing, installed, update available, failed and why: ``appstate.py``),
and the actions that change it; opening apps is ``dappopening.py``. All work runs as jobs;
downloads run in the core's queue, whose reports reach the GUI thread through a queued signal."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QDesktopServices, QPixmap

from appstore.core.catalog.models import App
from appstore.core.errors import NotFound
from appstore.core.jobs import JobContext
from appstore.core.store.manager import CatalogView
from appstore.ui.appstate import BUSY, AppState, Phase, app_key, download_phases, parse_key
from appstore.ui.controller import Controller
from appstore.ui.dappopening import DAppOpening

# The core's downloads and installs, the DApp host's side of the wallet: loaded when the first
# download, installed app or DApp needs them (a start shows the catalogue without them).
if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from appstore.core.downloads import DownloadItem
    from appstore.core.installs import Finished
    from appstore.core.library import InstalledApp, Update
    from appstore.ui.host import DAppHost
    from appstore.ui.host.walletaccess import WalletAccess

# (the pages import these from here)
__all__ = ["BUSY", "AppState", "InstallController", "Phase", "app_key", "parse_key"]


LATE_FLUSH_MS = 5000  # how long Chromium may still write a released profile's storage

class InstallController(QObject, DAppOpening):
    """Signals: ``changed(str)`` the ``STORE/APP_ID`` whose state changed (``""``: several);
    ``downloads_changed()`` the list of downloads changed; ``library_changed()`` the installed
    apps or their updates changed; ``failed(str)`` a message for the banner;
    ``show_app_page(str)`` a DApp window's "app page" button: the ref of the page to show.

    It owns the DApp host, so DApp windows outlive the main window's rebuild on a language
    change, and ``wallet_access`` (``window.imapp`` for every DApp page), made on first use:
    ``wallet_changed()`` relays its signal of that name."""

    changed = Signal(str)
    downloads_changed = Signal()
    library_changed = Signal()
    failed = Signal(str)
    show_app_page = Signal(str)
    wallet_changed = Signal()
    _from_queue = Signal(object)

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self.jobs = controller.jobs
        self.items: dict[str, DownloadItem] = {}  # by download key
        self.installed: dict[str, InstalledApp] = {}  # by STORE/APP_ID
        self.updates: dict[str, Update] = {}
        self.history: list[Finished] = []  # installed downloads, newest first
        self.loaded = False  # the installed apps have been read once
        self._preparing: set[str] = set()
        self._installing: set[str] = set()
        self._errors: dict[str, str] = {}
        self._dropped: set[str] = set()  # downloads forgotten (cancelled, installed) until asked again
        self._attached = False
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl  # the system browser
        self.icon_for: Callable[[App], QPixmap | None] = lambda app: None  # the window sets it
        self._host: DAppHost | None = None
        self._host_warned = False
        self._wallet_access: WalletAccess | None = None
        self._account: str | None = None  # the wallet's account, as last seen
        self._from_queue.connect(self._item_changed)
        # after the first catalogue is on screen: the library is not what a start waits for
        controller.ready.connect(lambda: QTimer.singleShot(0, self._attach))
        controller.catalog_changed.connect(lambda _: self.reload())
        if controller.services is not None:
            self._attach()

    # -- state -----------------------------------------------------------------------------------
    def state(self, app: App) -> AppState:
        key = app_key(app.store, app.id)
        if app.kind == "link":
            return AppState(Phase.LINK)
        installed = self.installed.get(key)
        update = self.updates.get(key)
        item = self._item_for(key)
        if key in self._installing:
            return AppState(Phase.INSTALLING, 1.0, installed, update, item)
        if key in self._preparing:
            return AppState(Phase.PREPARING, 0.0, installed, update, item)
        if item is not None and item.state in download_phases():
            phase = download_phases()[item.state]
            return AppState(phase, item.progress.fraction, installed, update, item, item.error)
        if key in self._errors:
            return AppState(Phase.FAILED, 0.0, installed, update, item, self._errors[key])
        if update is not None:
            return AppState(Phase.UPDATE, 0.0, installed, update)
        if installed is not None:
            return AppState(Phase.INSTALLED, 1.0, installed)
        return AppState(Phase.AVAILABLE)

    def _item_for(self, key: str) -> DownloadItem | None:
        found = None
        for item in self.items.values():
            parsed = parse_key(item.key)
            if parsed and app_key(parsed[0], parsed[1]) == key:
                found = item if found is None or item.version > found.version else found
        return found

    def downloads(self) -> list[DownloadItem]:
        """Every download the queue knows, in the order they were added."""
        return list(self.items.values())

    # -- loading ---------------------------------------------------------------------------------
    def _attach(self) -> None:
        services = self.controller.services
        if services is None or self._attached:
            return
        self._attached = True

        def attach(ctx: JobContext) -> list[DownloadItem]:
            queue = services.installs.queue  # restores the last run's downloads
            queue.subscribe(self._from_worker)
            return queue.items()

        def attached(items: list[DownloadItem]) -> None:
            for item in items:
                self._item_changed(item)
            self.downloads_changed.emit()

        self.jobs.submit(attach, lane="library", title="open downloads", on_done=attached,
                         on_error=self._failed)
        self.reload()

    def _drop(self, item: DownloadItem) -> None:
        """Forget a download (cancelled, or installed): later reports about it are stale."""
        self._dropped.add(item.key)
        self.items.pop(item.key, None)
        self.downloads_changed.emit()
        parsed = parse_key(item.key)
        self.changed.emit(app_key(parsed[0], parsed[1]) if parsed else "")

    def _from_worker(self, item: DownloadItem) -> None:
        with contextlib.suppress(RuntimeError):  # the GUI is gone
            self._from_queue.emit(item)

    def reload(self) -> None:
        """Read the installed apps and their updates again (after a change, or a new catalogue)."""
        services = self.controller.services
        if services is None:
            return
        view = self.controller.view

        def load(ctx: JobContext) -> tuple[list[InstalledApp], list[Update], list[Finished]]:
            installs = services.installs
            installed = installs.installed()
            apps = view.apps_at((a.store, a.app_id) for a in installed) if view is not None else []
            return installed, installs.updates(apps), installs.history()

        self.jobs.submit(load, lane="library", title="read library", on_done=self._loaded,
                         on_error=self._failed)

    def _loaded(self, result: tuple[list[InstalledApp], list[Update], list[Finished]]) -> None:
        from appstore.core.downloads import State

        installed, updates, history = result
        self.loaded = True
        self.installed = {a.id: a for a in installed}
        self.updates = {u.id: u for u in updates}
        self.history = history
        self.library_changed.emit()
        self.downloads_changed.emit()
        self.changed.emit("")
        for item in list(self.items.values()):  # downloaded before the catalogue was there
            parsed = parse_key(item.key)
            if item.state == State.DONE and parsed:
                key = app_key(parsed[0], parsed[1])
                if key not in self._installing:
                    self._install(key, item)

    def _item_changed(self, item: DownloadItem) -> None:
        from appstore.core.downloads import State

        old = self.items.get(item.key)
        if old is not None and old.version > item.version:
            return  # a stale report overtaken by a newer one
        if item.key in self._dropped:
            return  # about a download already cancelled or installed
        if item.state == State.CANCELLED:
            self._drop(item)
            return
        new_key = old is None
        self.items[item.key] = item
        parsed = parse_key(item.key)
        key = app_key(parsed[0], parsed[1]) if parsed else ""
        if item.state == State.DONE and parsed and key not in self._installing:
            self._install(key, item)
        if new_key or old is None or old.state != item.state:
            self.downloads_changed.emit()
        self.changed.emit(key)

    # -- actions ---------------------------------------------------------------------------------
    def _view(self) -> CatalogView | None:
        return self.controller.view

    def _app(self, key: str) -> App | None:
        view = self._view()
        if view is None:
            return None
        try:
            return view.find(key).app
        except NotFound:  # gone from the catalogue: nothing to install
            return None

    def install(self, app: App, version: str | None = None, *, accept: tuple[str, ...] = ()) -> None:
        """Download (then install) ``app``: its newest version, or ``version``. ``accept``: the
        permissions the user has just agreed to in the consent dialog, recorded first."""
        services = self.controller.services
        key = app_key(app.store, app.id)
        if services is None or key in self._preparing:
            return
        self._preparing.add(key)
        self._errors.pop(key, None)
        self.changed.emit(key)

        def done(item: DownloadItem) -> None:
            self._preparing.discard(key)
            self._dropped.discard(item.key)  # asked for again: its reports count again
            # reports that came before this one were ignored: take the queue's latest word
            # (in memory: no disk or network on the GUI thread)
            self._item_changed(services.installs.queue.get(item.key) or item)
            self.downloads_changed.emit()
            if accept:
                self.reload()  # what the user accepted is recorded: the update no longer waits

        def failed(message: str, error: BaseException) -> None:
            from appstore.core.library import PermissionsNeeded

            self._preparing.discard(key)
            if isinstance(error, PermissionsNeeded):  # it waits for consent: its page says so
                self.reload()
            else:
                self._errors[key] = message
            self.changed.emit(key)

        def start(ctx: JobContext) -> DownloadItem:
            if accept:
                services.installs.accept(app.store, app.id, accept)
            return services.installs.start(app, version)

        self.jobs.submit(start, lane="io", title="prepare download", key=key, on_done=done,
                         on_error=failed)

    def act(self, app: App) -> None:
        """What the app's main button does now: Install, Update, Open, Pause, Resume, Retry, or
        visit a link DApp (the app page's button and the cards' share this)."""
        s = self.state(app)
        if s.phase is Phase.UPDATE and s.update is not None and s.update.waits:
            self.show_app_page.emit(app_key(app.store, app.id))  # where the user reviews it
        elif s.phase in (Phase.AVAILABLE, Phase.UPDATE):
            self.install(app)
        elif s.phase is Phase.INSTALLED or s.phase is Phase.LINK:
            self.open(app)
        elif s.phase is Phase.DOWNLOADING and s.item is not None:
            self.pause(s.item.key)
        elif s.phase is Phase.PAUSED and s.item is not None:
            self.resume(s.item.key)
        elif s.phase is Phase.FAILED:
            self.clear_error(app_key(app.store, app.id))
            if s.item is not None:
                self.retry(s.item.key)
            else:
                self.install(app)

    def update_all(self) -> list[Update]:
        """Update every app whose update asks for nothing more; the updates that wait for the
        user's consent are left alone and returned."""
        waiting = []
        for update in list(self.updates.values()):
            app = self._app(update.id)
            if update.waits:
                waiting.append(update)
            elif app is not None:
                self.install(app)
        return waiting

    def _install(self, key: str, item: DownloadItem) -> None:
        services = self.controller.services
        app = self._app(key)
        if services is None or app is None:
            return
        self._installing.add(key)
        self.changed.emit(key)

        def install(ctx: JobContext) -> InstalledApp:
            return services.installs.finish(app, item, ctx)

        def installed(done: InstalledApp) -> None:
            self._installing.discard(key)
            self._drop(item)
            self.reload()
            if self._host is not None:  # an open window now shows the new version
                self._host.updated(done, services.installs.library.entry_path(done))

        def failed(message: str, error: BaseException) -> None:
            from appstore.core.library import PermissionsNeeded

            self._installing.discard(key)
            if isinstance(error, PermissionsNeeded):
                self.reload()  # not an error: the update waits for consent (its page says so)
            else:
                self._errors[key] = message
            self._drop(item)
            self.jobs.submit(lambda ctx: services.installs.abandon(item), lane="library",
                             title="forget refused download", on_error=self._failed)

        self.jobs.submit(install, lane="library", title="install", key=key, on_done=installed,
                         on_error=failed)

    def _queue_action(self, action: Callable[[Any], Any], title: str) -> None:
        services = self.controller.services
        if services is not None:
            self.jobs.submit(lambda ctx: action(services.installs.queue), lane="io", title=title,
                             on_error=self._failed)

    def pause(self, download_key: str) -> None:
        self._queue_action(lambda q: q.pause(download_key), "pause download")

    def resume(self, download_key: str) -> None:
        self._queue_action(lambda q: q.resume(download_key), "resume download")

    def retry(self, download_key: str) -> None:
        self._queue_action(lambda q: q.retry(download_key), "retry download")

    def cancel(self, download_key: str) -> None:
        def cancel(q: Any) -> None:
            q.cancel(download_key)
            q.remove(download_key)

        self._queue_action(cancel, "cancel download")
        item = self.items.get(download_key)
        if item is not None:
            self._drop(item)  # at once: the queue's own report follows

    def pause_all(self) -> None:
        self._queue_action(lambda q: q.pause_all(), "pause downloads")

    def resume_all(self) -> None:
        self._queue_action(lambda q: q.resume_all(), "resume downloads")

    def clear_history(self) -> None:
        services = self.controller.services
        self.history = []
        self.downloads_changed.emit()
        if services is not None:
            self.jobs.submit(lambda ctx: services.installs.clear_history(), lane="library",
                             title="clear download history", on_error=self._failed)

    def clear_error(self, key: str) -> None:
        if self._errors.pop(key, None) is not None:
            self.changed.emit(key)

    def uninstall(self, store: str, app_id: str, *, keep_data: bool) -> None:
        services = self.controller.services
        if services is None:
            return
        key = app_key(store, app_id)
        for item in list(self.items.values()):  # an update on its way must not bring it back
            parsed = parse_key(item.key)
            if parsed and app_key(parsed[0], parsed[1]) == key:
                self.cancel(item.key)
        if self._host is not None:
            self._host.release(store, app_id)  # its window closes and its profile lets go

        def done(_: object) -> None:
            self.reload()
            if not keep_data:
                # Chromium may still flush the closed profile's storage for a moment after it
                # let go, and would put a folder back: look again once it has surely finished.
                QTimer.singleShot(LATE_FLUSH_MS, lambda: self._forget_data(store, app_id))

        self.jobs.submit(lambda ctx: services.installs.uninstall(store, app_id, keep_data=keep_data),
                         lane="library", title="uninstall", key=key, on_done=done,
                         on_error=self._failed)

    def _forget_data(self, store: str, app_id: str) -> None:
        services = self.controller.services
        if services is None or app_key(store, app_id) in self.installed:
            return  # installed again meanwhile: its data is its own now

        def forget(ctx: JobContext) -> None:
            folder = services.installs.library.app_data_dir(store, app_id)
            if services.installs.library.get(store, app_id) is None:
                shutil.rmtree(folder, ignore_errors=True)

        self.jobs.submit(forget, lane="library", title="forget app data", on_error=self._failed)

    def _failed(self, message: str, _: BaseException) -> None:
        self.failed.emit(message)
