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
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from appstore.core.errors import AppStoreError, ConfigError, shorten
from appstore.core.paths import Paths
from appstore.core.sqlite import open_database
from appstore.core.store.config import STORE_ID_RE
from appstore.core.wallet.errors import WalletError
from appstore.core.wallet.receipts import (
    ASSETS,
    FIELDS,
    SIGNED_FIELDS,
    ZERO_HASH,
    Receipt,
    ReceiptError,
    field_problem,
    utc_now,
)
from appstore.core.wallet.trust import ServiceKeys

TrustSource = Callable[[str], "ServiceKeys | None"]

INT64 = (-(2**63), 2**63 - 1)
PROGRESS_EVERY = 4096
_ZERO = bytes(32)
_RAW_TEXT = (0, 3, 4, 5, 7, 8)  # the text columns of _RAW
_TEXT_FIELDS = frozenset({"store", "account", "time", "asset", "kind", "reference"})
_COLUMNS = ("store, service_key, seq, account, time, asset, amount, kind, reference, prev_hash, hash, "
            "signature")
_RAW = ("CAST(store AS BLOB), service_key, seq, CAST(account AS BLOB), CAST(time AS BLOB), "
        "CAST(asset AS BLOB), amount, CAST(kind AS BLOB), CAST(reference AS BLOB), prev_hash, hash, "
        "signature")
_INSERT = f"INSERT INTO receipts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE services (
    store TEXT PRIMARY KEY, service_key BLOB NOT NULL,
    last_seq INTEGER NOT NULL, last_hash BLOB NOT NULL, receipts INTEGER NOT NULL
) STRICT;
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY,
    store TEXT NOT NULL, service_key BLOB NOT NULL, seq INTEGER NOT NULL, account TEXT NOT NULL,
    time TEXT NOT NULL, asset TEXT NOT NULL, amount INTEGER NOT NULL, kind TEXT NOT NULL,
    reference TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL,
    UNIQUE (store, seq)
) STRICT;
CREATE INDEX receipts_by_time ON receipts (time, id);
CREATE TABLE totals (
    store TEXT NOT NULL, asset TEXT NOT NULL, amount INTEGER NOT NULL, PRIMARY KEY (store, asset)
) STRICT;
CREATE TABLE pending (
    id TEXT PRIMARY KEY, store TEXT NOT NULL, kind TEXT NOT NULL, app_id TEXT NOT NULL,
    asset TEXT NOT NULL, amount INTEGER, created TEXT NOT NULL
) STRICT;
CREATE TABLE quarantine (
    qid INTEGER PRIMARY KEY, at TEXT NOT NULL, reason TEXT NOT NULL, signed INTEGER NOT NULL,
    row_id ANY, store ANY, service_key ANY, seq ANY, account ANY, time ANY, asset ANY, amount ANY,
    kind ANY, reference ANY, prev_hash ANY, hash ANY, signature ANY
) STRICT
"""


def ledger_path(paths: Paths) -> Path:
    return paths.root / "wallet" / "ledger.sqlite3"


class LedgerError(WalletError):
    """A receipt or a re-sync refused (nothing was written), or a ledger that cannot be read."""


class ProblemKind(StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    FORGED = "forged"
    OUT_OF_ORDER = "out of order"
    FOREIGN = "foreign"  # validly signed, for another account
    TOTALS = "totals differ"


@dataclass(frozen=True)
class Problem:
    """The first bad entry a verification found: ``seq`` is the receipt's number (as signed,
    when that is known), ``row`` its row id in ``receipts`` (None: a missing receipt, or the
    running totals)."""

    kind: ProblemKind
    store: str
    seq: int | None
    row: int | None
    detail: str

    @property
    def entry(self) -> str:
        if self.seq is None:
            return f"the running totals of store {self.store}"
        return f"receipt #{self.seq} from store {self.store}"

    def __str__(self) -> str:
        return f"{self.entry} ({self.kind.value}): {self.detail}"


class LedgerBroken(LedgerError):
    """The ledger failed verification: nothing may be spent until it is re-synced."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"the wallet's ledger failed verification: {problem}. Nothing can be spent "
                         f"until the wallet is re-synced from store {problem.store}'s IA service, "
                         "which sends its receipts again (the rows it replaces are kept aside)")
        self.problem = problem


@dataclass(frozen=True)
class Verification:
    problem: Problem | None
    receipts: int  # rows checked
    signatures: int  # signatures checked
    seconds: float
    # stores whose receipts were checked against the key their chain is held by, because no
    # signed policy names their service (the store was removed, or publishes no policy)
    unanchored: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.problem is None:
            return f"the ledger verifies: {self.receipts} receipts, {self.signatures} signatures checked"
        return str(self.problem)


