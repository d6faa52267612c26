"""The IA service under load: claims per second it accepts (each one credited: a signed request,
one transaction, a signed receipt) with 1, 2 and 4 worker processes on PostgreSQL and 1 on
SQLite, each against a bare Starlette endpoint (``GET /bare``, no database) and a ``SELECT 1``
round trip (``GET /v1/ping``) served by the same processes (uvicorn, Starlette, SQLAlchemy) in
the same run; p50/p95 latency; and how the figures move from 10,000 to 1,000,000 accounts (made
with a bulk SQL insert, not through the API), with the plans of the claim's statements at the
largest size (EXPLAIN: no sequential scan).

``python -m bench.service [--n 2000] [--threads 8] [--accounts 10000,1000000] [--workers 1,2,4]``.
The service runs in its own processes (so the load generator does not share their GIL), on
127.0.0.1; the requests are signed before the clock starts. PostgreSQL is a throwaway cluster on a
Unix socket with its durable defaults (fsync, synchronous commit), skipped (and said so) when
PostgreSQL is not installed. Prints a summary, then the results as JSON on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

PG_BIN = Path("/usr/lib/postgresql/15/bin")
STORE = "bench"
SEED = bytes(range(32))
APPS = 100_000
ENV = "IMAPP_BENCH_DB"


def _policy() -> tuple[Any, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from appstore.core.ia.policy import parse_policy, policy_json
    from appstore.core.wallet.receipts import public_key_hex
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    body = json.loads(policy_json(STORE, public_key_hex(key), dividend=None))
    body["caps"] = dict.fromkeys(body["caps"], 1_000_000)
    body["daily_cap"] = "10000000"
    return key, parse_policy(json.dumps(body).encode())


def _config(db_url: str) -> Any:
    from appstore.service.limits import Limits
    from appstore.service.logic import ServiceConfig
    key, policy = _policy()
    apps = {f"org.bench.app{i}": frozenset({"1.0.0"}) for i in range(APPS)}
    return ServiceConfig(policy, key, db_url, lambda: apps, limits=Limits(None, None))


def bench_app() -> Any:
    """The app of one server process: the service, plus ``GET /bare`` (no database)."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from appstore.service.app import create_app
    from appstore.service.logic import IAService
    config = _config(os.environ[ENV])
    app = create_app(config, service=IAService(config))

    async def bare(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})
    app.router.routes.append(Route("/bare", bare))
    return app


def serve(db_url: str, workers: int) -> None:
    """The service's processes: print the URL, serve until stdin closes."""
    os.environ[ENV] = db_url
    if workers == 1:
        from appstore.service.server import ServerThread
        server = ServerThread(bench_app()).start()
        print(server.url, flush=True)
        sys.stdin.read()
        server.stop()
        return
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from appstore.service.server import listen, url_of
    sock = listen("127.0.0.1", 0, backlog=2048)
    config = uvicorn.Config("bench.service:bench_app", factory=True, workers=workers, log_config=None,
                            access_log=False, lifespan="on", timeout_keep_alive=5, backlog=2048)
    supervisor = Multiprocess(config, sockets=[sock])
    threading.Thread(target=lambda: (sys.stdin.read(), supervisor.should_exit.set()), daemon=True).start()
    print(url_of(sock), flush=True)
    supervisor.run()


# -- the database ------------------------------------------------------------------------------

def populate(db_url: str, accounts: int) -> float:
    """Make the schema (as the service does), then ``accounts`` accounts with a balance, a receipt,
    a claim, a once-only key and a day's counters each, by bulk SQL; the seconds it took."""
    from sqlalchemy import text

    from appstore.service.logic import IAService
    IAService(_config(db_url)).close()
    from appstore.service.storage import open_engine
    engine = open_engine(db_url)
    t0 = time.perf_counter()
    pg = engine.dialect.name == "postgresql"
    series = ("SELECT i FROM generate_series(1, :n) AS i" if pg else
              "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s")
    addr = "'b' || lpad(i::text, 33, '0')" if pg else "'b' || printf('%033d', i)"
    claim_id = "lpad(to_hex(i), 32, '0')" if pg else "printf('%032x', i)"
    rows = {
        "accounts": f"SELECT {addr}, 1, '{'0' * 64}', 100000000",
        "balances": f"SELECT {addr}, 'IA', 100000000",
        "balances ": f"SELECT {addr}, 'BCD', 0",
        "receipts": f"SELECT {addr}, 1, 'reward', 'IA', 100000000, '2026-01-01T00:00:00Z', '{{}}'",
        "claims": f"SELECT {addr}, {claim_id}, 'open', 'org.bench.app1', NULL, '2026-01-01', "
                  "'open:org.bench.app1:2026-01-01', 1",
        "once": f"SELECT {addr}, 'open:org.bench.app1:2026-01-01'",
        "daily": f"SELECT {addr}, '2026-01-01', '*', 1, 100000000",
    }
    with engine.begin() as conn:
        for table, select in rows.items():
            conn.execute(text(f"INSERT INTO {table.strip()} {select} FROM ({series}) AS g"), {"n": accounts})
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return round(time.perf_counter() - t0, 1)


