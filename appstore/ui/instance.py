"""One imapp per data dir: a second start hands its imapp:// link to the running one.

The running app listens on a local socket named after its data dir; ``forward`` tries to hand
over a link (or just "show yourself") and returns False when nobody is listening.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QObject, QTimer, Signal

if TYPE_CHECKING:  # QtNetwork loads with the server, once the window is up
    from PySide6.QtNetwork import QLocalSocket

_TIMEOUT_MS = 500


def socket_name(data_dir: Path) -> str:
    return "imapp-" + hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]


def forward(data_dir: Path, link: str) -> bool:
    """Hand ``link`` ("" to just raise the window) to a running imapp; False if none runs."""
    if os.name == "posix":  # QLocalServer's socket is a file in the temp dir: every start asks,
        # and a plain socket spares it QtNetwork's import
        return _forward_to_file(os.path.join(QDir.tempPath(), socket_name(data_dir)), link)
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(socket_name(data_dir))
    if not sock.waitForConnected(_TIMEOUT_MS):
        return False
    sock.write((link + "\n").encode())
    sock.flush()
    sock.waitForBytesWritten(_TIMEOUT_MS)
    sock.disconnectFromServer()
    return True


def _forward_to_file(path: str, link: str) -> bool:
    # The socket module's own C part: socket.py itself turns every constant into enums at import
    # (some 4 ms of every start, for one connection)
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(_TIMEOUT_MS / 1000)
        try:
            sock.connect(path)
        except OSError:
            return False  # no socket, or nobody listening on it (a crash left it)
        with contextlib.suppress(OSError):
            sock.sendall((link + "\n").encode())
    finally:
        sock.close()
    return True


class InstanceServer(QObject):
    """Signals: ``link_received(str)`` another start handed over a link ("" = just show)."""

    link_received = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtNetwork import QLocalServer

        self.server = QLocalServer(self)
        name = socket_name(data_dir)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # left behind by a crash
            self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while (conn := self.server.nextPendingConnection()) is not None:
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket) -> None:
        lines = []
        while conn.canReadLine():
            lines.append(bytes(conn.readLine().data()).decode(errors="replace").strip()[:2048])
        # Handled once this slot has returned: the handler may ask the user (a nested event
        # loop), during which the socket disconnects and is deleted under this very call.
        for line in lines:
            QTimer.singleShot(0, self, lambda text=line: self.link_received.emit(text))

    def close(self) -> None:
        """Stop listening (the app is quitting): a new start then runs on its own."""
        self.server.close()
