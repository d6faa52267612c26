"""One attempt on one mirror: an HTTP GET (Range to resume, redirects within the host, every
status judged by the rules in docs/downloads.md) or a ``file://`` mirror, and the loop every
byte goes through (read, bound, hash, write, report)."""

from __future__ import annotations

import os
import re
import socket
import stat
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from appstore.core.downloads.http import detach
from appstore.core.downloads.meter import PROGRESS_INTERVAL, Meter
from appstore.core.downloads.options import MAX_REDIRECTS, MAX_RETRY_AFTER, TransferOptions
from appstore.core.downloads.partfile import PartFile, reason
from appstore.core.downloads.state import DownloadRequest, State
from appstore.core.errors import shorten
from appstore.core.httpsession import session
from appstore.core.jobs import JobContext
from appstore.core.store.config import DEFAULT_PORTS, foreign_redirect, host_of

if TYPE_CHECKING:
    import requests

_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", re.IGNORECASE)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


Kind = Literal[
    "again",  # the part was reset: ask the same mirror again at once
    "drop",  # the connection broke
    "stall",  # nothing arrived for stall_timeout seconds
    "unreachable",  # no connection, or an error on the server (5xx)
    "missing",  # the mirror has no such file (404 and other refusals), or not a plain file
    "bad",  # the mirror's bytes are not the ones the store signed
]


