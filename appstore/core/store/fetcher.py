"""The network side of TUF: a ``requests``-based fetcher with file:// support and mirrors.

The TUF updater is given the placeholder base ``mirror:///``; this fetcher tries each mirror in
turn for every file, moving on when a host cannot be reached, is too slow, redirects elsewhere
or answers 5xx.

Nothing here waits without bound (see ``Limits``): a connection must open within ``connect``
seconds, a server may go ``stall`` seconds without sending a byte, and each file must arrive
whole within its deadline (``metadata`` or ``target`` seconds) however the server dribbles it.
The deadline covers the headers too: a watchdog shuts the socket of a request that overruns
it, which wakes a read blocked on a server that sends a byte now and then.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuf.api.exceptions import DownloadHTTPError
from tuf.ngclient import FetcherInterface

from appstore.core import httpsession
from appstore.core.errors import StoreUnreachable, short_path, shorten
from appstore.core.store.config import foreign_redirect, host_of

if TYPE_CHECKING:
    import requests

PLACEHOLDER = "mirror:///"
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Limits:
    """How long to wait for a store, in seconds."""

    connect: float = 5.0  # to open a connection
    stall: float = 30.0  # with nothing arriving
    metadata: float = 60.0  # for a whole metadata file (timestamp, root, snapshot, targets)
    target: float = 600.0  # for a whole target (catalogue, icon, package)

    def deadline_for(self, rel: str) -> float:
        return self.metadata if rel.startswith("metadata/") else self.target


DEFAULT_LIMITS = Limits()


_watches: weakref.WeakSet[_Watch] = weakref.WeakSet()  # the files being fetched now
_closing = threading.Event()


def abort_all() -> None:
    """The program is closing: every fetch in progress ends now (its socket is shut down, it
    raises ``StoreUnreachable``) and no new one starts, so no thread outlives the program."""
    _closing.set()
    for watch in list(_watches):
        watch.abort()


def is_closing() -> bool:
    return _closing.is_set()


class _Watch:
    """The deadline of one file: when it passes, the socket in use is shut down."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.deadline = time.monotonic() + limit
        self.fired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._armed: tuple[Any, socket.socket] | None = None
        _watches.add(self)
        if _closing.is_set():
            self.deadline = 0.0

    @property
    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.deadline

    def abort(self) -> None:
        self.deadline = 0.0
        armed = self._armed
        if armed is not None:
            self._fire(*armed)

    def attach(self, conn: Any, sock: socket.socket) -> None:
        """Watch ``sock`` (of connection ``conn``) until ``cancel`` (``httpsession.Watcher``)."""
        with self._lock:
            if self._done:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._armed = (conn, sock)
            delay = max(0.0, self.deadline - time.monotonic())
            self._timer = threading.Timer(delay, self._fire, (conn, sock))
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, conn: Any, sock: socket.socket) -> None:
        with self._lock:
            # The connection may be back in the pool, serving another request: leave it then.
            if self._done or getattr(conn, "imapp_watcher", None) is not self:
                return
            self.fired = True
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        with self._lock:
            self._done = True
            if self._timer is not None:
                self._timer.cancel()


