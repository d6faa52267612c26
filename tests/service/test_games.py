"""The games' house in the IA service, over HTTP, on SQLite and PostgreSQL: stakes refused by the
service's clock and limits, payouts by the rule, refunds for a wrong or missing reveal, and a
round settled at most once whoever settles it and however often."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.games.rounds import parse_settle_reference, parse_stake_reference
from appstore.core.games.rule import draw_index, payout
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError
from appstore.core.wallet.keys import Account
from appstore.core.wallet.ledger import Ledger
from appstore.service.app import create_app
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.server import ServerThread
from tests.gameskit import Holder, a_round, period_start
from tests.service.conftest import APPS, STORE, Clock, account, claim, make_policy, make_terms

IA = 10**8


@dataclass
class House:
    url: str
    service: IAService
    server: ServerThread
    clock: Clock
    holder: Holder
    config: ServiceConfig

    def client(self, a: Account, clock: Clock | None = None) -> ServiceClient:
        return ServiceClient(self.url, self.config.policy, a, clock=clock or self.clock)

    def funded(self, n: int, ia: int = 25) -> tuple[Account, ServiceClient]:
        """Account ``n`` with ``ia`` IA from downloads (5 IA each)."""
        a = account(n)
        c = self.client(a)
        outs = c.claim([claim("download", f"org.test.app{i}", when=self.clock.now) for i in range(ia // 5)])
        assert all(o.credited for o in outs)
        return a, c


def _start(db_url: str, clock: Clock, holder: Holder, key: Ed25519PrivateKey | None = None) -> House:
    key = key or Ed25519PrivateKey.generate()
    config = ServiceConfig(make_policy(key, dividend=None), key, db_url, lambda: APPS, make_terms(), clock,
                           0, holder)
    service = IAService(config)
    server = ServerThread(create_app(config, service=service)).start()
    return House(server.url, service, server, clock, holder, config)


@pytest.fixture
def house(db_url: str) -> Iterator[House]:
    clock = Clock()
    clock.now = period_start(clock.now, 60) + timedelta(seconds=1)
    rounds = [a_round(kind, clock.now - timedelta(seconds=1))[0]
              for kind in ("number", "odd-even", "higher-lower")]
    h = _start(db_url, clock, Holder(STORE, rounds))
    try:
        yield h
    finally:
        h.server.stop()
        h.service.close()


def _seed_for(house: House, round_id: str) -> str:
    from tests.gameskit import seed
    return seed(0)  # a_round's default seed


def test_stakes_are_refused_with_clear_messages(house: House) -> None:
    a, c = house.funded(0, 25)
    num = house.holder.file.rounds[0]
    r = c.stake(num.id, "7", 2 * IA)
    assert r.kind == "stake" and r.amount == -2 * IA
    ref = parse_stake_reference(r.reference)
    assert ref is not None and (ref.round_id, ref.option, ref.odds_bp, ref.commitment) == (
        num.id, "7", 97_000, num.commitment)
    cases = [
        ((num.id, "7", IA // 2), "stake-too-small", "the smallest stake on round .* is 1 IA"),
        ((num.id, "7", 99 * IA), "stake-too-large",
         r"at most 100 IA can be staked on round .* \(you have staked 2 IA"),
        ((num.id, "7", 24 * IA), "insufficient", "the IA balance is too low for a stake of 24 IA"),
        ((num.id, "11", IA), "unknown-option", "has no option '11'"),
        (("nope", "7", IA), "unknown-round", "no open round 'nope'"),
    ]
    for args, code, words in cases:
        with pytest.raises(ServiceError, match=words) as e:
            c.stake(*args)
        assert e.value.code == code
    assert c.status().balances["IA"] == 23 * IA  # nothing but the first stake was taken
    # the same stake id sent again: the same receipt, not a second stake
    again = c.stake(num.id, "7", 2 * IA, stake_id="ab" * 16)
    assert c.stake(num.id, "7", 2 * IA, stake_id="ab" * 16) == again
    assert c.status().balances["IA"] == 21 * IA


def test_a_late_stake_is_refused_by_the_service_clock_not_the_local_one(house: House) -> None:
    a, _ = house.funded(1, 10)
    num = house.holder.file.rounds[0]
    house.clock.now = num.locks_at + timedelta(seconds=5)  # the service: locked
    local = Clock(num.locks_at - timedelta(seconds=60))  # this computer: a minute before the lock
    c = house.client(a, local)
    with pytest.raises(ServiceError, match="locked at .* by the service's clock") as e:
        c.stake(num.id, "3", IA)
    assert e.value.code == "round-locked" and e.value.status == 409
    assert c.status().balances["IA"] == 10 * IA


def _settle_all(house: House) -> None:
    house.clock.now = house.holder.file.rounds[0].locks_at + timedelta(seconds=2)
    house.service.settle_games()


def test_revealed_round_pays_winners_stake_times_odds(house: House) -> None:
    num, oe = house.holder.file.rounds[0], house.holder.file.rounds[1]
    seed = _seed_for(house, num.id)
    drawn = num.draw[draw_index(seed, num.id, 10)]
    drawn_oe = oe.draw[draw_index(seed, oe.id, 10)]
    parity = "odd" if int(drawn_oe) % 2 else "even"
    players = [house.funded(10 + i, 25) for i in range(3)]
    odd_amount = 3 * IA + 7  # rounds down: 7 × 1.94 = 13.58 base units → 13
    players[0][1].stake(num.id, drawn, odd_amount)
    players[1][1].stake(num.id, "1" if drawn != "1" else "2", IA)
    players[2][1].stake(oe.id, parity, 2 * IA)
    players[2][1].stake(oe.id, "odd" if parity == "even" else "even", IA)
    house.holder.reveal(num.id, seed)
    house.holder.reveal(oe.id, seed)
    _settle_all(house)
    states = {r["id"]: r for r in players[0][1].game_rounds()}
    assert states[num.id]["state"] == "settled" and states[num.id]["result"] == drawn
    r0 = players[0][1].receipts()[-1]
    assert (r0.kind, r0.amount) == ("payout", payout(odd_amount, 97_000))
    assert r0.amount == odd_amount * 97_000 // 10_000
    assert parse_settle_reference(r0.reference) == ("payout", num.id, players[0][1].receipts()[-2].seq)
    assert players[1][1].receipts()[-1].kind == "stake"  # a loss: nothing
    last = players[2][1].receipts()[-1]
    assert (last.kind, last.amount) == ("payout", 2 * IA * 19_400 // 10_000)
    assert house.service.storage.audit() == {"IA": 0, "BCD": 0}


def test_a_wrong_reveal_refunds_every_stake(house: House) -> None:
    num = house.holder.file.rounds[0]
    players = [house.funded(20 + i, 10) for i in range(4)]
    for i, (_, c) in enumerate(players):
        c.stake(num.id, str(i + 1), (i + 1) * IA)
        c.stake(num.id, "10", IA)
    house.holder.reveal(num.id, "02" * 32)  # not the seed committed to
    _settle_all(house)
    for i, (_, c) in enumerate(players):
        receipts = c.receipts()
        refunds = [r for r in receipts if r.kind == "refund"]
        assert sorted(r.amount for r in refunds) == sorted([(i + 1) * IA, IA])
        assert not [r for r in receipts if r.kind == "payout"]
        assert c.status().balances["IA"] == 10 * IA
    assert {r["id"]: r["state"] for r in players[0][1].game_rounds()}[num.id] == "invalid"
    assert house.service.storage.audit() == {"IA": 0, "BCD": 0}


def test_no_reveal_by_the_deadline_refunds_and_a_late_seed_changes_nothing(house: House) -> None:
    num = house.holder.file.rounds[0]
    a, c = house.funded(30, 10)
    c.stake(num.id, "4", 5 * IA)
    house.clock.now = num.locks_at + timedelta(seconds=5)
    house.service.settle_games()
    assert c.status().balances["IA"] == 5 * IA  # locked, not revealed, not due yet
    house.clock.now = num.reveals_at
    house.service.settle_games()
    assert c.receipts()[-1].kind == "refund" and c.status().balances["IA"] == 10 * IA
    house.holder.reveal(num.id, _seed_for(house, num.id))  # too late
    house.service.settle_games()
    assert c.receipts()[-1].kind == "refund" and c.status().balances["IA"] == 10 * IA
    assert {r["id"]: r["state"] for r in c.game_rounds()}[num.id] == "refunded"


def test_settling_twice_or_at_once_pays_once(house: House, tmp_path: Path) -> None:
    num = house.holder.file.rounds[0]
    seed = _seed_for(house, num.id)
    drawn = num.draw[draw_index(seed, num.id, 10)]
    players = [house.funded(40 + i, 10) for i in range(5)]
    for _, c in players:
        c.stake(num.id, drawn, 2 * IA)
    house.holder.reveal(num.id, seed)
    house.clock.now = num.locks_at + timedelta(seconds=2)
    # a second service process on the same database settles at the same moment
    other = IAService(replace(house.config))
    try:
        barrier = threading.Barrier(4)
        done: list[list[str]] = []

        def settle(svc: IAService) -> None:
            barrier.wait()
            done.append(svc.games.settle_due(house.clock.now))
        settlers = (house.service, other, other, house.service)
        threads = [threading.Thread(target=settle, args=(s,)) for s in settlers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sum(len(d) for d in done) == 1  # one of them settled it
        house.service.games._done.clear()  # forget what it knows: it looks at the database again
        house.service.games._quiet = None
        assert house.service.settle_games() == [] and other.settle_games() == []
    finally:
        other.close()
    for n, (a, c) in enumerate(players):
        receipts = c.receipts()
        assert [p.amount for p in receipts if p.kind == "payout"] == [payout(2 * IA, 97_000)]
        led = Ledger(tmp_path / f"ledger{n}.sqlite3", account=a.address,
                     service_keys={STORE: house.config.policy.service_key})
        try:
            assert led.append_many(receipts) == len(receipts)  # one unbroken chain
            assert led.balances() == c.status().balances
        finally:
            led.close()
    assert house.service.storage.audit() == {"IA": 0, "BCD": 0}


def test_a_stake_after_settlement_is_refused(house: House) -> None:
    num = house.holder.file.rounds[0]
    a, c = house.funded(50, 10)
    c.stake(num.id, "1", IA)
    house.holder.reveal(num.id, _seed_for(house, num.id))  # revealed early (before the lock)
    house.service.settle_games()
    with pytest.raises(ServiceError, match="already settled") as e:
        c.stake(num.id, "1", IA)
    assert e.value.code == "round-locked"
