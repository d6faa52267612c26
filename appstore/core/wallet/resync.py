"""Re-syncing one store's chain from the full chain its IA service re-sends, checked in full
first, with every row it replaces kept in ``quarantine`` (docs/ledger.md, "Re-sync and
quarantine"). ``Ledger.reset_from`` calls it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from appstore.core.wallet.ledgerdata import (
    _COLUMNS,
    _INSERT,
    _RAW,
    _RAW_TEXT,
    _ZERO,
    INT64,
    LedgerError,
    Problem,
    Resync,
    TrustSource,
    Verification,
    _decoded,
    _Head,
    _receipt,
)
from appstore.core.wallet.receipts import Receipt, ReceiptError, field_problem, utc_now
from appstore.core.wallet.trust import ServiceKeys


class ResyncedLedger(Protocol):
    """What a re-sync uses of the ledger (``ledger.Ledger``, which calls it): declared here, so
    this module does not import the ledger back."""

    _trust: TrustSource | None
    _trusted: dict[str, ServiceKeys]

    def account(self) -> str | None: ...

    @property
    def problem(self) -> Problem | None: ...

    def services(self) -> dict[str, str]: ...

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def keys(self, stores: Iterable[str]) -> dict[str, ServiceKeys | None]: ...

    def verify(self) -> Verification: ...


def reset_from(ledger: ResyncedLedger, service: str, receipts: Iterable[Receipt], *,
               service_key: str | ServiceKeys | None = None, settles: Iterable[str] = ()) -> Resync:
    """Replace store ``service``'s receipts with the full chain its service re-sent
    (#1 onwards), checked in full first: a refusal changes nothing. Old rows that are not
    in the new chain exactly are moved to ``quarantine``, never dropped. ``service_key``
    (hex, from the store's policy) may name a new key for the store's service. The pending
    claims ``settles`` names are removed in the same transaction."""
    new = list(receipts)
    keys, key = _resync_keys(ledger, service, new, service_key)
    account = ledger.account()
    what = f"cannot re-sync from store {service}'s IA service"
    head = _Head(key)
    totals: dict[str, int] = {}
    for r in new:
        if not isinstance(r, Receipt):
            raise TypeError(f"reset_from takes Receipt objects, not {type(r).__name__}")
        problem = r.verify()
        if r.store != service:
            problem = f"receipt #{r.seq} is from store {r.store}"
        elif keys is not None and not keys.accepts(r.service_key, r.time):
            problem = f"receipt #{r.seq}: {keys.refusal(service, r.service_key, r.time)}"
        elif keys is None and bytes.fromhex(r.service_key) != key:
            problem = f"receipt #{r.seq} is signed by key {r.service_key[:16]}…, not {key.hex()[:16]}…"
        elif account is not None and r.account != account:
            problem = f"receipt #{r.seq} is for account {r.account}, not {account}"
        elif r.seq != head.seq + 1 or bytes.fromhex(r.prev_hash) != head.hash:
            problem = f"receipt #{r.seq} does not follow #{head.seq} in the chain"
        if problem:
            raise LedgerError(f"{what}: {problem}; nothing was changed")
        head.seq, head.hash, head.count = r.seq, bytes.fromhex(r.hash), head.count + 1
        head.key = bytes.fromhex(r.service_key)
        totals[r.asset] = totals.get(r.asset, 0) + r.amount
        if not INT64[0] <= totals[r.asset] <= INT64[1]:
            raise LedgerError(f"{what}: the {r.asset} total overflows; nothing was changed")
    was_broken = ledger.problem is not None
    wanted = {r.row() for r in new}
    resent = {r.seq for r in new}
    old_key = ledger.services().get(service)
    quarantined = signed = 0
    with ledger._writing() as db:
        if account is None and new:
            db.execute("INSERT INTO meta VALUES ('account', ?)", (new[0].account,))
        old = db.execute(f"SELECT id, {_RAW} FROM receipts WHERE store = ? ORDER BY id", (service,))
        for rid, *raw in old.fetchall():
            row = tuple(_decoded(v) if i in _RAW_TEXT else v for i, v in enumerate(raw))
            if row in wanted:
                continue
            try:
                r = _receipt(row)
                valid = r.verify() is None and (r.service_key == old_key if keys is None
                                                else keys.accepts(r.service_key, r.time))
            except (ReceiptError, TypeError, ValueError):
                valid = False
            reason = f"re-sync from store {service}'s IA service: " + (
                "the service sent a different receipt with this number" if row[2] in resent
                else "the service did not send it again")
            db.execute(f"INSERT INTO quarantine (at, reason, signed, row_id, {_COLUMNS}) "
                       f"SELECT ?, ?, ?, id, {_COLUMNS} FROM receipts WHERE id = ?",
                       (utc_now(), reason, int(valid), rid))
            quarantined += 1
            signed += valid
        db.execute("DELETE FROM receipts WHERE store = ?", (service,))
        db.execute("DELETE FROM meta WHERE key = 'seal'")  # rows it vouched for are gone
        db.executemany(_INSERT, [r.row() for r in new])
        db.execute("DELETE FROM services WHERE store = ?", (service,))
        db.execute("DELETE FROM totals WHERE store = ?", (service,))
        if new:
            db.execute("INSERT INTO services VALUES (?, ?, ?, ?, ?)",
                       (service, head.key, head.seq, head.hash, head.count))
        db.executemany("INSERT INTO totals VALUES (?, ?, ?)",
                       [(service, a, t) for a, t in totals.items()])
        db.executemany("DELETE FROM pending WHERE id = ?", [(c,) for c in settles])
    if service_key is not None and keys is not None and ledger._trust is None:
        ledger._trusted[service] = keys  # no policy to ask later: keep what the caller vouched for
    verification = ledger.verify() if was_broken else None
    return Resync(service, len(new), quarantined, signed, verification)

def _resync_keys(ledger: ResyncedLedger, service: str, new: Sequence[Receipt],
                 service_key: str | ServiceKeys | None) -> tuple[ServiceKeys | None, bytes]:
    """The keys the policy names (None: unknown) and, without them, the one key the chain
    must be signed by."""
    if service_key is not None:
        keys = service_key if isinstance(service_key, ServiceKeys) else ServiceKeys(service_key)
        if any(field_problem("service_key", k) for k in keys.all()):
            raise LedgerError(f"the service key given for store {service} is not 64 hex digits")
        return keys, bytes.fromhex(keys.current)
    named = ledger.keys([service])[service]
    if named is not None:
        return named, bytes.fromhex(named.current)
    pinned = ledger.services().get(service)
    if pinned is not None:
        return None, bytes.fromhex(pinned)
    if new:
        return None, bytes.fromhex(new[0].service_key)
    return None, _ZERO
