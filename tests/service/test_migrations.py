"""Schema migrations (Alembic): a new database is made by them and matches the tables the code
uses; a database made by the previous release (tests/service/fixtures: its schema and rows, on
SQLite and on PostgreSQL) is upgraded in place and served as before; a database a newer release
upgraded is refused; processes starting together migrate once."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from appstore.core.errors import ConfigError
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.protocol import Claim, format_time, make_request, parse_reward_reference
from appstore.core.wallet.ledger import Ledger
from appstore.service import migrations
from appstore.service.schema import meta
from appstore.service.storage import Storage, sqlite_url
from tests.service.conftest import STORE, Clock, PgCluster, account, claim, start_service

FIXTURES = Path(__file__).parent / "fixtures"
# the key the previous release's database was made with (fixtures/README.md)
OLD_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"imapp test service key: release 0.1 fixture").digest())
IA = 10**8


def load_previous_release(db_url: str) -> None:
    """The previous release's database (schema and rows) at ``db_url``."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        import sqlite3
        conn = sqlite3.connect(str(url.database))
        conn.executescript((FIXTURES / "release-0.1.0-sqlite.sql").read_text())
        conn.close()
        return
    import psycopg
    host = url.query["host"]
    with psycopg.connect(f"host={host} user={url.username} dbname={url.database}", autocommit=True) as conn:
        conn.execute((FIXTURES / "release-0.1.0-postgresql.sql").read_text())  # type: ignore[arg-type]


def schema_differences(db_url: str) -> list[object]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), meta))
    finally:
        engine.dispose()


def test_a_new_database_is_made_by_the_migrations(db_url: str) -> None:
    storage = Storage(db_url, STORE, OLD_KEY)
    try:
        with storage.engine.connect() as conn:
            assert migrations.current(conn) == migrations.head()
    finally:
        storage.close()
    assert schema_differences(db_url) == []  # the tables the code uses are the migrations' own


def test_the_previous_release_s_database_is_upgraded_and_served(db_url: str, tmp_path: Path) -> None:
    load_previous_release(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert migrations.current(conn) is None  # made before migrations existed
        old_receipts = conn.execute(text("SELECT COUNT(*) FROM receipts")).scalar()
    engine.dispose()
    clock = Clock(datetime(2026, 3, 10, 12, 5, tzinfo=UTC))
    run = start_service(db_url, clock=clock, key=OLD_KEY)
    try:
        assert schema_differences(db_url) == []
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
        chains = {}
        for n in range(4):
            c = run.client(account(n))
            receipts = c.receipts()
            ledger = Ledger(tmp_path / f"l{n}.sqlite3", account=account(n).address,
                            service_keys={STORE: run.policy.service_key})
            assert ledger.append_many(receipts) == len(receipts) > 10  # every old receipt, chained
            assert ledger.balances() == c.status().balances
            chains[n] = receipts
        assert sum(len(r) for r in chains.values()) == old_receipts
        assert {r.kind for rs in chains.values() for r in rs} >= {
            "reward", "swap", "withdrawal", "payment", "stake", "dividend"}
        c0 = run.client(account(0))
        first = chains[0][0]
        ref = parse_reward_reference(first.reference)
        assert ref is not None
        kind, app, version, claim_id = ref
        again = c0.claim([Claim(claim_id, kind, app, format_time(clock()), version)])[0]
        assert again.receipt == first  # a claim credited before the upgrade: the same receipt
        assert c0.claim([claim("download", app, when=clock())])[0].code == "duplicate"  # once ever
        new = c0.claim([claim("download", "org.test.app50", when=clock())])[0].receipt
        assert new is not None and new.seq == chains[0][-1].seq + 1 and new.prev_hash == chains[0][-1].hash
        replay = make_request(account(0), STORE, "claim", {"claims": [claim("open", "org.test.app9",
                                                                               when=clock()).to_json()]},
                              service_key=run.policy.service_key, now=clock(), nonce="0" * 31 + "b")
        import requests
        r = requests.post(run.url + "/v1/claims", json=replay, timeout=10)
        assert r.status_code == 409 and r.json()["error"]["code"] == "replayed"  # its nonces are kept
        clock.now = datetime(2026, 3, 11, 0, 10, tzinfo=UTC)
        c0.status()  # the dividend of 2026-03-11T00:00Z was paid by the old release: not again
        assert [x.kind for x in c0.receipts()].count("dividend") == 1
        with pytest.raises(ServiceError) as e:
            c0.withdraw(account(9).address, 10**12)
        assert e.value.code == "insufficient"
        assert run.service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        run.server.stop()
        run.service.close()


def test_a_database_a_newer_release_upgraded_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(str(tmp_path / "s.sqlite3"))
    Storage(url, STORE, OLD_KEY).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(ConfigError, match="revision '9999', which this release does not know"):
        Storage(url, STORE, OLD_KEY)


def test_processes_starting_together_migrate_once(pg_cluster: PgCluster) -> None:
    url = pg_cluster.new_database()
    load_previous_release(url)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Storage(url, STORE, OLD_KEY).close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert schema_differences(url) == []


def test_the_migrations_ship_inside_the_package() -> None:
    """An installed wheel migrates: what Alembic loads (env.py, versions/*.py) is in packages that
    setuptools finds (pyproject.toml: ``include = ["appstore*"]``), not beside them."""
    from setuptools import find_packages
    packages = set(find_packages(str(Path(migrations.HERE).parents[2]), include=["appstore*"]))
    assert {"appstore.service.migrations", "appstore.service.migrations.versions"} <= packages
    versions = sorted(p.name for p in (migrations.HERE / "versions").glob("*.py") if p.name != "__init__.py")
    assert [migrations.script().get_revision(v.split("_")[0]).revision for v in versions] == \
        [v.split("_")[0] for v in versions]
    assert versions[-1].startswith(migrations.head())
