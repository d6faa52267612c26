"""What the IA service does with a checked request: rewards, swaps, withdrawals, payments and
universal dividends, each request in one transaction (``Storage.transaction``).

Business refusals (insufficient balance, an expired quote…) are decided before anything but the
request's nonce is written, so a refused request is never half done and cannot be replayed later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select

from appstore.core.errors import ConfigError
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.messages import AccountStatus, KindStatus
from appstore.core.ia.policy import RewardPolicy, SwapTerms
from appstore.core.ia.protocol import (
    MAX_CLAIMS,
    SKEW_SECONDS,
    Claim,
    SignedRequest,
    check_address,
    check_memo,
    day_of,
    format_time,
    is_app_id,
    malformed,
    positive_int,
)
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.claims import TOTAL_COUNTER, Claims
from appstore.service.dividends import Dividends
from appstore.service.games import Games, RoundsProvider
from appstore.service.limits import Limits
from appstore.service.schema import t_payments, t_receipts, t_withdrawals
from appstore.service.storage import OPERATOR, POOL, TREASURY, WITHDRAWALS, Head, Refused, Replayed, Storage
from appstore.service.swaps import SWAP_COUNTER, Swaps

log = logging.getLogger(__name__)
AppsProvider = Callable[[], Mapping[str, frozenset[str]]]
Handler = Callable[[Connection, dict[str, Head], SignedRequest, datetime, "str | None"], dict[str, Any]]
NONCE_KEEP = timedelta(seconds=2 * SKEW_SECONDS)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class ServiceConfig:
    """Everything one store's IA service needs. ``apps`` gives the store's app ids and, for
    each, its versions (called for each claim request: keep it cheap). ``clock`` is the
    service's clock (UTC days count by it). ``bcd_reserve`` funds the treasury's BCD reserve
    once, the first time the database is used."""

    policy: RewardPolicy
    key: Ed25519PrivateKey
    db_url: str
    apps: AppsProvider
    terms: SwapTerms | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    bcd_reserve: int = 0
    games: RoundsProvider | None = None  # the store's signed games/rounds.json (None: no games)
    # app id -> the payee its catalogue entry declares; None: payments are not checked against
    # the catalogue (tests, a service without a store folder)
    payees: Callable[[], Mapping[str, str]] | None = None
    limits: Limits = field(default_factory=Limits)  # rate limits (service/limits.py)


class IAService:
    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.policy = config.policy
        self.terms = config.terms
        self.store = config.policy.store
        key_hex = public_key_hex(config.key)
        if key_hex != config.policy.service_key:
            raise ConfigError(f"store {self.store}'s policy names IA service key "
                              f"{config.policy.service_key[:16]}…, but this service's key is "
                              f"{key_hex[:16]}…: publish the policy with this key, or "
                              "start the service with the key the policy names")
        if self.terms is not None and self.terms.store != self.store:
            raise ConfigError(f"the swap terms are for store {self.terms.store}, not {self.store}")
        self.storage = Storage(config.db_url, self.store, config.key)
        self.dividends = Dividends(self.storage, self.policy)
        self.claims = Claims(self.storage, self.policy)
        self.games = Games(self.storage, self.policy.decimals, config.games)
        self.swaps = Swaps(self.storage, self.terms, self.store, self.policy.decimals, config.key)
        self._handlers: dict[str, Handler] = {"claim": self._claims, "quote": self._quote, "swap": self._swap,
                                              "withdraw": self._withdraw, "pay": self._pay,
                                              "stake": self._stake}
        self.storage.transaction(self._init_db)

    def now(self) -> datetime:
        return self.config.clock().astimezone(UTC).replace(microsecond=0)

    def close(self) -> None:
        self.storage.close()

    def _init_db(self, conn: Connection) -> None:
        s = self.storage
        for name, value in (("store", self.store), ("service_key", self.policy.service_key)):
            old = s.get_meta(conn, name)
            if old is None:
                s.set_meta(conn, name, value)
            elif old != value:
                raise ConfigError(f"this IA service database belongs to {name} {old[:16]}, not "
                                  f"{value[:16]}: give each store (and key) its own database")
        if s.get_meta(conn, "created") is None:
            s.set_meta(conn, "created", format_time(self.now()))
        reserve = self.config.bcd_reserve
        if reserve > 0 and s.get_meta(conn, "reserve_funded") is None:  # the operator funds it, once
            s.move(conn, OPERATOR, "BCD", -reserve, floor=None)
            s.move(conn, TREASURY, "BCD", reserve)
            s.set_meta(conn, "reserve_funded", str(reserve))

    # -- requests ------------------------------------------------------------------------

    def handle(self, req: SignedRequest, now: datetime, *, address: str | None = None) -> dict[str, Any]:
        """Run a checked request in one transaction; its answer as JSON data. ``address``: the
        client's address (``Limiter.client_address``; None: unknown or loopback)."""
        p = req.payload
        others: list[str] = []
        if req.action == "claim":
            raw = p.get("claims")
            if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CLAIMS:
                raise malformed(f"claims must be a list of 1 to {MAX_CLAIMS} claims")
            claims = [Claim.from_json(c) for c in raw]
            p = {**p, "claims": claims}
        elif req.action == "pay":
            payee = check_address(p.get("payee"), "payee")
            if payee == req.account:
                raise ServiceError("bad-address", "a payment goes to another account", status=400)
            others.append(payee)
        req = SignedRequest(req.account, req.action, req.nonce, req.time, p)
        handler = self._handlers[req.action]

        def run(conn: Connection) -> dict[str, Any]:
            heads = self.storage.lock_accounts(conn, [req.account, *others])
            try:
                self.storage.use_nonce(conn, req.account, req.nonce, req.time + NONCE_KEEP)
            except Replayed:
                raise ServiceError("replayed", "this request was already received (its nonce is used): "
                                               "a request is never run twice", status=409) from None
            try:
                answer = handler(conn, heads, req, now, address)
            except ServiceError as e:
                raise Refused(e) from None
            self.storage.save_heads(conn, heads)
            return answer
        return self.storage.transaction(run)

    # -- claims --------------------------------------------------------------------------

    def _claims(self, conn: Connection, heads: dict[str, Head], req: SignedRequest,
                now: datetime, address: str | None) -> dict[str, Any]:
        return {"outcomes": self.claims.credit(conn, heads[req.account], req.payload["claims"], now,
                                               self.config.apps())}

    def _stake(self, conn: Connection, heads: dict[str, Head], req: SignedRequest,
               now: datetime, address: str | None) -> dict[str, Any]:
        return self.games.stake(conn, heads[req.account], req, now)

    # -- swaps (service/swaps.py) ------------------------------------------------------

    def _quote(self, conn: Connection, heads: dict[str, Head], req: SignedRequest, now: datetime,
               address: str | None) -> dict[str, Any]:
        return self.swaps.quote(conn, req, now, address)

    def _swap(self, conn: Connection, heads: dict[str, Head], req: SignedRequest, now: datetime,
              address: str | None) -> dict[str, Any]:
        return self.swaps.swap(conn, heads[req.account], req, now, address)

    # -- withdrawals and payments --------------------------------------------------------

    def _withdraw(self, conn: Connection, heads: dict[str, Head], req: SignedRequest,
                  now: datetime, address: str | None) -> dict[str, Any]:
        address = check_address(req.payload.get("address"), "address")
        amount = positive_int(req.payload.get("amount_bcd"), "amount_bcd")
        s = self.storage
        if s.balance(conn, req.account, "BCD") < amount:
            raise ServiceError("insufficient", "the BCD balance is too low for this withdrawal", status=409)
        if not s.move(conn, req.account, "BCD", -amount):
            raise RuntimeError("the BCD balance changed under the account's lock")
        s.move(conn, WITHDRAWALS, "BCD", amount)
        r = s.append(conn, heads[req.account], "BCD", -amount, "withdrawal", f"withdrawal:{address}", now)
        conn.execute(t_withdrawals.insert().values(account=req.account, address=address, amount=amount,
                                                   time=r.time, seq=r.seq))
        return {"receipt": r.to_dict()}

    def _pay(self, conn: Connection, heads: dict[str, Head], req: SignedRequest,
             now: datetime, address: str | None) -> dict[str, Any]:
        p = req.payload
        payee = str(p["payee"])
        amount = positive_int(p.get("amount_ia"), "amount_ia")
        memo = check_memo(p.get("memo", ""))
        app = p.get("app")
        if not is_app_id(app):
            raise malformed("app must be the paying DApp's app id")
        if self.config.payees is not None:
            declared = self.config.payees().get(str(app))
            if declared is None:
                raise ServiceError("bad-payee", f"{app} takes no payments: its catalogue entry names no "
                                                "payee", status=403)
            if declared != payee:
                raise ServiceError("bad-payee", f"{app} is paid only at the account its catalogue entry "
                                                f"names, {declared}", status=403)
        s = self.storage
        if s.balance(conn, req.account, "IA") < amount:
            raise ServiceError("insufficient", "the IA balance is too low for this payment", status=409)
        if not s.move(conn, req.account, "IA", -amount):
            raise RuntimeError("the IA balance changed under the account's lock")
        s.move(conn, payee, "IA", amount)
        r = s.append(conn, heads[req.account], "IA", -amount, "payment", f"to:{payee}:{app}", now)
        s.append(conn, heads[payee], "IA", amount, "payment", f"from:{req.account}:{app}", now)
        conn.execute(t_payments.insert().values(payer=req.account, payee=payee, amount=amount, memo=memo,
                                                app=app, time=r.time))
        return {"receipt": r.to_dict()}

    # -- reads ---------------------------------------------------------------------------

    def status(self, account: str, now: datetime) -> AccountStatus:
        day = day_of(now)
        p = self.policy

        def run(conn: Connection) -> AccountStatus:
            s = self.storage
            counters = s.counters(conn, account, day)
            last = conn.execute(select(t_receipts.c.seq).where(t_receipts.c.account == account)
                                .order_by(t_receipts.c.seq.desc()).limit(1)).scalar()
            kinds = {k: KindStatus(k, counters.get(k, [0, 0])[0], p.caps[k], counters.get(k, [0, 0])[1],
                                   p.rewards[k]) for k in p.rewards}
            nxt = format_time(p.dividend.next_due(now)) if p.dividend else None
            return AccountStatus(account, format_time(now), day, s.balances(conn, account), kinds,
                                 counters.get(TOTAL_COUNTER, [0, 0])[1], p.daily_cap, int(last or 0), nxt,
                                 s.balance(conn, POOL, "IA"), counters.get(SWAP_COUNTER, [0, 0])[1],
                                 self.swaps.unvested(conn, account, now), self.swaps.budget_left(conn, day))
        return self.storage.read(run)

    def maybe_pay_dividend(self, now: datetime | None = None) -> int | None:
        """See ``Dividends.maybe_pay``."""
        return self.dividends.maybe_pay(now or self.now())

    def settle_games(self, now: datetime | None = None) -> list[str]:
        """See ``Games.settle_due``."""
        return self.games.settle_due(now or self.now())
