"""Which DApps the user connected to the wallet (``imapp_requestAccounts``), kept in
``DATA/dapps/connections.json``: for each DApp (``STORE/APP``), the account it was connected to
and when. A connection is for one account: after a restore to another account every DApp asks
again. Settings lists them and revokes them.

Reads and writes touch the disk: call them off the GUI thread (the GUI keeps a copy).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from appstore.core.fileio import write_json_atomic
from appstore.core.logs import log

FORMAT = 1


@dataclass(frozen=True)
class Connection:
    key: str  # STORE/APP
    account: str
    since: str  # UTC, ISO 8601

    @property
    def store(self) -> str:
        return self.key.partition("/")[0]

    @property
    def app_id(self) -> str:
        return self.key.partition("/")[2]


class Connections:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._items: dict[str, Connection] | None = None

    def _load(self) -> dict[str, Connection]:
        if self._items is None:
            items: dict[str, Connection] = {}
            try:
                raw = json.loads(self.path.read_text("utf-8"))
                for key, v in raw.get("connections", {}).items():
                    if isinstance(key, str) and "/" in key and isinstance(v, dict) \
                            and isinstance(v.get("account"), str) and isinstance(v.get("since"), str):
                        items[key] = Connection(key, v["account"], v["since"])
            except FileNotFoundError:
                pass
            except (OSError, ValueError, AttributeError) as e:
                # a damaged file: every DApp asks again, which is the safe side
                log.warning("dapp connections: %s cannot be read (%s); starting with none", self.path, e)
            self._items = items
        return self._items

    def _save(self, items: dict[str, Connection]) -> None:
        write_json_atomic(self.path, {"format": FORMAT, "connections": {
            c.key: {"account": c.account, "since": c.since} for c in items.values()}})

    def all(self) -> list[Connection]:
        with self._lock:
            return sorted(self._load().values(), key=lambda c: c.since, reverse=True)

    def is_connected(self, key: str, account: str) -> bool:
        with self._lock:
            found = self._load().get(key)
            return found is not None and found.account == account

    def connect(self, key: str, account: str) -> Connection:
        with self._lock:
            items = dict(self._load())
            made = Connection(key, account, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            items[key] = made
            self._save(items)
            self._items = items
            return made

    def revoke(self, key: str) -> bool:
        """Forget ``key``'s connection; whether there was one."""
        with self._lock:
            items = dict(self._load())
            if items.pop(key, None) is None:
                return False
            self._save(items)
            self._items = items
            return True
