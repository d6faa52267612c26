"""Claim rounds: every recorded activity is credited exactly once, or refused by its store's
IA service for a reason the user sees (docs/ia-service.md, "Claims from the app").

A round (``Rewards.claim``) has two steps:

1. **Queue.** The activities recorded after the ``rewards`` cursor become pending claims in the
   wallet's ledger (with the amount the store's policy pays, when it can be read), and only
   then does the cursor move. The journal and the ledger are two SQLite files: a crash between
   the two leaves the claims pending and the cursor behind, and the next round queues them
   again under the same id (the activity's uuid), which the ledger keeps once. Activities in a
   store that signs no reward policy are not claims.
2. **Send.** Every pending claim goes to its store's service (at most 200 a request). A claim
   leaves the pending table only when its receipt is appended (in the same transaction), or
   when the service refused *that claim* (an outcome with a code, shown with its reason).
   Anything else (no answer, a timeout, a dropped connection, HTTP 5xx or 429, an answer the
   client refuses, a policy that cannot be read) keeps every claim pending, is said once in the
   report, and the claims go again in a later round: after at least the ``Retry-After`` a
   service asked for. The service credits a claim id once and answers a repeat with the same
   receipt, so a claim whose answer was lost is never paid twice.

Blocking network and disk work: call it off the GUI thread, one round at a time. A round holds
each store's lock (``Rewards.store_lock``) only while that store's claims are sent and answered:
a payment or a swap in another store goes on meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from appstore.core.activity import ActivityEvent
from appstore.core.errors import AppStoreError
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.policy import RewardPolicy
from appstore.core.ia.protocol import MAX_CLAIMS, Claim, ClaimOutcome, parse_reward_reference
from appstore.core.logs import log
from appstore.core.wallet.ledger import PendingClaim
from appstore.core.wallet.receipts import Receipt

if TYPE_CHECKING:
    from appstore.core.activity import ActivityLog
    from appstore.core.ia.client import ServiceClient
    from appstore.core.store.manager import Stores
    from appstore.core.wallet.wallet import Wallet

CURSOR = "rewards"  # the journal's cursor of the claims queued so far


class Rewards(Protocol):
    """What a claim round uses of ``rewards.Rewards`` (which imports this module: the round is
    its part in a file of its own)."""

    stores: Stores
    activity: ActivityLog
    wallet: Wallet
    backoff: Backoff

    def store_lock(self, store: str) -> threading.RLock: ...

    def policy(self, store: str) -> RewardPolicy | None: ...

    def client(self, store: str) -> ServiceClient: ...

    def _append(self, store: str, receipts: list[Receipt], settles: Iterable[str] = ()) -> None: ...


@dataclass(frozen=True)
class Credit:
    """IA credited for an activity: what to tell the user ("+2 IA — opened Parts Provenance")."""

    store: str
    kind: str
    app_id: str
    receipt: Receipt


@dataclass(frozen=True)
class Refusal:
    """A claim the service refused, with its reason to show; it is no longer pending."""

    store: str
    kind: str
    app_id: str
    code: str
    message: str


@dataclass
class ClaimReport:
    credits: list[Credit]
    refusals: list[Refusal]
    pending: int  # claims still pending after the round (they go again in a later one)
    problems: list[str]  # why a store's claims stay pending (each said once)
    # seconds before another round is worth running (what a service asked to wait, or 0);
    # None: no claim waits for something that may pass
    retry_after: float | None = None


class Backoff:
    """Stores whose service asked to wait (HTTP 429, or 503 with ``Retry-After``): no claim
    goes to them before then. Kept for the life of the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, store: str, seconds: float) -> None:
        with self._lock:
            self._until[store] = max(self._until.get(store, 0.0), self.clock() + seconds)

    def left(self, store: str) -> float:
        """Seconds before ``store``'s service may be asked again (0: now)."""
        with self._lock:
            until = self._until.get(store)
            if until is None:
                return 0.0
            left = until - self.clock()
            if left <= 0:
                del self._until[store]
                return 0.0
            return left


