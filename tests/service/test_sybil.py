"""The Sybil budget (docs/ia-service.md, "Fake accounts"): 200 generated keys claiming and
swapping through one simulated day get at most the daily BCD budget the signed terms publish,
together, while an ordinary user's rewards and swaps come out exactly as on a day without them.
Addresses are what a trusted proxy says (X-Forwarded-For)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError
from appstore.core.wallet.keys import Account
from appstore.core.wallet.receipts import Receipt
from appstore.service.limits import Limits
from appstore.service.schema import t_balances
from tests.service.conftest import Clock, Running, account, claim, make_terms, start_service

IA = 10**8
BCD = 10**7
DAY = datetime(2026, 3, 10, tzinfo=UTC)  # the simulated day; the day before is DAY - 1 day
KEYS = 200
ORDINARY = account(1000)
HOME = "198.51.100.10"  # the ordinary user's address


def sybil_terms(**over: object):  # type: ignore[no-untyped-def]
    return make_terms(daily_budget_bcd="5", vesting_days=1, address_daily_bcd="0.5", **over)


def serve(db_url: str, clock: Clock) -> Running:
    return start_service(db_url, clock=clock, terms=sybil_terms(), bcd_reserve=1000 * BCD, dividend=False,
                         limits=Limits(trusted_proxies=frozenset({"127.0.0.1"})))


def client(run: Running, a: Account, address: str) -> ServiceClient:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address  # what the store's proxy says
    return ServiceClient(run.url, run.policy, a, session=session, clock=run.clock)


def attempt(fn: Callable[[], object]) -> str:
    try:
        fn()
        return "ok"
    except ServiceError as e:
        return e.code


def swap(c: ServiceClient, amount: int) -> list[Receipt]:
    return c.swap(c.quote(amount))


@dataclass
class Sybils:
    keys: list[Account]
    addresses: list[str]

    def at(self, run: Running, job: Callable[[ServiceClient], object]) -> Counter[str]:
        with ThreadPoolExecutor(8) as pool:
            def one(i: int) -> str:
                return attempt(lambda: job(client(run, self.keys[i], self.addresses[i])))
            return Counter(pool.map(one, range(len(self.keys))))

    def claim_all(self, run: Running) -> Counter[str]:
        """Each key claims 11 downloads: 10 are credited (the cap), 50 IA."""
        def job(c: ServiceClient) -> None:
            outs = c.claim([claim("download", f"org.test.app{i}", when=run.clock()) for i in range(11)])
            assert sum(o.receipt.amount for o in outs if o.receipt) == 50 * IA
        return self.at(run, job)

    def bcd(self, run: Running, only: Callable[[str], bool] = lambda address: True) -> int:
        """The BCD the keys (those whose address passes ``only``) hold, as the service's books say."""
        keys = [a.address for a, where in zip(self.keys, self.addresses, strict=True) if only(where)]
        b = t_balances.c
        query = select(func.coalesce(func.sum(b.amount), 0)).where(b.account.in_(keys), b.asset == "BCD")
        return int(run.service.storage.read(lambda conn: conn.execute(query).scalar()))


def ordinary_day(run: Running, events: dict[datetime, Callable[[], None]]) -> list[tuple[str, ...]]:
    """The ordinary user's two days, the Sybils' moves (``events``) in between at their times:
    what the user saw (receipts and refusals)."""
    c = client(run, ORDINARY, HOME)
    seen: list[tuple[str, ...]] = []

    def claims(kinds: list[tuple[str, int]]) -> None:
        outs = c.claim([claim(k, f"org.test.app{i}", when=run.clock()) for k, n in kinds for i in range(n)])
        seen.extend((o.code or "credited", str(o.receipt.amount if o.receipt else 0)) for o in outs)

    def swaps(amount: int) -> None:
        try:
            seen.extend((r.kind, r.asset, str(r.amount)) for r in swap(c, amount))
        except ServiceError as e:
            seen.append((e.code, e.message))

    mine = {DAY - timedelta(hours=14): lambda: claims([("download", 12)]),  # 50 IA, vested by day's 10:00
            DAY + timedelta(hours=9): lambda: claims([("open", 5)]),
            DAY + timedelta(hours=12): lambda: swaps(20 * IA),
            DAY + timedelta(hours=20): lambda: swaps(25 * IA),
            DAY + timedelta(hours=23): lambda: swaps(10 * IA)}  # 55 swapped; what is left is today's
    for when in sorted({*mine, *events}):
        run.clock.now = when
        for fn in (events.get(when), mine.get(when)):
            if fn is not None:
                fn()
    st = c.status()
    seen.append(("balances", str(st.balances["IA"]), str(st.balances["BCD"]), str(st.unvested)))
    return seen


