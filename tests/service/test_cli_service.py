"""The operator's commands: `service key` (the public key for the policy), `service audit` (the
conservation check), `service upgrade` (the schema), and what `service serve` refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from appstore.core.publish.keys import load_service_key
from appstore.core.wallet.receipts import public_key_hex
from appstore.service import migrations
from appstore.service.storage import sqlite_url
from tests.service.conftest import account, claim, start_service
from tests.service.test_migrations import load_previous_release

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "appstore", "service", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_service_key_prints_the_key_the_policy_names(tmp_path: Path) -> None:
    out = cli("key", "--keys", str(tmp_path / "keys"))
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip()
    assert len(key) == 64 and key == public_key_hex(load_service_key(tmp_path / "keys"))
    pem = tmp_path / "keys" / "service.pem"
    assert oct(os.stat(pem).st_mode & 0o777) == "0o600"
    assert pem.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    again = json.loads(cli("key", "--keys", str(tmp_path / "keys"), "--json").stdout)
    assert again == {"service_key": key, "file": str(pem)}


def test_service_audit_finds_the_books_balanced_or_names_what_is_wrong(tmp_path: Path) -> None:
    url = sqlite_url(str(tmp_path / "s.sqlite3"))
    run = start_service(url)
    try:
        c = run.client(account(0))
        c.claim([claim("download", f"org.test.app{i}") for i in range(4)])
        c.swap(c.quote(3 * 10**8))
    finally:
        run.server.stop()
        run.service.close()
    out = cli("audit", "--db", url)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "IA: balances" in out.stdout and "difference 0 (conserved" in out.stdout
    assert "the books balance" in out.stdout
    report = json.loads(cli("audit", "--db", url, "--json").stdout)
    assert report["ok"] and report["receipts"] == 6 and report["internal"]["@treasury"]["IA"] == 3 * 10**8
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE balances SET amount = amount + 1 WHERE account = :a AND asset = 'IA'"),
                      {"a": account(0).address})
    engine.dispose()
    out = cli("audit", "--state-dir", str(tmp_path), "--db", url)
    assert out.returncode == 1
    assert "difference 1 (NOT CONSERVED" in out.stdout
    assert f"MISMATCH {account(0).address} IA" in out.stdout and "do NOT balance" in out.stdout
    out = cli("audit", "--state-dir", str(tmp_path / "nothing"))
    assert out.returncode == 1 and "there is no IA service database at" in out.stderr


def test_service_upgrade_brings_an_old_database_to_this_release(tmp_path: Path) -> None:
    url = sqlite_url(str(tmp_path / "ia-service.sqlite3"))
    load_previous_release(url)
    out = cli("upgrade", "--state-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"schema at revision {migrations.head()} (was 0001)"
    assert cli("upgrade", "--db", url).stdout.strip() == f"schema at revision {migrations.head()}"


def test_service_serve_refuses_what_cannot_work(tmp_path: Path) -> None:
    out = cli("serve", "--store-dir", str(tmp_path), "--workers", "4")
    assert out.returncode == 1 and "--workers above 1 needs a PostgreSQL --db" in out.stderr
    out = cli("serve", "--store-dir", str(tmp_path), "--account-rate", "lots")
    assert out.returncode == 2 and "is not a rate: write REQUESTS/SECONDS" in out.stderr
    out = cli("serve", "--store-dir", str(tmp_path), "--workers", "0")
    assert out.returncode == 2 and "is not a number of worker processes" in out.stderr
