"""Universal dividends (docs/ia-service.md, "Dividends"): at each scheduled time the pool gets
the policy's amount and is shared among all accounts pro rata to their IA balances, rounded down;
the remainder stays in the pool. A period is paid at most once (a ``dividends`` row written in
the same transaction as the shares)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Connection, select

from appstore.core.ia.policy import Dividend, RewardPolicy
from appstore.core.ia.times import format_time, parse_time
from appstore.service.schema import t_balances, t_dividends
from appstore.service.storage import ISSUANCE, POOL, Head, Storage, insert_ignore

log = logging.getLogger(__name__)


class Dividends:
    def __init__(self, storage: Storage, policy: RewardPolicy) -> None:
        self.storage = storage
        self.policy = policy
        self._paid_period: str | None = None
        self._lock = threading.Lock()

    def maybe_pay(self, now: datetime) -> int | None:
        """Pay the latest due dividend period if it is not paid yet (at most once: a row in
        ``dividends`` per period, written in the same transaction). The sum paid, or None when
        nothing was due. Called lazily before each request and by a background task."""
        div = self.policy.dividend
        if div is None:
            return None
        due = div.last_due(now)
        period = Dividend.period(due)
        if period == self._paid_period:
            return None
        with self._lock:
            if period == self._paid_period:
                return None
            paid = self.storage.transaction(lambda conn: self._pay(conn, div, due, period, now))
            self._paid_period = period
            return paid

    def _pay(self, conn: Connection, div: Dividend, due: datetime, period: str, now: datetime) -> int | None:
        s = self.storage
        created = parse_time(s.get_meta(conn, "created"))
        if created is not None and due < created:
            return None  # the first period is the first one after the service started
        if not insert_ignore(conn, t_dividends, {"period": period, "time": format_time(now), "pool_before": 0,
                                                 "paid": 0, "accounts": 0}):
            return None  # paid already (by another process, or before a restart)
        s.move(conn, ISSUANCE, "IA", -div.amount, floor=None)
        s.move(conn, POOL, "IA", div.amount)
        b = t_balances.c
        holding = (b.asset == "IA", b.amount > 0, ~b.account.startswith("@"))
        balances: dict[str, int] = {}
        heads: dict[str, Head] = {}
        holders = [r.account for r in conn.execute(select(b.account).where(*holding)).all()]
        if holders:  # locked, then their balances read again under the locks
            heads = s.lock_accounts(conn, holders)
            rows = conn.execute(select(b.account, b.amount).where(*holding).order_by(b.account)).all()
            balances = {r.account: int(r.amount) for r in rows if r.account in heads}
        pool = s.balance(conn, POOL, "IA")
        total = sum(balances.values())
        paid = 0
        for account, bal in balances.items():
            share = pool * bal // total
            if share > 0:
                s.append(conn, heads[account], "IA", share, "dividend", f"dividend:{period}", now)
                s.move(conn, account, "IA", share)
                paid += share
        if paid and not s.move(conn, POOL, "IA", -paid):
            raise RuntimeError("dividends exceed the pool")
        s.save_heads(conn, heads)
        conn.execute(t_dividends.update().where(t_dividends.c.period == period)
                     .values(pool_before=pool, paid=paid, accounts=len(balances)))
        log.info("dividend %s: %d shared among %d accounts, %d left in the pool", period, paid,
                 len(balances), pool - paid)
        return paid
