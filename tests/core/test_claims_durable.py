"""Claims are never lost (docs/ia-service.md, "Claims from the app"): a real store served over
HTTP, its real IA service behind a real proxy on 127.0.0.1 that answers 500 ``internal``, 503,
502 after the service committed, drops the connection after the service committed, holds the
answer past the app's timeout, answers something that is not the service's, answers 429 with
``Retry-After``; a store whose policy cannot be read; a kill -9 of the real CLI while its claim
round is held. In every case each activity ends credited exactly once, in the wallet's ledger
and in the service (balance = what the policy pays for them, no duplicate receipt, nothing left
pending), or refused by the service with the reason the user sees."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appstore.core.activity import Activity, ActivityEvent
from appstore.core.claiming import CURSOR, ClaimReport
from appstore.core.ia.client import MAX_RETRY_AFTER, ServiceClient, retry_after
from appstore.core.ia.errors import RateLimited, ServiceError, ServiceUnreachable
from appstore.core.ia.policy import policy_json, terms_json
from appstore.core.ia.protocol import parse_reward_reference
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys, load_keys, load_service_key
from appstore.core.publish.source import load_source
from appstore.core.services import Services
from appstore.core.wallet.ledger import PendingClaim
from appstore.core.wallet.receipts import public_key_hex
from appstore.service.app import create_app
from appstore.service.embedded import DEMO_BCD_RESERVE
from appstore.service.limits import Limits, Rate
from appstore.service.logic import IAService, ServiceConfig
from appstore.service.server import ServerThread
from appstore.service.storage import sqlite_url
from appstore.service.storedir import StoreApps, StoreFolder, read_policy
from tests.hostile_http import HostileServer
from tests.ia_proxy import IAProxy
from tests.storekit import make_source

ROOT = Path(__file__).resolve().parents[2]
STORE = "teststore"
APPS = ("org.test.alpha", "org.test.beta", "org.test.gamma")
PASSPHRASE = "a passphrase for the tests"
CLAIMS = "/v1/claims"


@dataclass
class World:
    tmp: Path
    data: Path
    proxy: IAProxy
    service: ServerThread
    store: HostileServer
    src: Path
    services: Services

    def reopen(self) -> Services:
        """The same data dir as a new process sees it (nothing cached in memory)."""
        self.services.close()
        self.services = Services.open(str(self.data), demo=False)
        return self.services

    def record(self, *acts: tuple[Activity, str]) -> list[ActivityEvent]:
        return [self.services.activity.record(kind, STORE, app) for kind, app in acts]

    def policy_path(self) -> str:
        """Where the store server serves the signed policy (consistent snapshot names)."""
        (found,) = (self.tmp / "out" / "targets" / "rewards").glob("*.policy.json")
        return "/targets/rewards/" + found.name


@pytest.fixture
def world(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from make_world(tmp_path, data_dir, monkeypatch, Limits())


def make_world(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
               limits: Limits, limits_clock: Callable[[], float] = time.monotonic) -> Iterator[World]:
    """The store published with a policy that names the proxy; its service (as ``service
    serve`` runs it, with ``limits`` on ``limits_clock``) behind the proxy; the app's data dir
    with the store."""
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", PASSPHRASE)
    proxy = IAProxy()
    keys_dir = tmp_path / "keys"
    keys = init_keys(keys_dir)
    src = make_source(tmp_path / "src", APPS, store_id=STORE)
    policy = json.loads(policy_json(STORE, public_key_hex(load_service_key(keys_dir))))
    policy.update(service_url=proxy.base, dividend=None)  # (no dividend at midnight mid-test)
    policy["caps"]["open"] = 2
    (src / "rewards").mkdir()
    (src / "rewards" / "policy.json").write_text(json.dumps(policy))
    (src / "swap").mkdir()
    (src / "swap" / "rates.json").write_bytes(terms_json(STORE))
    result = publish(load_source(src), tmp_path / "out", keys)
    out = tmp_path / "out"
    policy_read, terms = read_policy(StoreFolder(out))
    config = ServiceConfig(policy_read, load_service_key(keys_dir), sqlite_url(str(tmp_path / "ia.sqlite3")),
                           StoreApps(out), terms, bcd_reserve=DEMO_BCD_RESERVE, limits=limits)
    ia = IAService(config)
    service = ServerThread(create_app(config, service=ia, limits_clock=limits_clock)).start()
    proxy.upstream = service.url
    store = HostileServer(root=tmp_path / "out")
    services = Services.open(str(data_dir), demo=False)
    services.add_store([store.base + "/"], result.root_sha256)
    services.wallet.address(create=True)
    w = World(tmp_path, data_dir, proxy, service, store, src, services)
    try:
        yield w
    finally:
        w.services.close()
        proxy.close()
        store.close()
        service.stop()
        ia.close()


def pays(w: World, events: list[ActivityEvent]) -> int:
    policy = w.services.rewards.policy(STORE)
    assert policy is not None
    return sum(policy.rewards[e.kind.value] for e in events)


def assert_credited_once(w: World, credited: list[ActivityEvent]) -> None:
    """Each of ``credited`` has exactly one reward receipt, in the ledger and in the service;
    the balances are what the policy pays for them; nothing is pending; the ledger verifies."""
    w.proxy.clear()
    s = w.services
    ledger = s.wallet.ledger
    assert ledger.pending() == []
    rewards = ledger.history(kind="reward", service=STORE, limit=1000)
    claimed = [parse_reward_reference(r.reference) for r in rewards]
    assert sorted(c[3] for c in claimed if c is not None) == sorted(e.id for e in credited)
    expected = pays(w, credited)
    assert ledger.balance("IA", service=STORE) == expected
    client = s.rewards.client(STORE)
    assert client.status().balances["IA"] == expected
    theirs = [r for r in client.receipts(0) if r.kind == "reward"]
    assert sorted(r.hash for r in theirs) == sorted(r.hash for r in rewards)  # no second receipt
    assert ledger.verify().ok


def failed_round(w: World, events: list[ActivityEvent]) -> ClaimReport:
    """A round whose request failed: nothing credited or refused, every claim pending (with
    the policy's amount), said once, and the journal's cursor past them."""
    report = w.services.rewards.claim()
    assert (report.credits, report.refusals) == ([], [])
    assert report.pending == len(events) and len(report.problems) == 1, report
    assert f"store {STORE}" in report.problems[0]
    assert report.retry_after is not None
    pending = w.services.wallet.ledger.pending(STORE)
    assert sorted(p.id for p in pending) == sorted(e.id for e in events)
    assert sum(p.amount or 0 for p in pending) == pays(w, events)
    assert w.services.activity.cursor(CURSOR) == events[-1].seq
    return report


FAILURES = {
    "500 internal": dict(forward=False, status=500, error=("internal", "internal error; nothing was done")),
    "503 unavailable": dict(forward=False, status=503),
    "502 after the service committed": dict(forward=True, status=502),
    "dropped after the service committed": dict(forward=True, answer=False),
    "timed out after the service committed": dict(forward=True, answer=False, hold=4.0),
    "an answer that is not the service's": dict(forward=True, status=200, body=b'{"outcomes": []}'),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_round_keeps_every_claim_and_the_next_credits_each_once(world: World, failure: str) -> None:
    w = world
    w.services.rewards.timeout = 1.0  # (the hold is longer)
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.DOWNLOAD, APPS[1]), (Activity.OPEN, APPS[0]),
                      (Activity.FORWARD, APPS[1]))
    w.proxy.set(CLAIMS, **FAILURES[failure])  # type: ignore[arg-type]
    report = failed_round(w, events)
    committed = FAILURES[failure].get("forward", True)
    assert w.proxy.forwarded(CLAIMS) == int(bool(committed))
    if "timed out" in failure:
        assert "cannot be reached (ReadTimeout)" in report.problems[0]
    w.proxy.clear()
    again = w.services.rewards.claim()
    assert sorted(c.receipt.reference.split("#")[1] for c in again.credits) == sorted(e.id for e in events)
    assert again.refusals == [] and again.pending == 0 and again.problems == []
    assert_credited_once(w, events)
    assert w.services.rewards.claim().credits == []  # nothing left to send
    assert w.proxy.forwarded(CLAIMS) == 1 + int(bool(committed))


def test_refusals_remove_the_claim_with_the_reason_the_user_sees(world: World) -> None:
    w = world
    events = w.record((Activity.OPEN, APPS[0]), (Activity.OPEN, APPS[1]), (Activity.OPEN, APPS[2]),
                      (Activity.OPEN, APPS[0]))
    w.proxy.set(CLAIMS, forward=False, status=500, error=("internal", "internal error"))
    failed_round(w, events)
    w.proxy.clear()
    report = w.services.rewards.claim()
    assert [c.app_id for c in report.credits] == [APPS[0], APPS[1]]
    assert [(r.app_id, r.code, r.message) for r in report.refusals] == [
        (APPS[2], "cap-kind", "daily cap for opening reached (2 a day)"),
        (APPS[0], "duplicate", f"opening {APPS[0]} was already credited today")]
    assert report.pending == 0
    assert_credited_once(w, events[:2])
    sent = w.proxy.forwarded(CLAIMS)
    assert w.services.rewards.claim() == ClaimReport([], [], 0, [])  # refused ones are not sent again
    assert w.proxy.forwarded(CLAIMS) == sent


def test_429_keeps_the_claims_and_the_next_round_waits_retry_after(world: World) -> None:
    w = world
    now = [1000.0]
    w.services.rewards.backoff.clock = lambda: now[0]
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.OPEN, APPS[1]))
    w.proxy.set(CLAIMS, forward=False, status=429, headers={"Retry-After": "30"},
                error=("rate-limited", "too many requests"))
    report = failed_round(w, events)
    assert report.retry_after == 30 and "HTTP 429" in report.problems[0]
    w.proxy.clear()
    now[0] += 29  # not yet: nothing is sent, the claims stay
    early = w.services.rewards.claim()
    assert early.credits == [] and early.pending == 2 and early.retry_after == pytest.approx(1)
    assert "asked to wait" in early.problems[0]
    assert len(w.proxy.requests(CLAIMS)) == 1
    now[0] += 2
    late = w.services.rewards.claim()
    assert len(late.credits) == 2 and late.retry_after is None
    assert_credited_once(w, events)


def test_the_services_own_429_keeps_the_claims_until_its_retry_after(
        tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's rate limit (one signed request per 2 s for an account): a round over it
    gets 429 and keeps its claims; no request goes before Retry-After; then they are credited."""
    now = [1000.0]  # the app's and the service's clocks: the bucket refills when the test says
    made = make_world(tmp_path, data_dir, monkeypatch, Limits(account=Rate(1, 2), address=None),
                      limits_clock=lambda: now[0])
    w = next(made)
    try:
        w.services.rewards.backoff.clock = lambda: now[0]
        first = w.record((Activity.DOWNLOAD, APPS[0]),)
        assert len(w.services.rewards.claim().credits) == 1  # the account's one request
        events = w.record((Activity.OPEN, APPS[1]), (Activity.FORWARD, APPS[2]))
        report = failed_round(w, events)
        assert "HTTP 429" in report.problems[0] and report.retry_after is not None
        wait = report.retry_after
        assert wait == 2  # one request per 2 s, and no time went by
        assert w.services.rewards.claim().credits == []  # (before Retry-After: not asked)
        assert [h.status for h in w.proxy.requests(CLAIMS)] == [200, 429]
        now[0] += wait
        assert len(w.services.rewards.claim().credits) == 2
        assert_credited_once(w, first + events)
    finally:
        made.close()  # (its clean-up)


def test_the_client_reads_429_and_retry_after(world: World) -> None:
    w = world
    client = w.services.rewards.client(STORE)
    w.proxy.set("/v1/accounts", forward=False, status=429, headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as limited:
        client.status()
    assert (limited.value.code, limited.value.status, limited.value.retry_after) == ("rate-limited", 429, 12)
    w.proxy.set("/v1/accounts", forward=False, status=429)  # no Retry-After: a minute
    with pytest.raises(RateLimited, match="asks to wait 60 s"):
        client.status()
    w.proxy.set("/v1/accounts", forward=False, status=503, headers={"Retry-After": "7"})
    with pytest.raises(ServiceUnreachable) as unavailable:
        client.status()
    assert unavailable.value.retry_after == 7
    w.proxy.set("/v1/accounts", forward=False, status=500, error=("internal", "a bug"))
    with pytest.raises(ServiceError) as internal:
        client.status()
    assert (internal.value.code, internal.value.status, internal.value.retry_after) == ("internal", 500, None)
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30
    assert retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0  # a time past: go now
    assert retry_after("99999999999", now) == MAX_RETRY_AFTER
    assert retry_after("soon", now) is None and retry_after("-5", now) is None
    assert retry_after(None, now) is None


def test_a_policy_that_cannot_be_read_keeps_the_claims(world: World) -> None:
    w = world
    w.reopen()  # the policy is not in memory, nor on disk: the store must send it
    w.store.set(w.policy_path(), status=500, status_times=None)
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.OPEN, APPS[1]))
    first = w.services.rewards.claim()
    assert first.credits == [] and first.pending == 2 and len(first.problems) == 1, first
    assert "reward policy cannot be read now" in first.problems[0] and "error 500" in first.problems[0]
    assert [p.amount for p in w.services.wallet.ledger.pending()] == [None, None]  # not known yet
    assert w.services.activity.cursor(CURSOR) == events[-1].seq
    events += w.record((Activity.FORWARD, APPS[2]),)
    second = w.services.rewards.claim()  # still unreadable: nothing is dropped
    assert second.pending == 3 and len(second.problems) == 1
    assert w.proxy.requests(CLAIMS) == []
    w.store.reset()
    assert len(w.services.rewards.claim().credits) == 3
    assert_credited_once(w, events)


