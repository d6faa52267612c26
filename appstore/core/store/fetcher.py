"""The network side of TUF: a ``requests``-based fetcher with file:// support and mirrors.

The TUF updater is given the placeholder base ``mirror:///``; this fetcher tries each mirror in
turn for every file, moving on when a host cannot be reached or answers 5xx.
"""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from tuf.api.exceptions import DownloadHTTPError
from tuf.ngclient import FetcherInterface

from appstore import __version__
from appstore.core.errors import StoreUnreachable
from appstore.core.store.config import host_of

if TYPE_CHECKING:
    import requests

PLACEHOLDER = "mirror:///"
CHUNK = 64 * 1024
USER_AGENT = f"imapp-desktop/{__version__}"
_session: requests.Session | None = None
_session_lock = threading.Lock()


def shared_session() -> requests.Session:
    """One HTTP session (connection pool) for the process, made on first use: a start that
    only reads file:// stores never loads requests at all."""
    global _session
    with _session_lock:
        if _session is None:
            import requests

            _session = requests.Session()
            _session.headers["User-Agent"] = USER_AGENT
        return _session


class MirrorFetcher(FetcherInterface):
    """Fetches ``mirror:///PATH`` from the first mirror that answers."""

    def __init__(self, mirrors: Sequence[str], timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        if not mirrors:
            raise ValueError("a store needs at least one URL")
        self.mirrors = [m.rstrip("/") + "/" for m in mirrors]
        self.timeout = timeout
        self.used_mirror = self.mirrors[0]

    def _fetch(self, url: str) -> Iterator[bytes]:
        rel = url.removeprefix(PLACEHOLDER)
        failures: list[str] = []
        for i, base in enumerate(self.mirrors):
            full = base + rel
            try:
                chunks = self._open(full)
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

    def _open(self, url: str) -> Iterator[bytes]:
        if url.startswith("file://"):
            return self._open_file(url)
        import requests

        try:
            resp = shared_session().get(url, stream=True, timeout=self.timeout)
        except requests.Timeout:
            raise StoreUnreachable(f"{host_of(url)} did not answer in time") from None
        except requests.RequestException as e:
            raise StoreUnreachable(f"could not connect to {host_of(url)} ({_reason(e)})") from None
        if resp.status_code >= 500:
            resp.close()
            raise StoreUnreachable(f"{host_of(url)} answered with error {resp.status_code}")
        if resp.status_code != 200:
            resp.close()
            raise DownloadHTTPError(f"{url} answered {resp.status_code}", resp.status_code)
        return self._stream(resp, url)

    @staticmethod
    def _stream(resp: requests.Response, url: str) -> Iterator[bytes]:
        import requests

        try:
            yield from resp.iter_content(CHUNK)
        except requests.RequestException as e:
            raise StoreUnreachable(f"the connection to {host_of(url)} broke ({_reason(e)})") from None
        finally:
            resp.close()

    @staticmethod
    def _open_file(url: str) -> Iterator[bytes]:
        path = urllib.request.url2pathname(urllib.parse.urlparse(url).path)
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError:
            raise DownloadHTTPError(f"{path} does not exist", 404) from None
        except OSError as e:
            raise StoreUnreachable(f"cannot read {path}: {e.strerror}") from None

        def chunks() -> Iterator[bytes]:
            with f:
                while block := f.read(CHUNK):
                    yield block

        return chunks()


def _reason(e: Exception) -> str:
    text = str(e)
    for hint in ("Connection refused", "Name or service not known", "timed out", "reset"):
        if hint in text:
            return hint.lower()
    return type(e).__name__
