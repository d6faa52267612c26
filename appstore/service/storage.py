"""The IA service's storage: one small module over SQLAlchemy Core.

SQLite (WAL, ``synchronous=FULL``, every write transaction ``BEGIN IMMEDIATE`` and serialised in
the process) by default; a PostgreSQL URL (``postgresql+psycopg://…``) serves many users: there
each request locks its account rows (``SELECT … FOR UPDATE``, in address order) and every debit
is a conditional ``UPDATE … WHERE amount >= x``, so no balance goes negative under concurrency.

Money moves by double entry between rows of ``balances``: user accounts (BCD addresses) and
internal ones whose names start with ``@``: ``@issuance`` (IA put into the dividend pool; it goes
negative), ``@pool`` (the dividend pool), ``@treasury`` (IA taken in by swaps; the BCD reserve),
``@operator`` (BCD the operator funded the reserve with; negative), ``@withdrawals`` (BCD owed to
withdrawal addresses, paid by the operator's node). Rewards are issued to an account and counted
in ``accounts.rewarded``. So ``audit()`` is zero for each asset at every commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from appstore.core.errors import ConfigError
from appstore.core.ia.times import format_time
from appstore.core.wallet.receipts import ASSETS, ZERO_HASH, Receipt, sign_receipt
from appstore.service import migrations
from appstore.service.schema import t_accounts, t_balances, t_daily, t_meta, t_nonces, t_receipts

T = TypeVar("T")
ISSUANCE, POOL, TREASURY = "@issuance", "@pool", "@treasury"
OPERATOR, WITHDRAWALS = "@operator", "@withdrawals"
HOUSE = "@house"  # the games' house: stakes in, payouts and refunds out (may go negative)


class Refused(Exception):
    """A business rule refused the request before anything but its nonce was written; the
    transaction is committed (the nonce stays used) and the error re-raised as it is."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Replayed(Exception):
    pass


@dataclass
class Head:
    """Where an account's receipt chain stands, while a transaction holds its row."""

    address: str
    seq: int
    hash: str
    rewarded: int = 0
    dirty: bool = False


DB_NAME = "ia-service.sqlite3"  # the SQLite database's name in a service's state folder


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


PG_CONNECTIONS = 20  # per process at most (10 kept, 10 more under load): N workers need N × 20


