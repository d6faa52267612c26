"""Rewards for claimed activities (docs/ia-service.md, "Claims"): each claim checked against the
store's apps and the signed policy (once-only rules, per-kind and total daily caps), then credited
with a signed ``reward`` receipt, or refused with a stable code and a message."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from appstore.core.ia.policy import RewardPolicy
from appstore.core.ia.protocol import (
    ACTIVITY_WORDS,
    MAX_APP,
    SKEW_SECONDS,
    Claim,
    day_of,
    parse_time,
    reward_reference,
)
from appstore.core.wallet.receipts import Receipt
from appstore.service.schema import t_claims, t_once, t_receipts
from appstore.service.storage import Head, Storage, insert_ignore

TOTAL_COUNTER = "*"  # the daily row counting every kind's credits together


class Claims:
    def __init__(self, storage: Storage, policy: RewardPolicy) -> None:
        self.storage = storage
        self.policy = policy

    def credit(self, conn: Connection, head: Head, claims: list[Claim], now: datetime,
               apps: Mapping[str, frozenset[str]]) -> list[dict[str, Any]]:
        """The outcome of each claim of ``head``'s account, in order (its caller saves ``head``)."""
        day = day_of(now)
        counters = self.storage.counters(conn, head.address, day)
        changed: set[str] = set()
        outcomes = []
        for claim in claims:
            code, message, receipt = self._claim(conn, head, claim, day, now, apps, counters, changed)
            outcomes.append({"claim_id": claim.id, "receipt": receipt.to_dict() if receipt else None,
                             "code": code, "message": message})
        self.storage.save_counters(conn, head.address, day, counters, changed)
        return outcomes

    def _claim(self, conn: Connection, head: Head, claim: Claim, day: str, now: datetime,
               apps: Mapping[str, frozenset[str]], counters: dict[str, list[int]],
               changed: set[str]) -> tuple[str | None, str | None, Receipt | None]:
        p = self.policy
        done = conn.execute(select(t_claims.c.seq).where(t_claims.c.account == head.address,
                                                         t_claims.c.claim_id == claim.id)).scalar()
        if done is not None:  # sent again (an answer lost on the way): the same receipt
            body = conn.execute(select(t_receipts.c.body).where(t_receipts.c.account == head.address,
                                                                t_receipts.c.seq == done)).scalar_one()
            return None, None, Receipt.from_json(body)
        words = ACTIVITY_WORDS[claim.kind]
        t = parse_time(claim.time)
        if t is None or t > now + timedelta(seconds=SKEW_SECONDS):
            return "future", f"{words} {claim.app} is dated in the future: check the computer's clock", None
        if claim.app not in apps:
            return "unknown-app", f"the store has no app {claim.app}", None
        if claim.kind == "update" and (claim.version is None or claim.version not in apps[claim.app]):
            return "unknown-version", f"{claim.app} has no version {claim.version or '(none given)'}", None
        if claim.kind == "browse" and (claim.seconds or 0) < p.browse_seconds:
            return "too-short", f"browsing counts after {p.browse_seconds} seconds on an app's page", None
        reward = p.rewards[claim.kind]
        if reward <= 0:
            return "no-reward", f"the store pays nothing for {words}", None
        rule = p.once[claim.kind]
        if rule == "day":
            once_key, when = f"{claim.kind}:{claim.app}:{day}", "today"
        elif rule == "version" and claim.version:
            once_key, when = f"{claim.kind}:{claim.app}@{claim.version}", f"for version {claim.version}"
        else:
            once_key, when = f"{claim.kind}:{claim.app}", "once per app"
        if not insert_ignore(conn, t_once, {"account": head.address, "once_key": once_key}):
            return "duplicate", f"{words} {claim.app} was already credited {when}", None
        kind_count, _ = counters.setdefault(claim.kind, [0, 0])
        if kind_count >= p.caps[claim.kind]:
            _forget_once(conn, head.address, once_key)
            return "cap-kind", f"daily cap for {words} reached ({p.caps[claim.kind]} a day)", None
        total = counters.setdefault(TOTAL_COUNTER, [0, 0])
        if total[1] + reward > p.daily_cap:
            _forget_once(conn, head.address, once_key)
            return "cap-total", "daily cap for IA rewards reached", None
        receipt = self.storage.append(conn, head, "IA", reward, "reward", reward_reference(claim), now)
        self.storage.move(conn, head.address, "IA", reward)
        head.rewarded += reward
        conn.execute(t_claims.insert().values(account=head.address, claim_id=claim.id, kind=claim.kind,
                                              app=claim.app[:MAX_APP], version=claim.version, day=day,
                                              once_key=once_key, seq=receipt.seq))
        for name in (claim.kind, TOTAL_COUNTER):
            counters[name][0] += 1
            counters[name][1] += reward
            changed.add(name)
        return None, None, receipt


def _forget_once(conn: Connection, account: str, once_key: str) -> None:
    conn.execute(t_once.delete().where(t_once.c.account == account, t_once.c.once_key == once_key))
