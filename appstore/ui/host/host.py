"""The DApp windows of one process: opens installed and link DApps, one window per DApp, each in
its own profile. A DApp host process (``appstore.ui.host.process``) runs one ``WindowHost``;
imapp itself drives them through ``appstore.ui.host.hosts.DAppHost``."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEngineProfile, QWebEngineProfileBuilder
from PySide6.QtWidgets import QWidget

from appstore.core.catalog.models import App
from appstore.core.host import DAppIdentity, dapp_key, installed_identity, link_identity
from appstore.core.library import InstalledApp
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.ui.host import dialogs
from appstore.ui.host.bridge import WalletRequests
from appstore.ui.host.engine import register_schemes
from appstore.ui.host.profile import DAppProfile
from appstore.ui.host.window import DAppWindow


class WindowHost(QObject):
    """Opens DApps in this process. Signals: ``opened(str key)`` each time a DApp is opened (a new
    window, or one already open raised); ``loaded(str key)`` once a new window's page first
    loaded; ``closed(str key)`` its (main) window closed; ``show_app_page(str ref)`` its "App
    page" button; ``quit_requested()`` Ctrl+Q in a DApp's window (imapp quits); ``failed(str
    message)`` a problem after opening (a download that failed).
    ``open_installed``/``open_link`` raise ``HostError`` for a DApp they cannot open at all (a
    start page outside its folder, a link that is not https).

    What needs the user goes through attributes that can be replaced (tests do):
    ``ask_leave(parent, name, url) -> bool``, ``open_external(QUrl)``,
    ``ask_permission(parent, name, feature) -> bool``, ``ask_save(parent, path) -> str | None``.
    """

    opened = Signal(str)
    loaded = Signal(str)
    closed = Signal(str)
    show_app_page = Signal(str)
    quit_requested = Signal()
    failed = Signal(str)

    def __init__(self, paths: Paths, parent: QObject | None = None, *,
                 wallet_access: WalletRequests | None = None) -> None:
        register_schemes()  # before the first profile: QtWebEngine starts with it
        super().__init__(parent)
        _hosts.add(self)
        self.paths = paths
        self.wallet_access = wallet_access  # answers window.imapp (None: no wallet here)
        self.ask_leave: Callable[[QWidget | None, str, str], bool] = dialogs.ask_leave
        self.open_external: Callable[[QUrl], Any] = QDesktopServices.openUrl  # the system browser
        self.ask_permission: Callable[[QWidget | None, str, str], bool] = dialogs.ask_permission
        self.ask_save: Callable[[QWidget | None, str], str | None] = dialogs.ask_save
        self._profiles: dict[str, DAppProfile] = {}  # by key: kept warm while the host lives
        self._windows: dict[str, DAppWindow] = {}  # the main window of each open DApp
        self._popups: list[DAppWindow] = []
        self._devtools_profile: QWebEngineProfile | None = None
        app = QCoreApplication.instance()
        if app is not None:  # pages must go before their profiles: not in a random order at exit
            app.aboutToQuit.connect(self.close_all)

    # -- opening -----------------------------------------------------------------------------
    def open_installed(self, installed: InstalledApp, entry: Path, name: str, icon: QPixmap | None,
                       store_ref: str) -> QWidget:
        """Open an installed DApp (``entry``: ``Library.entry_path(installed)``), or raise its
        window if it is open."""
        return self.open(installed_identity(installed, entry), installed.folder, name, icon, store_ref)

    def open_link(self, app: App, name: str, icon: QPixmap | None, store_ref: str) -> QWidget:
        """Open a link DApp's website, or raise its window if it is open."""
        return self.open(link_identity(app), None, name, icon, store_ref)

    def open(self, identity: DAppIdentity, folder: Path | None, name: str, icon: QPixmap | None,
             store_ref: str) -> DAppWindow:
        """Open the DApp ``identity`` (an installed one served from ``folder``), or raise its
        window if it is open."""
        key = identity.key
        window = self._windows.get(key)
        if window is not None and window.session.retarget(identity, folder):  # (an update moved it)
            if window.isMinimized():
                window.showNormal()
            window.raise_()
            window.activateWindow()
            self.opened.emit(key)
            return window
        session = self._session(identity, folder)
        window = DAppWindow(self, session, name, icon, store_ref)
        window.loaded_ok.connect(self.loaded)
        window.app_page.connect(self.show_app_page)
        window.closed.connect(self._closed)
        self._windows[key] = window
        window.show()
        window.start()
        self.opened.emit(key)
        return window

    def _session(self, identity: DAppIdentity, folder: Path | None) -> DAppProfile:
        key = identity.key
        session = self._profiles.get(key)
        if session is not None and session.retarget(identity, folder):
            return session
        if session is not None:  # its permissions changed (an update): a profile that follows them
            for w in [w for w in self._all_windows() if w.key == key]:
                w.close()
            _flush_deletes()
            shiboken6.delete(session)
        session = DAppProfile(self.paths, identity, folder, self)
        session.profile.downloadRequested.connect(self._download)
        self._profiles[key] = session
        return session

    def updated(self, installed: InstalledApp, entry: Path) -> None:
        """``installed`` is a new version of a DApp that may be open: its windows now load the new
        version (the old folder is gone), or close if its permissions changed."""
        self.retarget(installed_identity(installed, entry), installed.folder)

    def retarget(self, identity: DAppIdentity, folder: Path | None) -> None:
        """``updated``, given the new version's identity and install folder."""
        session = self._profiles.get(identity.key)
        if session is None:
            return
        if session.retarget(identity, folder):
            for window in [w for w in self._all_windows() if w.key == identity.key]:
                window.start()
        else:
            self._session(identity, folder)  # closes them: a profile for the new rules

    def popup_window(self, opener: DAppWindow) -> DAppWindow:
        """A window for a same-origin popup of ``opener`` (the caller opens the request in it)."""
        window = DAppWindow(self, opener.session, opener.name, opener.icon, opener.store_ref, popup=True)
        window.app_page.connect(self.show_app_page)
        window.closed.connect(self._closed)
        self._popups.append(window)
        return window

    def _closed(self, window: DAppWindow) -> None:
        if self._windows.get(window.key) is window:
            del self._windows[window.key]
            self.closed.emit(window.key)
        if window in self._popups:
            self._popups.remove(window)

    def windows(self) -> list[QWidget]:
        """The open DApp windows (popups included)."""
        return list(self._all_windows())

    def _all_windows(self) -> list[DAppWindow]:
        return [*self._windows.values(), *self._popups]

    def window_for(self, key: str) -> DAppWindow | None:
        """The open window of the DApp ``STORE/APP_ID``."""
        return self._windows.get(key)

    def release(self, store: str, app_id: str) -> None:
        """Close the DApp's windows and let its profile go (its files are closed): call it before
        uninstalling the DApp, whose data folder is then removed."""
        key = dapp_key(store, app_id)
        for window in [w for w in self._all_windows() if w.key == key]:
            window.close()
        _flush_deletes()
        session = self._profiles.pop(key, None)
        if session is not None:
            shiboken6.delete(session)
            _flush_deletes()

    def close_all(self) -> None:
        """Close every DApp window, then release the profiles (their data stays on disk); a
        later open starts them again."""
        for window in self._all_windows():
            window.close()
        _flush_deletes()  # the pages go first: a profile must outlive its pages
        for session in self._profiles.values():
            shiboken6.delete(session)
        self._profiles.clear()
        if self._devtools_profile is not None:
            shiboken6.delete(self._devtools_profile)
            self._devtools_profile = None
        _flush_deletes()

    # -- services for the windows --------------------------------------------------------------
    def devtools_profile(self) -> QWebEngineProfile:
        """One off-the-record profile for every developer tools window."""
        if self._devtools_profile is None:
            self._devtools_profile = QWebEngineProfileBuilder().createOffTheRecordProfile(self)
        return self._devtools_profile

    def _download(self, request: QWebEngineDownloadRequest) -> None:
        window = next((w for w in self._all_windows() if w.page is request.page()), None)
        if window is None or request.isSavePageDownload():
            request.cancel()
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        suggested = str(Path(folder or Path.home()) / (request.downloadFileName() or "download"))
        path = self.ask_save(window, suggested)
        if not path:
            log.info("dapp %s: download of %s declined", window.key, request.downloadFileName())
            request.cancel()
            return
        chosen = Path(path)
        request.setDownloadDirectory(str(chosen.parent))
        request.setDownloadFileName(chosen.name)
        name = window.name

        def finished() -> None:
            if request.isFinished() and \
                    request.state() != QWebEngineDownloadRequest.DownloadState.DownloadCompleted:
                reason = request.interruptReasonString() or str(request.state())
                self.failed.emit(dialogs.HostTexts().download_failed(name, chosen.name, reason))

        request.isFinishedChanged.connect(finished)
        request.accept()
        log.info("dapp %s: download saved as %s", window.key, chosen)


_hosts: weakref.WeakSet[WindowHost] = weakref.WeakSet()


def close_all_hosts() -> None:
    """Close every DApp window and release every profile, pages first. The app does this on
    ``aboutToQuit``; a program that ends without quitting the application (a test run) must
    call it, or the interpreter's teardown may free a profile before its pages and crash."""
    for host in list(_hosts):
        with contextlib.suppress(RuntimeError):  # already deleted on the C++ side
            host.close_all()


def _flush_deletes() -> None:
    """Run pending ``deleteLater`` now (closed windows, with their pages)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
