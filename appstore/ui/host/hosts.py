"""The DApp host as imapp uses it: DApps run in host processes of their own (``process.py``),
one for DApps without ``network`` (``sealed``: no network exists there) and one for the others
(``network``), each started when its first DApp opens and kept while imapp runs (reopening is
warm). imapp keeps the library, the wallet and its window; a host process shows the DApps'
windows and asks their questions, and a crash there closes those windows, not imapp.

The wallet's seam crosses the pipe: each page of a host process has a ``RemoteBridge`` here,
which ``WalletAccess`` answers as it answers any page; its questions go back to the host
process, which asks them modal to the DApp's window.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication

import appstore
from appstore.core.catalog.models import App
from appstore.core.errors import AppStoreError
from appstore.core.host import DAppIdentity, HostError, dapp_key, installed_identity, link_identity
from appstore.core.host.policy import DAppPolicy
from appstore.core.host.provider import Code, ProviderError, methods_for
from appstore.core.host.wire import NETWORK, SEALED, WireError, identity_to_wire, number, text
from appstore.core.library import InstalledApp
from appstore.core.logs import log, report_bug
from appstore.core.paths import Paths
from appstore.core.wallet.seedpass import ENV_PASSPHRASE
from appstore.ui import texts, theme
from appstore.ui.host.channel import Channel, ProcessLink

if TYPE_CHECKING:
    from appstore.ui.host.confirm import WalletAsk
    from appstore.ui.host.walletaccess import WalletAccess

EXTERNAL = ("http", "https", "mailto")  # what a host process may hand to the system browser


def host_kind(identity: DAppIdentity) -> str:
    """The host process a DApp runs in: ``sealed`` without ``network``."""
    return NETWORK if DAppPolicy(identity).network else SEALED


class HostedWindow:
    """A DApp's window in a host process, as imapp sees it (the calls imapp makes on a window)."""

    def __init__(self, host: DAppHost, key: str, name: str, kind: str) -> None:
        self.host, self.key, self.name, self.kind = host, key, name, kind
        self.open = True

    def isVisible(self) -> bool:  # noqa: N802 - as a QWidget says it
        return self.open

    def close(self) -> None:
        self.host._send(self.kind, {"op": "close", "key": self.key})


class RemoteBridge(QObject):
    """One page of a host process, as ``WalletAccess`` sees it (what ``DAppBridge`` is for a
    page of this process). Signals: ``wallet_event(str name, str json)`` (sent to the page)."""

    wallet_event = Signal(str, str)

    def __init__(self, host: DAppHost, kind: str, page: int, identity: DAppIdentity, name: str) -> None:
        super().__init__(host)
        self.host, self.kind, self.page = host, kind, page
        self._identity = identity
        self.methods = methods_for(identity.permissions)
        self.name = name or identity.app_id
        self.icon: QPixmap | None = None  # the host process shows its own
        self.home = False  # the page was at the DApp's own origin when it asked (its process says)
        self.alive = True
        self.wallet_event.connect(lambda name_, value: self._send(
            {"op": "event", "page": page, "name": name_, "value": value}))

    @property
    def dapp(self) -> DAppIdentity:
        return self._identity

    def _send(self, message: dict[str, Any]) -> None:
        if self.alive:
            self.host._send(self.kind, message)

    def at_home(self) -> bool:
        return self.alive and self.home

    def window_widget(self) -> None:
        return None  # its window belongs to the host process

    def answer(self, request_id: int, *, result: Any = None, error: ProviderError | None = None) -> None:
        body = {"error": error.to_json()} if error is not None else {"result": result}
        self._send({"op": "answer", "page": self.page, "id": request_id, "body": json.dumps(body)})

    def question(self, ask: WalletAsk, answer: Callable[[bool], None], _local: object = None) -> bool:
        """Ask in the host process, modal to the page's window; False if the page is gone."""
        if not self.alive:
            return False
        number_ = next(self.host._ask_numbers)
        self.host._asks[number_] = (self.kind, answer)
        fields = {"kind": ask.kind, "store": ask.store, "account": ask.account,
                  "permissions": list(ask.permissions), "message": ask.message, "amount": ask.amount,
                  "payee": ask.payee, "memo": ask.memo, "after": ask.after}
        self._send({"op": "ask", "ask": number_, "page": self.page, "fields": fields})
        return True


