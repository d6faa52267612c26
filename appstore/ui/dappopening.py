"""Opening apps from the GUI: an installed web DApp or a link DApp in the DApp host (the
system browser where QtWebEngine cannot run), counting the ``open`` activity; and the host's
side of the wallet (``window.imapp``). Part of ``InstallController`` (``installs.py``), which
owns the host so DApp windows outlive a rebuild of the main window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QObject, SignalInstance
from PySide6.QtGui import QPixmap

from appstore.core.catalog.models import App, localized
from appstore.core.errors import AppStoreError
from appstore.ui import texts
from appstore.ui.appstate import app_key
from appstore.ui.controller import Controller
from appstore.ui.widgets import open_link

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from appstore.core.library import InstalledApp
    from appstore.ui.host import DAppHost
    from appstore.ui.host.walletaccess import WalletAccess


class DAppOpening:
    """``InstallController``'s opening half (a mixin: the same object, its signals and state)."""

    controller: Controller
    installed: dict[str, InstalledApp]
    failed: SignalInstance
    show_app_page: SignalInstance
    wallet_changed: SignalInstance
    open_url: Callable[[QUrl], Any]
    icon_for: Callable[[App], QPixmap | None]
    _host: DAppHost | None
    _host_warned: bool
    _wallet_access: WalletAccess | None
    _account: str | None

    def _me(self) -> QObject:
        return cast(QObject, self)  # (the InstallController: the parent of what it makes)

    @property
    def wallet_access(self) -> WalletAccess:
        """Answers ``window.imapp`` for every DApp page (made when first needed)."""
        if self._wallet_access is None:
            from appstore.ui.host.walletaccess import WalletAccess

            access = self._wallet_access = WalletAccess(self.controller, self._me())
            access.wallet_changed.connect(self.wallet_changed)
            if self._account is not None:
                access.account_seen(self._account)
        return self._wallet_access

    def account_seen(self, address: str) -> None:
        """The wallet's account is ``address`` (``WalletAccess.account_seen``)."""
        self._account = address
        if self._wallet_access is not None:
            self._wallet_access.account_seen(address)

    def host(self) -> DAppHost | None:
        """The DApp host, made on first use; None (said once) where QtWebEngine cannot run:
        then DApps open in the system browser."""
        from appstore.ui.host import webengine_available, webengine_problem

        services = self.controller.services
        if self._host is None and services is not None and webengine_available():
            from appstore.ui.host import DAppHost

            self._host = DAppHost(services.paths, self._me(), wallet_access=self.wallet_access)
            self._host.failed.connect(self.failed)
            self._host.show_app_page.connect(self.show_app_page)
        if self._host is None and not self._host_warned and services is not None:
            self._host_warned = True
            self.failed.emit(QCoreApplication.translate(
                "InstallController", "%1: DApps open in your web browser instead").replace(
                "%1", webengine_problem() or QCoreApplication.translate(
                    "InstallController", "The DApp host cannot start")))
        return self._host

    def open_installed(self, installed: InstalledApp, app: App | None = None) -> None:
        """Open an installed web DApp, also one whose store was removed (no catalogue entry:
        it is named by its id), and count the ``open`` activity."""
        services = self.controller.services
        if services is None:
            return
        name = localized(app.name, texts.language()) if app is not None else installed.app_id
        icon = self.icon_for(app) if app is not None else None
        host = self.host()
        try:
            entry = services.installs.library.entry_path(installed)  # path work, no disk
            if host is None:
                from PySide6.QtCore import QUrl

                self.open_url(QUrl.fromLocalFile(str(entry)))
            else:
                host.open_installed(installed, entry, name, icon, installed.id)
        except AppStoreError as e:
            self.failed.emit(texts.error_text(e))
            return
        self.controller.record_open(installed.store, installed.app_id)

    def open(self, app: App) -> None:
        """Open an app: an installed web DApp, or a link DApp, in the DApp host (the system
        browser where the host cannot run), and count the ``open`` activity."""
        services = self.controller.services
        if services is None:
            return
        name = localized(app.name, texts.language())
        ref = app_key(app.store, app.id)
        host = self.host()
        try:
            if app.kind == "link":
                if host is None:
                    open_link(app.url)
                else:
                    host.open_link(app, name, self.icon_for(app), ref)
            else:
                installed = self.installed.get(ref)
                if installed is not None:
                    self.open_installed(installed, app)
                return
        except AppStoreError as e:
            self.failed.emit(texts.error_text(e))
            return
        from appstore.core.activity import Activity

        self.controller.record(Activity.OPEN, app)
