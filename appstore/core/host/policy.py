"""What a DApp may do in the host, decided from its manifest's permissions (docs/host.md): which
requests leave the page, which navigations stay in the host, which browser permissions are given,
the Content-Security-Policy of installed DApps, and whether its data is kept on disk.

No Qt here: the host (``appstore/ui/host``) asks these functions and enforces the answers.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from appstore.core.catalog.models import LOOPBACK_HOSTS, App, url_problem
from appstore.core.errors import shorten
from appstore.core.host.files import NotServed, request_parts
from appstore.core.host.origins import (
    SCHEME,
    HostError,
    check_ids,
    dapp_key,
    dapp_origin,
    origin_of,
    url_host,
    url_scheme,
)
from appstore.core.library import InstalledApp

NETWORK_SCHEMES = ("http", "https", "ws", "wss")
LOCAL_SCHEMES = ("data", "blob", "about")  # never leave the computer
EXTERNAL_SCHEMES = ("http", "https", "mailto")  # what the system may open, once the user agrees


class Kind(StrEnum):
    WEB = "web"  # installed: served from its install folder
    LINK = "link"  # a website


class Nav(StrEnum):
    """Where a navigation (or a popup) goes."""

    STAY = "stay"  # in the DApp's window (a popup: in a window of the host)
    EXTERNAL = "external"  # leaves the DApp: ask, then hand it to the system browser
    REFUSE = "refuse"  # nowhere (file:, another DApp, an unknown scheme...)


class Feature(StrEnum):
    """Browser features a page may ask for."""

    CAMERA = "camera"
    MICROPHONE = "microphone"
    SCREEN = "screen"  # screen (and its audio) capture
    LOCATION = "location"
    NOTIFICATIONS = "notifications"
    CLIPBOARD = "clipboard"  # read and write through the async Clipboard API
    MOUSE_LOCK = "mouse-lock"
    LOCAL_FONTS = "local-fonts"
    OTHER = "other"


class Decision(StrEnum):
    GRANT = "grant"
    DENY = "deny"
    ASK = "ask"  # the manifest asks for it: the user decides, each time


# The manifest keys that would let a DApp *ask the user* for a device feature. None of them is a
# permission a catalogue can list yet (catalog.models.PERMISSIONS), so today every one of these
# features is denied; when one is added there, the host asks the user instead.
ASKABLE = {
    Feature.CAMERA: "camera",
    Feature.MICROPHONE: "microphone",
    Feature.SCREEN: "screen",
    Feature.LOCATION: "location",
    Feature.NOTIFICATIONS: "notifications",
}


@dataclass(frozen=True)
class DAppIdentity:
    """Who a page in the host is: what the wallet bridge tells the page and checks requests
    against."""

    store: str
    app_id: str
    kind: Kind
    origin: str  # imapp-dapp://HOST for installed DApps, the site's origin for links
    start_url: str
    permissions: tuple[str, ...]
    version: str = ""  # installed DApps

    @property
    def key(self) -> str:
        return dapp_key(self.store, self.app_id)

    def to_json(self) -> dict[str, Any]:
        """What ``imappBridge.identity()`` returns (as a JSON string)."""
        return {"id": self.key, "store": self.store, "app_id": self.app_id, "kind": str(self.kind),
                "origin": self.origin, "version": self.version, "permissions": list(self.permissions)}


def installed_identity(installed: InstalledApp, entry: Path) -> DAppIdentity:
    """The identity of an installed DApp whose start page is ``entry`` (inside its folder)."""
    check_ids(installed.store, installed.app_id)
    try:
        relative = Path(entry).relative_to(installed.folder).as_posix()
    except ValueError:
        raise HostError(f"{installed.id}: its start page is not inside its install folder; "
                        "uninstall it and install it again") from None
    url_path = "/" + urllib.parse.quote(relative, safe="/")
    try:
        request_parts(url_path)
    except NotServed:
        raise HostError(f"{installed.id}: its start page {shorten(relative)!r} cannot be served; "
                        "uninstall it and install it again") from None
    origin = dapp_origin(installed.store, installed.app_id)
    return DAppIdentity(installed.store, installed.app_id, Kind.WEB, origin, origin + url_path,
                        tuple(installed.permissions), installed.version)


def link_identity(app: App) -> DAppIdentity:
    """The identity of a link DApp: its https address (http only on this computer)."""
    check_ids(app.store, app.id)
    if app.kind != "link" or not app.url:
        raise HostError(f"{app.id} is not a link DApp")
    problem = url_problem(app.url, link=True)
    origin = origin_of(app.url)
    if problem or origin is None:
        raise HostError(f"{app.id}: its address {shorten(app.url)} {problem or 'cannot be opened'}")
    return DAppIdentity(app.store, app.id, Kind.LINK, origin, app.url, tuple(app.permissions))


def _csp(network: bool) -> str:
    """The Content-Security-Policy of an installed DApp's files. Inline scripts and styles are
    allowed (single-file DApps are common); remote code only with ``network``, and only over
    https; plain http only to this computer (a DApp's local node)."""
    remote = " https:" if network else ""
    local_http = " http://127.0.0.1:* http://localhost:* http://[::1]:*" if network else ""
    connect = (" https: wss: ws://127.0.0.1:* ws://localhost:* ws://[::1]:*" + local_http
               if network else "")
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'{remote}",
        f"style-src 'self' 'unsafe-inline'{remote}",
        f"img-src 'self' data: blob:{remote}{local_http}",
        f"font-src 'self' data:{remote}",
        f"media-src 'self' data: blob:{remote}{local_http}",
        f"connect-src 'self' data: blob:{connect}",
        "worker-src 'self' blob:",
        f"frame-src 'self' blob: data:{remote}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


class DAppPolicy:
    """The rules for one DApp, from its identity and permissions."""

    def __init__(self, identity: DAppIdentity) -> None:
        self.identity = identity
        perms = set(identity.permissions)
        self.link = identity.kind == Kind.LINK
        # A link DApp *is* a website: it needs the network whatever its manifest says.
        self.network = self.link or "network" in perms
        self.clipboard = "clipboard" in perms
        self.persistent = "storage" in perms  # else its data lives in memory until it closes
        self.host = url_host(identity.origin)
        self._permissions = perms
        # a link DApp may move within its site: example.org, www.example.org, app.example.org
        self._site = self.host.removeprefix("www.")

    @property
    def csp(self) -> str | None:
        """The Content-Security-Policy sent with every file of an installed DApp (None for
        links: a website sends its own)."""
        return None if self.link else _csp(self.network)

    # -- requests ----------------------------------------------------------------------------
    def request(self, url: str) -> str | None:
        """Why a request from the DApp's pages to ``url`` is blocked, or None if it may go."""
        scheme = url_scheme(url)
        if scheme == SCHEME:
            if not self.link and url_host(url) == self.host:
                return None
            return "another DApp's files"
        if scheme in NETWORK_SCHEMES:
            return None if self.network else "the DApp has no network permission"
        if scheme in LOCAL_SCHEMES:
            return None
        return f"{scheme or 'this'} URLs are not allowed"

    # -- navigation --------------------------------------------------------------------------
    def inside(self, url: str) -> bool:
        """Whether ``url`` is the DApp's own: its origin (a link DApp: also its site over https,
        www. and other subdomains of it)."""
        origin = origin_of(url)
        if origin is None:
            return False
        if origin == self.identity.origin:
            return True
        if not self.link:
            return False
        scheme, host = url_scheme(url), url_host(url)
        if host in LOOPBACK_HOSTS or self.host in LOOPBACK_HOSTS:
            return False  # a local server: its exact origin only
        return scheme == "https" and (host == self._site or host.endswith("." + self._site))

    def navigation(self, url: str, *, main_frame: bool = True) -> Nav:
        """Where a navigation to ``url`` goes: the DApp's own origin (and, for a link DApp, its
        site over https) stays in the host; http(s) and mailto elsewhere leave it (ask first);
        anything else is refused. Frames stay (their loads still pass ``request`` and the CSP)."""
        scheme = url_scheme(url)
        if not main_frame:
            return Nav.STAY if self.request(url) is None else Nav.REFUSE
        if self.inside(url) or url in ("about:blank", "about:srcdoc"):
            return Nav.STAY
        if scheme in EXTERNAL_SCHEMES:
            return Nav.EXTERNAL
        return Nav.REFUSE

    def popup(self, url: str) -> Nav:
        """Where a window the DApp opens goes: in the host only for its own origin."""
        if self.inside(url):
            return Nav.STAY
        return Nav.EXTERNAL if url_scheme(url) in EXTERNAL_SCHEMES else Nav.REFUSE

    # -- browser permissions -----------------------------------------------------------------
    def permission(self, *features: Feature) -> Decision:
        """What to answer a page asking for ``features`` (all of them, as one request)."""
        if not features:
            return Decision.DENY
        decisions = {self._one(f) for f in features}
        if Decision.DENY in decisions:
            return Decision.DENY
        return Decision.ASK if Decision.ASK in decisions else Decision.GRANT

    def _one(self, feature: Feature) -> Decision:
        if feature == Feature.CLIPBOARD:
            return Decision.GRANT if self.clipboard else Decision.DENY
        key = ASKABLE.get(feature)
        if key is not None and key in self._permissions:
            return Decision.ASK
        return Decision.DENY


def display_url(url: str, limit: int = 300) -> str:
    """``url`` for a question to the user: percent-encoded as it is (so look-alike letters show
    as escapes), shortened."""
    return shorten(url, limit)


def external_target(url: str) -> str:
    """The part of an outside address the user must see: its host (``mailto``: the address)."""
    if url_scheme(url) == "mailto":
        return shorten(url.partition(":")[2], 120)
    return url_host(url) or shorten(url, 120)

