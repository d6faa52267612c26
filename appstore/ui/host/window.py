"""A DApp's window: its page under a slim chrome (icon and name, where it is, back, forward,
reload, zoom, its app page), a page of its own when the DApp cannot be reached (with Retry), and
developer tools on F12."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import Qt, QTimer, QUrl, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QPixmap
from PySide6.QtWebEngineCore import (
    QWebEngineLoadingInfo,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.host import Feature, Kind
from appstore.core.logs import log
from appstore.ui.host.bridge import DAppBridge, WalletRequests, attach_bridge, forbid_webrtc
from appstore.ui.host.chromeicons import chrome_icon
from appstore.ui.host.page import DAppPage
from appstore.ui.host.profile import DAppProfile

ZOOMS = (0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
ERR_ABORTED = -3  # Chromium: a load replaced by another, or refused by the host: not a failure
ICON_SIZE = 20


class ProblemPage(QWidget):
    """Shown instead of the page when it cannot load: what happened, and Retry."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("dappProblemTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retry)
        box = QVBoxLayout(self)
        box.addStretch(2)
        for w in (self.title, self.detail):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(w)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.retry_button)
        row.addStretch()
        box.addSpacing(12)
        box.addLayout(row)
        box.addStretch(3)

    def show_problem(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.retry_button.setEnabled(True)


class DevToolsWindow(QWebEngineView):
    """Chromium's developer tools for one DApp page, in a window of their own."""

    closing = Signal()

    def __init__(self, profile: QWebEngineProfile) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setPage(QWebEnginePage(profile, self))
        self.resize(900, 600)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.closing.emit()
        super().closeEvent(event)


class WindowOwner(Protocol):
    """What a DApp window asks of the host that made it (``host.WindowHost``), declared here so
    this module does not import the host, which is built on it."""

    wallet_access: WalletRequests | None
    quit_requested: SignalInstance  # Ctrl+Q in a DApp's window: imapp quits
    ask_leave: Callable[[QWidget | None, str, str], bool]
    open_external: Callable[[QUrl], Any]
    ask_permission: Callable[[QWidget | None, str, str], bool]

    def popup_window(self, opener: DAppWindow) -> DAppWindow: ...

    def devtools_profile(self) -> QWebEngineProfile: ...


class DAppWindow(QMainWindow):
    """One DApp (or a same-origin popup of it). Signals: ``loaded_ok(str key)`` after its first
    successful load; ``closed(DAppWindow)`` as it closes; ``app_page(str store_ref)``."""

    loaded_ok = Signal(str)
    closed = Signal(object)
    app_page = Signal(str)

    def __init__(self, host: WindowOwner, session: DAppProfile, name: str, icon: QPixmap | None,
                 store_ref: str, *, popup: bool = False) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.host = host
        self.session = session
        self.identity = session.identity
        self.key = self.identity.key
        self.name = name
        self.icon = icon
        self.store_ref = store_ref
        self.popup = popup
        self._loaded_once = False
        self._asking = False
        self._failed_url: QUrl | None = None
        self._devtools: DevToolsWindow | None = None
        self.setObjectName("dappWindow")
        self.setWindowTitle(name)
        if icon is not None and not icon.isNull():
            self.setWindowIcon(QIcon(icon))

        self.view = QWebEngineView(self)
        self.page = DAppPage(session.profile, session.policy, self.view)
        self.bridge = DAppBridge(self.identity, self.page, access=host.wallet_access, name=name, icon=icon,
                                 window=self._alive)
        if host.wallet_access is not None:
            host.wallet_access.notice.connect(self._notice)
        self.channel = attach_bridge(self.page, self.bridge)
        if not session.policy.network:
            forbid_webrtc(self.page)
        self.view.setPage(self.page)
        self.problem = ProblemPage(self)
        self.problem.retry.connect(self.retry)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.problem)
        self.setCentralWidget(self.stack)
        self._build_chrome()

        page = self.page
        page.leave_requested.connect(self._leave, Qt.ConnectionType.QueuedConnection)
        page.permission_asked.connect(self._ask_permission, Qt.ConnectionType.QueuedConnection)
        page.popup_requested.connect(self._popup)
        page.loadingChanged.connect(self._loading_changed)
        page.urlChanged.connect(self._url_changed)
        page.zoomFactorChanged.connect(lambda _: self._update_zoom())
        page.windowCloseRequested.connect(lambda: QTimer.singleShot(0, self.close))
        page.renderProcessTerminated.connect(self._crashed)
        self.resize(1100, 760)

    @property
    def loaded(self) -> bool:
        """Whether its page has loaded once."""
        return self._loaded_once

    def _alive(self) -> QWidget | None:
        return self if shiboken6.isValid(self) and self.isVisible() else None

    def _notice(self, key: str, text: str) -> None:
        if key == self.key:
            self.statusBar().showMessage(text, 10000)

    # -- chrome ----------------------------------------------------------------------------------
    def _build_chrome(self) -> None:
        bar = QToolBar(self.tr("Navigation"), self)
        bar.setObjectName("dappChrome")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.addToolBar(bar)

        self.back_action = self._action(self.tr("Back"), self.view.back,
                                        [QKeySequence.StandardKey.Back], "back")
        self.forward_action = self._action(self.tr("Forward"), self.view.forward,
                                           [QKeySequence.StandardKey.Forward], "forward")
        self.reload_action = self._action(self.tr("Reload"), self.reload,
                                          [QKeySequence.StandardKey.Refresh, "Ctrl+R"], "reload")
        for a in (self.back_action, self.forward_action, self.reload_action):
            bar.addAction(a)

        bar.addWidget(self._build_title())
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)

        self._build_zoom(bar)
        bar.addSeparator()
        self.app_page_button = QToolButton()
        self.app_page_button.setText(self.tr("App page"))
        self.app_page_button.setToolTip(self.tr("Its page in the store"))
        self.app_page_button.clicked.connect(lambda: self.app_page.emit(self.store_ref))
        bar.addWidget(self.app_page_button)
        self.devtools_action = self._action(self.tr("Developer tools"), self.toggle_devtools, ["F12"])
        self.close_action = self._action(self.tr("Close"), self.close, [QKeySequence.StandardKey.Close])
        # Ctrl+Q quits imapp from a DApp's window too (imapp's own process, through the host);
        # a shortcut only, shown nowhere
        self.quit_action = QAction(self)
        self.quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit))
        self.quit_action.triggered.connect(self.host.quit_requested)
        self.addAction(self.quit_action)
        self._update_nav()
        self._update_zoom()

    def _action(self, text: str, slot: object, keys: list[QKeySequence.StandardKey | str],
                icon: str | None = None) -> QAction:
        """An action with its shortcuts (in its tooltip too) and, in the bar, its icon."""
        a = QAction(text, self)
        if icon is not None:
            a.setIcon(chrome_icon(icon, self.palette()))
        sequences: list[QKeySequence] = []
        for k in keys:
            sequences += [QKeySequence(k)] if isinstance(k, str) else QKeySequence.keyBindings(k)
        a.setShortcuts(sequences)
        a.setToolTip(f"{text} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                     if keys else text)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work wherever the focus is in the window
        return a

    def _build_title(self) -> QWidget:
        """The DApp's icon and name, and where the page really is."""
        self.icon_label = QLabel()
        if self.icon is not None and not self.icon.isNull():
            self.icon_label.setPixmap(self.icon.scaled(
                ICON_SIZE, ICON_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        self.name_label = QLabel(self.name)
        self.name_label.setObjectName("dappName")
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.where_label = QLabel()  # where the page really is: its origin's host
        self.where_label.setObjectName("dappWhere")
        self.where_label.setEnabled(False)  # drawn muted
        title = QWidget()
        row = QHBoxLayout(title)
        row.setContentsMargins(8, 0, 8, 0)
        row.addWidget(self.icon_label)
        row.addWidget(self.name_label)
        row.addWidget(self.where_label)
        return title

    def _build_zoom(self, bar: QToolBar) -> None:
        """Zoom out, actual size and zoom in, shown as −, 100% and +."""
        self.zoom_out_action = self._action(self.tr("Zoom out"), self.zoom_out,
                                            [QKeySequence.StandardKey.ZoomOut])
        self.zoom_out_action.setText("−")
        self.zoom_reset_action = self._action(self.tr("Actual size"), self.zoom_reset, ["Ctrl+0"])
        self.zoom_reset_action.setText("100%")
        self.zoom_in_action = self._action(self.tr("Zoom in"), self.zoom_in,
                                           [QKeySequence.StandardKey.ZoomIn, "Ctrl+="])
        self.zoom_in_action.setText("+")
        for a in (self.zoom_out_action, self.zoom_reset_action, self.zoom_in_action):
            bar.addAction(a)

    def _update_nav(self) -> None:
        history = self.page.history()
        self.back_action.setEnabled(history.canGoBack())
        self.forward_action.setEnabled(history.canGoForward())

    def _update_zoom(self) -> None:
        factor = self.page.zoomFactor()
        self.zoom_reset_action.setText(f"{round(factor * 100)}%")
        self.zoom_out_action.setEnabled(factor > ZOOMS[0] + 1e-3)
        self.zoom_in_action.setEnabled(factor < ZOOMS[-1] - 1e-3)

    def _url_changed(self, url: QUrl) -> None:
        if self.identity.kind == Kind.LINK:
            where = url.host(QUrl.ComponentFormattingOption.FullyEncoded)  # punycode: no look-alikes
        else:
            where = self.identity.app_id
        self.where_label.setText(where)
        self._update_nav()

    # -- loading ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.page.load(QUrl(self.identity.start_url))

    def reload(self) -> None:
        if self.stack.currentWidget() is self.problem:
            self.retry()
        else:
            self.view.reload()

    def retry(self) -> None:
        self.problem.retry_button.setEnabled(False)
        self.page.load(self._failed_url or QUrl(self.identity.start_url))

    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        status = info.status()
        if status == QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus:
            self._failed_url = None
            self.stack.setCurrentWidget(self.view)
            self._update_nav()
            if not self._loaded_once:
                self._loaded_once = True
                self.loaded_ok.emit(self.key)
        elif status == QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            if info.isDownload() or info.errorCode() == ERR_ABORTED:
                return
            self._failed_url = info.url()
            log.info("dapp %s: %s failed to load: %s (%s)", self.key, info.url().toString()[:300],
                     info.errorString(), info.errorCode())
            self._show_problem(info.errorString())

    def _show_problem(self, error: str) -> None:
        if self.identity.kind == Kind.LINK:
            title = self.tr("%1 cannot be reached").replace("%1", self.name)
            detail = self.tr("You may be offline, or its website may be down.")
        else:
            title = self.tr("%1 could not be loaded").replace("%1", self.name)
            detail = self.tr("If this keeps happening, reinstall it from its app page.")
        self.problem.show_problem(title, f"{detail}\n\n{error}" if error else detail)
        self.stack.setCurrentWidget(self.problem)

    def _crashed(self, status: QWebEnginePage.RenderProcessTerminationStatus, code: int) -> None:
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return
        log.warning("dapp %s: its page stopped (%s, %s)", self.key, status, code)
        self._failed_url = self.page.url()
        self.problem.show_problem(self.tr("%1 stopped unexpectedly").replace("%1", self.name),
                                  self.tr("Retry to start it again."))
        self.stack.setCurrentWidget(self.problem)

    # -- zoom ------------------------------------------------------------------------------------
    def zoom_in(self) -> None:
        factor = self.page.zoomFactor()
        self.page.setZoomFactor(next((z for z in ZOOMS if z > factor + 1e-3), ZOOMS[-1]))

    def zoom_out(self) -> None:
        factor = self.page.zoomFactor()
        self.page.setZoomFactor(next((z for z in reversed(ZOOMS) if z < factor - 1e-3), ZOOMS[0]))

    def zoom_reset(self) -> None:
        self.page.setZoomFactor(1.0)

    # -- what needs the user -------------------------------------------------------------------
    def _leave(self, url: str) -> None:
        if self._asking:  # one question at a time: a page asking in a loop gets no pile of dialogs
            return
        self._asking = True
        try:
            agreed = self.host.ask_leave(self, self.name, url)
        finally:
            self._asking = False
        log.info("dapp %s: open outside %s: %s", self.key, url[:300], "yes" if agreed else "no")
        if agreed:
            self.host.open_external(QUrl.fromEncoded(url.encode("utf-8")))

    def _ask_permission(self, permission: QWebEnginePermission, features: tuple[Feature, ...]) -> None:
        agreed = all(self.host.ask_permission(self, self.name, str(f)) for f in features)
        if agreed:
            permission.grant()
        else:
            permission.deny()

    def _popup(self, request: QWebEngineNewWindowRequest) -> None:
        window = self.host.popup_window(self)
        request.openIn(window.page)
        window.show()

    # -- developer tools -----------------------------------------------------------------------
    def toggle_devtools(self) -> None:
        if self._devtools is not None:
            self._close_devtools()
            return
        view = DevToolsWindow(self.host.devtools_profile())
        view.setWindowTitle(self.tr("Developer tools: %1").replace("%1", self.name))
        view.closing.connect(self._close_devtools)
        self.page.setDevToolsPage(view.page())
        self._devtools = view
        view.show()

    @property
    def devtools(self) -> QWebEngineView | None:
        return self._devtools

    def _close_devtools(self) -> None:
        view, self._devtools = self._devtools, None
        if view is None:
            return
        self.page.setDevToolsPage(None)  # type: ignore[arg-type]  # unlinked before it goes
        view.closing.disconnect(self._close_devtools)
        view.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._close_devtools()
        self.closed.emit(self)
        super().closeEvent(event)