def open_engine(url: str) -> Engine:
    """An engine for the service's database at ``url`` (SQLite or PostgreSQL); ``ConfigError``
    for another kind or a URL that is not one."""
    try:
        u = make_url(url)
    except Exception as e:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise ConfigError(f"{url!r} is not a database URL ({e})") from None
    if u.get_backend_name() == "sqlite":
        engine = create_engine(u, pool_size=8, max_overflow=24, pool_timeout=30,
                               connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if u.get_backend_name() == "postgresql":
        return create_engine(u, pool_size=PG_CONNECTIONS // 2, max_overflow=PG_CONNECTIONS // 2,
                             pool_timeout=30, pool_pre_ping=True)
    raise ConfigError(f"the IA service stores its data in SQLite or PostgreSQL, not {u.get_backend_name()!r}")


def upgrade_database(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to this release's newest revision (``migrations.upgrade``), in one write
    transaction: the revisions before and after."""
    try:
        if engine.dialect.name == "sqlite":
            with _sqlite_migration_lock, engine.begin() as conn:
                return migrations.upgrade(conn)
        with engine.begin() as conn:
            return migrations.upgrade(conn)
    except OperationalError as e:
        raise ConfigError(f"cannot open the IA service's database ({e.orig})") from None


_sqlite_migration_lock = threading.Lock()


def audit_sums(conn: Connection) -> dict[str, int]:
    """Per asset, the sum of every balance row less the IA issued as rewards: zero, always."""
    sums = {r.asset: int(r.total) for r in conn.execute(
        select(t_balances.c.asset, func.sum(t_balances.c.amount).label("total"))
        .group_by(t_balances.c.asset)).all()}
    rewarded = int(conn.execute(select(func.sum(t_accounts.c.rewarded))).scalar() or 0)
    return {a: sums.get(a, 0) - (rewarded if a == "IA" else 0) for a in ASSETS}


class Storage:
    """Accounts, receipts and the rest, for one store's service signing with ``key``."""

    def __init__(self, url: str, store: str, key: Ed25519PrivateKey) -> None:
        self.store = store
        self.key = key
        self.engine: Engine = open_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock() if self.sqlite else None
        upgrade_database(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self._write_lock is not None:
            with self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            with self.engine.begin() as conn:
                yield conn

    def transaction(self, fn: Callable[[Connection], T], *, retries: int = 5) -> T:
        """``fn(conn)`` in one write transaction; retried on a PostgreSQL deadlock or
        serialisation failure. ``Refused`` commits what was written (the nonce) and raises the
        error it carries."""
        for attempt in range(retries):
            try:
                refused: Refused | None = None
                with self._write() as conn:
                    try:
                        return fn(conn)
                    except Refused as r:
                        refused = r
                assert refused is not None
                raise refused.error
            except DBAPIError as e:
                code = getattr(getattr(e, "orig", None), "sqlstate", None)
                if code in ("40001", "40P01") and attempt + 1 < retries:
                    continue
                raise
        raise AssertionError("unreachable")

    def read(self, fn: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            conn.execution_options(imapp_read=True)
            try:
                return fn(conn)
            finally:
                conn.rollback()

    # -- accounts and receipts ---------------------------------------------------------------

    def lock_accounts(self, conn: Connection, addresses: Sequence[str]) -> dict[str, Head]:
        """Create the accounts that do not exist yet and lock them all (address order)."""
        addresses = sorted(set(addresses))
        query = (select(t_accounts).where(t_accounts.c.address.in_(addresses))
                 .order_by(t_accounts.c.address).with_for_update())
        rows = conn.execute(query).all()
        if len(rows) < len(addresses):  # new accounts: made, then locked with the others
            _insert_ignore(conn, t_accounts, [{"address": a, "last_seq": 0, "last_hash": ZERO_HASH,
                                               "rewarded": 0} for a in addresses])
            _insert_ignore(conn, t_balances, [{"account": a, "asset": s, "amount": 0}
                                              for a in addresses for s in ASSETS])
            rows = conn.execute(query).all()
        return {r.address: Head(r.address, r.last_seq, r.last_hash, r.rewarded) for r in rows}

    def use_nonce(self, conn: Connection, account: str, nonce: str, expires: datetime) -> None:
        """Record the nonce of a request of ``account`` (whose row the caller holds locked)."""
        if not insert_ignore(conn, t_nonces, {"account": account, "nonce": nonce,
                                              "expires": format_time(expires)}):
            raise Replayed()

    def purge_nonces(self, now: datetime) -> int:
        def run(conn: Connection) -> int:
            return conn.execute(t_nonces.delete().where(t_nonces.c.expires < format_time(now))).rowcount
        return self.transaction(run)

    def append(self, conn: Connection, head: Head, asset: str, amount: int, kind: str, reference: str,
               now: datetime) -> Receipt:
        """Sign the account's next receipt and store it (the caller moves the balance)."""
        r = sign_receipt({"store": self.store, "seq": head.seq + 1, "account": head.address,
                          "time": format_time(now), "asset": asset, "amount": amount, "kind": kind,
                          "reference": reference, "prev_hash": head.hash}, self.key)
        conn.execute(t_receipts.insert().values(account=head.address, seq=r.seq, kind=kind, asset=asset,
                                                amount=amount, time=r.time, body=r.to_json()))
        head.seq, head.hash, head.dirty = r.seq, r.hash, True
        return r

    def save_heads(self, conn: Connection, heads: Mapping[str, Head]) -> None:
        for h in heads.values():
            if h.dirty:
                conn.execute(t_accounts.update().where(t_accounts.c.address == h.address)
                             .values(last_seq=h.seq, last_hash=h.hash, rewarded=h.rewarded))
                h.dirty = False

    def move(self, conn: Connection, account: str, asset: str, delta: int, *, floor: int | None = 0) -> bool:
        """Add ``delta`` to a balance; a debit only if the balance stays >= ``floor`` (None: no
        floor, for ``@issuance`` and ``@operator``). False if refused."""
        c = t_balances.c
        where = [c.account == account, c.asset == asset]
        if delta < 0 and floor is not None:
            where.append(c.amount + delta >= floor)
        n = conn.execute(t_balances.update().where(*where).values(amount=c.amount + delta)).rowcount
        if n == 1:
            return True
        if delta >= 0 or floor is None:  # the row does not exist yet (an internal account)
            conn.execute(t_balances.insert().values(account=account, asset=asset, amount=delta))
            return True
        return False

    def balance(self, conn: Connection, account: str, asset: str) -> int:
        v = conn.execute(select(t_balances.c.amount).where(t_balances.c.account == account,
                                                           t_balances.c.asset == asset)).scalar()
        return int(v or 0)

    def balances(self, conn: Connection, account: str) -> dict[str, int]:
        rows = conn.execute(select(t_balances.c.asset, t_balances.c.amount)
                            .where(t_balances.c.account == account)).all()
        out = dict.fromkeys(ASSETS, 0)
        out.update({r.asset: int(r.amount) for r in rows})
        return out

    def counters(self, conn: Connection, account: str, day: str) -> dict[str, list[int]]:
        """The account's counters of ``day``: name -> [count, amount] (see ``save_counters``)."""
        c = t_daily.c
        rows = conn.execute(select(c.kind, c.count, c.amount).where(c.account == account, c.day == day)).all()
        return {str(r[0]): [int(r[1]), int(r[2])] for r in rows}

    def save_counters(self, conn: Connection, account: str, day: str, counters: Mapping[str, list[int]],
                      changed: set[str]) -> None:
        """Write the ``changed`` counters of ``counters`` back to the ``daily`` rows."""
        c = t_daily.c
        for kind in changed:
            count, amount = counters[kind]
            n = conn.execute(t_daily.update().where(c.account == account, c.day == day, c.kind == kind)
                             .values(count=count, amount=amount)).rowcount
            if n == 0:
                conn.execute(t_daily.insert().values(account=account, day=day, kind=kind, count=count,
                                                     amount=amount))

    def receipts(self, account: str, since: int, limit: int) -> list[str]:
        def run(conn: Connection) -> list[str]:
            rows = conn.execute(select(t_receipts.c.body).where(t_receipts.c.account == account,
                                                                t_receipts.c.seq > since)
                                .order_by(t_receipts.c.seq).limit(limit)).all()
            return [r.body for r in rows]
        return self.read(run)

    def ping(self) -> int:
        return self.read(lambda conn: int(conn.execute(text("SELECT 1")).scalar() or 0))

    def get_meta(self, conn: Connection, key: str) -> str | None:
        v = conn.execute(select(t_meta.c.value).where(t_meta.c.key == key)).scalar()
        return None if v is None else str(v)

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        if conn.execute(t_meta.update().where(t_meta.c.key == key).values(value=value)).rowcount == 0:
            conn.execute(t_meta.insert().values(key=key, value=value))

    def audit(self) -> dict[str, int]:
        """Per asset, the sum of every balance row less the IA issued as rewards: zero, always."""
        return self.read(audit_sums)


def _insert(conn: Connection, table: Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on ``table``, in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).on_conflict_do_nothing()


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_insert(conn, table), rows)


def insert_ignore(conn: Connection, table: Table, row: dict[str, Any]) -> bool:
    """Insert ``row`` unless its key exists; True if it was inserted."""
    stmt = _insert(conn, table).values(**row)
    if conn.dialect.name == "postgresql":
        key = next(iter(table.primary_key.columns))
        return conn.execute(stmt.returning(key)).first() is not None  # (rowcount is -1 for an INSERT here)
    return bool(conn.execute(stmt).rowcount)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" below starts every transaction
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock at once (no deadlock between two readers upgrading); reads
    # run beside them (WAL).
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("imapp_read") else "BEGIN IMMEDIATE")
