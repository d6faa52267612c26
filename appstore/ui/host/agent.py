"""A DApp host process's side of the protocol (``appstore.core.host.wire``): ``HostAgent`` runs
imapp's requests on this process's ``WindowHost`` and reports what happens; ``WalletLink`` stands
in for imapp's ``WalletAccess``, so each page's ``window.imapp`` requests go to imapp and its
answers, events and questions come back. The wallet itself stays in imapp (one writer); the
questions are asked here, modal to the DApp's window, as they always were.
"""

from __future__ import annotations

import base64
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QByteArray, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

from appstore.core.errors import AppStoreError
from appstore.core.host.policy import DAppPolicy
from appstore.core.host.provider import Code, ProviderError
from appstore.core.host.wire import NETWORK, WireError, identity_from_wire, number, text, texts
from appstore.core.logs import log

if TYPE_CHECKING:
    from appstore.ui.host.bridge import DAppBridge
    from appstore.ui.host.confirm import WalletAsk
    from appstore.ui.host.host import WindowHost
    from appstore.ui.host.window import DAppWindow

Send = Callable[[dict[str, Any]], None]
SHOT_PAINT_MS = 2000  # how long a screenshot waits for the page's next frame
SHOT_SETTLE_MS = 200  # the offscreen compositor hands the widget its frame a little later


def ask_wallet(parent: QWidget, ask: WalletAsk, answer: Callable[[bool], None]) -> object:
    from appstore.ui.host import confirm

    return confirm.ask_wallet(parent, ask, answer)


