"""The wallet's ledger: the user's copy of the receipts the stores' IA services signed
(``DATA/wallet/ledger.sqlite3``, SQLite, WAL, ``synchronous=FULL``). docs/ledger.md has the
schema, the checks and every message.

* Append-only: ``append`` takes a receipt only if its signature is the store's service's and it
  is the next one of the chain (``seq`` and ``prev_hash``); a receipt sent again is ignored.
* Balances come from the receipts, through running totals kept in the same transaction as each
  append (a balance is one small read, however long the ledger). Claims made offline wait in
  ``pending``: shown, never counted.
* ``verify`` checks every row again (a file can be edited behind imapp's back) and names the first
  bad entry; until a verification passes again, ``require_verified`` refuses to spend.
* ``reset_from`` re-syncs one store from the receipts its service re-sends; the rows it replaces
  are kept in ``quarantine``.

Methods do disk I/O (``verify`` reads the whole file): call them off the GUI thread. Safe to use
from several threads; reads do not wait for writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from appstore.core.errors import AppStoreError, ConfigError, shorten
from appstore.core.ids import STORE_ID_RE
from appstore.core.jobs import assert_lane
from appstore.core.sqlite import open_database
from appstore.core.wallet.ledgerdata import (
    _COLUMNS,
    _INSERT,
    _RAW,
    _SCHEMA,
    INT64,
    LedgerBroken,
    LedgerError,
    PendingClaim,
    Problem,
    ProblemKind,
    Quarantined,
    Resync,
    TrustSource,
    Verification,
    _filters,
    _Head,
    _meta,
    _receipt,
    _short,
    ledger_path,
)
from appstore.core.wallet.receipts import (
    ASSETS,
    ZERO_HASH,
    Receipt,
    ReceiptError,
    field_problem,
)
from appstore.core.wallet.trust import ServiceKeys
from appstore.core.wallet.verify import check


class Ledger:
    """The receipts of one account (the wallet's BCD address). ``account`` pins it (otherwise
    the first receipt does). The trust anchor: ``service_keys`` maps store ids to the keys the
    store's signed policy names (a hex key, or ``ServiceKeys`` with the keys retired by a
    rotation); ``trust(store)`` is asked for the stores not given there (the wallet passes the
    stores' signed policies; None: the store names no service, and only then does the key its
    first receipt was signed with pin the chain)."""

    def __init__(self, path: Path, *, account: str | None = None,
                 service_keys: Mapping[str, str | ServiceKeys] | None = None,
                 trust: TrustSource | None = None) -> None:
        self.path = path
        self._trusted: dict[str, ServiceKeys] = {}
        for store, key in (service_keys or {}).items():
            keys = key if isinstance(key, ServiceKeys) else ServiceKeys(key)
            if any(field_problem("service_key", k) for k in keys.all()) or not STORE_ID_RE.fullmatch(store):
                raise LedgerError(f"the service key given for store {shorten(store)} is not 64 hex digits")
            self._trusted[store] = keys
        if account is not None and (p := field_problem("account", account)):
            raise LedgerError(f"the wallet's account: {p}")
        self._account = account
        self._trust = trust
        self._lock = threading.Lock()  # the writer connection
        self._rlock = threading.Lock()  # the reader connection
        self._db: sqlite3.Connection | None = None
        self._rdb: sqlite3.Connection | None = None

    # -- connections -----------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_database(self.path, [_SCHEMA], if_damaged="move it away, then re-sync the "
                                     "wallet from the stores' IA services")
        return self._db

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            self._conn()
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
        db.execute("PRAGMA query_only=1")
        return db

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._rlock:
                if self._rdb is None:
                    self._rdb = self._connect()
                yield self._rdb
        except sqlite3.OperationalError as e:
            raise LedgerError(f"cannot read the wallet's ledger {self.path} ({e}); verify it, then "
                              "re-sync the wallet from the store's IA service") from None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """The writer connection inside ``BEGIN IMMEDIATE``; a write SQLite refuses as a message.
        In the app, the ``wallet`` lane and the claim rounds' ``claims`` lane write (the writer
        lock and SQLite order their transactions; the store locks of ``core/rewards.py`` order
        each store's chain; docs/architecture.md)."""
        assert_lane("wallet", "claims")
        with self._lock:
            try:
                db = self._conn()
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    yield db
            except sqlite3.OperationalError as e:
                raise ConfigError(f"could not write the wallet's ledger {self.path} ({e}); check that "
                                  "the data dir is writable") from None
            except sqlite3.IntegrityError as e:  # a row planted where the next receipt belongs
                raise LedgerError(f"the wallet's ledger refused the change ({e}): it holds rows that do not "
                                  "belong there; nothing was written. Verify it, then re-sync the wallet "
                                  "from the store's IA service") from None

    def close(self) -> None:
        with self._rlock:  # one lock at a time: a first read takes _rlock, then _lock
            if self._rdb is not None:
                self._rdb.close()
                self._rdb = None
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- the trust anchor --------------------------------------------------------------------

    def keys(self, stores: Iterable[str]) -> dict[str, ServiceKeys | None]:
        """The keys each store's signed policy names (None: the store names no IA service).
        Reads the policies through ``trust``: call it outside the ledger's locks. A policy
        that cannot be read is a ``LedgerError``: nothing can be checked against it."""
        out: dict[str, ServiceKeys | None] = {}
        for store in stores:
            if store in self._trusted:
                out[store] = self._trusted[store]
            elif self._trust is None:
                out[store] = None
            else:
                try:
                    out[store] = self._trust(store)
                except AppStoreError as e:
                    raise LedgerError(f"cannot check store {store}'s receipts against the IA service's key "
                                      f"its signed policy names: {e}. Nothing was changed; try again when "
                                      "the store can be read (Settings → Refresh)") from None
        return out

    # -- appending -------------------------------------------------------------------------

    def append(self, receipt: Receipt, *, settles: Iterable[str] = ()) -> bool:
        """Add one receipt; False when the same receipt is already there. ``settles`` names
        pending claims it answers: removed in the same transaction."""
        return self.append_many([receipt], settles=settles) == 1

    def append_many(self, receipts: Iterable[Receipt], *, settles: Iterable[str] = ()) -> int:
        """Add receipts in order, in one transaction (all or none); how many were new.
        ``LedgerError`` saying which receipt was refused and why."""
        batch = list(receipts)
        for r in batch:  # the costly part, before taking the lock
            if not isinstance(r, Receipt):
                raise TypeError(f"append takes Receipt objects, not {type(r).__name__}")
            if problem := r.verify():
                raise LedgerError(f"refused {problem}; nothing was added")
        keys = self.keys({r.store for r in batch})
        with self._writing() as db:
            stored = _meta(db, "account")
            if self._account and stored and stored != self._account:
                raise LedgerError(f"this ledger holds the receipts of account {stored}, not of the wallet's "
                                  f"account {self._account}; nothing was added")
            account = self._account or stored or (batch[0].account if batch else None)
            if stored is None and account is not None:
                db.execute("INSERT INTO meta VALUES ('account', ?)", (account,))
            heads: dict[str, _Head] = {}
            totals: dict[tuple[str, str], int] = {}
            added = 0
            for r in batch:
                if self._check_next(db, r, account, heads, keys.get(r.store)):
                    db.execute(_INSERT, r.row())
                    head = heads[r.store]
                    head.seq, head.hash, head.count = r.seq, bytes.fromhex(r.hash), head.count + 1
                    head.key = bytes.fromhex(r.service_key)  # the chain's newest key (a rotation moves it)
                    key = (r.store, r.asset)
                    if key not in totals:
                        row = db.execute("SELECT amount FROM totals WHERE store = ? AND asset = ?",
                                         key).fetchone()
                        totals[key] = int(row[0]) if row else 0
                    totals[key] += r.amount
                    if not INT64[0] <= totals[key] <= INT64[1]:
                        raise LedgerError(f"refused receipt #{r.seq} from store {r.store}: the {r.asset} "
                                          "total would overflow; nothing was added")
                    added += 1
            db.executemany("INSERT INTO services VALUES (?, ?, ?, ?, ?) ON CONFLICT (store) DO UPDATE SET "
                           "last_seq = excluded.last_seq, last_hash = excluded.last_hash, "
                           "receipts = excluded.receipts",
                           [(s, h.key, h.seq, h.hash, h.count) for s, h in heads.items() if h.seq])
            db.executemany("INSERT INTO totals VALUES (?, ?, ?) ON CONFLICT (store, asset) DO UPDATE SET "
                           "amount = excluded.amount", [(s, a, t) for (s, a), t in totals.items()])
            db.executemany("DELETE FROM pending WHERE id = ?", [(c,) for c in settles])
        return added

    def _check_next(self, db: sqlite3.Connection, r: Receipt, account: str | None,
                    heads: dict[str, _Head], keys: ServiceKeys | None) -> bool:
        """True if ``r`` is the next receipt of its chain, False if it is already there;
        ``LedgerError`` otherwise."""
        what = f"refused receipt #{r.seq} from store {r.store}"
        fix = "; nothing was added. Re-sync the wallet from the store's IA service"
        if r.account != account:
            raise LedgerError(f"{what}: it is for account {r.account}, and this ledger holds the receipts "
                              f"of {account}; nothing was added")
        key = bytes.fromhex(r.service_key)
        if keys is not None and not keys.accepts(r.service_key, r.time):
            raise LedgerError(f"{what}: {keys.refusal(r.store, r.service_key, r.time)} (forged?); "
                              "nothing was added")
        head = heads.get(r.store)
        if head is None:
            row = db.execute("SELECT service_key, last_seq, last_hash, receipts FROM services "
                             "WHERE store = ?", (r.store,)).fetchone()
            head = heads[r.store] = _Head(*row) if row else _Head(key)
        if keys is None and key != head.key:
            raise LedgerError(f"{what}: it is signed by key {_short(key)}, and the ledger's receipts "
                              f"from store {r.store} by key {_short(head.key)}{fix}")
        if r.seq <= head.seq:
            try:
                old = db.execute(f"SELECT {_COLUMNS} FROM receipts WHERE store = ? AND seq = ?",
                                 (r.store, r.seq)).fetchone()
            except sqlite3.OperationalError:  # a row edited into text that is not UTF-8
                old = None
            if old == r.row():
                return False
            raise LedgerError(f"{what}: the ledger holds a different receipt #{r.seq} from that store{fix}")
        if r.seq != head.seq + 1:
            gap = f"#{head.seq + 1}" + (f" to #{r.seq - 1} are" if r.seq - 1 > head.seq + 1 else " is")
            raise LedgerError(f"{what}: the ledger's last one is #{head.seq}, so {gap} missing{fix}")
        if bytes.fromhex(r.prev_hash) != head.hash:
            raise LedgerError(f"{what}: it does not follow the ledger's receipt #{head.seq} (its "
                              f"prev_hash is another receipt's hash){fix}")
        return True

    # -- reading ---------------------------------------------------------------------------

    def last(self, service: str) -> tuple[int, str]:
        """The last seq and hash (hex) of store ``service``'s chain; ``(0, ZERO_HASH)`` if none."""
        with self._reading() as db:
            row = db.execute("SELECT last_seq, last_hash FROM services WHERE store = ?",
                             (service,)).fetchone()
        return (int(row[0]), bytes(row[1]).hex()) if row else (0, ZERO_HASH)

    def account(self) -> str | None:
        """The account whose receipts this ledger holds (None: none yet)."""
        if self._account:
            return self._account
        with self._reading() as db:
            return _meta(db, "account")

    def balance(self, asset: str, service: str | None = None) -> int:
        """The balance in base units of ``asset`` (from every store, or from ``service``): the
        running totals, one small read."""
        if asset not in ASSETS:
            raise LedgerError(f"there is no asset {shorten(asset)!r}: the wallet holds "
                              f"{' and '.join(ASSETS)}")
        sql, args = "SELECT COALESCE(SUM(amount), 0) FROM totals WHERE asset = ?", [asset]
        if service is not None:
            sql, args = sql + " AND store = ?", [asset, service]
        with self._reading() as db:
            return int(db.execute(sql, args).fetchone()[0])

    def balances(self, service: str | None = None) -> dict[str, int]:
        """``{"IA": units, "BCD": units}``."""
        out = dict.fromkeys(ASSETS, 0)
        sql = "SELECT asset, SUM(amount) FROM totals" + (" WHERE store = ?" if service else "")
        sql += " GROUP BY asset"
        with self._reading() as db:
            for asset, total in db.execute(sql, (service,) if service else ()):
                out[asset] = int(total)
        return out

    def history(self, asset: str | None = None, kind: str | None = None, text: str | None = None, *,
                service: str | None = None, limit: int = 100, offset: int = 0) -> list[Receipt]:
        """Receipts, newest first, filtered by asset, kind, store and a text found in the
        reference, the kind or the store."""
        where, args = _filters(asset, kind, text, service)
        with self._reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM receipts{where} ORDER BY time DESC, id DESC "
                              "LIMIT ? OFFSET ?", [*args, max(0, limit), max(0, offset)]).fetchall()
        try:
            return [_receipt(row) for row in rows]
        except (ReceiptError, TypeError, ValueError) as e:
            raise LedgerError(f"a receipt in the wallet's ledger cannot be read ({e}); verify the ledger, "
                              "then re-sync the wallet from the store's IA service") from None

    def count(self, asset: str | None = None, kind: str | None = None, text: str | None = None, *,
              service: str | None = None) -> int:
        """How many receipts ``history`` with the same filters would list."""
        where, args = _filters(asset, kind, text, service)
        with self._reading() as db:
            return int(db.execute(f"SELECT count(*) FROM receipts{where}", args).fetchone()[0])

    def recent_changes(self, asset: str, limit: int = 2000) -> list[tuple[str, int]]:
        """``(time, amount)`` of the last ``limit`` receipts of ``asset``, oldest first (the
        chart's steps; the time index keeps it cheap however long the ledger)."""
        with self._reading() as db:
            rows = db.execute("SELECT time, amount FROM receipts WHERE asset = ? ORDER BY time DESC, id DESC "
                              "LIMIT ?", (asset, limit)).fetchall()
        return [(str(t), int(a)) for t, a in reversed(rows)]

    def services(self) -> dict[str, str]:
        """The stores the ledger has receipts from, and the key (hex) each chain is signed by."""
        with self._reading() as db:
            return {s: bytes(k).hex() for s, k in db.execute("SELECT store, service_key FROM services")}

    # -- verification ----------------------------------------------------------------------

    def verify(self, *, every_signature: bool = True,
               progress: Callable[[int, int], None] | None = None) -> Verification:
        """Check every row again: its fields, hash and signature (with the store's key), the
        sequence, the hash chain, and the running totals; the result names the first bad
        entry, and is kept (``problem``) until a verification passes. With
        ``every_signature=False`` only each chain's last signature is checked: the hash chain
        makes it vouch for every earlier receipt's content, but a changed signature column in
        between goes unnoticed. ``progress(done, total)`` is called every few thousand rows.

        Every receipt's key is checked against the keys its store's signed policy names
        (``service_keys``, ``trust``); ``LedgerError`` when a policy cannot be read."""
        return check(self, every_signature=every_signature, progress=progress)

    def quick_check(self, seal_key: bytes | None = None) -> Verification:
        """The check before every spend (``LedgerBroken`` if it fails, or if an earlier check
        failed): the chains, the running totals and each chain's last receipt — its hash, its
        signature and its signer against the store's policy. With ``seal_key`` (a secret of the
        wallet's account) the state it vouched for last time is sealed, and the next check reads
        only the receipts added since: a few milliseconds at any size (docs/ledger.md)."""
        self.require_verified()
        result = check(self, every_signature=False, progress=None, seal_key=seal_key or None)
        if result.problem is not None:
            raise LedgerBroken(result.problem)
        return result

    @property
    def problem(self) -> Problem | None:
        """What the last verification found wrong (kept across restarts), or None."""
        with self._reading() as db:
            text = _meta(db, "broken")
        if text is None:
            return None
        try:
            raw = json.loads(text)
            return Problem(ProblemKind(raw["kind"]), str(raw["store"]), raw["seq"], raw["row"],
                           str(raw["detail"]))
        except (ValueError, KeyError, TypeError):
            return Problem(ProblemKind.CHANGED, "?", None, None, "the record of the failed check is damaged")

    def require_verified(self) -> None:
        """``LedgerBroken`` if the last verification failed: call before spending."""
        problem = self.problem
        if problem is not None:
            raise LedgerBroken(problem)

    # -- re-sync ---------------------------------------------------------------------------

    def reset_from(self, service: str, receipts: Iterable[Receipt], *,
                   service_key: str | ServiceKeys | None = None, settles: Iterable[str] = ()) -> Resync:
        """Replace store ``service``'s receipts with the full chain its service re-sent
        (#1 onwards), checked in full first: a refusal changes nothing. Old rows that are not
        in the new chain exactly are moved to ``quarantine``, never dropped. ``service_key``
        (hex or ``ServiceKeys``, from the store's policy) may name a new key for the store's
        service (``resync.py``). ``settles``: as ``append_many``'s, in the same transaction."""
        from appstore.core.wallet.resync import reset_from  # the rare path: loaded when used

        return reset_from(self, service, receipts, service_key=service_key, settles=settles)

    def quarantined(self, service: str | None = None) -> list[Quarantined]:
        """Rows a re-sync replaced, oldest first."""
        with self._reading() as db:
            rows = db.execute(f"SELECT qid, at, reason, signed, {_RAW} FROM quarantine "
                              "ORDER BY qid").fetchall()
        out = []
        for qid, at, reason, signed, *raw in rows:
            store = raw[0].decode("utf-8", "replace") if isinstance(raw[0], bytes) else repr(raw[0])
            if service is not None and store != service:
                continue
            try:
                receipt: Receipt | None = _receipt(tuple(raw))
            except (ReceiptError, TypeError, ValueError):
                receipt = None
            out.append(Quarantined(qid, at, reason, bool(signed), store, raw[2], receipt))
        return out

    # -- pending claims --------------------------------------------------------------------

    def add_pending(self, claim: PendingClaim) -> PendingClaim:
        """Keep a claim made offline (again with the same id: kept once)."""
        self.add_pending_many([claim])
        return claim

    def add_pending_many(self, claims: Iterable[PendingClaim]) -> None:
        """Keep claims in one transaction (all or none); an id already there is kept once."""
        rows = [(c.id, c.store, c.kind, c.app_id, c.asset, c.amount, c.created) for c in claims]
        with self._writing() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def pending(self, service: str | None = None) -> list[PendingClaim]:
        """Claims waiting to be sent, oldest first."""
        sql = "SELECT store, kind, app_id, asset, amount, id, created FROM pending"
        with self._reading() as db:
            rows = db.execute(sql + (" WHERE store = ?" if service else "") + " ORDER BY created, id",
                              (service,) if service else ()).fetchall()
        return [PendingClaim(*row) for row in rows]

    def remove_pending(self, claim_id: str) -> bool:
        """Forget a claim (answered or refused by the service); False if it was not there."""
        with self._writing() as db:
            return db.execute("DELETE FROM pending WHERE id = ?", (claim_id,)).rowcount > 0

    def pending_totals(self) -> dict[str, int]:
        """What pending claims expect, per asset (claims of unknown amount count 0): for display."""
        out = dict.fromkeys(ASSETS, 0)
        with self._reading() as db:
            for asset, total in db.execute("SELECT asset, SUM(amount) FROM pending GROUP BY asset"):
                out[asset] = int(total or 0)
        return out


__all__ = ["Ledger", "LedgerBroken", "LedgerError", "PendingClaim", "Problem", "ProblemKind",
           "Quarantined", "Resync", "TrustSource", "Verification", "ledger_path"]
