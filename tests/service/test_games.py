"""The games' house in the IA service, over HTTP, on SQLite and PostgreSQL: stakes refused by the
service's clock and limits, payouts by the rule, refunds for a wrong or missing reveal, and a
round settled at most once whoever settles it and however often."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.games.rounds import Round, parse_settle_reference, parse_stake_reference, terms_hash
from appstore.core.games.rule import draw_index, payout
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.protocol import make_request
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
    r = c.stake(num, "7", 2 * IA)
    assert r.kind == "stake" and r.amount == -2 * IA
    ref = parse_stake_reference(r.reference)
    assert ref is not None and (ref.round_id, ref.option, ref.odds_bp, ref.terms) == (
        num.id, "7", 97_000, terms_hash(num, 8))
    cases = [
        ((num, "7", IA // 2), "stake-too-small", "the smallest stake on round .* is 1 IA"),
        ((num, "7", 99 * IA), "stake-too-large",
         r"at most 100 IA can be staked on round .* \(you have staked 2 IA"),
        ((num, "7", 24 * IA), "insufficient", "the IA balance is too low for a stake of 24 IA"),
        ((num, "11", IA), "unknown-option", "has no option '11'"),
        ((replace(num, id="nope"), "7", IA), "unknown-round", "no open round 'nope'"),
    ]
    for args, code, words in cases:
        with pytest.raises(ServiceError, match=words) as e:
            c.stake(*args)
        assert e.value.code == code
    assert c.status().balances["IA"] == 23 * IA  # nothing but the first stake was taken
    # the same stake id sent again: the same receipt, not a second stake
    again = c.stake(num, "7", 2 * IA, stake_id="ab" * 16)
    assert c.stake(num, "7", 2 * IA, stake_id="ab" * 16) == again
    assert c.status().balances["IA"] == 21 * IA


def test_a_late_stake_is_refused_by_the_service_clock_not_the_local_one(house: House) -> None:
    a, _ = house.funded(1, 10)
    num = house.holder.file.rounds[0]
    house.clock.now = num.locks_at + timedelta(seconds=5)  # the service: locked
    local = Clock(num.locks_at - timedelta(seconds=60))  # this computer: a minute before the lock
    c = house.client(a, local)
    with pytest.raises(ServiceError, match="locked at .* by the service's clock") as e:
        c.stake(num, "3", IA)
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
    players[0][1].stake(num, drawn, odd_amount)
    players[1][1].stake(num, "1" if drawn != "1" else "2", IA)
    players[2][1].stake(oe, parity, 2 * IA)
    players[2][1].stake(oe, "odd" if parity == "even" else "even", IA)
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
        c.stake(num, str(i + 1), (i + 1) * IA)
        c.stake(num, "10", IA)
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
    c.stake(num, "4", 5 * IA)
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
        c.stake(num, drawn, 2 * IA)
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
    c.stake(num, "1", IA)
    house.holder.reveal(num.id, _seed_for(house, num.id))  # revealed early (before the lock)
    house.service.settle_games()
    with pytest.raises(ServiceError, match="seed is already published") as e:
        c.stake(num, "1", IA)
    assert e.value.code == "round-locked"
    house.holder.set([num] + list(house.holder.file.rounds[1:]))  # the store drops the seed again
    with pytest.raises(ServiceError, match="already settled") as e:
        c.stake(num, "1", IA)
    assert e.value.code == "round-locked"


def _raw_stake(house: House, a: Account, fields: dict[str, object]) -> requests.Response:
    """A stake request sent as it is (not through the client, which refuses some before sending)."""
    body = make_request(a, STORE, "stake", {"stake_id": secrets.token_hex(16), **fields},
                        service_key=house.config.policy.service_key, now=house.clock.now)
    return requests.post(house.url + "/v1/stakes", data=json.dumps(body), timeout=30,
                         headers={"Content-Type": "application/json"})


def _terms(rnd: Round, option: str) -> dict[str, object]:
    opt = rnd.option(option)
    return {"round": rnd.id, "option": option, "odds_bp": opt.odds_bp if opt else 0,
            "commitment": rnd.commitment, "terms": terms_hash(rnd, 8)}


def test_a_round_whose_seed_is_public_takes_no_stake_even_before_its_lock(house: House) -> None:
    # The keeper's clock ahead of the service's, or a mistake: the seed is out before the lock, and
    # no settlement ran in between (another thread held its lock). The winning option is known.
    from tests.gameskit import seed
    a, c = house.funded(60, 10)
    num = house.holder.file.rounds[0]
    house.holder.reveal(num.id, seed(0))
    drawn = num.draw[draw_index(seed(0), num.id, 10)]
    assert house.clock.now < num.locks_at
    got = _raw_stake(house, a, {**_terms(num, drawn), "amount_ia": IA})
    assert got.status_code == 409 and got.json()["error"]["code"] == "round-locked"
    assert "seed is already published" in got.json()["error"]["message"]
    # the client refuses it before sending
    with pytest.raises(ServiceError, match="already published") as e:
        c.stake(house.holder.file.rounds[0], drawn, IA)
    assert e.value.code == "round-locked"
    assert c.status().balances["IA"] == 10 * IA and not [r for r in c.receipts() if r.kind == "stake"]


def test_a_stake_names_the_terms_the_user_saw_and_a_changed_round_is_refused(house: House) -> None:
    a, c = house.funded(61, 10)
    oe = house.holder.file.rounds[1]
    shown = oe  # what the user was shown: odds 1.94
    worse = replace(oe, options=tuple(replace(o, odds_bp=10_001) for o in oe.options))
    house.holder.set([worse if r.id == oe.id else r for r in house.holder.file.rounds])
    with pytest.raises(ServiceError, match="odds 19400 bp, now 10001") as e:
        c.stake(shown, "odd", IA)
    assert e.value.code == "round-changed" and e.value.status == 409
    # other wins (the odds unchanged): the terms hash differs
    other_wins = replace(oe, options=(replace(oe.options[0], wins=("1", "3", "5", "7")), oe.options[1]))
    house.holder.set([other_wins if r.id == oe.id else r for r in house.holder.file.rounds])
    with pytest.raises(ServiceError, match="its terms") as e:
        c.stake(shown, "odd", IA)
    assert e.value.code == "round-changed"
    # another commitment
    recommitted = replace(oe, commitment="ab" * 32)
    house.holder.set([recommitted if r.id == oe.id else r for r in house.holder.file.rounds])
    with pytest.raises(ServiceError, match="its commitment") as e:
        c.stake(shown, "odd", IA)
    assert c.status().balances["IA"] == 10 * IA
    # a request without the terms is malformed
    got = _raw_stake(house, a, {"round": oe.id, "option": "odd", "amount_ia": IA})
    assert got.status_code == 400 and "odds_bp" in got.json()["error"]["message"]
    # the round as shown again: taken, and the receipt names its terms
    house.holder.set([shown if r.id == oe.id else r for r in house.holder.file.rounds])
    r = c.stake(shown, "odd", IA)
    assert r.reference == f"stake:{oe.id}:odd:19400:{terms_hash(shown, 8)}"


def test_a_stake_is_taken_from_opens_at_and_refused_from_locks_at(house: House) -> None:
    a, c = house.funded(62, 10)
    num = house.holder.file.rounds[0]
    house.clock.now = num.opens_at - timedelta(seconds=1)
    with pytest.raises(ServiceError, match="opens at") as e:
        c.stake(num, "1", IA)
    assert e.value.code == "round-not-open"
    house.clock.now = num.opens_at
    assert c.stake(num, "1", IA).kind == "stake"
    house.clock.now = num.locks_at - timedelta(seconds=1)
    assert c.stake(num, "2", IA).kind == "stake"
    house.clock.now = num.locks_at
    with pytest.raises(ServiceError, match="locked at") as e:
        c.stake(num, "3", IA)
    assert e.value.code == "round-locked"
    assert c.status().balances["IA"] == 8 * IA


def test_a_round_recorded_final_takes_no_stake(house: House) -> None:
    # A round nobody staked on is recorded final by settlement; a stake arriving after that (its
    # row made in the same moment on another connection) is refused, never left unsettled.
    from appstore.service.schema import t_game_rounds
    from appstore.service.storage import insert_ignore
    a, c = house.funded(63, 10)
    hl = house.holder.file.rounds[2]
    house.service.storage.transaction(lambda conn: insert_ignore(conn, t_game_rounds, {
        "round_id": hl.id, "state": "refunded", "commitment": hl.commitment, "reveals_at": "x",
        "definition": "{}", "result": None, "seed": None, "stakes": 0, "staked": 0, "paid": 0, "time": None}))
    option = hl.options[0].id
    with pytest.raises(ServiceError, match="already settled") as e:
        c.stake(hl, option, IA)
    assert e.value.code == "round-locked" and c.status().balances["IA"] == 10 * IA


def test_one_round_that_cannot_be_settled_does_not_hold_up_the_others(house: House) -> None:
    from sqlalchemy import select

    from appstore.service.schema import t_game_rounds
    from tests.gameskit import seed
    num, oe = house.holder.file.rounds[0], house.holder.file.rounds[1]
    a, c = house.funded(64, 10)
    c.stake(num, "1", IA)
    c.stake(oe, "odd", IA)
    # the kept definition of one round is damaged: settling it fails every time
    definition = house.service.storage.read(lambda conn: conn.execute(
        select(t_game_rounds.c.definition).where(t_game_rounds.c.round_id == num.id)).scalar_one())
    house.service.storage.transaction(lambda conn: conn.execute(
        t_game_rounds.update().where(t_game_rounds.c.round_id == num.id).values(definition="{")))
    house.holder.reveal(num.id, seed(0))
    house.holder.reveal(oe.id, seed(0))
    house.clock.now = num.locks_at + timedelta(seconds=2)
    assert house.service.settle_games() == [oe.id]
    states = {r["id"]: r["state"] for r in c.game_rounds()}
    assert states[oe.id] == "settled" and states[num.id] == "open"
    # tried again a minute later (not before every request), once it can be settled
    house.service.storage.transaction(lambda conn: conn.execute(
        t_game_rounds.update().where(t_game_rounds.c.round_id == num.id).values(definition=definition)))
    assert house.service.settle_games() == []
    house.clock.now += timedelta(seconds=61)
    assert house.service.settle_games() == [num.id]
    assert {r["id"]: r["state"] for r in c.game_rounds()}[num.id] == "settled"
    assert house.service.storage.audit() == {"IA": 0, "BCD": 0}