def plans(db_url: str) -> dict[str, str]:
    """The plans of a claim's statements (as the service runs them) for an existing account."""
    from sqlalchemy import text

    from appstore.service.storage import open_engine
    engine = open_engine(db_url)
    a = "b" + "5".zfill(33)
    queries = {
        "lock account": f"SELECT * FROM accounts WHERE address IN ('{a}') ORDER BY address FOR UPDATE",
        "claim done?": f"SELECT seq FROM claims WHERE account = '{a}' AND claim_id = '{'0' * 31}5'",
        "once": f"SELECT 1 FROM once WHERE account = '{a}' AND once_key = 'open:org.bench.app1:2026-01-01'",
        "counters": f"SELECT kind, count, amount FROM daily WHERE account = '{a}' AND day = '2026-01-01'",
        "balance": f"UPDATE balances SET amount = amount + 1 WHERE account = '{a}' AND asset = 'IA'",
        "receipts page": f"SELECT body FROM receipts WHERE account = '{a}' AND seq > 0 ORDER BY seq "
                         "LIMIT 501",
        "last seq": f"SELECT seq FROM receipts WHERE account = '{a}' ORDER BY seq DESC LIMIT 1",
        "unvested": f"SELECT sum(amount) FROM receipts WHERE account = '{a}' AND time > '2025-12-31' "
                    "AND asset = 'IA' AND amount > 0",
    }
    out = {}
    pg = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        for name, q in queries.items():
            q = q if pg else q.replace(" FOR UPDATE", "")
            rows = conn.execute(text(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + q)).all()
            out[name] = " / ".join(str(r[0] if pg else r[-1]) for r in rows)
        conn.rollback()
    engine.dispose()
    return out


# -- the load --------------------------------------------------------------------------------

Maker = Callable[[int, requests.Session], Callable[[], None]]


def _load(threads: int, n: int, make: Maker) -> dict[str, float]:
    """``n`` requests spread over ``threads`` threads (each with its own keep-alive session)."""
    latencies: list[float] = []
    lock = threading.Lock()
    calls = []
    for t in range(threads):
        session = requests.Session()
        calls.append(make(t, session))
    ready = threading.Barrier(threads + 1)

    def worker(t: int) -> None:
        mine = []
        ready.wait()
        for _ in range(n // threads):
            t0 = time.perf_counter()
            calls[t]()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    ready.wait()
    start = time.perf_counter()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2)}


