"""Fetching feeds and images: the store fetcher's HTTP machinery, with conditional requests.

A feed is fetched by the same code that fetches store files (``store.fetcher``): one shared
session, a connect timeout, a stall timeout, a deadline for the whole file enforced by a
watchdog that shuts the socket, and the same-host redirect rule. What is added here: the
``If-None-Match`` / ``If-Modified-Since`` headers (a ``304`` is "unchanged"), and a cap on the
bytes read (counted after decompression, so a gzip bomb stops at the cap too).
"""

from __future__ import annotations

import os
import stat
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuf.api.exceptions import DownloadHTTPError

from appstore.core.errors import StoreError, shorten
from appstore.core.news.limits import DEFAULT_LIMITS as DEFAULT_LIMITS  # (named here too)
from appstore.core.news.limits import FeedLimits as FeedLimits
from appstore.core.news.limits import NewsError as NewsError
from appstore.core.store import fetcher as store_fetcher
from appstore.core.store.config import host_of

if TYPE_CHECKING:
    import requests


ACCEPT = ("application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")


@dataclass(frozen=True)
class Fetched:
    """A response: ``data`` is None when the feed is unchanged (HTTP 304, or a file whose size
    and time did not change)."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    url: str = ""  # where it came from in the end (after redirects)


class FeedFetcher(store_fetcher.MirrorFetcher):
    """Gets one address (http, https or file) with the store fetcher's limits."""

    def __init__(self, limits: FeedLimits = DEFAULT_LIMITS) -> None:
        super().__init__(["file:///"], store_fetcher.Limits(
            connect=limits.connect, stall=limits.stall, metadata=limits.deadline,
            target=limits.deadline))
        self.feed_limits = limits

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int | None = None, deadline: float | None = None,
            accept: str = ACCEPT) -> Fetched:
        cap = self.feed_limits.feed_bytes if max_bytes is None else max_bytes
        limit = self.feed_limits.deadline if deadline is None else deadline
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        try:
            if scheme == "file":
                return self._get_file(url, etag, cap, limit)
            if scheme not in ("http", "https"):
                raise NewsError(f"{shorten(url)!r} is not an http, https or file address")
            return self._get_http(url, etag, last_modified, cap, limit, accept)
        except StoreError as e:  # the fetcher's words: unreachable, too slow, redirected...
            raise NewsError(e.message) from None
        except DownloadHTTPError as e:
            raise NewsError(str(e)) from None

    # -- http(s) ---------------------------------------------------------------------------
    def _get_http(self, url: str, etag: str | None, last_modified: str | None, cap: int,
                  limit: float, accept: str) -> Fetched:
        watch = store_fetcher._Watch(limit)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp: requests.Response | None = None
        try:
            resp, final = self._conditional(url, watch, headers)
            if resp.status_code == 304:
                return Fetched(None, etag, last_modified, None, final)
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _too_big(final, cap)
            data = bytearray()
            for block in self._read(resp, watch, host_of(final)):
                data += block
                if len(data) > cap:
                    raise _too_big(final, cap)
            return Fetched(bytes(data), resp.headers.get("etag"),
                           resp.headers.get("last-modified"), resp.headers.get("content-type"),
                           final)
        finally:
            watch.cancel()
            if resp is not None:
                resp.close()

    def _conditional(self, url: str, watch: store_fetcher._Watch,
                     headers: dict[str, str]) -> tuple[requests.Response, str]:
        """The store fetcher's request with our headers, and 304 as an answer."""
        resp, current = self._follow(url, watch, headers=headers,
                                     instead="add that address as the feed instead")
        if resp.status_code not in (200, 304):
            resp.close()
            status = resp.status_code
            hint = " (no such feed)" if status in (404, 410) else ""
            raise NewsError(f"{host_of(current)} answered {status}{hint}")
        return resp, current

    # -- file:// -------------------------------------------------------------------------------
    def _get_file(self, url: str, etag: str | None, cap: int, limit: float) -> Fetched:
        try:
            path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
            st = os.stat(path)
        except FileNotFoundError:
            raise NewsError(f"{shorten(url)} does not exist") from None
        except (OSError, ValueError) as e:
            raise NewsError(f"cannot read {shorten(url)} ({e})") from None
        if stat.S_ISREG(st.st_mode):
            stamp = f"file:{st.st_mtime_ns}:{st.st_size}"
            if etag == stamp:
                return Fetched(None, stamp, None, None, url)
            if st.st_size > cap:
                raise _too_big(url, cap)
        else:
            stamp = None
        data = bytearray()
        for block in self._read_file(url, limit):  # refuses FIFOs, devices, folders
            data += block
            if len(data) > cap:
                raise _too_big(url, cap)
        return Fetched(bytes(data), stamp, None, None, url)


def _too_big(url: str, cap: int) -> NewsError:
    return NewsError(f"{host_of(url)} sent more than {cap / 1024 / 1024:g} MB; imapp reads at most "
                     "that much of a feed or image")
