"""The HTTP side of downloads: a monitor beside each download that watches its requests on
the process's one session (``core/httpsession.py``), so a cancel (a pause) can cut a read that
is waiting for a server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from appstore.core import httpsession
from appstore.core.jobs import JobContext

WATCH_INTERVAL = 0.1  # how often a cancel is looked for while a read is blocked


class Monitor:
    """Watches a download from beside it: shuts the socket of a blocked read when the job is
    cancelled (so pause answers at once even when a server stalls), and keeps progress coming
    while nothing arrives."""

    def __init__(self, ctx: JobContext, on_idle: Callable[[], None]) -> None:
        self.ctx = ctx
        self.on_idle = on_idle  # progress keeps coming while nothing arrives
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="download-monitor", daemon=True)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def attach(self, conn: Any, sock: socket.socket) -> None:
        """``httpsession.Watcher``: the download now reads from ``sock``."""
        with self._lock:
            self._sock = sock
        if self.ctx.cancelled:
            self._shut()

    def detach(self) -> None:
        with self._lock:
            self._sock = None

    def _shut(self) -> None:
        with self._lock:
            if self._sock is not None:
                with suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                self._sock = None

    def _run(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL):
            if self.ctx.cancelled:
                self._shut()
            self.on_idle()


def detach() -> None:
    """The current request is done with its socket (it may go back to the pool)."""
    monitor = httpsession.current()
    if isinstance(monitor, Monitor):
        monitor.detach()