@dataclass(frozen=True)
class Resync:
    store: str
    receipts: int  # now in the ledger for that store
    quarantined: int  # old rows moved to quarantine (changed, or not re-sent)
    signed_not_resent: int  # of those, rows the service had signed but did not send again
    verification: Verification | None  # the whole ledger checked again, when it had failed before


@dataclass(frozen=True)
class Quarantined:
    qid: int
    at: str
    reason: str
    signed: bool  # the row was a receipt the service had validly signed
    store: str
    seq: object
    receipt: Receipt | None  # None: the row is not even well-formed


@dataclass(frozen=True)
class PendingClaim:
    """A claim made offline: shown as pending, never part of a balance. ``kind`` says what it
    claims for (an activity such as ``browse``, or a receipt kind); ``amount`` is what is
    expected, in base units of ``asset``, when known."""

    store: str
    kind: str
    app_id: str
    asset: str = "IA"
    amount: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: str = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        problem = (None if STORE_ID_RE.fullmatch(self.store) else "store is not a store id") \
            or _short_token(self.kind, "kind") or _short_token(self.id, "id") \
            or (None if self.asset in ASSETS else f"asset is not {' or '.join(ASSETS)}") \
            or (None if isinstance(self.app_id, str) and 0 < len(self.app_id) <= 200
                and self.app_id.isprintable() else "app_id must be 1 to 200 printable characters") \
            or (None if self.amount is None or (type(self.amount) is int and 0 <= self.amount < INT64[1])
                else "amount must be a whole number of base units, 0 or more") \
            or ("created " + p if (p := field_problem("time", self.created)) else None)
        if problem:
            raise LedgerError(f"a pending claim's {problem} ({shorten(repr(self), 120)})")


def _short_token(value: object, name: str) -> str | None:
    ok = isinstance(value, str) and 0 < len(value) <= 64 and value.isascii() and \
        all(c.isalnum() or c in "._-" for c in value)
    return None if ok else f"{name} must be 1 to 64 letters, digits, '.', '_' or '-'"