class DAppHost(QObject):
    """Opens DApps in their host processes. Signals: ``opened(str key)`` a DApp's window opened
    or was raised; ``loaded(str key)`` its page first loaded; ``painted(str key)`` and is on
    screen (two frames later); ``closed(str key)`` its window closed; ``show_app_page(str ref)``
    its "App page" button; ``failed(str message)`` a problem after opening (a download that
    failed, a host process that stopped). ``open_installed`` and ``open_link`` raise
    ``HostError`` for a DApp that cannot be opened at all.

    ``launch(kind) -> Channel`` starts a host process (replaceable: tests run one in-process);
    ``open_external(QUrl)`` opens what a DApp's user agreed to open in the system browser."""

    opened = Signal(str)
    loaded = Signal(str)
    painted = Signal(str)
    closed = Signal(str)
    show_app_page = Signal(str)
    failed = Signal(str)

    def __init__(self, paths: Paths, parent: QObject | None = None, *,
                 wallet_access: WalletAccess | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.wallet_access = wallet_access
        self.launch: Callable[[str], Channel] = self._spawn
        self.open_external: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self._channels: dict[str, Channel] = {}
        self._windows: dict[str, HostedWindow] = {}  # the open DApps' (main) windows
        self._where: dict[str, str] = {}  # the process each DApp last opened in (its profile is warm there)
        self._identities: dict[str, DAppIdentity] = {}  # what imapp opened: the pages' identities
        self._bridges: dict[tuple[str, int], RemoteBridge] = {}
        self._asks: dict[int, tuple[str, Callable[[bool], None]]] = {}
        self._ask_numbers = itertools.count(1)
        self._shots: dict[str, Callable[[str], None]] = {}
        self._stopping: set[Channel] = set()
        self._quit_with_last_window = False
        if wallet_access is not None:
            wallet_access.notice.connect(self._notice)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close_all)
        if isinstance(app, QGuiApplication):
            app.lastWindowClosed.connect(self._last_window_closed)

    # -- opening -----------------------------------------------------------------------------
    def open_installed(self, installed: InstalledApp, entry: Path, name: str, icon: QPixmap | None,
                       store_ref: str) -> HostedWindow:
        """Open an installed DApp (``entry``: ``Library.entry_path(installed)``), or raise its
        window if it is open."""
        return self._open(installed_identity(installed, entry), installed.folder, name, icon, store_ref)

    def open_link(self, app: App, name: str, icon: QPixmap | None, store_ref: str) -> HostedWindow:
        """Open a link DApp's website, or raise its window if it is open."""
        return self._open(link_identity(app), None, name, icon, store_ref)

    def _open(self, identity: DAppIdentity, folder: Path | None, name: str, icon: QPixmap | None,
              store_ref: str) -> HostedWindow:
        key, kind = identity.key, host_kind(identity)
        self._move(key, kind)
        self._channel(kind)
        self._identities[key] = identity
        self._where[key] = kind
        self._send(kind, {"op": "open", "identity": identity_to_wire(identity),
                          "folder": str(folder) if folder is not None else None, "name": name,
                          "icon": _png(icon), "ref": store_ref})
        window = self._windows.get(key)
        if window is None or not window.open:
            window = self._windows[key] = HostedWindow(self, key, name, kind)
        return window

    def _move(self, key: str, kind: str) -> None:
        """A DApp whose permissions changed runs in the other process now: the old one lets its
        profile go first."""
        old = self._where.get(key)
        if old is not None and old != kind:
            self._send(old, {"op": "release", "key": key})
            self._forget(key)

    def _forget(self, key: str) -> None:
        window = self._windows.pop(key, None)
        if window is not None:
            window.open = False
        self._where.pop(key, None)
        self._window_gone()

    def _last_window_closed(self) -> None:
        """imapp's own windows are all closed (Qt is about to quit): a DApp's window is one of
        imapp's windows to its user, so imapp goes on until the last of them closes."""
        if self.windows() and QGuiApplication.quitOnLastWindowClosed():
            QGuiApplication.setQuitOnLastWindowClosed(False)
            self._quit_with_last_window = True

    def _window_gone(self) -> None:
        if self._quit_with_last_window and not self.windows():
            self._quit_with_last_window = False
            QGuiApplication.setQuitOnLastWindowClosed(True)
            if not any(w.isVisible() for w in QApplication.topLevelWidgets()):
                QTimer.singleShot(0, QCoreApplication.quit)

    def _channel(self, kind: str) -> Channel:
        channel = self._channels.get(kind)
        if channel is None:
            try:
                channel = self.launch(kind)
            except OSError as e:
                raise HostError(f"The DApp host could not start ({e})") from None
            channel.received.connect(lambda message, c=channel: self._received(kind, c, message))
            channel.closed.connect(lambda c=channel: self._ended(kind, c))
            self._channels[kind] = channel
            log.info("dapp host %s started", kind)
        return channel

    def command(self, kind: str) -> tuple[list[str], dict[str, str]]:
        """How a host process of ``kind`` is started: its command line and environment."""
        root = str(Path(appstore.__file__).resolve().parents[1])
        env = dict(os.environ)
        # The wallet stays in imapp: a host process (and the renderers running DApp code under it,
        # which can read their environment) never sees the wallet file's passphrase.
        env.pop(ENV_PASSPHRASE, None)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        argv = [sys.executable, "-m", "appstore.ui.host", "--kind", kind, "--data-dir", str(self.paths.root),
                "--lang", texts.language(), "--theme", theme.current()]
        return argv, env

    def _spawn(self, kind: str) -> Channel:
        argv, env = self.command(kind)
        return ProcessLink(argv, f"dapp host {kind}", env=env, parent=self)

    def _send(self, kind: str, message: dict[str, Any]) -> None:
        channel = self._channels.get(kind)
        if channel is not None:
            channel.send(message)

    def updated(self, installed: InstalledApp, entry: Path) -> None:
        """``installed`` is a new version of a DApp that may be open: its windows now load the new
        version (the old folder is gone), or close if its permissions changed."""
        identity = installed_identity(installed, entry)
        key = identity.key
        old = self._where.get(key)
        if old is None:
            return
        folder = str(installed.folder)
        self._send(old, {"op": "updated", "identity": identity_to_wire(identity), "folder": folder})
        if old != host_kind(identity) or identity.permissions != self._identities[key].permissions:
            self._forget(key)  # its windows close; it opens again in the host its rules ask for
        else:
            self._identities[key] = identity

    def release(self, store: str, app_id: str) -> None:
        """Close the DApp's windows and let its profile go: call it before uninstalling it."""
        key = dapp_key(store, app_id)
        kind = self._where.get(key)
        if kind is not None:
            self._send(kind, {"op": "release", "key": key})
            self._forget(key)

    def close_all(self) -> None:
        """End every host process: each closes its windows and flushes its profiles on its own;
        a later open starts them again."""
        for kind, channel in list(self._channels.items()):
            self._stopping.add(channel)
            channel.send({"op": "quit"})
            if isinstance(channel, ProcessLink):
                channel.close()
            self._drop(kind, channel)

    def windows(self) -> list[HostedWindow]:
        """The open DApps' windows (a DApp's popups are its own)."""
        return [w for w in self._windows.values() if w.open]

    def window_for(self, key: str) -> HostedWindow | None:
        """The open window of the DApp ``STORE/APP_ID``."""
        window = self._windows.get(key)
        return window if window is not None and window.open else None

    def screenshot(self, key: str, path: Path, size: tuple[int, int], wait_ms: int,
                   done: Callable[[str], None]) -> None:
        """Save a picture of the DApp's window once its page has painted (or after ``wait_ms``
        whatever it shows); ``done(error)`` with "" once saved."""
        kind = self._where.get(key)
        if kind is None:
            done(f"{key} is not open")
            return
        self._shots[key] = done
        self._send(kind, {"op": "shot", "key": key, "path": str(path), "width": size[0],
                          "height": size[1], "wait_ms": wait_ms})

    # -- what the host processes say ---------------------------------------------------------
    def _received(self, kind: str, channel: Channel, message: dict[str, Any]) -> None:
        if self._channels.get(kind) is not channel:
            return  # a process on its way out
        event = message.get("ev")
        try:
            handler = self._events().get(str(event))
            if handler is None:
                raise WireError(f"unknown event {event!r}")
            handler(kind, message)
        except (WireError, AppStoreError) as e:
            log.warning("dapp host %s: %s refused: %s", kind, event, e)

    def _events(self) -> dict[str, Callable[[str, dict[str, Any]], None]]:
        return {"ready": lambda k, m: log.info("dapp host %s ready (pid %s)", k, m.get("pid")),
                "unavailable": self._unavailable,
                "opened": lambda k, m: self.opened.emit(text(m, "key")),
                "loaded": lambda k, m: self.loaded.emit(text(m, "key")),
                "painted": lambda k, m: self.painted.emit(text(m, "key")),
                "closed": self._window_closed,
                "app_page": lambda k, m: self.show_app_page.emit(text(m, "ref")),
                "failed": lambda k, m: self.failed.emit(text(m, "message")),
                "log": self._log, "page": self._page, "page_gone": self._page_gone,
                "request": self._request, "asked": self._asked, "open_external": self._external,
                "released": lambda k, m: None, "shot": self._shot,
                "quit": lambda k, m: QCoreApplication.quit()}  # Ctrl+Q in a DApp's window

    def _unavailable(self, kind: str, message: dict[str, Any]) -> None:
        channel = self._channels.get(kind)
        if channel is not None:
            self._stopping.add(channel)  # it ends now: said once, here
        self.failed.emit(text(message, "problem"))

    def _window_closed(self, kind: str, message: dict[str, Any]) -> None:
        key = text(message, "key")
        window = self._windows.get(key)
        if window is not None and window.kind == kind:
            window.open = False
            del self._windows[key]
        self.closed.emit(key)
        self._window_gone()

    def _log(self, kind: str, message: dict[str, Any]) -> None:
        level = message.get("level")
        line = text(message, "message")[:4000]
        log.log(level if isinstance(level, int) else logging.INFO, "[%s host] %s", kind, line)

    def _page(self, kind: str, message: dict[str, Any]) -> None:
        page, key = number(message, "page"), text(message, "key")
        identity = self._identities.get(key)
        if identity is None or self._where.get(key) != kind:
            raise WireError(f"a page of {key}, which imapp did not open there")
        bridge = RemoteBridge(self, kind, page, identity, text(message, "name"))
        self._bridges[(kind, page)] = bridge
        if self.wallet_access is not None:
            self.wallet_access.register(bridge)  # type: ignore[arg-type]  # (a DAppBridge's calls)

    def _page_gone(self, kind: str, message: dict[str, Any]) -> None:
        bridge = self._bridges.pop((kind, number(message, "page")), None)
        if bridge is not None:
            bridge.alive = False
            bridge.deleteLater()

    def _request(self, kind: str, message: dict[str, Any]) -> None:
        bridge = self._bridges.get((kind, number(message, "page")))
        request_id, request = number(message, "id"), text(message, "text")
        if bridge is None:
            return
        bridge.home = message.get("home") is True
        if self.wallet_access is None:
            bridge.answer(request_id, error=ProviderError(Code.DISCONNECTED, "This window has no wallet"))
            return
        try:
            self.wallet_access.handle(bridge, request_id, request)  # type: ignore[arg-type]
        except Exception as e:  # a bug: logged with its traceback; the page gets a plain refusal
            report_bug(e, f"the wallet request of {bridge.dapp.key}")
            bridge.answer(request_id, error=ProviderError(Code.INTERNAL,
                                                          "imapp could not handle this request"))

    def _asked(self, kind: str, message: dict[str, Any]) -> None:
        pending = self._asks.pop(number(message, "ask"), None)
        if pending is not None and pending[0] == kind:
            pending[1](message.get("yes") is True)

    def _external(self, kind: str, message: dict[str, Any]) -> None:
        url = QUrl.fromEncoded(text(message, "url").encode("utf-8"))
        if url.scheme().lower() not in EXTERNAL or not url.isValid():
            raise WireError(f"not an address to open outside: {url.toString()[:200]}")
        self.open_external(url)

    def _shot(self, kind: str, message: dict[str, Any]) -> None:
        done = self._shots.pop(text(message, "key"), None)
        if done is not None:
            done(text(message, "error", optional=True))

    def _notice(self, key: str, line: str) -> None:
        kind = self._where.get(key)
        if kind is not None:
            self._send(kind, {"op": "notice", "key": key, "text": line})

    # -- a process that ends -----------------------------------------------------------------
    def _ended(self, kind: str, channel: Channel) -> None:
        expected = channel in self._stopping
        self._stopping.discard(channel)
        if self._channels.get(kind) is not channel:
            return
        names = sorted(w.name for w in self._windows.values() if w.kind == kind and w.open)
        code = channel.exit_code() if isinstance(channel, ProcessLink) else None
        log.warning("dapp host %s ended (exit code %s)%s", kind, code, "" if expected else " unexpectedly")
        self._drop(kind, channel)
        if not expected and names:
            self.failed.emit(self.tr("DApps stopped unexpectedly: %1. Open them again to go on.")
                             .replace("%1", ", ".join(names)))

    def _drop(self, kind: str, channel: Channel) -> None:
        """Forget a process: its windows, pages, questions and pictures."""
        if self._channels.get(kind) is channel:
            del self._channels[kind]
        for key in [k for k, w in self._windows.items() if w.kind == kind]:
            self._windows.pop(key).open = False
            self.closed.emit(key)
        for key in [k for k, where in self._where.items() if where == kind]:
            del self._where[key]
            shot = self._shots.pop(key, None)
            if shot is not None:
                shot(f"the {kind} DApp host ended")
        for page_key in [p for p in self._bridges if p[0] == kind]:
            bridge = self._bridges.pop(page_key)
            bridge.alive = False
            bridge.deleteLater()
        for number_ in [n for n, (k, _) in self._asks.items() if k == kind]:
            self._asks.pop(number_)[1](False)  # a question that cannot be answered is a refusal
        self._window_gone()


def _png(icon: QPixmap | None) -> str | None:
    if icon is None or icon.isNull():
        return None
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    icon.save(buffer, "PNG")
    return base64.b64encode(bytes(data.data())).decode("ascii")