def test_a_store_that_signs_no_policy_any_more_keeps_the_claims_pending(world: World) -> None:
    w = world
    w.proxy.set(CLAIMS, forward=False, answer=False)
    events = w.record((Activity.DOWNLOAD, APPS[0]),)
    failed_round(w, events)
    policy_file = w.src / "rewards" / "policy.json"
    kept = policy_file.read_bytes()
    policy_file.unlink()
    keys = load_keys(w.tmp / "keys")
    publish(load_source(w.src), w.tmp / "out", keys)
    s = w.reopen()
    s.stores.refresh([STORE])
    later = w.record((Activity.OPEN, APPS[0]),)  # in a store that pays nothing now: no claim
    report = s.rewards.claim()
    assert report.pending == 1 and "signs no reward policy now" in report.problems[0]
    assert report.retry_after is None
    assert [p.id for p in s.wallet.ledger.pending()] == [events[0].id]
    policy_file.write_bytes(kept)
    publish(load_source(w.src), w.tmp / "out", keys)
    s = w.reopen()
    s.stores.refresh([STORE])
    assert [c.kind for c in s.rewards.claim().credits] == ["download"]
    assert_credited_once(w, events)
    assert later[0].id not in {p.id for p in s.wallet.ledger.pending()}


def test_receipts_fetched_as_missing_settle_their_claims(world: World) -> None:
    """A claim the service credited but whose answer was lost is settled by its receipt when it
    comes another way: here the receipts a swap finds missing before its own."""
    w = world
    events = w.record((Activity.DOWNLOAD, APPS[0]),)
    w.proxy.set(CLAIMS, forward=True, answer=False)
    failed_round(w, events)
    w.proxy.clear()
    rewards = w.services.rewards
    receipts = rewards.swap(STORE, rewards.quote(STORE, 10**8))  # 1 IA of the 5 the service holds
    assert [r.seq for r in receipts] == [2, 3]
    assert w.services.wallet.ledger.pending() == []
    assert w.proxy.forwarded(CLAIMS) == 1  # it was never sent again
    assert w.services.wallet.ledger.balance("IA", service=STORE) == pays(w, events) - 10**8