class Failure(Exception):
    def __init__(self, reason: str, kind: Kind, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.retry_after = retry_after  # seconds the mirror asked to wait (Retry-After)


class Mirror(PartFile):
    """Fills the part from one mirror at a time (``_attempt``); a ``Failure`` says what went
    wrong there."""

    def __init__(self, request: DownloadRequest, dest_dir: Path, ctx: JobContext,
                 options: TransferOptions, meter: Meter) -> None:
        super().__init__(request, dest_dir, ctx, options, meter)
        self.received = 0  # bytes received in this call (to tell a retry that made progress)
        self.clean_retried = False
        self.stall = max(0.001, options.stall_timeout)

    def _attempt(self, url: str) -> None:
        origin = _origin(url)
        if self.have and self.origin != origin:
            self.mixed = True
        if url.startswith("file:"):
            self._attempt_file(url)
        else:
            self._attempt_http(url, origin)
        if self.have < self.req.length:  # a partial range answered in full: ask for the rest
            raise Failure(f"{host_of(url)} sent only part of the file", "drop")
        self.meter.update(self.have, state=State.VERIFYING, note="verifying", force=True)
        if self.hasher.hexdigest() == self.req.sha256:
            self._publish()
            return
        if self.mixed and not self.clean_retried:
            # Bytes from an earlier session or another mirror may be the damaged ones.
            self.clean_retried = True
            self._restart("the file did not verify; downloading it again from the start")
            raise Failure(f"{host_of(url)}: the file did not verify", "again")
        self._restart("")
        raise Failure(f"the copy on {host_of(url)} has a different SHA-256", "bad")

    def _attempt_http(self, url: str, origin: str) -> None:
        start = self.have
        use_range = start > 0 and origin not in self.pstate.no_range
        headers = {"Accept-Encoding": "identity"}
        if use_range:
            headers["Range"] = f"bytes={start}-"
        resp, final = self._get(url, headers)
        host = host_of(final)
        try:
            status = resp.status_code
            encoded = resp.headers.get("Content-Encoding", "identity").strip().lower() not in (
                "", "identity")
            if status == 416:
                # The server says the part reaches its end: it is whole, or it is wrong.
                if start == self.req.length:
                    return
                self._restart(f"{host} refused to resume; starting again")
                raise Failure(f"{host} refused to resume the download", "again")
            if status >= 500 or status in (408, 429):
                raise Failure(f"{host} answered with error {status}", "unreachable",
                              retry_after=_retry_after(resp))
            if status == 206:
                span = _content_range(resp.headers.get("Content-Range", ""))
                if (not use_range or encoded or span is None or span[0] != start
                        or span[1] >= self.req.length or span[2] not in (None, self.req.length)):
                    self._no_range(origin)
                    self._restart(f"{host} sent the wrong part of the file; starting again")
                    raise Failure(f"{host} sent the wrong part of the file", "again")
                end = span[1] + 1
            elif status == 200:
                if start:
                    if use_range:
                        self._no_range(origin)
                    self._restart(f"{host} cannot resume downloads; starting again")
                end = self.req.length
                size = _int(resp.headers.get("Content-Length"))
                if size is not None and not encoded and size != self.req.length:
                    longer = "more" if size > self.req.length else "fewer"
                    raise Failure(f"{host} offers {size} bytes, {longer} than the "
                                   f"{self.req.length} the store signed", "bad")
            else:
                raise Failure(f"{host} answered {status}", "missing")
            self.origin = origin
            self._pump(lambda n: resp.raw.read1(n, decode_content=encoded), host, end)
        finally:
            detach()
            resp.close()

    def _get(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, str]:
        """GET ``url``, following redirects only within its host (at most MAX_REDIRECTS)."""
        import requests

        s = session()
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                resp = s.get(current, headers=headers, stream=True, allow_redirects=False,
                             timeout=(self.opt.connect_timeout, self.stall))
            except requests.RequestException as e:
                detach()
                self.ctx.check()
                raise self._request_failure(e, current) from None
            if not resp.is_redirect:
                return resp, current
            target = urllib.parse.urljoin(current, resp.headers.get("Location", ""))
            detach()
            resp.close()
            other = foreign_redirect(current, target)
            if other:
                raise Failure(f"{host_of(current)} redirects to another server ({other}), which is "
                               "not followed", "missing")
            current = target
        raise Failure(f"{host_of(url)} redirects more than {MAX_REDIRECTS} times", "missing")

    def _request_failure(self, e: Exception, url: str) -> Failure:
        import requests

        host = host_of(url)
        if isinstance(e, requests.ConnectTimeout):
            return Failure(f"{host} did not answer (no connection within "
                            f"{self.opt.connect_timeout:g} s)", "unreachable")
        if isinstance(e, requests.Timeout):
            return Failure(_stalled(host, self.stall), "stall")
        if isinstance(e, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                      | requests.exceptions.InvalidSchema):
            return Failure(f"{shorten(url)} is not a download address", "missing")
        return Failure(f"could not connect to {host} ({reason(e)})", "unreachable")

    def _attempt_file(self, url: str) -> None:
        """A mirror on this machine: a regular file only (a FIFO or device would block)."""
        try:
            path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise Failure(f"{shorten(url)} does not exist", "missing") from None
        except (OSError, ValueError) as e:
            raise Failure(f"cannot read {shorten(url)} ({reason(e)})", "unreachable") from None
        if not stat.S_ISREG(st.st_mode):
            raise Failure(_not_a_file(path), "missing")
        try:
            fd = os.open(path, _FILE_FLAGS)  # never blocks, even if it became a FIFO since
        except OSError as e:
            raise Failure(f"cannot read {shorten(path)} ({reason(e)})", "unreachable") from None
        with os.fdopen(fd, "rb", buffering=0) as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Failure(_not_a_file(path), "missing")
            if st.st_size != self.req.length:
                longer = "more" if st.st_size > self.req.length else "fewer"
                raise Failure(f"{shorten(path)} has {st.st_size} bytes, {longer} than the "
                               f"{self.req.length} the store signed", "bad")
            f.seek(self.have)
            self.origin = _origin(url)
            self._pump(f.read, shorten(path), self.req.length, local=True)

    # -- the loop every byte goes through --------------------------------------------------------
    def _pump(self, read: Callable[[int], bytes], host: str, end: int, *, local: bool = False) -> None:
        """Read until EOF into the part, hashing as it goes; ``end`` is the offset the source
        said it stops at. More than the signed length stops it at once."""
        chunk, length, fd, ctx, meter = self.opt.chunk, self.req.length, self.fd, self.ctx, self.meter
        update = self.hasher.update
        timeouts, broken = _transport_errors()
        have = self.have
        next_report = time.monotonic() + PROGRESS_INTERVAL
        try:
            while True:
                try:
                    data = read(chunk)
                except timeouts:
                    ctx.check()
                    raise Failure(_stalled(host, self.stall), "stall") from None
                except broken as e:
                    ctx.check()
                    broke = f"reading {host} failed" if local else f"the connection to {host} broke"
                    raise Failure(f"{broke} ({reason(e)})", "drop") from None
                if not data:
                    break
                n = len(data)
                if have + n > end:
                    if have + n > length:
                        raise Failure(f"{host} sent more than the {length} bytes the store "
                                       "signed", "bad")
                    raise Failure(f"{host} sent more than it announced", "bad")
                update(data)
                view = memoryview(data)
                while view:
                    try:
                        written = os.write(fd, view)
                    except OSError as e:
                        raise self._write_error(e) from None
                    view = view[written:]
                have += n
                self.have = have
                self.received += n
                ctx.check()
                now = time.monotonic()
                if now >= next_report:
                    next_report = now + PROGRESS_INTERVAL
                    meter.update(have)
                    if now >= self.next_checkpoint:
                        self._checkpoint()
            ctx.check()
            if have < end:
                broke = f"reading {host} failed" if local else f"the connection to {host} broke"
                raise Failure(f"{broke} (the file was cut short)", "drop")
        except Failure as f:
            if f.kind == "bad":
                self._restart("")
            raise
        finally:
            meter.update(self.have)

    def _no_range(self, origin: str) -> None:
        if origin not in self.pstate.no_range:
            self.pstate.no_range.append(origin)


# -- helpers ---------------------------------------------------------------------------------------
def _retry_after(resp: requests.Response) -> float | None:
    """The seconds a 429 or 503 asks to wait (``Retry-After``: seconds or an HTTP date, at most
    ``MAX_RETRY_AFTER``), as urllib3's ``Retry`` reads it; None if none or unreadable."""
    from urllib3.exceptions import InvalidHeader
    from urllib3.util.retry import Retry

    if resp.status_code not in Retry.RETRY_AFTER_STATUS_CODES:
        return None
    try:
        return Retry(retry_after_max=MAX_RETRY_AFTER).get_retry_after(resp.raw)
    except InvalidHeader:
        return None


_errors: tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]] | None = None


