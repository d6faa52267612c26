"""imapp's tray icon, where the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``):
its tooltip and menu show the unread news, the updates available and today's IA, each opening
its page; Open imapp; Quit. Closing the window can keep imapp running there (an option), and
imapp can start hidden there (``--minimized``, or the option).

The menu and its counts exist without a tray too (the offscreen platform has none): only the
icon is missing then, and closing the window quits as usual.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from appstore.ui.desktopoptions import DesktopOptions
from appstore.ui.installs import InstallController
from appstore.ui.notices import ia_units
from appstore.ui.notify import DESKTOP_ID, ICON_FILE, Notice, Notifier

if TYPE_CHECKING:
    from appstore.ui.mainwindow import MainWindow

TELL_AFTER_MS = 300


def app_icon() -> QIcon:
    """imapp's icon: the installed theme's, else the one shipped, else a drawn one."""
    if QIcon.hasThemeIcon(DESKTOP_ID):
        return QIcon.fromTheme(DESKTOP_ID)
    if ICON_FILE.is_file():
        return QIcon(str(ICON_FILE))
    pix = QPixmap(64, 64)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#2563eb"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(2, 2, 60, 60, 14, 14)
    font = QFont()
    font.setPixelSize(40)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, "i")
    p.end()
    return QIcon(pix)


def ia_today(snapshot: Any) -> int | None:
    """The change of the IA balance today (UTC, the stores' day) in base units, from a
    ``WalletSnapshot``'s series: the balance before its first receipt, then after each one
    (``(time, balance)``, oldest first). None: no IA at all."""
    points = snapshot.series.get("IA")
    if ia_units(snapshot) is None or points is None:
        return None
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    if len(points) < 2 or not points[-1][0].startswith(today):
        return 0
    first = next(i for i in range(1, len(points)) if points[i][0].startswith(today))
    return int(points[-1][1] - points[first - 1][1])


class Tray(QObject):
    """The tray icon (``icon``: None where the desktop has no tray) and its menu.
    Signals: ``open_page(str)`` show the window on this page ("": as it was)."""

    open_page = Signal(str)

    def __init__(self, app: QApplication, options: DesktopOptions, notifier: Notifier,
                 installs: InstallController, *, available: bool | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.options = options
        self.notifier = notifier
        self.installs = installs
        self.window: MainWindow | None = None
        self.news: int | None = None  # unknown until the news are counted
        self.updates = 0
        self.ia: tuple[int, int] | None = None  # (today's change, decimals)
        self.menu = QMenu()
        self.open_action = self.menu.addAction("")
        self.open_action.triggered.connect(lambda: self.open_page.emit(""))
        self.menu.addSeparator()
        self.news_action = self.menu.addAction("")
        self.news_action.triggered.connect(lambda: self.open_page.emit("news"))
        self.updates_action = self.menu.addAction("")
        self.updates_action.triggered.connect(lambda: self.open_page.emit("library"))
        self.ia_action = self.menu.addAction("")
        self.ia_action.triggered.connect(lambda: self.open_page.emit("wallet"))
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("")
        self.quit_action.triggered.connect(QApplication.quit)
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable() if available is None else available:
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()
            notifier.tray_icon = self.icon
        installs.library_changed.connect(self._library)
        self.retranslate()

    @property
    def active(self) -> bool:
        """The icon is in the tray (so a hidden window can be found again)."""
        return self.icon is not None and self.icon.isVisible()

    def attach(self, window: MainWindow) -> None:
        """Count this window's news and wallet, and keep imapp running when it is closed (if
        so chosen). A language switch makes a new window: the old one is let go."""
        if self.window is not None:
            self.window.removeEventFilter(self)
        self.window = window
        window.installEventFilter(self)
        window.news.unread_changed.connect(self._news)
        if window.news.unread or self.news is not None:
            self._news(window.news.unread)
        window.wallet.changed.connect(self._wallet)
        if window.wallet.snapshot is not None:
            self._wallet(window.wallet.snapshot)
        self.retranslate()

    def hide_window(self) -> None:
        """Start hidden in the tray: no window until the user asks for it."""
        self.app.setQuitOnLastWindowClosed(False)  # (a DApp window closed is not the end)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_page.emit("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            # The window closes (it is only hidden): the app goes on in the tray, or ends with it.
            # (Quitting closes every window too: that close is let through, and the app ends.)
            keep = self.active and self.options.close_to_tray
            self.app.setQuitOnLastWindowClosed(not keep)
            if keep and not self.options.told_close_to_tray:
                QTimer.singleShot(TELL_AFTER_MS, self, self._tell)  # (a quit ends the app first)
        return False

    def _tell(self) -> None:
        """The first time the window closes into the tray, say where imapp went."""
        if self.window is not None and not self.window.isVisible() and not self.options.told_close_to_tray:
            self.options.told_close_to_tray = True
            self.notifier.send(Notice("", self.tr("imapp is still running"), self.tr(
                "It keeps running in the tray. To quit, choose Quit in its menu.")))

    # -- counts --------------------------------------------------------------------------------
    def _news(self, unread: int) -> None:
        self.news = unread
        self.retranslate()

    def _library(self) -> None:
        self.updates = len(self.installs.updates)
        self.retranslate()

    def _wallet(self, snapshot: Any) -> None:
        today, ia = ia_today(snapshot), ia_units(snapshot)
        self.ia = (today, ia[1]) if today is not None and ia is not None else None
        self.retranslate()

    def texts(self) -> tuple[str, str, str]:
        """The menu's three counts, as shown."""
        from appstore.core.wallet.amounts import format_amount

        news = self.tr("Unread news: %1").replace("%1", "—" if self.news is None else str(self.news))
        updates = self.tr("Updates available: %1").replace("%1", str(self.updates))
        if self.ia is None:
            amount = "—"
        else:
            amount = format_amount(self.ia[0], self.ia[1])
            amount = amount if amount.startswith("-") else "+" + amount
        return news, updates, self.tr("IA today: %1").replace("%1", amount)

    def retranslate(self) -> None:
        """Texts in the language now in use, with the counts as they are."""
        self.open_action.setText(self.tr("Open imapp"))
        self.quit_action.setText(self.tr("Quit"))
        news, updates, ia = self.texts()
        self.news_action.setText(news)
        self.updates_action.setText(updates)
        self.ia_action.setText(ia)
        if self.icon is not None:
            self.icon.setToolTip("\n".join(("imapp", news, updates, ia)))
