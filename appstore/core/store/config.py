"""The list of stores a user trusts (``DATA/stores.json``) and each store's local state."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appstore.core.errors import ConfigError, short_path, shorten
from appstore.core.fileio import write_json_atomic
from appstore.core.ids import STORE_ID_RE
from appstore.core.logs import redact
from appstore.core.paths import Paths

SCHEMA = 1
MAX_URL = 2000
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")
PENDING_PREFIX = "pending-"  # the folder of a store being added
_URL_HELP = "use https://host/path, http://127.0.0.1:PORT/ or file:///path/to/store"


def host_of(url: str) -> str:
    """The host part of a URL, for messages (the path for file:// URLs), shortened."""
    try:
        parsed = urllib.parse.urlparse(url)
        netloc = parsed.netloc.rpartition("@")[2]  # never show credentials
        return shorten(netloc or parsed.path or url)
    except ValueError:
        return shorten(url)


def check_store_url(url: str) -> str:
    """Normalise a store URL typed by a user, or say what is wrong with it."""
    url = url.strip()
    problem = _url_problem(url)
    if problem:
        raise ConfigError(f"{shorten(redact(url))!r} is not a store URL: {problem}")
    return url.rstrip("/")


def _url_problem(url: str) -> str | None:
    if not url:
        return _URL_HELP
    if len(url) > MAX_URL:
        return f"it is {len(url):,} characters long (at most {MAX_URL:,})"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "it holds spaces or control characters (write a space as %20)"
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
        if parsed.port == 0:  # reading .port also checks it is a number up to 65535
            return "port 0 is not a port a store can use"
        has_credentials = parsed.username is not None or parsed.password is not None
    except ValueError as e:
        return f"{e} ({_URL_HELP})"
    if parsed.scheme in ("http", "https"):
        if has_credentials:
            return "remove the user name and password from it (a store needs no login)"
        if not host:
            return f"it names no host ({_URL_HELP})"
    elif parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost") or not parsed.path.startswith("/"):
            return "a file URL looks like file:///path/to/store"
    else:
        return _URL_HELP
    if parsed.query or parsed.fragment or url.endswith(("?", "#")):
        return "a store URL has no ?query or #fragment"
    return None


def normalise_fingerprint(text: str) -> str:
    """A root fingerprint as typed or pasted (any case, spaces or colons between groups) as 64
    lowercase hex digits; ``ConfigError`` if it is not one."""
    hexed = re.sub(r"[\s:]", "", text).lower()
    if not _FINGERPRINT_RE.fullmatch(hexed):
        raise ConfigError(
            f"{shorten(text)!r} is not a root fingerprint: it must be 64 hexadecimal digits "
            "(0-9, a-f), as the store's publisher printed it"
        )
    return hexed


@dataclass
class StoreEntry:
    id: str
    mirrors: list[str]
    root_sha256: str
    added: str
    builtin: bool = False  # the embedded demo store


def _entry(raw: Any, i: int) -> StoreEntry:
    """One ``stores`` item of stores.json, checked; ``ValueError`` says what is wrong."""
    where = f"stores[{i}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    sid = raw.get("id")
    if not isinstance(sid, str) or not STORE_ID_RE.fullmatch(sid) or sid.startswith(PENDING_PREFIX):
        raise ValueError(f"{where}.id must be a store id (letters, digits, '.', '-', '_')")
    mirrors = raw.get("mirrors")
    if (not isinstance(mirrors, list) or not mirrors
            or not all(isinstance(m, str) and _url_problem(m) is None for m in mirrors)):
        raise ValueError(f"{where}.mirrors must be a list of store URLs")
    pin = raw.get("root_sha256")
    if not isinstance(pin, str) or not _FINGERPRINT_RE.fullmatch(pin):
        raise ValueError(f"{where}.root_sha256 must be 64 lowercase hex digits")
    added = raw.get("added", "")
    if not isinstance(added, str):
        raise ValueError(f"{where}.added must be a date")
    builtin = raw.get("builtin", False)
    if not isinstance(builtin, bool):
        raise ValueError(f"{where}.builtin must be true or false")
    return StoreEntry(sid, list(mirrors), pin, added, builtin)


@dataclass
class StoreState:
    """What the last refresh of one store did (``DATA/stores/ID/state.json``)."""

    last_success: str | None = None
    last_attempt: str | None = None
    last_error: str | None = None
    catalog_sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> StoreState:
        """The saved state; a missing, unreadable or damaged file is no state (never an error:
        the next refresh writes it again)."""
        try:
            raw = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return cls()
        if not isinstance(raw, dict):
            return cls()

        def text(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        return cls(text("last_success"), text("last_attempt"), text("last_error"),
                   text("catalog_sha256"))

    def save(self, path: Path) -> None:
        write_json_atomic(path, asdict(self))


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class StoreConfig:
    """Reads and writes ``stores.json``; every change is written atomically."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.stores: list[StoreEntry] = []
        self._load()

    def _load(self) -> None:
        path = self.paths.stores_file
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as e:
            raise ConfigError(f"cannot read {short_path(path)} ({e.strerror or e}); check that it is a file "
                              "you can read") from None
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict):
                raise ValueError("it must be a JSON object")
            if raw.get("schema") != SCHEMA:
                raise ValueError(f"unknown schema {shorten(repr(raw.get('schema')))}")
            items = raw.get("stores")
            if not isinstance(items, list):
                raise ValueError("'stores' must be a list")
            stores = [_entry(s, i) for i, s in enumerate(items)]
            ids = [s.id for s in stores]
            if len(set(ids)) != len(ids):
                raise ValueError("two stores have the same id")
        except (ValueError, RecursionError) as e:
            problem = "nested too deeply" if isinstance(e, RecursionError) else shorten(e, 200)
            raise ConfigError(
                f"{short_path(path)} is damaged ({problem}); fix it, or move it away to start again with "
                "the demo store"
            ) from None
        self.stores = stores

    def save(self) -> None:
        write_json_atomic(
            self.paths.stores_file,
            {"schema": SCHEMA, "stores": [asdict(s) for s in self.stores]},
        )

    def get(self, store_id: str) -> StoreEntry:
        for s in self.stores:
            if s.id == store_id:
                return s
        known = ", ".join(s.id for s in self.stores) or "none"
        raise ConfigError(f"no store named {shorten(store_id)!r} (known stores: {shorten(known, 400)})")

    def unique_id(self, wanted: str) -> str:
        if not STORE_ID_RE.fullmatch(wanted) or wanted.startswith(PENDING_PREFIX):
            wanted = f"store-{wanted}" if STORE_ID_RE.fullmatch(f"store-{wanted}") else "store"
        taken = {s.id for s in self.stores}
        if wanted not in taken:
            return wanted
        n = 2
        while f"{wanted}-{n}" in taken:
            n += 1
        return f"{wanted}-{n}"


DEFAULT_PORTS = {"http": 80, "https": 443}


def foreign_redirect(src: str, dst: str) -> str | None:
    """The rule for redirects, shared by the store fetcher and the downloader: None if a
    redirect from ``src`` to ``dst`` stays with the same server (same scheme, host and port, or
    http to https on the same host); else the other server, in words, for the message."""
    try:
        a, b = urllib.parse.urlsplit(src), urllib.parse.urlsplit(dst)
        a_port = a.port or DEFAULT_PORTS.get(a.scheme)
        b_port = b.port or DEFAULT_PORTS.get(b.scheme)
        b_host = b.hostname
    except ValueError:
        return "an address that is not valid"
    same_host = b_host is not None and b_host == a.hostname and b.username is None
    if same_host and ((a.scheme, a_port) == (b.scheme, b_port)
                      or (a.scheme, b.scheme) == ("http", "https")):
        return None
    return shorten(f"{b.scheme}://{b.netloc.rpartition('@')[2]}" if b.scheme else dst)