def claim_round(rewards: Rewards) -> ClaimReport:
    """Queue what was recorded since the last round, then send every pending claim."""
    report = ClaimReport([], [], 0, [])
    rewards.wallet.address(create=True)  # earning is a first use: the wallet is made now
    ledger = rewards.wallet.ledger
    _queue(rewards)
    waiting = ledger.pending()
    recorded = rewards.activity.by_id([p.id for p in waiting])
    # In the order they happened (the journal's), so a cap or a once-a-day rule refuses the later
    # ones; a claim whose event the journal lost goes first, by its time.
    waiting.sort(key=lambda p: (p.id in recorded, recorded[p.id].seq if p.id in recorded else 0))
    by_store: dict[str, list[tuple[Claim, PendingClaim]]] = {}
    for pending in waiting:
        event = recorded.get(pending.id)  # the version and seconds are in the journal
        claim = _event_claim(event) if event is not None else _pending_claim(pending)
        if claim is None:  # the protocol cannot say it: it would wait for ever, so it is refused here
            ledger.remove_pending(pending.id)
            report.refusals.append(Refusal(pending.store, pending.kind, pending.app_id, "not-claimable",
                                           "this activity cannot be put in a claim (a damaged record)"))
            continue
        by_store.setdefault(pending.store, []).append((claim, pending))
    for store, claims in by_store.items():
        _send(rewards, store, claims, report)
    report.pending = len(ledger.pending())
    return report


def settled_claims(receipts: Iterable[Receipt]) -> list[str]:
    """The claim ids that reward receipts answer (their reference ends ``#CLAIM_ID``): a
    receipt fetched by a re-sync settles its pending claim as one that answered it does."""
    out = []
    for r in receipts:
        parsed = parse_reward_reference(r.reference) if r.kind == "reward" else None
        if parsed is not None:
            out.append(parsed[3])
    return out


# -- queue -----------------------------------------------------------------------------------


def _queue(rewards: Rewards) -> None:
    activity, ledger = rewards.activity, rewards.wallet.ledger
    events = activity.after(activity.cursor(CURSOR))
    if not events:
        return
    policies: dict[str, RewardPolicy | None | AppStoreError] = {}
    queued: list[PendingClaim] = []
    for event in events:
        if event.store not in policies:
            policies[event.store] = _policy(rewards, event.store)
        policy = policies[event.store]
        if policy is None:
            continue  # the store pays nothing for activity: no claim
        claim = _event_claim(event)
        if claim is None:
            continue
        amount = policy.rewards.get(claim.kind) if isinstance(policy, RewardPolicy) else None
        try:
            pending = PendingClaim(event.store, claim.kind, event.app_id, "IA", amount, id=claim.id,
                                   created=claim.time)
        except AppStoreError as e:  # an old journal's odd row
            log.info("rewards: activity %s is not claimable: %s", event.id, e)
            continue
        queued.append(pending)
    ledger.add_pending_many(queued)  # the same ids again (after a crash): kept once
    activity.save_cursor(CURSOR, events[-1].seq)  # only once every claim is pending


def _policy(rewards: Rewards, store: str) -> RewardPolicy | None | AppStoreError:
    """The store's policy, None when it signs none, or why it cannot be read now."""
    try:
        return rewards.policy(store)
    except AppStoreError as e:
        return e
    except OSError as e:
        return AppStoreError(f"store {store}'s reward policy cannot be read ({e.strerror or e})")


# -- send ------------------------------------------------------------------------------------


def _send(rewards: Rewards, store: str, claims: list[tuple[Claim, PendingClaim]],
          report: ClaimReport) -> None:
    if store not in {entry.id for entry in rewards.stores.config.stores}:
        return  # the user removed the store: its claims stay pending, and go if it is added again
    left = rewards.backoff.left(store)
    if left > 0:
        _retry(report, left)
        report.problems.append(f"store {store}'s IA service asked to wait before more requests; "
                               f"{len(claims)} reward claim(s) stay pending until then")
        return
    policy = _policy(rewards, store)
    if policy is None:
        report.problems.append(f"store {store} signs no reward policy now; {len(claims)} reward claim(s) "
                               "stay pending, and are sent if it signs one again")
        return
    if isinstance(policy, AppStoreError):
        _keep(report, store, AppStoreError(f"store {store}'s reward policy cannot be read now "
                                           f"({str(policy).rstrip('.')})"), len(claims))
        return
    try:
        client = rewards.client(store)  # (may ask for the passphrase: before the store's lock)
    except AppStoreError as e:
        _keep(report, store, e, len(claims))
        return
    with rewards.store_lock(store):  # this store's receipts go into the ledger in order
        still = {p.id for p in rewards.wallet.ledger.pending(store)}
        _send_batches(rewards, store, client, [c for c in claims if c[1].id in still], report)


