"""The HTTP side of downloads: one session whose connections hand their socket to the
download running on their thread, so a cancel (a pause) can cut a read that is waiting for a
server, and a monitor beside each download that does the cutting."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from appstore.core.jobs import JobContext

if TYPE_CHECKING:
    import requests
    import requests.adapters

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

    def attach(self, sock: socket.socket) -> None:
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


# -- the HTTP session ------------------------------------------------------------------------------
_session: requests.Session | None = None
_session_lock = threading.Lock()
_local = threading.local()  # .monitor: the Monitor of the download this thread runs


def session() -> requests.Session:
    """The one HTTP session of downloads (made on first use), with our User-Agent. Its
    connections hand their socket to the current download's monitor, so a pause can interrupt
    a read that is waiting for a server."""
    global _session
    with _session_lock:
        if _session is None:
            import requests

            from appstore.core.store.fetcher import USER_AGENT

            s = requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            adapter = _tracked_adapter()
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            _session = s
        return _session


def _tracked_adapter() -> requests.adapters.HTTPAdapter:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.poolmanager import PoolManager

    class Tracked:
        sock: socket.socket | None

        def getresponse(self) -> Any:
            monitor: Monitor | None = getattr(_local, "monitor", None)
            if monitor is not None and self.sock is not None:
                monitor.attach(self.sock)
            return super().getresponse()  # type: ignore[misc]

    class TrackedHTTP(Tracked, HTTPConnection):
        pass

    class TrackedHTTPS(Tracked, HTTPSConnection):
        pass

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = TrackedHTTP

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = TrackedHTTPS

    def tracked(manager: PoolManager) -> PoolManager:
        manager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}
        return manager

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            tracked(self.poolmanager)

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            return tracked(super().proxy_manager_for(*args, **kwargs))

    return Adapter(pool_maxsize=16)


@contextmanager
def watching(monitor: Monitor) -> Iterator[None]:
    """Requests made by this thread meanwhile report their sockets to ``monitor``."""
    _local.monitor = monitor
    try:
        yield
    finally:
        _local.monitor = None


def detach() -> None:
    """The current request is done with its socket (it may go back to the pool)."""
    monitor: Monitor | None = getattr(_local, "monitor", None)
    if monitor is not None:
        monitor.detach()
