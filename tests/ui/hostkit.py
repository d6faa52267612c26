"""A DApp host "process" inside the test's own process: the real ``HostAgent``, ``WalletLink`` and
``WindowHost`` of a host process, reached through the real message encoding, so that a test can
drive the DApp's page (``runJavaScript``) and click its native questions. What only a real
process gives (its own Chromium flags, a crash that imapp survives) is tested with real
processes in ``test_host_process.py`` and ``test_host_barrier.py``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from appstore.core.host.wire import encode
from appstore.core.paths import Paths
from appstore.ui.host.agent import HostAgent, WalletLink
from appstore.ui.host.channel import Channel
from appstore.ui.host.host import WindowHost
from appstore.ui.host.hosts import DAppHost
from appstore.ui.host.window import DAppWindow


class _End(Channel):
    """One end of an in-process pair: what it sends arrives at ``peer`` a moment later, as
    bytes through the protocol's encoding."""

    peer: _End

    def send(self, message: Any) -> None:
        if not self.open:
            return
        line = encode(message)[:-1]
        peer = self.peer
        QTimer.singleShot(0, peer, lambda: peer._line(line) if peer.open else None)

    def end(self) -> None:
        self._eof()


class Loopback(_End):
    """imapp's end; ``host`` is the host side's ``WindowHost`` (its windows are local)."""

    def __init__(self, kind: str, paths: Paths, parent: QObject | None = None) -> None:
        super().__init__(f"loopback {kind}", parent)
        self.peer = side = _End(f"loopback {kind}: host side", self)
        side.peer = self
        self.link = WalletLink(side.send, self)
        self.host = WindowHost(paths, self, wallet_access=self.link)
        self.agent = HostAgent(side.send, self.host, self.link, kind, self)
        side.received.connect(self.agent.receive)
        self.agent.quit.connect(self._quit)

    def _quit(self) -> None:
        self.host.close_all()
        self.peer.end()
        self.end()


def in_process(host: DAppHost) -> dict[str, Loopback]:
    """Make ``host`` run its DApps in this process from now on; the loopbacks, by kind."""
    made: dict[str, Loopback] = {}

    def launch(kind: str) -> Channel:
        made[kind] = Loopback(kind, host.paths, host)
        return made[kind]

    host.launch = launch
    return made


def local_window(loopbacks: dict[str, Loopback], key: str) -> DAppWindow | None:
    """The DApp's window (in whichever in-process host it runs)."""
    for loopback in loopbacks.values():
        window = loopback.host.window_for(key)
        if window is not None:
            return window
    return None
