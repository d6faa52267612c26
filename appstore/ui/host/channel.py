"""The pipes between imapp and a DApp host process (``appstore.core.host.wire`` says what goes
through them): ``ProcessLink`` on imapp's side starts the process and talks over its standard
input and output; ``StdioChannel`` is the host process's side. Neither blocks the GUI thread on
a read: a thread reads each pipe and hands the messages over as queued signals.

No socket, no path on disk: only imapp and the process it started hold the pipes.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from appstore.core.host.wire import Lines, WireError, decode, encode
from appstore.core.logs import log

READ_SIZE = 1 << 16


class _Reader(QObject):
    """Reads lines from ``fd`` on a thread of its own. Signals (queued to the owner's thread):
    ``line(bytes)`` one message's line; ``eof()`` the other end closed."""

    line = Signal(bytes)
    eof = Signal()

    def __init__(self, fd: int, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fd = fd
        self._name = name
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _emit(self, signal: Any, *args: Any) -> bool:
        if not shiboken6.isValid(self):
            return False
        try:
            signal.emit(*args)
        except RuntimeError:  # the owner went away meanwhile
            return False
        return True

    def _run(self) -> None:
        lines = Lines()
        while True:
            try:
                data = os.read(self._fd, READ_SIZE)
            except OSError:
                data = b""
            if not data:
                self._emit(self.eof)
                return
            got, dropped = lines.feed(data)
            if dropped:
                log.warning("%s: %d oversized message(s) dropped", self._name, dropped)
            for line in got:
                if not self._emit(self.line, line):
                    return


class Channel(QObject):
    """One end of the pipes. Signals: ``received(dict)`` a message; ``closed()`` the other end
    went away (for good)."""

    received = Signal(dict)
    closed = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.open = True

    def _line(self, line: bytes) -> None:
        try:
            message = decode(line)
        except WireError as e:
            log.warning("%s: a message refused: %s", self.name, e)
            return
        self.received.emit(message)

    def _eof(self) -> None:
        if self.open:
            self.open = False
            self.closed.emit()

    def send(self, message: Mapping[str, Any]) -> None:
        raise NotImplementedError


class StdioChannel(Channel):
    """The host process's end: imapp's messages on standard input, its own on standard output.
    Standard output is taken for the messages alone: anything else printed there (by a library,
    by Chromium) goes to standard error instead, and standard input reads as empty."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("dapp host", parent)
        self._out = os.dup(1)
        os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
        self._in = os.dup(0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        self._lock = threading.Lock()
        self._reader = _Reader(self._in, "dapp host: imapp's messages", self)
        self._reader.line.connect(self._line)
        self._reader.eof.connect(self._eof)
        self._reader.start()

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.open:
            return
        data = encode(message)
        with self._lock:
            try:
                while data:  # (imapp reads on a thread of its own: this never waits for long)
                    data = data[os.write(self._out, data):]
            except OSError:
                self._eof()


class ProcessLink(Channel):
    """imapp's end: starts ``argv`` with pipes on its standard input and output (its standard
    error is imapp's). ``pid``; ``close()`` closes its input, which the process takes as "quit"
    (it closes its windows and ends on its own: its profiles are flushed); ``kill()``."""

    def __init__(self, argv: Sequence[str], name: str, *, env: Mapping[str, str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(name, parent)
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # (Windows: no console window)
        self.process = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=None, env=dict(env) if env is not None else None,
                                        creationflags=flags, close_fds=True)
        self.pid = self.process.pid
        assert self.process.stdin is not None and self.process.stdout is not None
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._closing = False
        self._writer = threading.Thread(target=self._write, args=(self.process.stdin,),
                                        name=f"{name}: writer", daemon=True)
        self._writer.start()
        self._reader = _Reader(self.process.stdout.fileno(), name, self)
        self._reader.line.connect(self._line)
        self._reader.eof.connect(self._ended)
        self._reader.start()

    def _write(self, stdin: Any) -> None:
        while True:
            data = self._queue.get()
            try:
                if data is None:
                    stdin.close()
                    return
                stdin.write(data)
                stdin.flush()
            except (OSError, ValueError):  # it ended: its reader says so
                return

    def _ended(self) -> None:
        self.process.poll()
        self._eof()

    def send(self, message: Mapping[str, Any]) -> None:
        if self.open and not self._closing:
            self._queue.put(encode(message))

    def close(self) -> None:
        """Ask the process to end (its input closes); it is not waited for."""
        if not self._closing:
            self._closing = True
            self._queue.put(None)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def exit_code(self) -> int | None:
        return self.process.poll()