@pytest.fixture
def second_db(db_url: str, request: pytest.FixtureRequest) -> str:
    """Another database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        return db_url.replace(".sqlite3", "-2.sqlite3")
    return str(request.getfixturevalue("pg_cluster").new_database())


def test_fresh_keys_get_nothing_on_their_first_day_and_an_ordinary_user_is_unchanged(
        db_url: str, second_db: str) -> None:
    alone = serve(db_url, Clock(DAY))
    try:
        expected = ordinary_day(alone, {})
    finally:
        alone.server.stop()
        alone.service.close()
    assert [s[0] for s in expected].count("swap") == 4  # two swaps went through (IA and BCD each)…
    assert [s[0] for s in expected].count("not-vested") == 1  # …the last asked for what came today
    # 200 fresh keys from 10 addresses claim the most they can at 00:30 and try to swap it all day
    sybils = Sybils([account(2000 + i) for i in range(KEYS)], [f"203.0.113.{i % 10}" for i in range(KEYS)])
    run = serve(second_db, Clock(DAY))
    tried: Counter[str] = Counter()
    try:
        events: dict[datetime, Callable[[], None]] = {DAY + timedelta(minutes=30): lambda: tried.update(
            sybils.claim_all(run))}
        for hour in (3, 12, 23):
            events[DAY + timedelta(hours=hour, minutes=1)] = lambda: tried.update(
                sybils.at(run, lambda c: swap(c, 30 * IA)))
        assert ordinary_day(run, events) == expected  # the ordinary user's day: exactly the same
        assert tried["ok"] == KEYS and tried["not-vested"] == 3 * KEYS, tried  # claimed, never swapped
        got = sybils.bcd(run)
        assert got == 0 <= run.terms.daily_budget_bcd  # type: ignore[operator]
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        run.server.stop()
        run.service.close()


def test_patient_keys_get_at_most_the_daily_budget_together(db_url: str) -> None:
    """Keys made the day before (so their IA has vested), half behind 4 addresses and half each
    on its own (a botnet), swap all day: the budget holds whatever the split; the per-address cap
    holds the shared addresses; once the budget is spent everyone is refused, in words."""
    sybils = Sybils([account(3000 + i) for i in range(KEYS)],
                    [f"203.0.113.{i // 2 % 4}" if i % 2 else f"192.0.2.{i // 2}" for i in range(KEYS)])
    run = serve(db_url, Clock(DAY - timedelta(hours=12)))
    try:
        assert sybils.claim_all(run) == Counter(ok=KEYS)
        c = client(run, ORDINARY, HOME)  # an ordinary user, who earned the day before too
        assert all(o.credited for o in c.claim([claim("download", f"org.test.app{i}", when=run.clock())
                                                 for i in range(3)]))
        codes: Counter[str] = Counter()
        for hour in (0, 12, 23):
            run.clock.now = DAY + timedelta(hours=hour, minutes=30)
            codes.update(sybils.at(run, lambda c: swap(c, 20 * IA)))
        budget = run.terms.daily_budget_bcd
        got = sybils.bcd(run)
        one = run.terms.bcd_out(20 * IA)
        assert got == (budget // one) * one <= budget, (got, codes)  # type: ignore[operator]
        assert codes["ok"] == budget // one and codes["budget-spent"] > 0, codes  # type: ignore[operator]
        shared = sybils.bcd(run, lambda where: where.startswith("203."))
        assert shared <= 4 * run.terms.address_daily_bcd  # type: ignore[operator]
        assert codes["address-limit"] > 0, codes
        assert c.status().swap_budget_left == budget - got < one  # type: ignore[operator]
        run.clock.advance(days=1)  # the next day: a new budget
        assert c.status().swap_budget_left == budget
        run.clock.advance(days=-1)
        words = r"budget for swaps today \(5 BCD a day for everyone together\) has 0\.\d+ BCD left"
        with pytest.raises(ServiceError, match=words) as e:
            c.quote(5 * IA)  # the trade-off: once it is spent, honest users wait for tomorrow too
        assert e.value.code == "budget-spent" and e.value.status == 409
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        run.server.stop()
        run.service.close()