@dataclass
class _Head:
    """Where one store's chain stands: its key, last seq, last hash, how many receipts."""

    key: bytes
    seq: int = 0
    hash: bytes = _ZERO
    count: int = 0


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
        """The writer connection inside ``BEGIN IMMEDIATE``; a write SQLite refuses as a message."""
        with self._lock:
            try:
                db = self._conn()
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    yield db
            except sqlite3.OperationalError as e:
                raise ConfigError(f"could not write the wallet's ledger {self.path} ({e}); check that "
                                  "the data dir is writable") from None

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

    def daily_changes(self, asset: str, service: str | None = None, *,
                      days: int = 366) -> list[tuple[str, int]]:
        """``(YYYY-MM-DD, net change)`` of ``asset`` for each UTC day with receipts, oldest
        first, for the last ``days`` such days (the balance-over-time chart)."""
        sql = "SELECT substr(time, 1, 10) AS day, SUM(amount) FROM receipts WHERE asset = ?"
        args: list[object] = [asset]
        if service is not None:
            sql += " AND store = ?"
            args.append(service)
        sql += " GROUP BY day ORDER BY day DESC LIMIT ?"
        args.append(days)
        with self._reading() as db:
            rows = db.execute(sql, args).fetchall()
        return [(str(day), int(total)) for day, total in reversed(rows)]

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
        return self._check(every_signature=every_signature, progress=progress)

    def quick_check(self, seal_key: bytes | None = None) -> Verification:
        """The check before every spend (``LedgerBroken`` if it fails, or if an earlier check
        failed): the chains, the running totals and each chain's last receipt — its hash, its
        signature and its signer against the store's policy. With ``seal_key`` (a secret of the
        wallet's account) the state it vouched for last time is sealed, and the next check reads
        only the receipts added since: a few milliseconds at any size (docs/ledger.md)."""
        self.require_verified()
        result = self._check(every_signature=False, progress=None, seal_key=seal_key or None)
        if result.problem is not None:
            raise LedgerBroken(result.problem)
        return result

    def _check(self, *, every_signature: bool, progress: Callable[[int, int], None] | None,
               seal_key: bytes | None = None) -> Verification:
        from appstore.core.wallet import seal as sealing  # loaded when used
        from appstore.core.wallet.verify import _Scan

        start = time.perf_counter()
        try:
            stores = list(self.services())
        except LedgerError:
            stores = []  # a store name that cannot be read: the scan names the row
        keys = self.keys(stores)
        db = self._connect()
        db.text_factory = bytes
        try:
            db.execute("BEGIN")  # one snapshot: appends may go on meanwhile
            sealed = sealing.read(db, seal_key) if seal_key else None
            scan = _Scan(db, self._account, keys, every_signature, progress, sealed)
            problem = scan.run()
        except sqlite3.DatabaseError as e:
            raise LedgerError(f"cannot read the wallet's ledger {self.path} ({e}); move it away, then "
                              "re-sync the wallet from the stores' IA services") from None
        finally:
            db.close()
        fresh = sealing.Sealed.of(scan) if seal_key and problem is None else None
        if problem is not None or sealed is None or fresh != sealed:
            with self._writing() as w:  # (nothing to write when a sealed state still holds)
                if problem is None:
                    w.execute("DELETE FROM meta WHERE key = 'broken'")
                else:
                    w.execute("INSERT OR REPLACE INTO meta VALUES ('broken', ?)",
                              (json.dumps({**asdict(problem), "kind": problem.kind.value}),))
                    w.execute("DELETE FROM meta WHERE key = 'seal'")
                if fresh is not None and seal_key is not None:
                    sealing.write(w, seal_key, fresh)
                if seal_key is None:
                    w.execute("INSERT OR REPLACE INTO meta VALUES ('verified', ?)", (utc_now(),))
        unanchored = tuple(sorted(s for s, k in keys.items() if k is None))
        return Verification(problem, scan.rows, scan.signatures, time.perf_counter() - start, unanchored)

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
                   service_key: str | None = None) -> Resync:
        """Replace store ``service``'s receipts with the full chain its service re-sent
        (#1 onwards), checked in full first: a refusal changes nothing. Old rows that are not
        in the new chain exactly are moved to ``quarantine``, never dropped. ``service_key``
        (hex, from the store's policy) may name a new key for the store's service."""
        new = list(receipts)
        keys, key = self._resync_keys(service, new, service_key)
        account = self.account()
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
        was_broken = self.problem is not None
        wanted = {r.row() for r in new}
        resent = {r.seq for r in new}
        old_key = self.services().get(service)
        quarantined = signed = 0
        with self._writing() as db:
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
        if service_key is not None and keys is not None:
            self._trusted[service] = keys
        verification = self.verify() if was_broken else None
        return Resync(service, len(new), quarantined, signed, verification)

    def _resync_keys(self, service: str, new: Sequence[Receipt],
                     service_key: str | ServiceKeys | None) -> tuple[ServiceKeys | None, bytes]:
        """The keys the policy names (None: unknown) and, without them, the one key the chain
        must be signed by."""
        if service_key is not None:
            keys = service_key if isinstance(service_key, ServiceKeys) else ServiceKeys(service_key)
            if any(field_problem("service_key", k) for k in keys.all()):
                raise LedgerError(f"the service key given for store {service} is not 64 hex digits")
            return keys, bytes.fromhex(keys.current)
        named = self.keys([service])[service]
        if named is not None:
            return named, bytes.fromhex(named.current)
        pinned = self.services().get(service)
        if pinned is not None:
            return None, bytes.fromhex(pinned)
        if new:
            return None, bytes.fromhex(new[0].service_key)
        return None, _ZERO

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
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO pending VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (claim.id, claim.store, claim.kind, claim.app_id, claim.asset, claim.amount,
                        claim.created))
        return claim

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


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    value = row[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _filters(asset: str | None, kind: str | None, text: str | None,
             service: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    for column, value in (("asset", asset), ("kind", kind), ("store", service)):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(reference LIKE ? ESCAPE '\\' OR kind LIKE ? ESCAPE '\\' "
                       "OR store LIKE ? ESCAPE '\\')")
        args += [pattern] * 3
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _row_fields(raw: Mapping[str, object]) -> dict[str, object] | None:
    """The signed fields of a row read raw (text as bytes), or None if they cannot be read."""
    try:
        return {n: bytes(v).hex() if n in ("service_key", "prev_hash") else  # type: ignore[call-overload]
                v.decode() if isinstance(v, bytes) else v for n, v in raw.items() if n in SIGNED_FIELDS}
    except (TypeError, UnicodeDecodeError):
        return None


def _decoded(value: object) -> object:
    """Text read raw (as bytes) decoded; bytes that are not UTF-8 stay bytes."""
    try:
        return value.decode() if isinstance(value, bytes) else value
    except UnicodeDecodeError:
        return value


def _receipt(row: tuple[object, ...]) -> Receipt:
    """A receipt from a stored row (text may come as bytes, from a raw read)."""
    values = [v.decode("utf-8") if isinstance(v, bytes) and i not in (1, 9, 10, 11) else v
              for i, v in enumerate(row)]
    for i in (1, 9, 10, 11):
        value = values[i]
        if not isinstance(value, bytes):
            raise ReceiptError(f"a receipt's {FIELDS[i]} is not stored as bytes")
        values[i] = value.hex()
    return Receipt(*values)  # type: ignore[arg-type]


def _short(key: bytes) -> str:
    return key.hex()[:16] + "…"


__all__ = ["Ledger", "LedgerBroken", "LedgerError", "PendingClaim", "Problem", "ProblemKind",
           "Quarantined", "Resync", "Verification", "ledger_path"]
