"""Names for DApp origins: the custom scheme, one host (so one web origin) per DApp, the key the
host files windows under, and where each DApp's web storage lives (docs/host.md).

An installed DApp is served as ``imapp-dapp://HOST/PATH``. ``HOST`` is ``APP_ID.STORE`` when
that is a valid DNS name that cannot be mistaken for another DApp's, else a hash of both.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from pathlib import Path

from appstore.core.errors import AppStoreError, shorten
from appstore.core.ids import ID_RE, STORE_ID_RE
from appstore.core.paths import Paths

SCHEME = "imapp-dapp"
MAX_LABEL = 63  # bytes of one DNS label
MAX_HOST = 253  # bytes of a DNS name
# The store's id becomes the last label. It must start with a letter: a host whose last label is a
# number ("1", "0x1f") is parsed as an IPv4 address by the URL standard, and fails. A store id with
# a dot (the readable name would be ambiguous: app "a.b" of store "c" against app "a" of store
# "b.c"), an upper-case letter (hosts are case-insensitive) or an underscore is hashed instead.
_STORE_LABEL = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
WEB_DIR = "web"  # DATA/appdata/STORE/APP_ID/web: the DApp's web profile


class HostError(AppStoreError):
    """A DApp cannot be opened in the host (a bad id, an address it may not use...)."""


def dapp_key(store: str, app_id: str) -> str:
    """``STORE/APP_ID``: how the host (and the library) name one DApp."""
    return f"{store}/{app_id}"


def check_ids(store: str, app_id: str) -> None:
    """``HostError`` unless ``store`` and ``app_id`` are ids the library accepts (so they are
    safe as folder names)."""
    if not STORE_ID_RE.fullmatch(store):
        raise HostError(f"{shorten(store)!r} is not a store id")
    if len(app_id) > 64 or not ID_RE.fullmatch(app_id):
        raise HostError(f"{shorten(app_id)!r} is not an app id")


def dapp_host(store: str, app_id: str) -> str:
    """The host of the DApp's origin: ``APP_ID.STORE`` (readable, at least two labels), or
    ``h`` + 32 hex digits of SHA-256 (one label: never equal to a readable one)."""
    labels = app_id.split(".")
    readable = (ID_RE.fullmatch(app_id) is not None and _STORE_LABEL.fullmatch(store) is not None
                and len(store) <= MAX_LABEL and all(len(label) <= MAX_LABEL for label in labels)
                and len(app_id) + 1 + len(store) <= MAX_HOST)
    if readable:
        return f"{app_id}.{store}"
    return "h" + hashlib.sha256(dapp_key(store, app_id).encode("utf-8")).hexdigest()[:32]


def dapp_origin(store: str, app_id: str) -> str:
    """``imapp-dapp://HOST``: the web origin of an installed DApp."""
    return f"{SCHEME}://{dapp_host(store, app_id)}"


def storage_name(store: str, app_id: str) -> str:
    """The ``QWebEngineProfile`` storage name of a DApp: unique per DApp, safe as a file name."""
    return "imapp-" + hashlib.sha256(dapp_key(store, app_id).encode("utf-8")).hexdigest()[:24]


def web_dir(paths: Paths, store: str, app_id: str) -> Path:
    """``DATA/appdata/STORE/APP_ID/web``: the DApp's web profile (the same folder
    ``Library.app_data_dir`` names, so uninstalling without keeping data removes it)."""
    check_ids(store, app_id)
    return paths.appdata_dir / store / app_id / WEB_DIR


def storage_dir(paths: Paths, store: str, app_id: str) -> Path:
    """localStorage, IndexedDB, cookies... of one DApp."""
    return web_dir(paths, store, app_id) / "storage"


def cache_dir(paths: Paths, store: str, app_id: str) -> Path:
    """The HTTP cache of one DApp."""
    return web_dir(paths, store, app_id) / "cache"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` (lower case, default port left out) of an http(s), ws(s) or
    ``imapp-dapp`` URL; None for any other URL (opaque origins: data:, blob:, about:...)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in (*_DEFAULT_PORTS, SCHEME) or not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def url_scheme(url: str) -> str:
    """The scheme of ``url``, lower case (``""`` if it has none)."""
    head, sep, _ = url.partition(":")
    return head.lower() if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", head) else ""


def url_host(url: str) -> str:
    """The host of ``url``, lower case (``""`` if it has none or cannot be parsed)."""
    try:
        return (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
