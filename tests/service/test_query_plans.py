"""No full scan on the hot paths: every statement the service runs for a claim, a quote and a
swap, a withdrawal, a payment, a stake, the status and a receipts page is EXPLAINed on SQLite
(``EXPLAIN QUERY PLAN``: a SEARCH, never a SCAN of a table) and on PostgreSQL (with sequential
scans turned off, a plan that still holds a ``Seq Scan`` has no index to use). Plans, not
timings: the figures at 1,000,000 accounts are bench/service.py's."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import event

from appstore.core.games.rounds import terms_hash
from appstore.core.ia.protocol import make_request
from tests.gameskit import Holder, a_round
from tests.service.conftest import STORE, Clock, account, claim, make_terms, start_service

IA = 10**8
HOT = re.compile(r"^\s*(SELECT|UPDATE|DELETE)\b", re.I)


def test_the_hot_paths_use_indexes(db_url: str) -> None:
    clock = Clock()
    now = clock.now
    rnd, _ = a_round("number", now)
    run = start_service(db_url, clock=clock, dividend=False,
                        terms=make_terms(daily_budget_bcd="100", vesting_days=1, address_daily_bcd="10"))
    run.service.games.rounds = Holder(STORE, [rnd])
    seen: list[tuple[str, Any]] = []
    capturing = threading.Event()

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if capturing.is_set() and HOT.match(statement):
            seen.append((statement, parameters))

    engine = run.service.storage.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        a = run.client(account(0))
        clock.now = now - timedelta(days=2)  # rewards that have vested by now
        a.claim([claim("download", f"org.test.app{i}", when=clock()) for i in range(5)])
        clock.now = now
        run.client(account(1)).claim([claim("open", when=now)])
        capturing.set()
        a.claim([claim("open", when=now), claim("download", "org.test.app9", when=now),
                 claim("update", "org.test.app1", version="1.1.0", when=now)])
        a.swap(a.quote(2 * IA))
        a.withdraw(account(5).address, 1000)
        a.pay(account(1).address, IA, "", "org.test.app3")
        a.status()
        a.receipts(since=2)
        opt = rnd.option("3")
        assert opt is not None
        body = make_request(account(0), STORE, "stake", {
            "stake_id": "cd" * 16, "round": rnd.id, "option": "3", "amount_ia": IA, "odds_bp": opt.odds_bp,
            "commitment": rnd.commitment, "terms": terms_hash(rnd, 8)}, service_key=run.policy.service_key,
            now=now)
        r = requests.post(run.url + "/v1/stakes", data=json.dumps(body), timeout=10)
        assert r.status_code == 200, r.text
        capturing.clear()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) > 30
    bad = []
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cur = raw.cursor()
            pg = engine.dialect.name == "postgresql"
            if pg:
                cur.execute("SET enable_seqscan = off")
            for statement, params in seen:
                cur.execute(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + statement, params)
                plan = "\n".join(str(row[0] if pg else row[-1]) for row in cur.fetchall())
                if ("Seq Scan" in plan) if pg else re.search(r"\bSCAN (?!CONSTANT)", plan):
                    bad.append(f"{statement}\n{plan}")
            conn.rollback()
    finally:
        run.server.stop()
        run.service.close()
    assert not bad, "\n\n".join(bad)
