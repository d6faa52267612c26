"""The ledger's seal: what the last check before a spend found, authenticated with a secret of
the wallet's account, so the next check needs to read only the receipts added since.

The seal is ``meta.seal``: the highest row id checked, each chain's head (key, seq, hash, count)
and the running sums per store and asset, with an HMAC-SHA256 keyed by ``Account.seal_key()``.
Someone who edits the file without the wallet's seed cannot make a seal for the state they want:
a seal that does not authenticate is ignored (the check reads every receipt again). What the
seal does not cover — an edit to an older receipt that leaves the totals and the chain heads as
they were — changes no balance, and the full ``verify`` finds it (docs/ledger.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

DOMAIN = b"imapp-ledger-seal-v1\0"


@dataclass(frozen=True)
class Sealed:
    row: int  # the highest row id the sealed check read
    heads: tuple[tuple[str, bytes, int, bytes, int], ...]  # (store, key, seq, hash, count), sorted
    sums: tuple[tuple[str, str, int], ...]  # (store, asset, units), sorted
    keys: tuple[tuple[str, str], ...] = ()  # (store, fingerprint of the keys its policy named)

    def body(self) -> bytes:
        obj = {"v": 2, "row": self.row,
               "heads": [[s, k.hex(), q, h.hex(), c] for s, k, q, h, c in self.heads],
               "sums": [list(x) for x in self.sums], "keys": [list(x) for x in self.keys]}
        return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, DOMAIN + body, hashlib.sha256).hexdigest()


def read(db: sqlite3.Connection, key: bytes) -> Sealed | None:
    """The sealed state, or None when there is none or it does not authenticate."""
    row = db.execute("SELECT value FROM meta WHERE key = 'seal'").fetchone()
    if row is None:
        return None
    try:
        text = row[0].decode() if isinstance(row[0], bytes) else str(row[0])
        outer = json.loads(text)
        body = str(outer["body"]).encode()
        if not hmac.compare_digest(_mac(key, body), str(outer["mac"])):
            return None
        obj: dict[str, Any] = json.loads(body)
        sealed = Sealed(int(obj["row"]),
                        tuple((str(s), bytes.fromhex(k), int(q), bytes.fromhex(h), int(c))
                              for s, k, q, h, c in obj["heads"]),
                        tuple((str(s), str(a), int(n)) for s, a, n in obj["sums"]),
                        tuple((str(s), str(f)) for s, f in obj["keys"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return sealed if sealed.body() == body else None


def write(db: sqlite3.Connection, key: bytes, sealed: Sealed) -> None:
    body = sealed.body()
    db.execute("INSERT OR REPLACE INTO meta VALUES ('seal', ?)",
               (json.dumps({"body": body.decode(), "mac": _mac(key, body)}),))
