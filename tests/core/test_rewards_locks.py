"""No lock of the whole process is held across a network call (core/rewards.py, "Locks"): two
real stores, each with its real IA service behind a real proxy on 127.0.0.1 (tests/ia_proxy.py)
that holds a request until the test releases it. While store A's claim round waits for its
service, a payment and a re-sync in store B are answered; the held claims are then credited
once. The cached policy is set under a lock: one fetched before a ``forget`` is not kept.
No timed assertions: events, and joins with generous timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appstore.core.activity import Activity
from appstore.core.ia.policy import policy_json, terms_json
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys, load_service_key
from appstore.core.publish.source import load_source
from appstore.core.services import Services
from appstore.core.wallet.keys import Account, parse_words
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.app import create_app
from appstore.service.embedded import DEMO_BCD_RESERVE
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.server import ServerThread
from appstore.service.storage import sqlite_url
from appstore.service.storedir import StoreApps, StoreFolder, read_policy
from tests.hostile_http import HostileServer
from tests.ia_proxy import IAProxy
from tests.storekit import make_source
from tests.threadkit import LONG, finished, run

PASSPHRASE = "a passphrase for the tests"
PAYEE = Account.from_words(parse_words("abandon " * 11 + "about")).address
HELD = 300.0  # a held request waits this long at most (the test releases it much sooner)


@dataclass
class Served:
    """One store: its files (through ``files``, a proxy in front of the store's server) and
    its IA service (through ``ia``, the proxy its policy names)."""

    store_id: str
    app: str
    root_sha256: str
    ia: IAProxy
    files: IAProxy
    server: HostileServer
    service: ServerThread
    logic: IAService

    def close(self) -> None:
        for proxy in (self.ia, self.files):
            proxy.close()
        self.server.close()
        self.service.stop()
        self.logic.close()


def serve(tmp: Path, store_id: str) -> Served:
    app = f"org.{store_id}.alpha"
    ia, files = IAProxy(), IAProxy()
    keys_dir = tmp / "keys"
    keys = init_keys(keys_dir)
    src = make_source(tmp / "src", (app,), store_id=store_id)
    policy = json.loads(policy_json(store_id, public_key_hex(load_service_key(keys_dir))))
    policy.update(service_url=ia.base, dividend=None)
    (src / "rewards").mkdir()
    (src / "rewards" / "policy.json").write_text(json.dumps(policy))
    (src / "swap").mkdir()
    (src / "swap" / "rates.json").write_bytes(terms_json(store_id))
    out = tmp / "out"
    result = publish(load_source(src), out, keys)
    read, terms = read_policy(StoreFolder(out))
    config = ServiceConfig(read, load_service_key(keys_dir), sqlite_url(str(tmp / "ia.sqlite3")),
                           StoreApps(out), terms, bcd_reserve=DEMO_BCD_RESERVE)
    logic = IAService(config)
    service = ServerThread(create_app(config, service=logic)).start()
    ia.upstream = service.url
    server = HostileServer(root=out)
    files.upstream = server.base
    return Served(store_id, app, result.root_sha256, ia, files, server, service, logic)


@dataclass
class Two:
    a: Served
    b: Served
    services: Services


@pytest.fixture
def two(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Two]:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", PASSPHRASE)
    a, b = serve(tmp_path / "a", "storea"), serve(tmp_path / "b", "storeb")
    services = Services.open(str(data_dir), demo=False)
    try:
        for s in (a, b):
            services.add_store([s.files.base + "/"], s.root_sha256)
        services.wallet.address(create=True)
        yield Two(a, b, services)
    finally:
        services.close()
        a.close()
        b.close()


def test_a_payment_in_one_store_is_answered_while_another_stores_claims_are_held(two: Two) -> None:
    s, a, b = two.services, two.a, two.b
    s.activity.record(Activity.DOWNLOAD, b.store_id, b.app)
    assert len(s.rewards.claim().credits) == 1  # IA to spend in store B
    held = s.activity.record(Activity.DOWNLOAD, a.store_id, a.app)
    a.ia.set("/v1/claims", forward=True, hold=HELD)
    claiming, claimed = run(s.rewards.claim)
    assert a.ia.arrived.wait(LONG)  # store A's service has the claims; its answer is held

    paying, paid = run(lambda: s.rewards.pay(b.store_id, PAYEE, 1, "thanks", b.app))
    receipt = finished(paying, paid)
    syncing, synced = run(lambda: s.rewards.sync(b.store_id))
    assert finished(syncing, synced) == 0  # the payment's receipt is in the ledger already
    assert claiming.is_alive() and a.ia.requests("/v1/claims")[-1].status == 0  # still held

    a.ia.release.set()
    report = finished(claiming, claimed)
    assert [c.app_id for c in report.credits] == [a.app] and report.pending == 0, report  # type: ignore[attr-defined]
    ledger = s.wallet.ledger
    assert ledger.history(kind="payment", service=b.store_id, limit=10) == [receipt]
    rewards = ledger.history(kind="reward", service=a.store_id, limit=10)
    assert len(rewards) == 1 and rewards[0].reference.endswith("#" + held.id)
    assert ledger.pending() == [] and ledger.verify().ok


def test_a_policy_read_before_a_forget_is_not_kept(two: Two) -> None:
    s, b = two.services, two.b
    b.files.set("/targets/rewards/", forward=True, hold=HELD)  # the policy's download is held
    reading, read = run(lambda: s.rewards.policy(b.store_id))
    assert b.files.arrived.wait(LONG)
    s.rewards.forget()  # the stores were refreshed meanwhile
    b.files.release.set()
    first = finished(reading, read)
    again = s.rewards.policy(b.store_id)
    assert again is not None and again == first
    assert again is not first  # read again after the forget, not the copy fetched before it
    assert s.rewards.policy(b.store_id) is again  # and that one is kept
