"""The running imapp's end of the single-instance channel (``instance.py`` says how it works):
it listens on its data dir's socket, reads one message per connection without blocking the GUI
thread, answers it, and hands the links on."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from appstore.core.errors import short_path
from appstore.core.logs import log
from appstore.ui.instance import (
    ANSWER_S,
    CONNECT_S,
    MAX_MESSAGE,
    ChannelError,
    answer,
    decode,
    named_pipe,
    not_private,
    socket_path,
)


class InstanceServer(QObject):
    """Listens for later starts on one data dir (``ChannelError`` if the channel cannot be
    made safely). Signals: ``link_received(str)`` a later start handed over a link ("" = just
    show); ``refused(str)`` a message was refused, and why."""

    link_received = Signal(str)
    refused = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._named: Any = None
        self.path: Path | None = None
        if os.name != "posix":
            self._listen_named(data_dir)
            return
        import _socket

        path = socket_path(data_dir)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            self._bind(sock, path)
            sock.listen(8)
        except BaseException:
            sock.close()
            raise
        sock.setblocking(False)
        self.sock: Any = sock  # (an _socket.socket: typeshed does not list its _accept)
        self.path = path
        self._inode = os.lstat(path).st_ino
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)

    @staticmethod
    def _bind(sock: Any, path: Path) -> None:
        try:
            sock.bind(str(path))
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise ChannelError(f"imapp cannot listen on {short_path(path)}: {e.strerror}") from None
        else:
            os.chmod(path, 0o600)
            return
        problem = not_private(os.lstat(path), folder=False)
        if problem and problem != "it is not a socket":
            raise ChannelError(f"imapp will not replace {short_path(path)}: {problem}")
        import _socket

        probe = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        probe.settimeout(CONNECT_S)
        try:
            probe.connect(str(path))
        except OSError:
            pass  # nobody listens: left by a crash, and only now removed
        else:
            raise ChannelError(f"another program already listens on {short_path(path)}: links from "
                               "later starts cannot reach this window")
        finally:
            probe.close()
        os.unlink(path)
        sock.bind(str(path))
        os.chmod(path, 0o600)

    def _listen_named(self, data_dir: Path) -> None:
        from PySide6.QtNetwork import QLocalServer

        server = self._named = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(named_pipe(data_dir)):
            raise ChannelError(f"imapp cannot listen for later starts: {server.errorString()}")
        server.newConnection.connect(self._accept_named)

    def _accept(self) -> None:
        import _socket

        while True:
            try:
                fd, _ = self.sock._accept()  # (the C socket's accept: a file descriptor)
            except OSError:
                return  # (none left, or the listening socket was closed)
            _Conn(self, _UnixEnd(_socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd)))

    def _accept_named(self) -> None:
        while (conn := self._named.nextPendingConnection()) is not None:
            _Conn(self, _QtEnd(conn))

    def _message(self, line: bytes) -> bytes:
        """Handle one message; the answer to send."""
        try:
            links = decode(line)
        except ValueError as e:
            log.warning("refused a message from a later start: %s", e)
            self.refused.emit(str(e))
            return answer(str(e))
        log.info("a later start handed over %d link(s)", len(links))
        # Handled once this call has returned: the handler may ask the user (a nested event
        # loop), during which the connection may close and be deleted.
        for link in links:
            QTimer.singleShot(0, self, lambda text=link: self._deliver(text))
        return answer(None)

    def _deliver(self, link: str) -> None:
        self.link_received.emit(link)
        log.info("handled a link from a later start")

    def close(self) -> None:
        """Stop listening (the app is quitting): a new start then runs on its own."""
        for conn in self.findChildren(_Conn):
            conn.finish()
        if self._named is not None:
            self._named.close()
            return
        if self.path is None:
            return
        self._notifier.setEnabled(False)
        self.sock.close()
        with contextlib.suppress(OSError):  # only our own socket: a new imapp may have made its own
            if os.lstat(self.path).st_ino == self._inode:
                os.unlink(self.path)
        self.path = None


class _UnixEnd:
    """One accepted connection, read without blocking (a plain socket)."""

    def __init__(self, sock: Any) -> None:
        sock.setblocking(False)
        self.sock: Any = sock  # (an _socket.socket: typeshed does not list its _accept)

    def notifier(self, parent: QObject) -> QSocketNotifier:
        return QSocketNotifier(self.sock.fileno(), QSocketNotifier.Type.Read, parent)

    def read(self) -> bytes | None:
        """What arrived (b"": the other end closed; None: nothing yet)."""
        try:
            return bytes(self.sock.recv(4096))
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the other end gave up waiting: nothing to tell it
            self.sock.send(data)

    def close(self) -> None:
        self.sock.close()


class _QtEnd:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def notifier(self, parent: QObject) -> Any:
        return self.conn  # (its readyRead takes the notifier's place)

    def read(self) -> bytes | None:
        data = bytes(self.conn.readAll().data())
        return data or (b"" if self.conn.state() != self.conn.LocalSocketState.ConnectedState else None)

    def write(self, data: bytes) -> None:
        self.conn.write(data)
        self.conn.flush()

    def close(self) -> None:
        self.conn.disconnectFromServer()
        self.conn.deleteLater()


class _Conn(QObject):
    """Reads one message (up to its newline), answers it and closes; a connection that says
    nothing is closed after ``ANSWER_S`` seconds.

    The server's child, which keeps it (``close`` finds it with ``findChildren``). It holds no
    Python reference to its server: the last such reference going away when a connection is
    deleted would free the server, and so this very connection, from inside its own deferred
    delete (a crash seen once in CI, after the test that outlives a sending socket)."""

    def __init__(self, server: InstanceServer, end: _UnixEnd | _QtEnd) -> None:
        super().__init__(server)  # (its server is its parent: no Python reference back to it)
        self.end = end
        self.buffer = b""
        self.done = False
        self.watch = end.notifier(self)
        signal = self.watch.activated if isinstance(self.watch, QSocketNotifier) else self.watch.readyRead
        signal.connect(self._read)
        QTimer.singleShot(int(ANSWER_S * 1000), self, self.finish)
        self._read()  # (some may have arrived already)

    def _read(self) -> None:
        while not self.done and (data := self.end.read()) is not None:
            if not data:  # closed without a newline: take what came
                if self.buffer.strip():
                    self._server()._message(self.buffer)
                self.finish()
                return
            self.buffer += data
            if b"\n" in self.buffer:
                line = self.buffer.split(b"\n", 1)[0]
                self.end.write(self._server()._message(line))
                self.finish()
            elif len(self.buffer) > MAX_MESSAGE:
                self.end.write(self._server()._message(self.buffer))  # refused: too long
                self.finish()

    def _server(self) -> InstanceServer:
        server = self.parent()
        assert isinstance(server, InstanceServer)
        return server

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        if isinstance(self.watch, QSocketNotifier):
            self.watch.setEnabled(False)
        self.end.close()
        self.deleteLater()
