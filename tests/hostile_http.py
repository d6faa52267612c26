"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for download and install tests.

    with HostileServer({"/f.zip": data}) as srv:
        srv.set("/f.zip", drop_after=1000)          # cut the first answer after 1000 bytes
        url = srv.url("/f.zip")
        ...
        assert srv.bytes_served("/f.zip") == len(data)

Files come from a dict (path -> bytes) and/or a folder (``root``). Each path may have its own
``Behaviour`` (``set(path, ...)``; ``set(None, ...)`` is the default for every path); what it
does is counted per behaviour, so ``drop_times=1`` cuts one answer and later ones go through.
Byte counts are of the body only, and only of what was handed to the socket.

Behaviours: drop the connection after N body bytes (once, or every time), stall for S seconds
after N bytes, throttle to B bytes/s, ignore Range (always 200 with everything), answer Range
with a wrong Content-Range or a fixed status (416…), flip the byte at an offset, append extra
bytes (with or without a Content-Length), answer a status (500, 404…, with headers such as
Retry-After) a number of times, redirect,
delay the headers. Range requests are otherwise honoured (``bytes=N-`` and ``bytes=N-M``).
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PIECE = 64 * 1024  # bytes handed to the socket at a time (smaller when throttled)


@dataclass
class Behaviour:
    status: int | None = None  # answer this status instead of the file...
    status_times: int | None = None  # ...this many times (None: always)...
    status_from: int = 0  # ...from this request on (0: the first; 1: the first is served)
    status_headers: dict[str, str] = field(default_factory=dict)  # ...with these (Retry-After…)
    drop_after: int | None = None  # cut the connection after this many body bytes...
    drop_times: int | None = 1  # ...in this many answers (None: every answer)
    stall_after: int | None = None  # go silent after this many body bytes...
    stall_for: float = 5.0  # ...for this long...
    stall_times: int | None = 1  # ...in this many answers (None: every answer)
    throttle: int | None = None  # bytes per second
    ignore_range: bool = False  # always 200 with the whole file
    wrong_content_range: bool = False  # 206 that says (and sends) another start than asked
    range_status: int | None = None  # answer any Range request with this status (e.g. 416)
    corrupt_at: int | None = None  # flip the byte at this offset of the file
    extra: bytes = b""  # sent after the file (a body longer than the file)
    content_length: bool = True  # False: no Content-Length; the body ends with the connection
    redirect: str | None = None  # answer 302 with this Location
    headers_delay: float = 0.0  # seconds before the headers are sent
    # what happened (counted by the server)
    dropped: int = field(default=0, compare=False)
    stalled: int = field(default=0, compare=False)
    statused: int = field(default=0, compare=False)
    seen: int = field(default=0, compare=False)  # requests that got this behaviour

    def _due(self, times: int | None, done: int) -> bool:
        return times is None or done < times


@dataclass
class Hit:
    """One request as the server saw it."""

    path: str
    range: str | None
    status: int = 0
    sent: int = 0  # body bytes handed to the socket
    start: int = 0  # the file offset the body started at