def test_receipts_a_games_sync_brings_settle_their_claims(world: World) -> None:
    """The games' overview fetches the receipts the wallet lacks too: a reward receipt among
    them settles its pending claim there and then, not a round later (as "duplicate")."""
    w = world
    events = w.record((Activity.DOWNLOAD, APPS[0]),)
    w.proxy.set(CLAIMS, forward=True, answer=False)
    failed_round(w, events)
    w.proxy.clear()
    assert [p.id for p in w.services.wallet.ledger.pending()] == [events[0].id]
    w.services.games._sync(STORE)
    assert w.services.wallet.ledger.pending() == []
    assert w.services.wallet.ledger.balance("IA", service=STORE) == pays(w, events)
    assert w.services.rewards.claim().pending == 0
    assert w.proxy.forwarded(CLAIMS) == 1  # it was never sent again


def test_a_crash_between_the_pending_write_and_the_cursor_pays_each_once(world: World) -> None:
    """The state a kill -9 between the two files leaves: the claims pending, the cursor behind."""
    w = world
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.OPEN, APPS[1]))
    for e in events:
        w.services.wallet.ledger.add_pending(PendingClaim(STORE, e.kind.value, e.app_id, "IA", None, id=e.id,
                                                          created=e.at.replace("+00:00", "Z")))
    assert w.services.activity.cursor(CURSOR) == 0
    report = w.services.rewards.claim()
    assert len(report.credits) == 2 and report.pending == 0
    assert w.services.activity.cursor(CURSOR) == events[-1].seq
    assert_credited_once(w, events)


