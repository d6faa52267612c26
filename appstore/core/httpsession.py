"""The process's one HTTP session (``requests``, one connection pool), made on first use: a
start that only reads file:// stores never loads requests at all.

Its connections hand their socket to whoever watches the request the current thread is making
(``with watching(watcher):``): a store file's deadline (``store/fetcher.py``) or a download's
cancel (``downloads/http.py``) can then cut a read that is waiting for a server. A connection
remembers its watcher (``imapp_watcher``) until its next request, so a watcher can tell when
the connection has gone back to the pool and serves someone else.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from appstore import __version__

if TYPE_CHECKING:
    import requests
    import requests.adapters

USER_AGENT = f"imapp-desktop/{__version__}"


class Watcher(Protocol):
    def attach(self, conn: Any, sock: socket.socket) -> None:
        """The request being watched now reads from ``sock`` (of connection ``conn``)."""


_session: requests.Session | None = None
_session_lock = threading.Lock()
_local = threading.local()  # .watcher: who watches the request this thread is making


@contextmanager
def watching(watcher: Watcher) -> Iterator[None]:
    """Requests this thread makes meanwhile hand their sockets to ``watcher``."""
    _local.watcher = watcher
    try:
        yield
    finally:
        _local.watcher = None


def current() -> Watcher | None:
    """The watcher of this thread's requests, if any."""
    return getattr(_local, "watcher", None)


def session() -> requests.Session:
    """The shared session, with our User-Agent and watched connections."""
    global _session
    with _session_lock:
        if _session is None:
            import requests

            s = requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            adapter = _watched_adapter()
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            _session = s
        return _session


def _watched_adapter() -> requests.adapters.HTTPAdapter:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.poolmanager import PoolManager

    class Watched:
        sock: socket.socket | None
        imapp_watcher: Watcher | None = None

        def request(self, *args: Any, **kwargs: Any) -> None:
            self.imapp_watcher = None  # a new request: an older watcher no longer applies
            super().request(*args, **kwargs)  # type: ignore[misc]

        def getresponse(self) -> Any:
            watcher = current()
            if watcher is not None and self.sock is not None:
                self.imapp_watcher = watcher
                watcher.attach(self, self.sock)
            return super().getresponse()  # type: ignore[misc]

    class WatchedHTTP(Watched, HTTPConnection):
        pass

    class WatchedHTTPS(Watched, HTTPSConnection):
        pass

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTP

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPS

    def watched(manager: PoolManager) -> PoolManager:
        # Only plain pools are replaced (a SOCKS proxy's own pools are left as they are: its
        # requests then have the per-read timeouts and the checks between reads, not the watch).
        if manager.pool_classes_by_scheme.get("http") is HTTPConnectionPool:
            manager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}
        return manager

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            watched(self.poolmanager)

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            return watched(super().proxy_manager_for(*args, **kwargs))

    return Adapter(pool_maxsize=16)
