"""The service as a real process (``python -m appstore service serve``), serving a store published
with the project's publisher: SIGKILL in the middle of swaps leaves both sides consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appstore.core.errors import ConfigError
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError, ServiceUnreachable
from appstore.core.ia.policy import policy_json, terms_json
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys, load_service_key
from appstore.core.publish.source import load_source
from appstore.core.wallet.ledger import Ledger
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.embedded import EmbeddedService
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.storedir import StoreApps, StoreFolder, read_policy
from tests.service.conftest import account, claim
from tests.storekit import make_source

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Store:
    out: Path
    keys: Path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    keys_dir = tmp_path / "keys"
    keys = init_keys(keys_dir)
    assert (keys_dir / "service.pem").exists()  # made with the store's keys
    src = make_source(tmp_path / "src")
    service_key = public_key_hex(load_service_key(keys_dir))
    (src / "rewards").mkdir()
    (src / "rewards" / "policy.json").write_bytes(policy_json("teststore", service_key))
    (src / "swap").mkdir()
    terms = json.loads(terms_json("teststore"))
    (src / "swap" / "rates.json").write_text(json.dumps({**terms, "min_ia": "0.01"}))
    publish(load_source(src), tmp_path / "out", keys)
    return Store(tmp_path / "out", keys_dir)


class Served:
    def __init__(self, store: Store, db_url: str, state: Path, *options: str) -> None:
        cmd = [sys.executable, "-m", "appstore", "service", "serve", "--store-dir", str(store.out),
               "--keys", str(store.keys), "--state-dir", str(state), "--db", db_url, "--port", "0",
               "--bcd-reserve", "1000", *options]
        self.log = state.with_name(state.name + ".log")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
        assert self.proc.stdout is not None
        self.first_line = line = self.proc.stdout.readline()
        if " on http://" not in line:
            self.proc.kill()
            raise AssertionError(f"the service did not start: {line}{self.log.read_text()}")
        self.url = line.split(" on ")[1].split(" ")[0]

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def served(store: Store, db_url: str, tmp_path: Path) -> Iterator[tuple[Store, str, list[Served]]]:
    procs: list[Served] = []
    yield store, db_url, procs
    for p in procs:
        p.stop()


def test_kill_9_mid_swap_leaves_both_sides_consistent(served: tuple[Store, str, list[Served]],
                                                      tmp_path: Path) -> None:
    store, db_url, procs = served
    policy, _ = read_policy(StoreFolder(store.out))
    procs.append(Served(store, db_url, tmp_path / "state"))
    accounts = [account(i) for i in range(3)]
    for a in accounts:
        outs = ServiceClient(procs[0].url, policy, a).claim(
            [claim(k, app) for k in ("open", "download") for app in ("org.test.alpha", "org.test.beta")])
        assert all(o.credited for o in outs)  # 14 IA each
    stop = threading.Event()
    swaps: list[int] = []

    def swapper(n: int) -> None:
        c = ServiceClient(procs[0].url, policy, accounts[n], timeout=5)
        while not stop.is_set():
            try:
                c.swap(c.quote(5 * 10**6))
                swaps.append(n)
            except ServiceUnreachable:
                return
            except ServiceError as e:
                if e.code != "insufficient":
                    raise
                return

    threads = [threading.Thread(target=swapper, args=(i % 3,)) for i in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(swaps) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    procs[0].kill9()  # while swaps are in flight
    stop.set()
    for t in threads:
        t.join(10)
    assert swaps, "no swap went through before the kill"
    procs.append(Served(store, db_url, tmp_path / "state"))  # the same database, after the crash
    for n, a in enumerate(accounts):
        c = ServiceClient(procs[1].url, policy, a)
        receipts = c.receipts()
        ledger = Ledger(tmp_path / f"ledger{n}.sqlite3", account=a.address,
                        service_keys={policy.store: policy.service_key})
        assert ledger.append_many(receipts) == len(receipts)  # an unbroken chain
        by_quote: dict[str, list[str]] = {}
        for r in receipts:
            if r.kind == "swap":
                by_quote.setdefault(r.reference, []).append(r.asset)
        assert all(sorted(v) == ["BCD", "IA"] for v in by_quote.values()), by_quote  # both or neither
        assert ledger.balances() == c.status().balances
    procs[1].stop()
    config = ServiceConfig(policy, load_service_key(store.keys), db_url, StoreApps(store.out))
    service = IAService(config)
    try:
        assert service.storage.audit() == {"IA": 0, "BCD": 0}
    finally:
        service.close()


def test_embedded_service_from_a_published_store(store: Store, tmp_path: Path) -> None:
    t0 = time.perf_counter()
    svc = EmbeddedService.from_store_dir(store.out, tmp_path / "ia", store.keys).start()
    started = time.perf_counter() - t0
    try:
        assert started < 2.0
        assert svc.url.startswith("http://127.0.0.1:")
        c = ServiceClient(svc.url, svc.policy, account(0))
        outs = c.claim([claim("open", "org.test.alpha"), claim("open", "org.test.nope")])
        assert outs[0].credited and outs[1].code == "unknown-app"
        q = c.quote(10**8)
        assert c.swap(q)[1].amount == q.bcd_out
    finally:
        t0 = time.perf_counter()
        svc.stop()
        assert time.perf_counter() - t0 < 1.5
    assert (tmp_path / "ia" / "ia-service.sqlite3").exists()


def test_a_service_refuses_a_key_the_policy_does_not_name(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other-keys"
    with pytest.raises(ConfigError, match="policy names IA service key"):
        EmbeddedService.from_store_dir(store.out, tmp_path / "ia", other).start()
    out = subprocess.run([sys.executable, "-m", "appstore", "service", "serve", "--store-dir", str(tmp_path),
                          "--state-dir", str(tmp_path / "s")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1 and "is not a published store" in out.stderr


def test_existing_key_folders_get_a_service_key(tmp_path: Path) -> None:
    init_keys(tmp_path / "k")
    (tmp_path / "k" / "service.pem").unlink()  # a folder made before the service existed
    key = load_service_key(tmp_path / "k")
    assert public_key_hex(load_service_key(tmp_path / "k")) == public_key_hex(key)
    assert oct(os.stat(tmp_path / "k" / "service.pem").st_mode & 0o777) == "0o600"
    (tmp_path / "k" / "service.pem").write_text("junk")
    with pytest.raises(ConfigError, match="not an Ed25519 private key"):
        load_service_key(tmp_path / "k")
    assert json.loads(policy_json("s", public_key_hex(key)))["service_url"] == "embedded:"
