"""The IA service under load: claims per second it accepts (each one credited: a signed request,
one transaction, a signed receipt) on SQLite and on PostgreSQL, against a bare ``SELECT 1``
round trip (``GET /v1/ping``) through the same HTTP stack (uvicorn, Starlette, SQLAlchemy), in the
same run; and the p50/p95 latency of one claim.

``python -m bench.service [--n 2000] [--threads 8]``: the service runs in its own process (so the
load generator does not share its GIL), on 127.0.0.1; PostgreSQL is a throwaway cluster on a Unix
socket (skipped, and said so, when PostgreSQL is not installed). Prints a summary, then the results
as JSON on its last line.
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


def _policy() -> tuple[Any, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from appstore.core.ia.policy import parse_policy, policy_json
    from appstore.core.wallet.receipts import public_key_hex
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    body = json.loads(policy_json(STORE, public_key_hex(key), dividend=None))
    body["caps"] = dict.fromkeys(body["caps"], 1_000_000)
    body["daily_cap"] = "10000000"
    return key, parse_policy(json.dumps(body).encode())


def serve(db_url: str) -> None:
    """The service process: print the URL, serve until stdin closes."""
    from appstore.service.app import create_app
    from appstore.service.logic import IAService, ServiceConfig
    from appstore.service.server import ServerThread
    key, policy = _policy()
    apps = {f"org.bench.app{i}": frozenset({"1.0.0"}) for i in range(APPS)}
    config = ServiceConfig(policy, key, db_url, lambda: apps)
    server = ServerThread(create_app(config, service=IAService(config))).start()
    print(server.url, flush=True)
    sys.stdin.read()
    server.stop()


Maker = Callable[[int, requests.Session], Callable[[], None]]


def _load(threads: int, n: int, make: Maker) -> dict[str, float]:
    """``n`` requests spread over ``threads`` threads (each with its own keep-alive session)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        session = requests.Session()
        call = make(t, session)
        mine = []
        for _ in range(n // threads):
            t0 = time.perf_counter()
            call()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2)}


def measure(db_url: str, n: int, threads: int) -> dict[str, Any]:
    from appstore.core.ia.protocol import Claim, format_time, make_request
    from appstore.core.wallet.keys import Account
    key_hex = _policy()[1].service_key
    proc = subprocess.Popen([sys.executable, "-m", "bench.service", "--serve", db_url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert proc.stdout is not None and proc.stdin is not None
    url = proc.stdout.readline().strip()
    try:
        def ping(t: int, s: requests.Session) -> Callable[[], None]:
            def call() -> None:
                r = s.get(url + "/v1/ping", timeout=30)
                assert r.status_code == 200
            return call

        counter = iter(range(10**9))

        def claim(t: int, s: requests.Session) -> Callable[[], None]:
            account = Account.from_private_key((t + 1000).to_bytes(32, "big"))

            def call() -> None:
                c = Claim(uuid.uuid4().hex, "open", f"org.bench.app{next(counter) % APPS}",
                          format_time(datetime.now(UTC)))
                body = make_request(account, STORE, "claim", {"claims": [c.to_json()]}, service_key=key_hex)
                r = s.post(url + "/v1/claims", data=json.dumps(body), timeout=30)
                assert r.status_code == 200 and r.json()["outcomes"][0]["receipt"], r.text
            return call

        _load(threads, threads * 20, ping)  # warm up
        base = _load(threads, n, ping)
        claims = _load(threads, n, claim)
    finally:
        proc.stdin.close()
        proc.wait(30)
    return {"ping": base, "claims": claims, "claims_vs_ping": round(claims["per_s"] / base["per_s"], 3)}


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
                    "start"],
                   check=True, capture_output=True)
    return d, root


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.service")
    p.add_argument("--serve", metavar="DB_URL")
    p.add_argument("--n", type=int, default=2000, help="requests per measurement")
    p.add_argument("--threads", type=int, default=8)
    args = p.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    from appstore.service.storage import sqlite_url
    results: dict[str, Any] = {"n": args.n, "threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(sqlite_url(f"{tmp}/bench.sqlite3"), args.n, args.threads)
    pg = _pg_cluster()
    if pg is None:
        results["postgresql"] = "skipped: PostgreSQL is not installed"
    else:
        d, root = pg
        try:
            pg_url = f"postgresql+psycopg://imapp@/postgres?host={d}"
            results["postgresql"] = measure(pg_url, args.n, args.threads)
        finally:
            pre = ["runuser", "-u", "postgres", "--"] if root else []
            subprocess.run([*pre, str(PG_BIN / "pg_ctl"), "-D", str(d / "data"), "-m", "fast", "-w", "stop"],
                           capture_output=True)
            shutil.rmtree(d, ignore_errors=True)
    for name in ("sqlite", "postgresql"):
        r = results[name]
        if isinstance(r, str):
            print(f"{name}: {r}")
            continue
        print(f"{name}: claims {r['claims']['per_s']}/s (p50 {r['claims']['p50_ms']} ms, p95 "
              f"{r['claims']['p95_ms']} ms); ping (SELECT 1) {r['ping']['per_s']}/s "
              f"(p95 {r['ping']['p95_ms']} ms); claims/ping {r['claims_vs_ping']}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
