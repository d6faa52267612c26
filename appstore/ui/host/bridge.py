"""The seam for the wallet: one bridge object per DApp page, reachable from the page as
``window.imappBridge`` through a QWebChannel (registered as ``imapp``).

Qt's ``qwebchannel.js`` is injected here and nowhere else: one ``QWebEngineScript`` at
DocumentCreation in the main world (main frame only), wrapped in a function so the page's globals
gain only ``imappBridge``; once the channel is up the page receives an ``imapp-bridge-ready``
event. Bridge methods return promises in the page::

    const id = JSON.parse(await imappBridge.identity());

The bridge knows the DApp's identity and permissions; the "DApp and wallet" work adds methods.
"""

from __future__ import annotations

import functools
import json

from PySide6.QtCore import QFile, QIODevice, QObject, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineScript

from appstore.core.host.policy import DAppIdentity

CHANNEL_NAME = "imapp"  # the object's name in the channel
READY_EVENT = "imapp-bridge-ready"
SCRIPT_NAME = "imapp-bridge"


class DAppBridge(QObject):
    """What a DApp's page may ask imapp. Created per DApp page with the DApp's identity; every
    method checks ``identity.permissions`` for what it needs."""

    def __init__(self, identity: DAppIdentity, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._identity = identity

    @property
    def dapp(self) -> DAppIdentity:
        return self._identity

    @Slot(result=str)
    def identity(self) -> str:
        """The DApp's identity as JSON: id, store, app_id, kind, origin, version, permissions."""
        return json.dumps(self._identity.to_json())


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
    """The injected script: qwebchannel.js kept private, then the bootstrap."""
    return ("(function () {\n" + _qwebchannel_js() + "\n"
            "if (typeof qt === 'undefined' || !qt.webChannelTransport) { return; }\n"
            "new QWebChannel(qt.webChannelTransport, function (channel) {\n"
            f"  Object.defineProperty(window, 'imappBridge', {{value: channel.objects.{CHANNEL_NAME},"
            " writable: false, configurable: false, enumerable: false});\n"
            f"  window.dispatchEvent(new Event('{READY_EVENT}'));\n"
            "});\n"
            "})();\n")


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
    """Give ``page`` its bridge: the channel with ``bridge`` as ``imapp`` and the script."""
    channel = QWebChannel(page)
    channel.registerObject(CHANNEL_NAME, bridge)
    page.setWebChannel(channel, QWebEngineScript.ScriptWorldId.MainWorld)
    script = QWebEngineScript()
    script.setName(SCRIPT_NAME)
    script.setSourceCode(bridge_source())
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    script.setRunsOnSubFrames(False)
    page.scripts().insert(script)
    return channel
