"""The games' house as a real process (``python -m appstore service serve``) over a store
published with the project's publisher and round keeper: kill -9 in the middle of a round's
settlement loses nothing and pays nothing twice."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from appstore.core.games.rounds import terms_hash
from appstore.core.games.rule import draw_index, payout
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.protocol import check_request, make_request
from appstore.core.publish.keys import load_service_key
from appstore.core.wallet.ledger import Ledger
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.storage import DB_NAME, sqlite_url
from appstore.service.storedir import StoreApps, StoreFolder, StoreRounds, read_policy
from tests.gameskit import a_round, game_store
from tests.service.conftest import Clock, account, claim
from tests.service.test_process import Served, Store

ACCOUNTS, STAKES_EACH = 20, 100


def test_kill_9_during_settlement_loses_nothing_and_never_pays_twice(tmp_path: Path) -> None:
    gs = game_store(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    opens = now - timedelta(seconds=120)
    rnd, seed = a_round("number", opens, period=60, reveal=3600, min_stake=1, max_stake=10**12)
    gs.publish_rounds([rnd])
    policy, terms = read_policy(StoreFolder(gs.out))
    state = tmp_path / "state"
    state.mkdir()
    db = sqlite_url(str(state / DB_NAME))
    # The stakes, taken while the round was open (the service's clock says so).
    clock = Clock(opens + timedelta(seconds=5))
    config = ServiceConfig(policy, load_service_key(gs.keys), db, StoreApps(gs.out), terms, clock,
                           games=StoreRounds(gs.out, policy.decimals))
    svc = IAService(config)
    key = policy.service_key
    accounts = [account(100 + i) for i in range(ACCOUNTS)]
    try:
        for a in accounts:
            body = make_request(a, policy.store, "claim", {"claims": [
                claim(k, app, when=clock.now).to_json() for k in ("open", "download")
                for app in ("org.test.alpha", "org.test.beta")]}, service_key=key, now=clock.now)
            svc.handle(check_request(json.dumps(body).encode(), policy.store, clock.now, service_key=key),
                       clock.now)
            for i in range(STAKES_EACH):
                body = make_request(a, policy.store, "stake", {
                    "stake_id": f"{i:032x}", "round": rnd.id, "option": str(1 + i % 10),
                    "amount_ia": 1000 + i, "odds_bp": 97_000, "commitment": rnd.commitment,
                    "terms": terms_hash(rnd, policy.decimals)}, service_key=key, now=clock.now)
                svc.handle(check_request(json.dumps(body).encode(), policy.store, clock.now, service_key=key),
                           clock.now)
    finally:
        svc.close()
    gs.publish_rounds([replace(rnd, seed=seed)])  # revealed after the lock
    drawn = rnd.draw[draw_index(seed, rnd.id, 10)]

    store = Store(gs.out, gs.keys)
    first = Served(store, db, state)
    log_start = first.log.stat().st_size
    trigger = threading.Thread(target=_poke, args=(first.url,))
    trigger.start()
    deadline = time.monotonic() + 60
    while b"games: settling round" not in first.log.read_bytes()[log_start:]:
        assert time.monotonic() < deadline, first.log.read_text()
        time.sleep(0.001)
    first.kill9()  # in the middle of the round's one transaction
    trigger.join(30)
    with sqlite3.connect(state / DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM game_settlements").fetchone() == (0,)  # nothing half done
        assert conn.execute("SELECT state FROM game_rounds").fetchone() == ("open",)

    second = Served(store, db, state)  # the same database, after the crash
    try:
        for _ in range(2):  # settles now; the second time, nothing more
            states = ServiceClient(second.url, policy, accounts[0]).game_rounds(rnd.id)
            assert states[0]["state"] == "settled" and states[0]["result"] == drawn
        for n, a in enumerate(accounts):
            c = ServiceClient(second.url, policy, a)
            receipts = c.receipts()
            stakes = {r.seq: r for r in receipts if r.kind == "stake"}
            payouts = [r for r in receipts if r.kind == "payout"]
            assert len(stakes) == STAKES_EACH
            winning = [s for s in stakes.values() if s.reference.split(":")[2] == drawn]
            assert sorted(p.amount for p in payouts) == sorted(payout(-s.amount, 97_000) for s in winning)
            assert len({p.reference for p in payouts}) == len(payouts)  # one per winning stake
            ledger = Ledger(tmp_path / f"ledger{n}.sqlite3", account=a.address,
                            service_keys={policy.store: policy.service_key})
            try:
                assert ledger.append_many(receipts) == len(receipts)  # an unbroken chain
                assert ledger.balances() == c.status().balances
            finally:
                ledger.close()
    finally:
        second.stop()
    svc = IAService(replace(config, clock=lambda: datetime.now(UTC)))
    try:
        assert svc.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        svc.close()


def _poke(url: str) -> None:
    with contextlib.suppress(requests.RequestException):  # killed while answering
        requests.get(f"{url}/v1/games/rounds", timeout=30)


def test_the_served_store_rounds_are_read_from_its_signed_target(tmp_path: Path) -> None:
    gs = game_store(tmp_path)
    assert gs.keeper.tick() is True and gs.keeper.tick() is False
    policy, _ = read_policy(StoreFolder(gs.out))
    rounds = StoreRounds(gs.out, policy.decimals)()
    assert rounds is not None and len(rounds.rounds) == 3
    assert {r.kind for r in rounds.rounds} == {"number", "higher-lower", "odd-even"}
    assert all(r.seed is None for r in rounds.rounds)
    seeds = (tmp_path / "games" / "seeds.json")
    assert oct(seeds.stat().st_mode & 0o777) == "0o600"
    assert not any(s in p.read_bytes().decode("latin-1") for p in (gs.out).rglob("*") if p.is_file()
                   for s in json.loads(seeds.read_text()).values())  # no secret published