def _transport_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(timeouts, broken connections) as the loaded network stack raises them."""
    global _errors
    if _errors is None:
        timeouts: tuple[type[BaseException], ...] = (TimeoutError, socket.timeout)
        broken: tuple[type[BaseException], ...] = (OSError,)
        if "urllib3" in sys.modules or "requests" in sys.modules:
            from urllib3.exceptions import HTTPError, ReadTimeoutError

            timeouts += (ReadTimeoutError,)
            broken += (HTTPError,)
            _errors = (timeouts, broken)
        return timeouts, broken
    return _errors


def _content_range(value: str) -> tuple[int, int, int | None] | None:
    """``bytes START-END/TOTAL`` (TOTAL may be ``*``) as numbers; None if not that."""
    m = _CONTENT_RANGE.fullmatch(value or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    if end < start:
        return None
    return start, end, None if m.group(3) == "*" else int(m.group(3))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _origin(url: str) -> str:
    """``scheme://host:port`` of a URL (``file://`` for local files)."""
    try:
        p = urllib.parse.urlsplit(url)
        port = p.port or DEFAULT_PORTS.get(p.scheme)
        return f"{p.scheme}://{(p.hostname or '').lower()}" + (f":{port}" if port else "")
    except ValueError:
        return url


def _stalled(host: str, stall: float) -> str:
    return f"{host} stopped sending data (nothing for {stall:g} s)"


def _not_a_file(path: str) -> str:
    return (f"{shorten(path)} is not a regular file (a folder, pipe or device); a store is made "
            "of plain files")