class MirrorFetcher(FetcherInterface):
    """Fetches ``mirror:///PATH`` from the first mirror that answers."""

    def __init__(self, mirrors: Sequence[str], limits: Limits = DEFAULT_LIMITS) -> None:
        if not mirrors:
            raise ValueError("a store needs at least one URL")
        self.mirrors = [m.rstrip("/") + "/" for m in mirrors]
        self.limits = limits
        self.used_mirror = self.mirrors[0]

    def _fetch(self, url: str) -> Iterator[bytes]:
        rel = url.removeprefix(PLACEHOLDER)
        limit = self.limits.deadline_for(rel)
        failures: list[str] = []
        for i, base in enumerate(self.mirrors):
            full = base + rel
            chunks = self._open(full, limit)
            try:
                first = next(chunks, b"")
            except StoreUnreachable as e:
                failures.append(str(e))
                continue
            except DownloadHTTPError as e:
                # 404 everywhere means "no such file" (e.g. no newer root): try the others,
                # and report the last mirror's status if none has it.
                if i == len(self.mirrors) - 1:
                    raise
                failures.append(f"{host_of(full)} answered {e.status_code}")
                continue
            self.used_mirror = base
            yield first
            yield from chunks
            return
        raise StoreUnreachable("; ".join(failures))

    def _open(self, url: str, limit: float) -> Iterator[bytes]:
        """The file's blocks; errors (and the wait for the first block) come on first ``next``."""
        if url.startswith("file:"):
            return self._read_file(url, limit)
        return self._get(url, limit)

    # -- http(s) ---------------------------------------------------------------------------
    def _get(self, url: str, limit: float) -> Iterator[bytes]:
        watch = _Watch(limit)
        resp: requests.Response | None = None
        try:
            resp, final = self._request(url, watch)
            yield from self._read(resp, watch, host_of(final))
        finally:
            watch.cancel()
            if resp is not None:
                resp.close()

    def _request(self, url: str, watch: _Watch) -> tuple[requests.Response, str]:
        """The 200 response to GET ``url`` (redirects followed within its host), headers read."""
        resp, current = self._follow(url, watch)
        if resp.status_code >= 500:
            resp.close()
            raise StoreUnreachable(f"{host_of(current)} answered with error {resp.status_code}")
        if resp.status_code != 200:
            resp.close()
            raise DownloadHTTPError(f"{shorten(current)} answered {resp.status_code}",
                                    resp.status_code)
        return resp, current

    def _follow(self, url: str, watch: _Watch, *, headers: dict[str, str] | None = None,
                instead: str = "add that address as the store's URL or mirror",
                ) -> tuple[requests.Response, str]:
        """The response to GET ``url`` with ``headers``, whatever its status, redirects followed
        within its host (``instead`` says what to do about one that leaves it)."""
        import requests

        session = httpsession.session()
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                with httpsession.watching(watch):
                    resp = session.get(current, stream=True, allow_redirects=False, headers=headers,
                                       timeout=(self.limits.connect, self.limits.stall))
            except requests.RequestException as e:
                raise self._failure(e, current, watch) from None
            if not resp.is_redirect:
                return resp, current
            target = urllib.parse.urljoin(current, resp.headers.get("location", ""))
            resp.close()
            other = foreign_redirect(current, target)
            if other:
                raise StoreUnreachable(f"{host_of(current)} redirects to {other}; {instead}")
            current = target
        raise StoreUnreachable(f"{host_of(url)} redirects more than {MAX_REDIRECTS} times")

    def _read(self, resp: requests.Response, watch: _Watch, host: str) -> Iterator[bytes]:
        """The body as it arrives: ``read1`` returns what has come (a deadline check between
        fixed-size reads would wait for each whole block), checked against the deadline."""
        from urllib3.exceptions import HTTPError as TransportError
        from urllib3.exceptions import ReadTimeoutError

        while True:
            if watch.expired:
                raise _too_slow(host, watch)
            try:
                block = resp.raw.read1(CHUNK, decode_content=True)
            except (TransportError, OSError) as e:
                if watch.expired:
                    raise _too_slow(host, watch) from None
                if isinstance(e, ReadTimeoutError | TimeoutError):
                    raise _stalled(host, self.limits.stall) from None
                raise StoreUnreachable(
                    f"the connection to {host} broke ({_reason(e)})") from None
            if not block:
                if watch.fired:  # cut off: what came is not the whole file
                    raise _too_slow(host, watch)
                return
            yield block

    def _failure(self, e: Exception, url: str, watch: _Watch) -> StoreUnreachable:
        import requests

        host = host_of(url)
        if watch.expired:
            return _too_slow(host, watch)
        if isinstance(e, requests.ConnectTimeout):
            return StoreUnreachable(
                f"{host} did not answer in time (no connection within {self.limits.connect:g} s)")
        if isinstance(e, requests.Timeout):
            return _stalled(host, self.limits.stall)
        return StoreUnreachable(f"could not connect to {host} ({_reason(e)})")

    # -- file:// -------------------------------------------------------------------------------
    @staticmethod
    def _read_file(url: str, limit: float) -> Iterator[bytes]:
        """A local file, only if it is a regular file: a FIFO or a device would block (or
        never end), so neither is opened for reading."""
        deadline = time.monotonic() + limit
        try:
            path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise _not_a_file(path)
            fd = os.open(path, _OPEN_FLAGS)  # never blocks, even if it became a FIFO since
        except (FileNotFoundError, NotADirectoryError):
            raise DownloadHTTPError(f"{short_path(path)} does not exist", 404) from None
        except OSError as e:
            raise StoreUnreachable(f"cannot read {short_path(path)} ({_reason(e)})") from None
        except ValueError as e:  # a NUL byte in the path
            raise StoreUnreachable(f"cannot read {shorten(url)} ({e})") from None
        with os.fdopen(fd, "rb", buffering=0) as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _not_a_file(path)
            while True:
                if time.monotonic() >= deadline:
                    raise StoreUnreachable(f"{short_path(path)} was too slow to read "
                                           f"(more than {limit:g} s)")
                try:
                    block = f.read(CHUNK)
                except OSError as e:
                    raise StoreUnreachable(f"cannot read {short_path(path)} ({_reason(e)})") from None
                if not block:
                    return
                yield block


def _too_slow(host: str, watch: _Watch) -> StoreUnreachable:
    if _closing.is_set():
        return StoreUnreachable(f"the transfer from {host} was stopped: imapp is closing")
    return StoreUnreachable(f"{host} was too slow: the file did not arrive within {watch.limit:g} s")


def _stalled(host: str, stall: float) -> StoreUnreachable:
    return StoreUnreachable(f"{host} stopped answering (nothing for {stall:g} s)")


def _not_a_file(path: str) -> StoreUnreachable:
    return StoreUnreachable(
        f"{short_path(path)} is not a regular file (a folder, pipe or device); a store is made of "
        "plain files")


def _reason(e: BaseException) -> str:
    text = str(e)
    for hint in ("Connection refused", "Name or service not known", "timed out", "reset"):
        if hint in text:
            return hint.lower()
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[:1].lower() + e.strerror[1:]
    return type(e).__name__
