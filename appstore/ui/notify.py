"""Desktop notifications: through the freedesktop notification service
(``org.freedesktop.Notifications`` on the session bus) where there is one, else as a message
of imapp's tray icon, else not at all (docs/architecture.md, "On the desktop").

A notification is shown only while imapp's window is not in front (hidden in the tray,
minimised, or another window active), as GNOME Software does: in front, the window's status
bar, badges and pages already say it. Each kind can be turned off in Settings.

The D-Bus call runs on a worker (the ``io`` lane; the GUI thread never waits for the bus). It
is made with jeepney rather than QtDBus: PySide6 cannot give a Python int the D-Bus type
``u``, nor an empty list the type ``as``, so QtDBus sends ``Notify`` with the signature
``sisssava{sv}i``, which notification services refuse.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from appstore.core.jobs import JobContext
from appstore.core.logs import log
from appstore.core.resources import RESOURCES
from appstore.ui.desktopoptions import DesktopOptions

if TYPE_CHECKING:
    from appstore.ui.jobs import JobManager

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
SIGNATURE = "susssasa{sv}i"
DESKTOP_ID = "org.imapp.desktop"
# (core/desktop.py names both too: APP_ID, APP_ICON; it imports subprocess, which a start avoids)
ICON_FILE = RESOURCES / "desktop" / f"{DESKTOP_ID}.svg"
CALL_TIMEOUT_S = 5.0  # a service started on demand by the bus takes a moment
MAX_BODY = 600


@dataclass(frozen=True)
class Notice:
    """One notification. ``kind``: one of ``desktopoptions.NOTICE_KINDS`` ("" for imapp's own
    word about itself, always shown); ``page``: the page that shows what it is about."""

    kind: str
    summary: str
    body: str
    page: str = ""


class NotifyFailed(Exception):
    """No notification service answered (no session bus, or nobody owns the name)."""


def _icon() -> str:
    """A file for the service to show (imapp's desktop icon, once installed, by its name)."""
    return str(ICON_FILE) if ICON_FILE.is_file() else DESKTOP_ID


def dbus_notify(summary: str, body: str, icon: str) -> int:
    """Call ``Notify`` on the session bus (blocks: on a worker). The notification's id."""
    try:
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg
    except ImportError:
        raise NotifyFailed("jeepney (the D-Bus client) is not installed") from None

    hints = {"desktop-entry": ("s", DESKTOP_ID)}
    call = new_method_call(DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE), "Notify",
                           SIGNATURE, ("imapp", 0, icon, summary, body, [], hints, -1))
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(call, timeout=CALL_TIMEOUT_S)
        return int(unwrap_msg(reply)[0])
    except DBusErrorResponse as e:
        raise NotifyFailed(f"{e.name}: {' '.join(map(str, e.data))[:200]}") from None
    except (OSError, KeyError, ValueError, TimeoutError) as e:  # no bus ($DBUS_SESSION_BUS_ADDRESS)
        raise NotifyFailed(f"no session bus: {type(e).__name__}: {e}"[:200]) from None


class Notifier(QObject):
    """Sends ``Notice``s. ``window()`` is the main window now (a language switch replaces it);
    ``tray_icon`` is set by the tray when the desktop has one.

    Signals: ``delivered(Notice, str)`` how a notice went out: ``"dbus"``, ``"tray"``, or
    ``"none"`` (no service and no tray); ``skipped(Notice, str)`` a notice not shown, and why
    (``"off"``: its kind is turned off; ``"in front"``: the window is in front; ``"quiet"``:
    ``quiet`` is set, as for a screenshot)."""

    delivered = Signal(object, str)
    skipped = Signal(object, str)

    def __init__(self, jobs: JobManager, options: DesktopOptions, window: Callable[[], QWidget | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.options = options
        self.window = window
        self.tray_icon: QSystemTrayIcon | None = None
        self.quiet = False  # (a screenshot notifies no one)
        # the freedesktop service (Linux and the BSDs); until it fails once
        self.use_bus = sys.platform not in ("win32", "darwin")
        self.icon = _icon()

    def in_front(self) -> bool:
        """The main window is shown, not minimised, and the active window."""
        w = self.window()
        return w is not None and w.isVisible() and not w.isMinimized() and w.isActiveWindow()

    def notify(self, notice: Notice) -> bool:
        """Show ``notice`` unless its kind is off or the window is in front; whether it goes out."""
        if self.quiet:
            self.skipped.emit(notice, "quiet")
            return False
        if notice.kind and not self.options.notifies(notice.kind):
            self.skipped.emit(notice, "off")
            return False
        if self.in_front():
            self.skipped.emit(notice, "in front")
            return False
        self.send(notice)
        return True

    def send(self, notice: Notice) -> None:
        """Send ``notice`` whatever the settings (on a worker; the tray's message otherwise)."""
        if not self.use_bus:
            self._by_tray(notice)
            return
        # The notification service reads the body as markup: a store's app names and titles
        # go as text, never as tags (an "&" would garble it, an <img> would load).
        import html  # (with its table of entities: not what a start needs)

        body = html.escape(notice.body[:MAX_BODY], quote=False)

        def call(ctx: JobContext) -> int | str:
            try:
                return dbus_notify(notice.summary, body, self.icon)
            except NotifyFailed as e:
                return str(e)

        def done(result: int | str) -> None:
            if isinstance(result, int):
                self.delivered.emit(notice, "dbus")
                return
            log.info("desktop notifications go through the tray: %s", result)
            self.use_bus = False  # (for the rest of this run)
            self._by_tray(notice)

        self.jobs.submit(call, lane="io", title="desktop notification", on_done=done)

    def _by_tray(self, notice: Notice) -> None:
        icon = self.tray_icon
        if icon is not None and icon.isVisible() and QSystemTrayIcon.supportsMessages():
            icon.showMessage(notice.summary, notice.body[:MAX_BODY],
                             QSystemTrayIcon.MessageIcon.Information, 8000)
            self.delivered.emit(notice, "tray")
        else:
            self.delivered.emit(notice, "none")
