"""`service serve --workers 4` on one PostgreSQL database (a throwaway cluster): bursts of claims,
then of swaps, stakes and payments while the four workers race to pay a dividend, from several
threads over HTTP. Credited totals are the policy's caps exactly, the dividend is paid once, no
balance goes negative, every chain holds, and `service audit` finds the books balanced."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from appstore.core.games.rounds import ROUNDS_TARGET, RoundsFile
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.policy import policy_json, terms_json
from appstore.core.ia.protocol import Claim, format_time
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys, load_service_key
from appstore.core.publish.source import load_source
from appstore.core.wallet.keys import Account
from appstore.core.wallet.ledger import Ledger
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.storedir import StoreFolder, read_policy
from tests.gameskit import a_round
from tests.service.conftest import PgCluster, account
from tests.service.test_process import ROOT, Served, Store
from tests.storekit import make_source, write_app

IA = 10**8
APPS = tuple(f"org.test.app{i}" for i in range(16))
ACCOUNTS = 16
THREADS = 8
PAYEE = account(300)


@pytest.fixture
def big_store(tmp_path: Path) -> Store:
    """A published store with 16 apps; downloads and opens pay 5 IA each (caps 10 a day each,
    60 IA a day in all, so any order of arrival stops at exactly 60), a daily dividend, swap
    terms, a number round open for the next 15 minutes, and a DApp paid at ``PAYEE``."""
    keys = init_keys(tmp_path / "keys")
    src = make_source(tmp_path / "src", APPS)
    write_app(src, "org.test.app1", payee=PAYEE.address, permissions=["wallet.pay"])  # paid at PAYEE
    policy = json.loads(policy_json("teststore", public_key_hex(load_service_key(tmp_path / "keys"))))
    policy["rewards"]["open"] = "5"
    (src / "rewards").mkdir()
    (src / "rewards" / "policy.json").write_text(json.dumps(policy))
    (src / "swap").mkdir()
    terms = {**json.loads(terms_json("teststore")), "min_ia": "0.01"}
    (src / "swap" / "rates.json").write_text(json.dumps(terms))
    (src / "games").mkdir()
    rnd, _ = a_round("number", datetime.now(UTC) - timedelta(seconds=5), period=900)
    (src / "games" / "rounds.json").write_bytes(RoundsFile("teststore", 8, (rnd,)).to_bytes())
    publish(load_source(src), tmp_path / "out", keys)
    return Store(tmp_path / "out", tmp_path / "keys")


def _burst(jobs: list[Callable[[], str]]) -> Counter[str]:
    codes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        try:
            code = job()
        except ServiceError as e:
            code = e.code
        with lock:
            codes[code] += 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(run, jobs))
    return codes


def test_four_workers_on_postgresql_keep_caps_dividends_and_balances_exact(
        big_store: Store, pg_cluster: PgCluster, tmp_path: Path) -> None:
    db = pg_cluster.new_database()
    policy, _ = read_policy(StoreFolder(big_store.out))
    rnd = read_rounds(big_store)
    accounts = [account(200 + i) for i in range(ACCOUNTS)]
    served = Served(big_store, db, tmp_path / "state", "--workers", "4")
    try:
        assert "(PostgreSQL, 4 workers)" in served.first_line
        # -- claims: each account 15 downloads (+ 15 opens for half of them), every request
        # sent twice (a lost answer), all at once from 8 threads over 4 processes
        def claims_of(n: int) -> list[Claim]:
            now = format_time(datetime.now(UTC))
            kinds = ("download", "open") if n % 2 else ("download",)
            return [Claim(uuid.uuid4().hex, k, app, now) for k in kinds for app in APPS[:15]]

        def send(a: Account, batch: list[Claim]) -> Callable[[], str]:
            return lambda: f"{sum(o.credited for o in ServiceClient(served.url, policy, a).claim(batch))}"

        jobs = []
        for n, a in enumerate(accounts):
            cl = claims_of(n)
            jobs += [send(a, cl[i:i + 5]) for i in range(0, len(cl), 5)] * 2
        codes = _burst(jobs[::2] + jobs[1::2])
        assert sum(codes.values()) == len(jobs) and not [c for c in codes if not c.isdigit()], codes
        for n, a in enumerate(accounts):
            st = ServiceClient(served.url, policy, a).status()
            if n % 2:  # downloads and opens: the daily cap of 60 IA, exactly
                assert st.total_amount == policy.daily_cap == st.balances["IA"] == 60 * IA
                assert st.kinds["download"].count + st.kinds["open"].count == 12
            else:  # downloads only: their cap of 10 a day, exactly
                assert st.kinds["download"].count == policy.caps["download"] == 10
                assert st.balances["IA"] == 50 * IA
    finally:
        served.stop()
    # -- the next start is a day after the database was made: four workers race to pay the
    # dividend due, while swaps, stakes and payments burst
    _set_created(db, datetime.now(UTC) - timedelta(days=1))
    served = Served(big_store, db, tmp_path / "state", "--workers", "4")
    try:
        def swap(a: Account) -> str:
            c = ServiceClient(served.url, policy, a)
            c.swap(c.quote(30 * IA))
            return "swapped"

        def stake(a: Account) -> str:
            ServiceClient(served.url, policy, a).stake(rnd, "3", IA)
            return "staked"

        def pay(a: Account) -> str:
            ServiceClient(served.url, policy, a).pay(PAYEE.address, 2 * IA, "", "org.test.app1")
            return "paid"

        jobs = []
        for a in accounts:
            jobs += [lambda a=a: swap(a)] * 5 + [lambda a=a: stake(a)] * 3 + [lambda a=a: pay(a)] * 2
        codes = _burst(jobs[::3] + jobs[1::3] + jobs[2::3])
        assert set(codes) <= {"swapped", "staked", "paid", "insufficient"}, codes
        assert codes["swapped"] and codes["staked"] and codes["paid"] and codes["insufficient"], codes
        dividends = 0
        for n, a in enumerate(accounts):
            c = ServiceClient(served.url, policy, a)
            receipts = c.receipts()
            ledger = Ledger(tmp_path / f"ledger{n}.sqlite3", account=a.address,
                            service_keys={policy.store: policy.service_key})
            assert ledger.append_many(receipts) == len(receipts)  # seq 1…n, every hash linked
            st = c.status()
            assert st.balances["IA"] >= 0 and st.balances["BCD"] >= 0
            assert ledger.balances() == st.balances
            divs = [r for r in receipts if r.kind == "dividend"]
            assert len(divs) == 1, divs  # once, though four processes tried
            dividends += divs[0].amount
            swaps = Counter(r.reference for r in receipts if r.kind == "swap")
            assert all(v == 2 for v in swaps.values())  # IA out and BCD in: both or neither
        assert 0 < dividends <= policy.dividend.amount  # type: ignore[union-attr]
        assert _rows(db, "SELECT period, paid FROM dividends") == [(_today_period(), dividends)]
    finally:
        served.stop()
    log = served.log.read_text()
    assert len(set(re.findall(r"Started server process \[([0-9]+)\]", log))) == 8  # 4 workers, twice
    assert log.count("shared among") == 1  # the one process that paid the dividend said so
    out = subprocess.run([sys.executable, "-m", "appstore", "service", "audit", "--db", db, "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"], report
    assert report["assets"]["IA"]["difference"] == report["assets"]["BCD"]["difference"] == 0
    assert report["accounts"] == ACCOUNTS + 1  # and the payee


def read_rounds(store: Store):  # type: ignore[no-untyped-def]
    from appstore.core.games.rounds import parse_rounds
    data = StoreFolder(store.out).target(ROUNDS_TARGET)
    assert data is not None
    return parse_rounds(data, ROUNDS_TARGET, decimals=8).rounds[0]


def _connect(db: str) -> psycopg.Connection:
    u = make_url(db)
    return psycopg.connect(f"host={u.query['host']} user={u.username} dbname={u.database}", autocommit=True)


def _set_created(db: str, when: datetime) -> None:
    with _connect(db) as conn:
        conn.execute("UPDATE meta SET value = %s WHERE key = 'created'", (format_time(when),))


def _rows(db: str, sql: str) -> list[tuple[object, ...]]:
    with _connect(db) as conn:
        return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]


def _today_period() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT00:00Z")


def test_workers_stop_when_their_supervisor_is_killed(big_store: Store, pg_cluster: PgCluster,
                                                      tmp_path: Path) -> None:
    served = Served(big_store, pg_cluster.new_database(), tmp_path / "state", "--workers", "2")
    pids: list[int] = []
    try:
        policy, _ = read_policy(StoreFolder(big_store.out))
        assert ServiceClient(served.url, policy, account(400)).status().balances["IA"] == 0
        deadline = time.monotonic() + 30
        while len(pids := _worker_pids(served)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(pids) == 2
        served.kill9()  # the supervisor only: no orphan keeps serving its socket
        deadline = time.monotonic() + 15
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in pids)
    finally:
        served.stop()
        for p in pids:  # (had the test failed: no orphan outlives it)
            if _alive(p):
                os.kill(p, signal.SIGKILL)


def _worker_pids(served: Served) -> list[int]:
    return [int(p) for p in set(re.findall(r"Started server process \[([0-9]+)\]", served.log.read_text()))]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
