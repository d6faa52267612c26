"""The list of stores a user trusts (``DATA/stores.json``) and each store's local state."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appstore.core.errors import ConfigError
from appstore.core.fileio import write_json_atomic
from appstore.core.paths import Paths

SCHEMA = 1
_URL_RE = re.compile(r"^(https?://[^\s/]+(/\S*)?|file:///\S*)$")


def host_of(url: str) -> str:
    """The host part of a URL, for messages (the path for file:// URLs)."""
    parsed = urllib.parse.urlparse(url)
    return parsed.netloc or parsed.path or url


def check_store_url(url: str) -> str:
    """Normalise a store URL typed by a user, or say what is wrong with it."""
    url = url.strip()
    if not _URL_RE.match(url):
        raise ConfigError(
            f"{url!r} is not a store URL: use https://host/path, http://127.0.0.1:PORT/ "
            "or file:///path/to/store"
        )
    return url.rstrip("/")


@dataclass
class StoreEntry:
    id: str
    mirrors: list[str]
    root_sha256: str
    added: str
    builtin: bool = False  # the embedded demo store


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
        try:
            raw = json.loads(path.read_text("utf-8"))
            return cls(**{k: raw.get(k) for k in ("last_success", "last_attempt", "last_error",
                                                  "catalog_sha256")})
        except (FileNotFoundError, ValueError, TypeError):
            return cls()

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
        if not path.exists():
            return
        try:
            raw = json.loads(path.read_text("utf-8"))
            if raw.get("schema") != SCHEMA:
                raise ValueError(f"unknown schema {raw.get('schema')!r}")
            self.stores = [StoreEntry(**s) for s in raw["stores"]]
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(
                f"{path} is damaged ({e}); fix it or move it away to start with the demo store"
            ) from None

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
        raise ConfigError(f"no store named {store_id!r} (known stores: {known})")

    def unique_id(self, wanted: str) -> str:
        taken = {s.id for s in self.stores}
        if wanted not in taken:
            return wanted
        n = 2
        while f"{wanted}-{n}" in taken:
            n += 1
        return f"{wanted}-{n}"