def _send_batches(rewards: Rewards, store: str, client: ServiceClient,
                  claims: list[tuple[Claim, PendingClaim]], report: ClaimReport) -> None:
    """The claims still pending (a re-sync or a spend may have settled some meanwhile), at most
    ``MAX_CLAIMS`` a request; the caller holds the store's lock."""
    for start in range(0, len(claims), MAX_CLAIMS):
        batch = claims[start:start + MAX_CLAIMS]
        try:
            outcomes = client.claim([claim for claim, _ in batch])
        except ServiceError as e:
            if e.status == 400:  # the service calls the request malformed: sending it again cannot help
                _malformed(rewards, store, client, batch, e, report)
                continue
            if e.retry_after:
                rewards.backoff.wait(store, e.retry_after)
            _keep(report, store, e, len(claims) - start)
            return
        if not _answered(rewards, store, batch, outcomes, report, len(claims) - start - len(batch)):
            return


def _answered(rewards: Rewards, store: str, batch: list[tuple[Claim, PendingClaim]],
              outcomes: list[ClaimOutcome], report: ClaimReport, after: int) -> bool:
    """The service's answers to ``batch``: receipts into the ledger (settling their claims),
    refusals removed with their reason. False when the receipts could not be kept (every claim
    of the batch, and the ``after`` still to send, stay pending)."""
    credited: list[tuple[Claim, PendingClaim, Receipt]] = []
    for (claim, pending), outcome in zip(batch, outcomes, strict=True):
        if outcome.receipt is not None:
            credited.append((claim, pending, outcome.receipt))
            continue
        rewards.wallet.ledger.remove_pending(claim.id)  # refused, for a reason the user sees
        report.refusals.append(Refusal(store, claim.kind, pending.app_id, outcome.code or "refused",
                                       outcome.message or "refused"))
    if not credited:
        return True
    try:
        rewards._append(store, [r for _, _, r in credited], settles=[c.id for c, _, _ in credited])
    except AppStoreError as e:  # the receipts stay with the service: sent again next round
        _keep(report, store, e, len(credited) + after)
        return False
    report.credits.extend(Credit(store, claim.kind, pending.app_id, receipt)
                          for claim, pending, receipt in credited)
    return True


def _malformed(rewards: Rewards, store: str, client: ServiceClient, batch: list[tuple[Claim, PendingClaim]],
               error: ServiceError, report: ClaimReport) -> None:
    """A batch the service answered 400: each claim goes again alone, so one malformed claim
    is refused (with the service's words) and the others are answered as usual."""
    if len(batch) > 1:
        for one in batch:
            _send_alone(rewards, store, client, one, report)
        return
    claim, pending = batch[0]
    rewards.wallet.ledger.remove_pending(claim.id)
    report.refusals.append(Refusal(store, claim.kind, pending.app_id, error.code, error.message))


def _send_alone(rewards: Rewards, store: str, client: ServiceClient, one: tuple[Claim, PendingClaim],
                report: ClaimReport) -> None:
    """One claim of a malformed batch, through the batch's ``client`` (made before the
    store's lock, which the caller holds)."""
    try:
        outcomes = client.claim([one[0]])
    except ServiceError as e:
        if e.status == 400:
            _malformed(rewards, store, client, [one], e, report)
        else:
            _keep(report, store, e, 1)
        return
    _answered(rewards, store, [one], outcomes, report, 0)


def _keep(report: ClaimReport, store: str, error: AppStoreError, count: int) -> None:
    """A round-level failure: every claim stays pending; said once."""
    log.info("rewards: %s: %s; %d claim(s) stay pending", store, error, count)
    text = str(error).rstrip(".")
    if f"store {store}" not in text:
        text = f"store {store}: {text}"
    if "pending" not in text:  # (an unreachable service's message says so already)
        text += f"; {count} reward claim(s) stay pending and are sent again later"
    report.problems.append(text)
    wait = error.retry_after if isinstance(error, ServiceError) else None
    _retry(report, wait or 0.0)


def _retry(report: ClaimReport, seconds: float) -> None:
    report.retry_after = seconds if report.retry_after is None else min(report.retry_after, seconds)


# -- claims from the journal -------------------------------------------------------------------


def _claim_time(iso: str) -> str:
    """The journal's ISO time (``+00:00``) as the protocol writes it (``Z``)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _event_claim(event: ActivityEvent) -> Claim | None:
    try:
        return Claim(event.id, event.kind.value, event.app_id, _claim_time(event.at), event.version,
                     event.seconds)
    except ValueError as e:  # an event the protocol cannot name (an old journal's odd row)
        log.info("rewards: activity %s is not claimable: %s", event.id, e)
        return None


def _pending_claim(pending: PendingClaim) -> Claim | None:
    try:
        return Claim(pending.id, pending.kind, pending.app_id, _claim_time(pending.created))
    except ValueError:
        return None


__all__ = ["Backoff", "ClaimReport", "Credit", "Refusal", "claim_round", "settled_claims"]
