"""Which DApps the user connected to the wallet (``imapp_requestAccounts``), kept in
``DATA/dapps/connections.json``: for each DApp (``STORE/APP``), the account it was connected to
and when. A connection is for one account: after a restore to another account every DApp asks
again. It also covers only the wallet permissions the connect dialog listed: a DApp that asks
for more since (an update the user accepted) is connected again only through that dialog. (An
entry written before connections named their permissions covers none: such a DApp asks once.)
Settings lists them and revokes them.

Reads and writes touch the disk: call them off the GUI thread (the GUI keeps a copy).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from appstore.core.fileio import write_json_atomic
from appstore.core.logs import log

FORMAT = 1


def wallet_permissions(permissions: Iterable[str]) -> tuple[str, ...]:
    """The wallet permissions among ``permissions`` (what a connection is granted for)."""
    return tuple(sorted({p for p in permissions if p.startswith("wallet.")}))


@dataclass(frozen=True)
class Connection:
    key: str  # STORE/APP
    account: str
    since: str  # UTC, ISO 8601
    permissions: tuple[str, ...] = ()  # the wallet permissions the user connected it with

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
                        perms = v.get("permissions")
                        granted = wallet_permissions(p for p in perms if isinstance(p, str)) \
                            if isinstance(perms, list) else ()
                        items[key] = Connection(key, v["account"], v["since"], granted)
            except FileNotFoundError:
                pass
            except (OSError, ValueError, AttributeError) as e:
                # a damaged file: every DApp asks again, which is the safe side
                log.warning("dapp connections: %s cannot be read (%s); starting with none", self.path, e)
            self._items = items
        return self._items

    def _save(self, items: dict[str, Connection]) -> None:
        write_json_atomic(self.path, {"format": FORMAT, "connections": {
            c.key: {"account": c.account, "since": c.since, "permissions": list(c.permissions)}
            for c in items.values()}})

    def all(self) -> list[Connection]:
        with self._lock:
            return sorted(self._load().values(), key=lambda c: c.since, reverse=True)

    def is_connected(self, key: str, account: str, permissions: Iterable[str] = ()) -> bool:
        """Whether ``key`` is connected to ``account`` for every wallet permission among
        ``permissions`` (the DApp's, as installed now)."""
        with self._lock:
            found = self._load().get(key)
            return found is not None and found.account == account \
                and set(wallet_permissions(permissions)) <= set(found.permissions)

    def connect(self, key: str, account: str, permissions: Iterable[str] = ()) -> Connection:
        """Connect ``key`` to ``account`` for the wallet permissions among ``permissions`` (the
        ones the connect dialog listed)."""
        with self._lock:
            items = dict(self._load())
            made = Connection(key, account, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              wallet_permissions(permissions))
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
