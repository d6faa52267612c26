"""The IA service over real HTTP on 127.0.0.1, on SQLite and on PostgreSQL (the same tests)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from appstore.core.ia.errors import ServiceError
from appstore.core.ia.protocol import check_request, format_time, make_request, parse_reward_reference
from appstore.core.wallet.address import p2pkh_address
from appstore.core.wallet.ledger import Ledger, LedgerError
from appstore.core.wallet.receipts import Receipt
from appstore.core.wallet.signing import encode_signature, ia_request_purpose
from appstore.service.schema import t_accounts
from appstore.service.storage import sqlite_url
from tests.service.conftest import (
    STORE,
    Clock,
    Running,
    account,
    claim,
    make_policy,
    make_terms,
    start_service,
)

IA = 10**8
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def ledger_of(tmp_path: Path, run: Running, acct_n: int) -> Ledger:
    a = account(acct_n)
    return Ledger(tmp_path / f"ledger{acct_n}.sqlite3", account=a.address,
                  service_keys={STORE: run.policy.service_key})


def fund(run: Running, acct_n: int, days: int = 1) -> int:
    """Credit account ``acct_n`` 10 downloads (50 IA) on each of ``days`` days, moving the clock on."""
    c = run.client(account(acct_n))
    total = 0
    for _ in range(days):
        outs = c.claim([claim("download", f"org.test.app{i}", when=run.clock()) for i in range(12)])
        total += sum(o.receipt.amount for o in outs if o.receipt)
        run.clock.advance(days=1)
    return total


# -- rewards -----------------------------------------------------------------------------------

def test_claims_credit_refuse_and_sync_into_the_ledger(running: Running, tmp_path: Path) -> None:
    c = running.client(account(0))
    first = claim("open")
    outs = c.claim([first, claim("open"), claim("download"), claim("open", "org.nope.app"),
                    claim("browse", "org.test.app1", seconds=3), claim("browse", "org.test.app1", seconds=30),
                    claim("update", "org.test.app1", version="9.9"),
                    claim("update", "org.test.app1", version="1.1.0")])
    codes = [o.code for o in outs]
    assert codes == [None, "duplicate", None, "unknown-app", "too-short", None, "unknown-version", None]
    assert outs[1].message == "opening org.test.app0 was already credited today"
    amounts = [o.receipt.amount for o in outs if o.receipt]
    assert amounts == [2 * IA, 5 * IA, IA // 2, 2 * IA]
    assert parse_reward_reference(outs[0].receipt.reference)[0:2] == ("open", "org.test.app0")  # type: ignore[index]
    again = c.claim([first])[0]  # the same claim sent again (an answer lost): the same receipt
    assert again.receipt == outs[0].receipt
    status = c.status()
    assert status.balances["IA"] == sum(amounts)
    assert status.kinds["open"].count == 1 and status.kinds["open"].cap == 10
    assert status.total_amount == sum(amounts) and status.last_seq == 4
    ledger = ledger_of(tmp_path, running, 0)
    assert ledger.append_many(c.receipts()) == 4
    assert ledger.balance("IA") == status.balances["IA"]
    assert ledger.verify().ok


def test_caps_hold_under_a_burst_of_10000_claims(running: Running, tmp_path: Path) -> None:
    accounts = [account(i) for i in range(4)]
    kinds = ["open", "download", "forward", "browse", "update"]
    per_account = 2500
    batches = []
    for a in accounts:
        claims = []
        for i in range(per_account):
            kind = kinds[i % 5]
            claims.append(claim(kind, f"org.test.app{i % 200}", when=running.clock(),
                                version="1.0.0" if kind == "update" else None,
                                seconds=60 if kind == "browse" else None))
        batches += [(a, claims[j:j + 100]) for j in range(0, per_account, 100)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def send(item: tuple[object, list[object]]) -> None:
        a, cl = item
        outs = running.client(a).claim(cl)  # type: ignore[arg-type]
        with lock:
            outcomes.update(o.code or "credited" for o in outs)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, batches))
    assert sum(outcomes.values()) == 10_000
    p = running.policy
    for n, a in enumerate(accounts):
        c = running.client(a)
        receipts = c.receipts()
        by_kind = Counter(parse_reward_reference(r.reference)[0] for r in receipts)  # type: ignore[index]
        assert all(by_kind[k] <= p.caps[k] for k in by_kind), by_kind
        assert sum(r.amount for r in receipts) <= p.daily_cap
        assert sum(r.amount for r in receipts) == c.status().balances["IA"]
        ledger = ledger_of(tmp_path, running, n)
        assert ledger.append_many(receipts) == len(receipts)  # a whole chain: seq 1..n, hashes linked
    assert outcomes["credited"] > 0 and outcomes["cap-kind"] + outcomes["cap-total"] > 0
    assert running.service.storage.audit() == {"IA": 0, "BCD": 0}


def test_a_clock_set_back_never_credits_twice(db_url: str) -> None:
    run = start_service(db_url, clock=Clock(NOON), dividend=False)
    try:
        c = run.client(account(0))
        first = claim("open", when=run.clock())
        dl = claim("download", when=run.clock())
        assert all(o.credited for o in c.claim([first, dl]))
        run.clock.advance(days=1)
        assert c.claim([claim("open", when=run.clock())])[0].credited  # a new day
        assert c.claim([claim("download", when=run.clock())])[0].code == "duplicate"  # once per app, ever
        run.clock.advance(days=-1)  # the service's clock goes back a day
        assert c.claim([claim("open", when=run.clock())])[0].code == "duplicate"
        resent = c.claim([first, dl])
        assert [o.receipt for o in resent] == [o.receipt for o in c.claim([first, dl])]
        assert c.status().balances["IA"] == 2 * 2 * IA + 5 * IA
        assert len(c.receipts()) == 3
    finally:
        run.server.stop()
        run.service.close()


# -- requests refused ------------------------------------------------------------------------

def _post(run: Running, body: object, path: str = "/v1/claims") -> tuple[int, str]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = requests.post(run.url + path, data=data, timeout=10)
    return r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else ""


def test_replayed_unsigned_foreign_and_malformed_requests_are_refused(running: Running) -> None:
    a, b = account(0), account(1)
    key = running.policy.service_key
    body = make_request(a, STORE, "claim", {"claims": [claim("open").to_json()]}, service_key=key,
                        now=running.clock())
    assert _post(running, body) == (200, "")
    assert _post(running, body) == (409, "replayed")
    unsigned = {k: v for k, v in body.items() if k not in ("signature", "public_key")}
    assert _post(running, unsigned) == (401, "unsigned")
    assert _post(running, {**body, "signature": None}) == (401, "bad-signature")  # there, but null
    assert _post(running, {**body, "public_key": None}) == (400, "malformed")
    upper = make_request(a, STORE, "claim", {"claims": [claim("open").to_json()]}, service_key=key,
                         now=running.clock(), nonce="A" * 32)
    assert _post(running, upper) == (400, "malformed")  # nonces are lower-case hex
    # b signs a request in a's name: with b's key, the key is not a's; with a's key, the signature fails
    forged = make_request(b, STORE, "claim", {"claims": [claim("open", "org.test.app1").to_json()]},
                          service_key=key, now=running.clock())
    assert _post(running, {**forged, "account": a.address}) == (401, "key-mismatch")
    assert _post(running, {**forged, "account": a.address, "public_key": a.public_key.hex()}) == \
        (401, "bad-signature")
    other_store = make_request(a, "elsewhere", "claim", {"claims": [claim("open").to_json()]},
                               service_key=key, now=running.clock())
    assert _post(running, other_store) == (401, "bad-signature")
    tampered = json.loads(json.dumps(body))
    tampered["payload"]["nonce"] = "0" * 32
    assert _post(running, tampered) == (401, "bad-signature")
    stale = make_request(a, STORE, "claim", {"claims": [claim("open").to_json()]},
                         service_key=key, now=running.clock() - timedelta(minutes=10))
    assert _post(running, stale) == (401, "stale")
    assert _post(running, b"{not json") == (400, "malformed")
    assert _post(running, b"[1, 2]") == (400, "malformed")
    assert _post(running, b"x" * 300_000) == (413, "too-large")
    bad_claim = make_request(a, STORE, "claim", {"claims": [{"id": "nope"}]}, service_key=key,
                             now=running.clock())
    assert _post(running, bad_claim) == (400, "malformed")
    payload = {"action": "mint", "service": key, "nonce": "1" * 32, "time": format_time(running.clock()),
               "amount": 10**12}
    mint = {"account": a.address, "public_key": a.public_key.hex(), "payload": payload,
            "signature": encode_signature(a.sign(ia_request_purpose(STORE), payload))}
    assert _post(running, mint) == (400, "unknown-action")
    assert _post(running, body, "/v1/swaps") == (400, "wrong-action")
    unbound = {**payload, "action": "claim", "nonce": "2" * 32, "claims": [claim("open").to_json()]}
    del unbound["service"], unbound["amount"]
    no_service = {**mint, "payload": unbound,
                  "signature": encode_signature(a.sign(ia_request_purpose(STORE), unbound))}
    assert _post(running, no_service) == (401, "wrong-service")
    assert running.client(a).status().balances["IA"] == 2 * IA  # only the first request did anything


def test_a_request_signed_for_one_service_is_refused_by_a_clone_with_the_same_store_id(
        running: Running, tmp_path: Path) -> None:
    clone = start_service(sqlite_url(str(tmp_path / "clone.sqlite3")), clock=running.clock)
    try:
        assert clone.policy.store == running.policy.store
        assert clone.policy.service_key != running.policy.service_key
        body = make_request(account(0), STORE, "claim", {"claims": [claim("open").to_json()]},
                            service_key=running.policy.service_key, now=running.clock())
        r = requests.post(clone.url + "/v1/claims", json=body, timeout=10)
        assert r.status_code == 401 and r.json()["error"]["code"] == "wrong-service"
        assert "not this one" in r.json()["error"]["message"]
        assert _post(running, body) == (200, "")  # the service it was signed for takes it
    finally:
        clone.server.stop()
        clone.service.close()


def test_receipts_from_a_service_with_another_key_are_rejected(running: Running, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    wrong = make_policy(Ed25519PrivateKey.generate())  # what the store's signed policy says
    assert running.client(account(0)).claim([claim("open")])[0].credited
    c = running.client(account(0), policy=wrong)
    with pytest.raises(ServiceError) as e:
        c.claim([claim("download")])  # signed for the policy's service: this one refuses it
    assert e.value.code == "wrong-service"
    with pytest.raises(ServiceError) as e:
        c.receipts()
    assert e.value.code == "bad-receipt"
    ledger = Ledger(tmp_path / "l.sqlite3", service_keys={STORE: wrong.service_key})
    with pytest.raises(LedgerError, match="forged"):
        ledger.append_many(running.client(account(0)).receipts())


def test_a_service_that_skips_a_sequence_number_is_caught(running: Running, tmp_path: Path) -> None:
    c = running.client(account(0))
    assert c.claim([claim("open")])[0].credited
    with running.service.storage.engine.begin() as conn:  # the service's bug: seq 2 is never issued
        conn.execute(t_accounts.update().values(last_seq=t_accounts.c.last_seq + 1))
    assert c.claim([claim("download")])[0].receipt.seq == 3  # type: ignore[union-attr]
    ledger = ledger_of(tmp_path, running, 0)
    with pytest.raises(LedgerError, match="#2 is missing"):
        ledger.append_many(c.receipts())


# -- dividends -------------------------------------------------------------------------------

def test_dividends_share_the_pool_once_and_never_more(db_url: str) -> None:
    run = start_service(db_url, clock=Clock(NOON))
    try:
        for n, kinds in enumerate([("open",), ("open",), ("open", "download")]):
            outs = run.client(account(n)).claim([claim(k, when=run.clock()) for k in kinds])
            assert all(o.credited for o in outs)
        run.clock.now = NOON.replace(hour=0) + timedelta(days=1, seconds=5)
        c0 = run.client(account(0))
        status = c0.status()  # the first request after 00:00 pays the period
        pool = 1000 * IA
        shares = []
        for n in range(3):
            divs = [r for r in run.client(account(n)).receipts() if r.kind == "dividend"]
            assert len(divs) == 1
            shares.append(divs[0].amount)
        assert shares == [pool * 2 // 11, pool * 2 // 11, pool * 7 // 11]
        assert sum(shares) <= pool
        assert status.pool == pool - sum(shares) > 0  # the remainder stays in the pool
        c0.status()
        run.server.stop()
        run.service.close()
        run = start_service(db_url, clock=run.clock, key=run.key)  # a restart pays nothing again
        assert run.client(account(0)).status().pool == pool - sum(shares)
        assert [r.kind for r in run.client(account(0)).receipts()].count("dividend") == 1
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
        run.clock.advance(days=1)  # the next day: 1000 more, plus the remainder, shared again
        run.client(account(0)).status()
        total = sum(r.amount for n in range(3) for r in run.client(account(n)).receipts()
                    if r.kind == "dividend")
        assert total <= 2 * pool
    finally:
        run.server.stop()
        run.service.close()


# -- swaps, withdrawals, payments ------------------------------------------------------------

def test_quotes_expired_reused_altered_or_foreign_are_refused(db_url: str, tmp_path: Path) -> None:
    run = start_service(db_url, clock=Clock(NOON))
    try:
        fund(run, 0)
        fund(run, 1)
        a, b = run.client(account(0)), run.client(account(1))
        q = a.quote(2 * IA)
        assert q.bcd_out == (2 * IA - 2 * IA * 30 // 10_000) // 1000 and q.fee == 2 * IA * 30 // 10_000
        receipts = a.swap(q)
        assert sorted((r.asset, r.amount) for r in receipts) == [("BCD", q.bcd_out), ("IA", -2 * IA)]
        for bad, code in [(q, "quote-used"), (b.quote(IA), "quote-foreign")]:
            with pytest.raises(ServiceError) as e:
                a.swap(bad)
            assert e.value.code == code
        altered = a.quote(IA)
        from dataclasses import replace
        with pytest.raises(ServiceError) as e:
            a.swap(replace(altered, bcd_out=altered.bcd_out * 2))
        assert e.value.code == "quote-altered"
        late = a.quote(IA)
        run.clock.advance(seconds=run.terms.quote_seconds + 1)
        with pytest.raises(ServiceError) as e:
            a.swap(late)
        assert e.value.code == "quote-expired"
        with pytest.raises(ServiceError) as e:
            a.quote(10**6 * IA)
        assert e.value.code == "amount-range"
        w = a.withdraw(account(5).address, q.bcd_out - 1)
        assert (w.kind, w.asset, w.amount) == ("withdrawal", "BCD", -(q.bcd_out - 1))
        p2sh = p2pkh_address(account(6).public_key, version=5)  # a "3…" address is a payout address too
        assert p2sh.startswith("3") and a.withdraw(p2sh, 1).reference == f"withdrawal:{p2sh}"
        with pytest.raises(ServiceError) as e:
            a.withdraw(account(5).address, 1)
        assert e.value.code == "insufficient"
        ledger = ledger_of(tmp_path, run, 0)
        ledger.append_many(a.receipts())
        assert ledger.balances() == {"IA": a.status().balances["IA"], "BCD": 0}
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        run.server.stop()
        run.service.close()


def test_concurrent_swaps_and_payments_never_drive_a_balance_negative(db_url: str, tmp_path: Path) -> None:
    run = start_service(db_url, clock=Clock(NOON), terms=make_terms(min_ia="0.01"))
    try:
        for n in range(3):
            fund(run, n)
        run.clock.advance(days=-3)
        codes: Counter[str] = Counter()
        lock = threading.Lock()

        def worker(n: int) -> None:
            c = run.client(account(n))
            for i in range(25):
                try:
                    if i % 2:
                        c.swap(c.quote(3 * IA))
                    else:
                        c.pay(account((n + 1) % 3).address, 4 * IA, "thanks", "org.test.app1")
                    code = "ok"
                except ServiceError as e:
                    code = e.code
                with lock:
                    codes[code] += 1

        threads = [threading.Thread(target=worker, args=(n % 3,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes["ok"] > 0 and codes["insufficient"] > 0, codes
        assert set(codes) <= {"ok", "insufficient", "swap-daily-limit"}, codes
        for n in range(3):
            c = run.client(account(n))
            st = c.status()
            assert st.balances["IA"] >= 0 and st.balances["BCD"] >= 0
            ledger = ledger_of(tmp_path, run, n)
            ledger.append_many(c.receipts())
            assert ledger.balances() == st.balances
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        run.server.stop()
        run.service.close()


def test_thousands_of_swaps_never_create_value(db_url: str) -> None:
    """2,000 swaps straight through the service's request handling (signed requests, one
    transaction each), then a smaller run over HTTP; everything summed before and after."""
    run = start_service(db_url, clock=Clock(NOON), terms=make_terms(min_ia="0.00001", rate="0.0137",
                                                                   fee_bp=37, daily_max_ia="1000000"))
    try:
        fund(run, 0, days=2)
        fund(run, 1, days=2)
        svc, a = run.service, account(0)
        before = svc.storage.audit()

        def do(action: str, fields: dict[str, object]) -> dict[str, object]:
            now = run.clock()
            key = run.policy.service_key
            body = json.dumps(make_request(a, STORE, action, fields, service_key=key, now=now)).encode()
            return svc.handle(check_request(body, STORE, now, service_key=key, action=action), now)

        amounts = [1000 + 7919 * i % 99_991 for i in range(2000)]
        for amount in amounts:
            q = do("quote", {"amount_ia": amount})["quote"]
            assert isinstance(q, dict)
            do("swap", {"quote_id": q["id"], "amount_ia": amount, "bcd_out": q["bcd_out"]})
        c = run.client(account(1))
        for amount in amounts[:100]:
            c.swap(c.quote(amount))
        assert svc.storage.audit() == before == {"IA": 0, "BCD": 0}
        with svc.storage.engine.connect() as conn:
            for asset in ("IA", "BCD"):
                users = conn.execute(text("SELECT SUM(amount) FROM receipts WHERE asset = :a"),
                                     {"a": asset}).scalar()
                internal = conn.execute(text("SELECT SUM(amount) FROM balances WHERE asset = :a AND account "
                                             "LIKE '@%'"), {"a": asset}).scalar()
                rewarded = conn.execute(text("SELECT SUM(rewarded) FROM accounts")).scalar()
                assert int(users) + int(internal or 0) == (int(rewarded) if asset == "IA" else 0)
        st = run.client(a).status()
        receipts = run.client(a).receipts()
        got_bcd = sum(r.amount for r in receipts if r.asset == "BCD")
        paid_ia = -sum(r.amount for r in receipts if r.asset == "IA" and r.kind == "swap")
        assert got_bcd == st.balances["BCD"] <= paid_ia * 137 // 100_000  # rounding never favours a user
    finally:
        run.server.stop()
        run.service.close()


def test_receipts_resync_in_pages(running: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import appstore.core.ia.client as client_mod
    monkeypatch.setattr(client_mod, "PAGE", 3)
    c = running.client(account(0))
    c.claim([claim("download", f"org.test.app{i}") for i in range(10)])
    receipts = c.receipts()
    assert [r.seq for r in receipts] == list(range(1, 11))
    assert [r.seq for r in c.receipts(since=7)] == [8, 9, 10]
    assert all(isinstance(r, Receipt) and r.verify() is None for r in receipts)


def test_a_payment_goes_only_to_the_payee_the_catalogue_names(db_url: str) -> None:
    """Besides the wallet's own check: a signed request paying another account "for" a DApp, or
    paying a DApp that names no payee, is refused by the service."""
    r = start_service(db_url, payees={"org.test.app3": account(1).address})
    try:
        fund(r, 0)
        r.clock.advance(days=-1)
        for to, app in ((account(2).address, "org.test.app3"), (account(1).address, "org.test.app1")):
            with pytest.raises(ServiceError) as e:
                r.client(account(0)).pay(to, IA, "", app)
            assert e.value.code == "bad-payee" and app in str(e.value)
        paid = r.client(account(0)).pay(account(1).address, IA, "thanks", "org.test.app3")
        assert paid.reference == f"to:{account(1).address}:org.test.app3"
    finally:
        r.server.stop()
        r.service.close()


def test_payments_credit_the_payee(running: Running, tmp_path: Path) -> None:
    fund(running, 0)
    running.clock.advance(days=-1)
    r = running.client(account(0)).pay(account(1).address, 3 * IA, "for the game", "org.test.app3")
    assert (r.kind, r.amount) == ("payment", -3 * IA)
    got = running.client(account(1)).receipts()
    assert [(x.kind, x.amount) for x in got] == [("payment", 3 * IA)]
    with pytest.raises(ServiceError) as e:
        running.client(account(0)).pay("1BadAddress", 1, "", "org.test.app3")
    assert e.value.code == "bad-address"