class WalletLink(QObject):
    """The wallet as the pages of this process reach it. Signals: ``notice(str key, str text)``
    a line for the DApp's window. ``ask(parent, WalletAsk, answer)`` puts imapp's questions to
    the user (the native dialog of ``confirm.py``; replaceable)."""

    notice = Signal(str, str)

    def __init__(self, send: Send, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._send = send
        self.ask: Callable[[QWidget, WalletAsk, Callable[[bool], None]], object] = ask_wallet
        self._pages: dict[int, DAppBridge] = {}
        self._ids: weakref.WeakKeyDictionary[DAppBridge, int] = weakref.WeakKeyDictionary()
        self._next = 1
        self._warmed = False

    def register(self, bridge: DAppBridge) -> None:
        page = self._next
        self._next += 1
        self._pages[page] = bridge
        self._ids[bridge] = page
        bridge.destroyed.connect(lambda *_: self._gone(page))
        self._send({"ev": "page", "page": page, "key": bridge.dapp.key, "name": bridge.name})
        if not self._warmed and bridge.methods:  # the first question of a run costs fonts and styles
            self._warmed = True
            QTimer.singleShot(0, _warm_up)

    def _gone(self, page: int) -> None:
        if self._pages.pop(page, None) is not None:
            self._send({"ev": "page_gone", "page": page})

    def handle(self, bridge: DAppBridge, request_id: int, request: str) -> None:
        page = self._ids.get(bridge)
        if page is None:
            bridge.answer(request_id, error=ProviderError(Code.DISCONNECTED, "This window has no wallet"))
            return
        self._send({"ev": "request", "page": page, "id": request_id, "text": request,
                    "home": bridge.at_home()})

    def _bridge(self, message: dict[str, Any]) -> DAppBridge | None:
        bridge = self._pages.get(number(message, "page"))
        return bridge if bridge is not None and shiboken6.isValid(bridge) else None

    def take_answer(self, message: dict[str, Any]) -> None:
        bridge = self._bridge(message)
        if bridge is not None:
            bridge.response.emit(number(message, "id"), text(message, "body"))

    def take_event(self, message: dict[str, Any]) -> None:
        bridge = self._bridge(message)
        if bridge is not None:
            bridge.wallet_event.emit(text(message, "name"), text(message, "value"))

    def take_question(self, message: dict[str, Any]) -> None:
        """imapp asks the user something for a page: the answer goes back as ``asked``."""
        from appstore.ui.host.confirm import WalletAsk

        number_ = number(message, "ask")
        bridge = self._bridge(message)
        window = bridge.window_widget() if bridge is not None else None
        done = False

        def answer(yes: bool) -> None:
            nonlocal done
            if not done:
                done = True
                self._send({"ev": "asked", "ask": number_, "yes": bool(yes)})

        if bridge is None or window is None:  # the page went away meanwhile
            answer(False)
            return
        fields = message.get("fields")
        if not isinstance(fields, dict):
            raise WireError("a question without its fields")
        ask = WalletAsk(text(fields, "kind"), bridge.name, text(fields, "store"), text(fields, "account"),
                        bridge.icon, permissions=texts(fields.get("permissions") or ()),
                        message=text(fields, "message", optional=True),
                        amount=text(fields, "amount", optional=True),
                        payee=text(fields, "payee", optional=True),
                        memo=text(fields, "memo", optional=True), after=text(fields, "after", optional=True))
        self.ask(window, ask, answer)


def _warm_up() -> None:
    from appstore.ui.host.confirm import ConfirmDialog, WalletAsk

    dialog = ConfirmDialog(WalletAsk("sign", "", "", "", message="-"))
    dialog.ensurePolished()
    dialog.sizeHint()
    dialog.deleteLater()


def pixmap_from_wire(value: Any) -> QPixmap | None:
    if not isinstance(value, str) or not value:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(QByteArray(base64.b64decode(value, validate=False)), "PNG"):
        return None
    return pixmap


class HostAgent(QObject):
    """Runs imapp's requests on ``host`` and tells imapp what happens. ``kind`` is the kind of
    this process (``sealed``: DApps without ``network``; ``network``): a DApp of the other kind
    is refused here, whatever imapp asks. Signals: ``quit()`` imapp is done with this process."""

    quit = Signal()

    def __init__(self, send: Send, host: WindowHost, link: WalletLink, kind: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._send = send
        self.host = host
        self.link = link
        self.kind = kind
        host.opened.connect(lambda key: send({"ev": "opened", "key": key}))
        host.loaded.connect(self._loaded)
        host.closed.connect(lambda key: send({"ev": "closed", "key": key}))
        host.show_app_page.connect(lambda ref: send({"ev": "app_page", "ref": ref}))
        host.failed.connect(lambda message: send({"ev": "failed", "message": message}))
        host.quit_requested.connect(lambda: send({"ev": "quit"}))
        # The system browser is imapp's to open (after the user agreed here): this process
        # starts no program of its own.
        encoded = QUrl.ComponentFormattingOption.FullyEncoded
        host.open_external = lambda url: send({"ev": "open_external", "url": url.toString(encoded)})

    def _loaded(self, key: str) -> None:
        """A window's page loaded: say so, then say when it is on screen (two frames later)."""
        self._send({"ev": "loaded", "key": key})
        window = self.host.window_for(key)
        if window is not None:
            page = window.page
            page.painted.connect(lambda: self._send({"ev": "painted", "key": key}),
                                 Qt.ConnectionType.SingleShotConnection)
            page.notify_painted()

    def receive(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        try:
            handler = self._ops().get(str(op))
            if handler is None:
                raise WireError(f"unknown op {op!r}")
            handler(message)
        except (WireError, AppStoreError) as e:
            log.warning("dapp host: %s refused: %s", op, e)
            if op == "open":
                self._send({"ev": "failed", "message": str(e)})

    def _ops(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {"open": self._open, "updated": self._updated, "release": self._release,
                "close": self._close, "answer": self.link.take_answer, "event": self.link.take_event,
                "ask": self.link.take_question, "notice": self._notice, "shot": self._shot,
                "quit": lambda _: self.quit.emit()}

    def _open(self, message: dict[str, Any]) -> None:
        identity = identity_from_wire(message.get("identity"))
        if DAppPolicy(identity).network != (self.kind == NETWORK):
            raise WireError(f"{identity.key} does not run in the {self.kind} host")
        folder = text(message, "folder", optional=True)
        self.host.open(identity, Path(folder) if folder else None, text(message, "name"),
                       pixmap_from_wire(message.get("icon")), text(message, "ref"))

    def _updated(self, message: dict[str, Any]) -> None:
        identity = identity_from_wire(message.get("identity"))
        folder = text(message, "folder", optional=True)
        if DAppPolicy(identity).network != (self.kind == NETWORK):
            store, app_id = identity.store, identity.app_id
            self.host.release(store, app_id)  # (imapp opens it in the other host)
            return
        self.host.retarget(identity, Path(folder) if folder else None)

    def _release(self, message: dict[str, Any]) -> None:
        key = text(message, "key")
        store, _, app_id = key.partition("/")
        self.host.release(store, app_id)
        self._send({"ev": "released", "key": key})

    def _close(self, message: dict[str, Any]) -> None:
        window = self.host.window_for(text(message, "key"))
        if window is not None:
            window.close()

    def _notice(self, message: dict[str, Any]) -> None:
        self.link.notice.emit(text(message, "key"), text(message, "text"))

    def _shot(self, message: dict[str, Any]) -> None:
        Shot(self, text(message, "key"), Path(text(message, "path")), number(message, "width"),
             number(message, "height"), number(message, "wait_ms"))

    def shot_done(self, key: str, error: str) -> None:
        self._send({"ev": "shot", "key": key, "error": error})


class Shot(QObject):
    """A picture of a DApp's window (``--screenshot --page dapp:ID``): once its page has loaded
    and painted its next frame, or after ``wait_ms`` whatever it shows (a page that keeps
    loading does not hold the picture back)."""

    def __init__(self, agent: HostAgent, key: str, path: Path, width: int, height: int,
                 wait_ms: int) -> None:
        super().__init__(agent)
        self.agent, self.key, self.path = agent, key, path
        self.done = False
        window = agent.host.window_for(key)
        if window is None:
            self._finish(f"{key} is not open")
            return
        self.window: DAppWindow = window
        window.resize(width, height)
        window.page.painted.connect(self._painted)
        if window.loaded:
            QTimer.singleShot(0, window.page.notify_painted)
        else:
            window.loaded_ok.connect(lambda _: window.page.notify_painted())
        QTimer.singleShot(max(0, wait_ms), self._late)

    def _late(self) -> None:
        if not self.done and shiboken6.isValid(self.window):
            log.info("dapp %s: still loading: its picture is taken as it is", self.key)
            self.window.page.notify_painted()
            QTimer.singleShot(SHOT_PAINT_MS, self._painted)

    def _painted(self) -> None:
        if not self.done:
            self.done = True
            QTimer.singleShot(SHOT_SETTLE_MS, self._save)

    def _save(self) -> None:
        if not shiboken6.isValid(self.window):
            self._finish(f"{self.key} closed")
            return
        ok = self.window.grab().save(str(self.path), "PNG")
        self._finish("" if ok else f"could not write {self.path}")

    def _finish(self, error: str) -> None:
        self.done = True
        self.agent.shot_done(self.key, error)
        self.deleteLater()
