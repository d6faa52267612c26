"""The seam for the wallet: one bridge object per DApp page, behind a QWebChannel (registered as
``imapp``) that lives in an isolated world of the page (``ApplicationWorld``).

The page itself never reaches Qt: its ``window.imapp`` (docs/dapp-api.md) sends each request as
a DOM event that imapp's isolated script checks (size, rate) and forwards to ``request``;
answers come back through the ``response`` signal and events through ``wallet_event``, as DOM
events again. Qt's ``qwebchannel.js`` is injected here and nowhere else, into that isolated world,
main frame only; once the channel is up the page receives an ``imapp-bridge-ready`` event. The
page learns who it is from ``imapp.dapp`` (what ``identity()`` returns).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QFile, QIODevice, QObject, QUrl, Signal, SignalInstance, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineScript
from PySide6.QtWidgets import QWidget

from appstore.core.host.origins import origin_of
from appstore.core.host.pagejs import provider_source, relay_source
from appstore.core.host.policy import DAppIdentity
from appstore.core.host.provider import Code, ProviderError, methods_for
from appstore.core.logs import report_bug

if TYPE_CHECKING:
    from appstore.ui.host.confirm import WalletAsk

CHANNEL_NAME = "imapp"  # the object's name in the channel
READY_EVENT = "imapp-bridge-ready"
SCRIPT_NAME = "imapp-bridge"
PROVIDER_SCRIPT_NAME = "imapp-provider"


class WalletRequests(Protocol):
    """Who answers the pages' ``window.imapp`` requests: ``walletaccess.WalletAccess`` where the
    wallet is (imapp's process), ``agent.WalletLink`` in a DApp host process (it forwards them
    there). Declared here so the bridge does not import what is built on it."""

    notice: SignalInstance  # (str key, str text): a line for the DApp's window

    def register(self, bridge: DAppBridge) -> None: ...

    def handle(self, bridge: DAppBridge, request_id: int, text: str) -> None: ...


class DAppBridge(QObject):
    """What a DApp's page may ask imapp. Created per DApp page with the DApp's identity; the
    wallet requests it forwards are checked against ``identity.permissions``.

    Signals (to the page): ``response(int id, str json)`` the answer to request ``id``,
    ``{"result": ...}`` or ``{"error": {code, message, data}}``; ``wallet_event(str name, str json)``
    a provider event (``accountsChanged``, ``disconnect``)."""

    response = Signal(int, str)
    wallet_event = Signal(str, str)

    def __init__(self, identity: DAppIdentity, parent: QObject | None = None, *,
                 access: WalletRequests | None = None, name: str = "", icon: QPixmap | None = None,
                 window: Callable[[], QWidget | None] | None = None) -> None:
        super().__init__(parent)
        self._identity = identity
        self.methods = methods_for(identity.permissions)
        self.access = access
        self.name = name or identity.app_id
        self.icon = icon
        self._window = window
        if access is not None:
            access.register(self)

    @property
    def dapp(self) -> DAppIdentity:
        return self._identity

    def at_home(self) -> bool:
        """Whether the page is at the DApp's own origin (a link DApp may have moved to another
        host of its site, which does not get the wallet)."""
        page = self.parent()
        if not isinstance(page, QWebEnginePage):
            return False
        return origin_of(page.url().toString(QUrl.ComponentFormattingOption.FullyEncoded)) == \
            self._identity.origin

    def window_widget(self) -> QWidget | None:
        """The DApp's window (the parent of its questions), or None once it closed."""
        return self._window() if self._window is not None else None

    def question(self, ask: WalletAsk, answer: Callable[[bool], None],
                 asker: Callable[[QWidget, WalletAsk, Callable[[bool], None]], object]) -> bool:
        """Put ``ask`` to the user with ``asker``, modal to the DApp's window; False (nothing
        asked) once the window has closed."""
        window = self.window_widget()
        if window is None:
            return False
        asker(window, ask, answer)
        return True

    @Slot(result=str)
    def identity(self) -> str:
        """The DApp's identity as JSON: id, store, app_id, kind, origin, version, permissions."""
        return json.dumps(self._identity.to_json())

    @Slot(int, str)
    def request(self, request_id: int, text: str) -> None:
        """A ``window.imapp.request`` from the page; answered later through ``response``."""
        if self.access is None:
            self.answer(request_id, error=ProviderError(Code.DISCONNECTED, "This window has no wallet"))
            return
        try:
            self.access.handle(self, request_id, text)
        except Exception as e:  # a bug: logged with its traceback; the page gets a plain refusal
            report_bug(e, f"the wallet request of {self._identity.key}")
            self.answer(request_id, error=ProviderError(Code.INTERNAL, "imapp could not handle this request"))

    def answer(self, request_id: int, *, result: Any = None, error: ProviderError | None = None) -> None:
        """Send the answer to request ``request_id``, if the page is still there."""
        if not shiboken6.isValid(self):
            return
        body = {"error": error.to_json()} if error is not None else {"result": result}
        self.response.emit(request_id, json.dumps(body))


@functools.cache
def _qwebchannel_js() -> str:
    f = QFile(":/qtwebchannel/qwebchannel.js")  # a resource of the QtWebChannel library
    if not f.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("Qt's qwebchannel.js is missing")
    try:
        return bytes(f.readAll().data()).decode("utf-8")
    finally:
        f.close()


@functools.cache
def bridge_source() -> str:
    """The isolated world's script: qwebchannel.js and the relay."""
    return relay_source(_qwebchannel_js(), CHANNEL_NAME, READY_EVENT)


# WebRTC sends its own packets (ICE: STUN and TURN over UDP), which neither the request
# interceptor nor the CSP sees: for a DApp without ``network`` it does not exist, in any frame.
NO_WEBRTC = """(function () {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel",
                      "RTCIceCandidate", "RTCSessionDescription", "RTCRtpSender",
                      "RTCRtpReceiver", "RTCRtpTransceiver", "RTCDtlsTransport",
                      "RTCIceTransport", "RTCSctpTransport", "RTCCertificate"]) {
    try { Object.defineProperty(window, name, {value: undefined, writable: false,
                                               configurable: false}); } catch (e) {}
  }
})();"""


def forbid_webrtc(page: QWebEnginePage) -> None:
    """Remove WebRTC from every frame of ``page`` before its scripts run."""
    script = QWebEngineScript()
    script.setName("imapp-no-webrtc")
    script.setSourceCode(NO_WEBRTC)
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    script.setRunsOnSubFrames(True)
    page.scripts().insert(script)


def attach_bridge(page: QWebEnginePage, bridge: DAppBridge) -> QWebChannel:
    """Give ``page`` its bridge: the channel with ``bridge`` as ``imapp`` in an isolated world,
    the relay there, and ``window.imapp`` in the page's world."""
    channel = QWebChannel(page)
    channel.registerObject(CHANNEL_NAME, bridge)
    page.setWebChannel(channel, QWebEngineScript.ScriptWorldId.ApplicationWorld)
    for name, source, world in (
            (SCRIPT_NAME, bridge_source(), QWebEngineScript.ScriptWorldId.ApplicationWorld),
            (PROVIDER_SCRIPT_NAME, provider_source(bridge.methods, bridge.dapp.to_json()),
             QWebEngineScript.ScriptWorldId.MainWorld)):
        script = QWebEngineScript()
        script.setName(name)
        script.setSourceCode(source)
        script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
        script.setWorldId(world)
        script.setRunsOnSubFrames(False)
        page.scripts().insert(script)
    return channel