def measure(db_url: str, workers: int, n: int, threads: int, round_no: int) -> dict[str, Any]:
    from appstore.core.ia.protocol import Claim, format_time, make_request
    from appstore.core.wallet.keys import Account
    key_hex = _policy()[1].service_key
    cmd = [sys.executable, "-m", "bench.service", "--serve", db_url, "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert proc.stdout is not None and proc.stdin is not None
    url = proc.stdout.readline().strip()
    # the signed claims, made before the clock starts: a fresh account per thread and run
    bodies: list[list[bytes]] = []
    per_thread = n // threads
    for t in range(threads):
        account = Account.from_private_key((1_000_000 * round_no + t + 1).to_bytes(32, "big"))
        now = format_time(datetime.now(UTC))
        bodies.append([json.dumps(make_request(
            account, STORE, "claim", {"claims": [Claim(uuid.uuid4().hex, "open", f"org.bench.app{i}", now)
                                                 .to_json()]}, service_key=key_hex)).encode()
            for i in range(per_thread)])
    try:
        def get(path: str) -> Maker:
            def make(t: int, s: requests.Session) -> Callable[[], None]:
                def call() -> None:
                    r = s.get(url + path, timeout=60)
                    assert r.status_code == 200
                return call
            return make

        def claim(t: int, s: requests.Session) -> Callable[[], None]:
            mine = iter(bodies[t])

            def call() -> None:
                r = s.post(url + "/v1/claims", data=next(mine), timeout=60,
                           headers={"Content-Type": "application/json"})
                assert r.status_code == 200 and r.json()["outcomes"][0]["receipt"], r.text
            return call

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every worker up and warm
            try:
                _load(threads, threads * 40, get("/v1/ping"))
                break
            except (requests.RequestException, AssertionError):
                time.sleep(0.2)
        bare = _load(threads, n, get("/bare"))
        ping = _load(threads, n, get("/v1/ping"))
        server0, db0 = _cpu(_tree(proc.pid)), _cpu(_postgres())
        claims = _load(threads, per_thread * threads, claim)
        server1, db1 = _cpu(_tree(proc.pid)), _cpu(_postgres())
    finally:
        proc.stdin.close()
        proc.wait(60)
    done = per_thread * threads
    return {"workers": workers, "bare": bare, "ping": ping, "claims": claims,
            "claims_vs_bare": round(claims["per_s"] / bare["per_s"], 3),
            # CPU time per claim: the service's processes, and PostgreSQL's (0 on SQLite)
            "service_cpu_ms": round((server1 - server0) * 1000 / done, 2),
            "postgres_cpu_ms": round((db1 - db0) * 1000 / done, 2)}


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # the fields after the command's name


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (st := _stat(int(d.name))) is not None:
            parents[int(d.name)] = int(st[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += [p for p, pp in parents.items() if pp == pid]
    return out


def _postgres() -> list[int]:
    return [int(d.name) for d in Path("/proc").iterdir()
            if d.name.isdigit() and _comm(d) == "postgres"]


def _comm(d: Path) -> str:
    try:
        return (d / "comm").read_text().strip()
    except OSError:
        return ""


def _cpu(pids: list[int]) -> float:
    """Seconds of CPU (user and system) the processes have used."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            total += int(st[11]) + int(st[12])
    return total / tick


def _pg_cluster() -> tuple[Path, bool] | None:
    if not (PG_BIN / "initdb").exists():
        return None
    root = os.geteuid() == 0
    d = Path(tempfile.mkdtemp(prefix="imapp-bench-pg-"))
    os.chmod(d, 0o755)
    if root:
        shutil.chown(d, "postgres")
    pre = ["runuser", "-u", "postgres", "--"] if root else []
    subprocess.run([*pre, str(PG_BIN / "initdb"), "-D", str(d / "data"), "-A", "trust", "-U", "imapp"],
                   check=True, capture_output=True)
    subprocess.run([*pre, str(PG_BIN / "pg_ctl"), "-D", str(d / "data"), "-o",
                    f"-k {d} -c listen_addresses='' -c max_connections=200", "-l", str(d / "log"), "-w",
                    "start"], check=True, capture_output=True)
    return d, root


def _new_pg_db(d: Path, name: str) -> str:
    import psycopg
    with psycopg.connect(f"host={d} user=imapp dbname=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://imapp@/{name}?host={d}"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.service")
    p.add_argument("--serve", metavar="DB_URL")
    p.add_argument("--n", type=int, default=2000, help="requests per measurement")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--accounts", default="10000,1000000", help="accounts in the database, comma-separated")
    p.add_argument("--workers", default="1,2,4", help="PostgreSQL worker processes, comma-separated")
    args = p.parse_args()
    if args.serve:
        serve(args.serve, int(args.workers))
        return 0
    from appstore.service.storage import sqlite_url
    sizes = [int(x) for x in args.accounts.split(",")]
    workers = [int(x) for x in args.workers.split(",")]
    results: dict[str, Any] = {"n": args.n, "threads": args.threads, "cpus": os.cpu_count(), "runs": []}
    runs: list[dict[str, Any]] = results["runs"]
    round_no = 0
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = sqlite_url(f"{tmp}/bench-{size}.sqlite3")
            made = populate(url, size)
            round_no += 1
            runs.append({"db": "sqlite", "accounts": size, "populate_s": made,
                         **measure(url, 1, args.n, args.threads, round_no)})
            if size == max(sizes):
                results["sqlite_plans"] = plans(url)
    pg = _pg_cluster()
    if pg is None:
        results["postgresql"] = "skipped: PostgreSQL is not installed"
    else:
        d, root = pg
        try:
            for size in sizes:
                url = _new_pg_db(d, f"bench{size}")
                made = populate(url, size)
                for w in workers:
                    round_no += 1
                    runs.append({"db": "postgresql", "accounts": size, "populate_s": made,
                                 **measure(url, w, args.n, args.threads, round_no)})
                if size == max(sizes):
                    results["postgresql_plans"] = plans(url)
        finally:
            pre = ["runuser", "-u", "postgres", "--"] if root else []
            subprocess.run([*pre, str(PG_BIN / "pg_ctl"), "-D", str(d / "data"), "-m", "fast", "-w", "stop"],
                           capture_output=True)
            shutil.rmtree(d, ignore_errors=True)
    for r in runs:
        c = r["claims"]
        print(f"{r['db']:10} {r['workers']} worker(s), {r['accounts']:>9,} accounts: claims {c['per_s']}/s "
              f"(p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms); bare endpoint {r['bare']['per_s']}/s "
              f"(p95 {r['bare']['p95_ms']} ms); SELECT 1 {r['ping']['per_s']}/s; claims/bare "
              f"{r['claims_vs_bare']}; CPU per claim {r['service_cpu_ms']} ms service + "
              f"{r['postgres_cpu_ms']} ms PostgreSQL")
    for name in ("sqlite_plans", "postgresql_plans"):
        for q, plan in results.get(name, {}).items():
            print(f"{name.split('_')[0]} plan, {q}: {plan}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
