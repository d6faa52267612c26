"""The ledger's data: its schema, the records it hands out (``Problem``, ``Verification``,
``PendingClaim``…) and how a stored row becomes a ``Receipt`` — shared by the ledger
(``ledger.py``) and its checks (``verify.py``, ``seal.py``). docs/ledger.md."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from appstore.core.errors import shorten
from appstore.core.ids import STORE_ID_RE
from appstore.core.paths import Paths
from appstore.core.wallet.errors import WalletError
from appstore.core.wallet.receipts import (
    ASSETS,
    FIELDS,
    SIGNED_FIELDS,
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
