"""Fixtures of the IA service's tests: a throwaway PostgreSQL cluster (as NOTES.md describes),
the backend parameter (``sqlite``, ``postgresql``) that every service test runs on, a settable
clock, and a real service over HTTP on 127.0.0.1 (uvicorn in a thread)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.ia.client import ServiceClient
from appstore.core.ia.policy import (
    RewardPolicy,
    SwapTerms,
    parse_policy,
    parse_terms,
    policy_json,
    terms_json,
)
from appstore.core.ia.protocol import Claim, format_time
from appstore.core.wallet.keys import Account
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.app import create_app
from appstore.service.limits import Limits
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.server import ServerThread
from appstore.service.storage import sqlite_url

PG_BIN = Path(os.environ.get("IMAPP_PG_BIN", "/usr/lib/postgresql/15/bin"))
STORE = "teststore"
APPS = {f"org.test.app{i}": frozenset({"1.0.0", "1.1.0"}) for i in range(200)}
_db_counter = itertools.count()


@dataclass
class PgCluster:
    dir: Path
    as_postgres: bool

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://imapp@/{db}?host={self.dir}"

    def new_database(self) -> str:
        import psycopg
        name = f"t{os.getpid()}_{next(_db_counter)}"
        with psycopg.connect(f"host={self.dir} user=imapp dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _pg_cmd(as_postgres: bool, *args: str) -> list[str]:
    return (["runuser", "-u", "postgres", "--"] if as_postgres else []) + [*args]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not installed ({PG_BIN}/initdb missing) and CI is set: the IA "
                        "service's tests must run on PostgreSQL too (scripts/setup.sh installs it as root)")
        pytest.skip(f"PostgreSQL is not installed ({PG_BIN}/initdb missing): the PostgreSQL half of the "
                    "IA service's tests is skipped (run scripts/setup.sh as root to install it)")
    root = os.geteuid() == 0
    d = Path(tempfile.mkdtemp(prefix="imapp-pg-"))
    os.chmod(d, 0o755)
    if root:
        shutil.chown(d, "postgres")
    data = d / "data"
    subprocess.run(_pg_cmd(root, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "imapp",
                           "--no-sync"), check=True, capture_output=True)
    opts = f"-k {d} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=200"
    subprocess.run(_pg_cmd(root, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(d / "log"),
                           "-w", "start"), check=True, capture_output=True)
    try:
        yield PgCluster(d, root)
    finally:
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
        subprocess.run(_pg_cmd(root, *stop), capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(str(tmp_path / "service.sqlite3"))
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


class Clock:
    """The service's clock, settable by a test (it may go back)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Running:
    url: str
    service: IAService
    policy: RewardPolicy
    terms: SwapTerms
    clock: Clock
    key: Ed25519PrivateKey
    server: ServerThread
    accounts: list[Account] = field(default_factory=list)

    def client(self, account: Account, policy: RewardPolicy | None = None) -> ServiceClient:
        return ServiceClient(self.url, policy or self.policy, account, clock=self.clock)


def make_policy(key: Ed25519PrivateKey, **over: object) -> RewardPolicy:
    body = json.loads(policy_json(STORE, public_key_hex(key)))
    body.update(over)
    return parse_policy(json.dumps(body).encode())


def make_terms(**over: object) -> SwapTerms:
    body = json.loads(terms_json(STORE))
    body.update(over)
    return parse_terms(json.dumps(body).encode(), ia_decimals=8)


def start_service(db_url: str, *, clock: Clock | None = None, key: Ed25519PrivateKey | None = None,
                  policy: RewardPolicy | None = None, terms: SwapTerms | None = None,
                  apps: Mapping[str, frozenset[str]] = APPS, bcd_reserve: int = 10**15,
                  dividend: bool = True, payees: Mapping[str, str] | None = None,
                  limits: Limits | None = None) -> Running:
    key = key or Ed25519PrivateKey.generate()
    clock = clock or Clock()
    policy = policy or make_policy(key, **({} if dividend else {"dividend": None}))
    terms = terms or make_terms()
    config = ServiceConfig(policy, key, db_url, lambda: apps, terms, clock, bcd_reserve,
                           payees=None if payees is None else (lambda: payees), limits=limits or Limits())
    service = IAService(config)
    server = ServerThread(create_app(config, service=service)).start()
    return Running(server.url, service, policy, terms, clock, key, server)


@pytest.fixture
def running(db_url: str) -> Iterator[Running]:
    r = start_service(db_url)
    try:
        yield r
    finally:
        r.server.stop()
        r.service.close()


def account(n: int) -> Account:
    return Account.from_private_key((n + 1).to_bytes(32, "big"))


def claim(kind: str, app: str = "org.test.app0", *, when: datetime | None = None, **kw: object) -> Claim:
    return Claim(uuid.uuid4().hex, kind, app, format_time(when or datetime.now(UTC)), **kw)  # type: ignore[arg-type]
