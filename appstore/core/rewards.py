"""The wallet's side of each store's IA service: claims for recorded activities, re-sync,
swaps and withdrawals (docs/ia-service.md; the service is ``appstore/service``).

A store takes part when it signs a ``rewards/policy.json`` target: the policy names its service
(an https URL, or ``embedded:`` for the demo store's service that runs inside imapp) and the
key that signs its receipts. Every receipt goes into the wallet's ledger, which checks it
against that key. Nothing here credits IA itself.

Claims: every activity recorded in the journal after the ``rewards`` cursor becomes a claim
named by the event's uuid (so the service never pays it twice). A store that cannot be reached
keeps its claims as *pending* in the ledger (shown, never counted) and they go at the next
``claim()``; the service's refusals ("daily cap for opening reached") are returned to show.
Blocking network and disk work: call it off the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from appstore.core.activity import ActivityEvent, ActivityLog
from appstore.core.errors import AppStoreError, NotFound
from appstore.core.ia.client import ServiceClient, resolve_url
from appstore.core.ia.errors import PolicyError, ServiceError, ServiceUnreachable
from appstore.core.ia.policy import RewardPolicy, SwapTerms, parse_policy, parse_terms
from appstore.core.ia.protocol import AccountStatus, Claim, Quote
from appstore.core.logs import log
from appstore.core.store.manager import Stores
from appstore.core.wallet.ledger import PendingClaim
from appstore.core.wallet.receipts import Receipt
from appstore.core.wallet.wallet import Wallet

POLICY_TARGET = "rewards/policy.json"
TERMS_TARGET = "swap/rates.json"
MAX_TARGET = 64 * 1024
CURSOR = "rewards"
T = TypeVar("T")


@dataclass(frozen=True)
class Credit:
    """IA credited for an activity: what to tell the user ("+2 IA — opened Parts Provenance")."""

    store: str
    kind: str
    app_id: str
    receipt: Receipt


@dataclass(frozen=True)
class Refusal:
    """A claim the service refused, with its reason to show."""

    store: str
    kind: str
    app_id: str
    code: str
    message: str


@dataclass
class ClaimReport:
    credits: list[Credit]
    refusals: list[Refusal]
    pending: int  # claims waiting for a service that could not be reached
    problems: list[str]  # stores whose claims failed otherwise (each said once)


def _claim_time(iso: str) -> str:
    """The journal's ISO time (``+00:00``) as the protocol writes it (``Z``)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Rewards:
    """Talks to the IA services of the stores in ``stores`` for ``wallet``. ``embedded(store)``
    gives the URL of the service running in this process for a store whose policy says
    ``embedded:`` (None: there is none for that store)."""

    def __init__(self, stores: Stores, activity: ActivityLog, wallet: Wallet,
                 embedded: Callable[[str], str | None]) -> None:
        self.stores = stores
        self.activity = activity
        self.wallet = wallet
        self._embedded = embedded
        self._lock = threading.RLock()  # one claim round at a time per process
        # Each store's signed policy and swap terms, read once; ``forget`` after a refresh.
        self._policies: dict[str, RewardPolicy | None] = {}
        self._terms: dict[str, SwapTerms | None] = {}

    # -- the stores' signed terms ---------------------------------------------------------

    def policy(self, store: str) -> RewardPolicy | None:
        """The store's signed reward policy; None when it publishes none."""
        if store not in self._policies:
            self._policies[store] = self._read(store, POLICY_TARGET, parse_policy)
        return self._policies[store]

    def terms(self, store: str) -> SwapTerms | None:
        """The store's signed swap terms; None when it publishes none."""
        if store not in self._terms:
            policy = self.policy(store)
            self._terms[store] = None if policy is None else self._read(
                store, TERMS_TARGET,
                lambda data, where: parse_terms(data, where, ia_decimals=policy.decimals))
        return self._terms[store]

    def _read(self, store: str, target: str, parse: Callable[[bytes, str], T]) -> T | None:
        client = self.stores.client(store)
        try:
            path = client.fetch_target(target, max_length=MAX_TARGET)
        except NotFound:
            return None
        value = parse(path.read_bytes(), f"{store}: {target}")
        if isinstance(value, RewardPolicy) and value.store != store:
            raise PolicyError(f"{store}: {target} is the policy of store {value.store!r}, not this one")
        return value

    def forget(self) -> None:
        """Read the policies and terms again (the stores were refreshed, added or removed)."""
        self._policies.clear()
        self._terms.clear()

    def decimals(self, store: str) -> int | None:
        """IA's decimals in ``store`` (None: not known, or the store has no policy)."""
        try:
            policy = self.policy(store)
        except AppStoreError:
            return None
        return policy.decimals if policy is not None else None

    def stores_with_service(self) -> list[str]:
        out = []
        for entry in self.stores.config.stores:
            try:
                if self.policy(entry.id) is not None:
                    out.append(entry.id)
            except AppStoreError as e:
                log.info("rewards: %s", e)
        return out

    def client(self, store: str) -> ServiceClient:
        policy = self.policy(store)
        if policy is None:
            raise NotFound(f"store {store} has no IA service (it signs no {POLICY_TARGET})")
        url = resolve_url(policy, self._embedded(store))
        return ServiceClient(url, policy, self.wallet.account(create=True))

    # -- claims -------------------------------------------------------------------------

    def claim(self) -> ClaimReport:
        """Claim every activity recorded since the last round, and the pending claims again."""
        with self._lock:
            report = ClaimReport([], [], 0, [])
            self.wallet.address(create=True)  # earning is a first use: the wallet is made now
            events = self.activity.after(self.activity.cursor(CURSOR))
            ledger = self.wallet.ledger
            by_store: dict[str, list[tuple[Claim, str]]] = {}
            waiting = ledger.pending()
            recorded = self.activity.by_id([p.id for p in waiting])
            for pending in waiting:
                event = recorded.get(pending.id)  # the version and seconds are in the journal
                claim = _event_claim(event) if event is not None else _pending_claim(pending)
                if claim is not None:
                    by_store.setdefault(pending.store, []).append((claim, pending.app_id))
            for event in events:
                claim = _event_claim(event)
                if claim is not None:
                    by_store.setdefault(event.store, []).append((claim, event.app_id))
            for store, claims in by_store.items():
                self._claim_store(store, claims, report)
            if events:
                self.activity.save_cursor(CURSOR, events[-1].seq)
            return report

    def _claim_store(self, store: str, claims: list[tuple[Claim, str]], report: ClaimReport) -> None:
        ledger = self.wallet.ledger
        try:
            policy = self.policy(store)
        except AppStoreError as e:
            policy = None
            report.problems.append(str(e))
        if policy is None:
            for claim, _ in claims:  # the store pays nothing: nothing to keep
                ledger.remove_pending(claim.id)
            return
        waiting = {c.id for c in ledger.pending(store)}
        try:
            outcomes = self.client(store).claim([c for c, _ in claims])
        except ServiceUnreachable as e:
            log.info("rewards: %s: %s; %d claim(s) wait", store, e, len(claims))
            for claim, app_id in claims:
                if claim.id not in waiting:
                    ledger.add_pending(PendingClaim(store, claim.kind, app_id, "IA",
                                                    policy.rewards.get(claim.kind), id=claim.id,
                                                    created=claim.time))
            report.pending += len(claims)
            return
        except AppStoreError as e:
            report.problems.append(f"{store}: {e}")
            return
        credited = [o.receipt for o in outcomes if o.receipt is not None]
        if credited:
            self._append(store, credited, settles=[o.claim_id for o in outcomes if o.receipt is not None])
        for (claim, app_id), outcome in zip(claims, outcomes, strict=True):
            if outcome.receipt is not None:
                report.credits.append(Credit(store, claim.kind, app_id, outcome.receipt))
            else:
                ledger.remove_pending(claim.id)
                report.refusals.append(Refusal(store, claim.kind, app_id, outcome.code or "refused",
                                               outcome.message or "refused"))

    def _append(self, store: str, receipts: list[Receipt], settles: Iterable[str] = ()) -> None:
        """Receipts into the ledger; one that does not follow the chain (a receipt sent before
        was missed) brings the missing ones first."""
        ledger = self.wallet.ledger
        last, _ = ledger.last(store)
        ordered = sorted(receipts, key=lambda r: r.seq)
        if ordered and ordered[0].seq > last + 1:
            missing = [r for r in self.client(store).receipts(since=last) if r.seq < ordered[0].seq]
            ordered = missing + ordered
        ledger.append_many(ordered, settles=settles)

    # -- re-sync, status, swaps -------------------------------------------------------------

    def sync(self, store: str) -> int:
        """Fetch the receipts this wallet lacks from ``store``'s service; a ledger that failed
        verification is re-built from the service's full chain (old rows kept aside). Returns
        how many receipts were added or replaced."""
        with self._lock:
            ledger = self.wallet.ledger
            client = self.client(store)
            problem = ledger.problem
            if problem is not None and problem.store == store:
                result = ledger.reset_from(store, client.receipts(0), service_key=client.policy.service_key)
                return result.receipts
            last, _ = ledger.last(store)
            new = client.receipts(since=last)
            if new:
                ledger.append_many(new)
            return len(new)

    def status(self, store: str) -> AccountStatus:
        return self.client(store).status()

    def quote(self, store: str, amount_ia: int) -> Quote:
        self.wallet.ledger.require_verified()
        return self.client(store).quote(amount_ia)

    def swap(self, store: str, quote: Quote) -> list[Receipt]:
        """Accept ``quote``; its two receipts go into the ledger."""
        with self._lock:
            self.wallet.ledger.require_verified()
            receipts = self.client(store).swap(quote)
            self._append(store, receipts)
            return receipts

    def withdraw(self, store: str, address: str, amount_bcd: int) -> Receipt:
        with self._lock:
            self.wallet.ledger.require_verified()
            receipt = self.client(store).withdraw(address, amount_bcd)
            self._append(store, [receipt])
            return receipt

    def pay(self, store: str, payee: str, amount_ia: int, memo: str, app: str) -> Receipt:
        with self._lock:
            self.wallet.ledger.require_verified()
            receipt = self.client(store).pay(payee, amount_ia, memo, app)
            self._append(store, [receipt])
            return receipt


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


__all__ = ["ClaimReport", "Credit", "Refusal", "Rewards", "ServiceError"]