class HostileServer:
    def __init__(self, files: dict[str, bytes] | None = None, root: Path | None = None) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        self.root = root
        self.behaviours: dict[str | None, Behaviour] = {}
        self.hits: list[Hit] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        handler = type("Handler", (_Handler,), {"owner": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-http", daemon=True)
        self._thread.start()

    # -- set-up ------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, data: bytes) -> str:
        self.files[path] = data
        return self.url(path)

    def set(self, path: str | None = None, **kw: Any) -> Behaviour:
        """Give ``path`` (None: every path without its own) a new behaviour."""
        names = {f.name for f in fields(Behaviour)}
        unknown = set(kw) - names
        if unknown:
            raise TypeError(f"unknown behaviours: {sorted(unknown)}")
        b = Behaviour(**kw)
        with self._lock:
            self.behaviours[path] = b
        return b

    def reset(self) -> None:
        """Behave again, and forget what was counted."""
        with self._lock:
            self.behaviours.clear()
            self.hits.clear()
            self.max_active = self.active

    # -- what happened -----------------------------------------------------------------------------
    def requests(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if path is None or h.path == path]

    def bytes_served(self, path: str | None = None) -> int:
        return sum(h.sent for h in self.requests(path))

    # -- the end -----------------------------------------------------------------------------------
    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------------
    def _behaviour(self, path: str) -> Behaviour:
        with self._lock:
            return self.behaviours.get(path) or self.behaviours.get(None) or Behaviour()

    def _data(self, path: str) -> memoryview | None:
        data = self.files.get(path)
        if data is not None:
            return memoryview(data)
        if self.root is not None:
            local = (self.root / path.lstrip("/")).resolve()
            if local.is_relative_to(self.root.resolve()) and local.is_file():
                return memoryview(local.read_bytes())
        return None


def refused_url(path: str = "/file") -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up are the point of this server


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: HostileServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        srv = self.owner
        path = urllib.parse.urlsplit(self.path).path
        hit = Hit(path, self.headers.get("Range"))
        with srv._lock:
            srv.hits.append(hit)
            srv.active += 1
            srv.max_active = max(srv.max_active, srv.active)
        try:
            self._answer(srv, path, hit)
        except (OSError, ValueError):
            self.close_connection = True
        finally:
            with srv._lock:
                srv.active -= 1

    def _answer(self, srv: HostileServer, path: str, hit: Hit) -> None:
        b = srv._behaviour(path)
        with srv._lock:
            b.seen += 1
            nth = b.seen - 1
        if b.headers_delay:
            srv._stop.wait(b.headers_delay)
        if b.redirect is not None:
            self._status(hit, 302, {"Location": b.redirect})
            return
        if b.status is not None and nth >= b.status_from and b._due(b.status_times, b.statused):
            b.statused += 1
            self._status(hit, b.status, b.status_headers)
            return
        data = srv._data(path)
        if data is None:
            self._status(hit, 404)
            return
        size = len(data)
        start, end = 0, size  # end: exclusive
        status = 200
        asked = _parse_range(hit.range) if hit.range else None
        if hit.range and not b.ignore_range:
            if b.range_status is not None:
                self._status(hit, b.range_status, {"Content-Range": f"bytes */{size}"})
                return
            if asked is None or asked[0] >= size:
                self._status(hit, 416, {"Content-Range": f"bytes */{size}"})
                return
            start, end = asked[0], min(size, asked[1] + 1 if asked[1] is not None else size)
            status = 206
            if b.wrong_content_range:
                start = min(size - 1, start + 7)
        body_len = end - start + (len(b.extra) if end == size else 0)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "none" if b.ignore_range else "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        if b.content_length:
            self.send_header("Content-Length", str(body_len))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        hit.status, hit.start = status, start
        self._body(srv, b, hit, data, start, end)

    def _body(self, srv: HostileServer, b: Behaviour, hit: Hit, data: memoryview, start: int,
              end: int) -> None:
        extra = memoryview(b.extra) if end == len(data) else memoryview(b"")
        total = end - start + len(extra)
        drop = b.drop_after if b.drop_after is not None and b._due(b.drop_times, b.dropped) else None
        if drop is not None and drop >= total:
            drop = None  # nothing left to cut
        stall = b.stall_after if b.stall_after is not None and b._due(b.stall_times, b.stalled) else None
        if stall is not None and stall >= total:
            stall = None
        piece = PIECE if not b.throttle else max(1, min(PIECE, b.throttle // 20))
        t0 = time.monotonic()
        sent = 0
        while sent < total:
            if drop is not None and sent >= drop:
                b.dropped += 1
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if stall is not None and sent >= stall:
                b.stalled += 1
                stall = None
                if srv._stop.wait(b.stall_for):
                    return
                t0 = time.monotonic() - sent / b.throttle if b.throttle else t0
            limit = min(total, drop if drop is not None else total, stall if stall is not None else total)
            n = min(piece, limit - sent)
            pos = start + sent
            if pos < end:
                n = min(n, end - pos)
                chunk: bytes | memoryview = data[pos:pos + n]
                if b.corrupt_at is not None and pos <= b.corrupt_at < pos + n:
                    flipped = bytearray(chunk)
                    flipped[b.corrupt_at - pos] ^= 0xFF
                    chunk = bytes(flipped)
            else:
                chunk = extra[pos - end:pos - end + n]
            self.wfile.write(chunk)
            sent += len(chunk)
            with srv._lock:
                hit.sent += len(chunk)
            if b.throttle:
                ahead = t0 + sent / b.throttle - time.monotonic()
                if ahead > 0 and srv._stop.wait(ahead):
                    return

    def _status(self, hit: Hit, status: int, headers: dict[str, str] | None = None) -> None:
        body = f"{status}\n".encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        hit.status = status


def _parse_range(value: str | None) -> tuple[int, int | None] | None:
    """``bytes=N-`` or ``bytes=N-M`` (one range); None otherwise."""
    if not value or not value.startswith("bytes="):
        return None
    first, _, last = value[6:].partition("-")
    try:
        start = int(first)
        stop = int(last) if last.strip() else None
    except ValueError:
        return None
    if start < 0 or (stop is not None and stop < start):
        return None
    return start, stop