@pytest.mark.parametrize("committed", [True, False], ids=["service-committed", "never-reached"])
def test_kill_9_of_the_cli_in_the_middle_of_a_claim_round(world: World, committed: bool) -> None:
    w = world
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.DOWNLOAD, APPS[1]), (Activity.OPEN, APPS[2]))
    w.services.close()  # (the CLI is the one at work now)
    w.proxy.set(CLAIMS, forward=committed, answer=False, hold=120)
    env = {**os.environ, "IMAPP_DATA_DIR": "", "IMAPP_WALLET_PASSPHRASE": PASSPHRASE}
    child = subprocess.Popen([sys.executable, "-m", "appstore", "--data-dir", str(w.data), "wallet", "sync"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert w.proxy.arrived.wait(120), "the CLI's claims never reached the proxy"
    finally:
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    w.proxy.clear()
    s = w.reopen()
    assert sorted(p.id for p in s.wallet.ledger.pending()) == sorted(e.id for e in events)
    assert s.activity.cursor(CURSOR) == events[-1].seq
    report = s.rewards.claim()
    assert len(report.credits) == 3 and report.pending == 0
    assert_credited_once(w, events)
    assert w.proxy.forwarded(CLAIMS) == 1 + committed


def test_a_client_timeout_is_unreachable_and_names_it(world: World) -> None:
    w = world
    client = ServiceClient(w.proxy.base, w.services.rewards.client(STORE).policy,
                           w.services.wallet.account(), timeout=0.5)
    w.proxy.set("/v1/accounts", forward=True, hold=3.0)
    with pytest.raises(ServiceUnreachable, match="ReadTimeout"):
        client.status()


def test_a_batch_the_service_calls_malformed_is_sent_claim_by_claim(world: World) -> None:
    """A 400 cannot be cured by sending the same request again: the batch goes again one claim
    at a time, and a claim the service still calls malformed is refused with its words (it is
    not kept pending for ever); the others are credited."""
    w = world
    events = w.record((Activity.DOWNLOAD, APPS[0]), (Activity.DOWNLOAD, APPS[1]))
    w.proxy.set(CLAIMS, forward=False, status=400, error=("malformed", "claims[1].app: not an app id"),
                times=2)  # the batch, then the first claim alone
    report = w.services.rewards.claim()
    assert [(r.app_id, r.code, r.message) for r in report.refusals] == [
        (APPS[0], "malformed", f"store {STORE}'s IA service: claims[1].app: not an app id")]
    assert [c.app_id for c in report.credits] == [APPS[1]] and report.pending == 0
    assert_credited_once(w, events[1:])
