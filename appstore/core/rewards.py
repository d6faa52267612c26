"""The wallet's side of each store's IA service: claims for recorded activities, re-sync,
swaps and withdrawals (docs/ia-service.md; the service is ``appstore/service``).

A store takes part when it signs a ``rewards/policy.json`` target: the policy names its service
(an https URL, or ``embedded:`` for the demo store's service that runs inside imapp) and the
key that signs its receipts. Every receipt goes into the wallet's ledger, which checks it
against that key. Nothing here credits IA itself.

Claims (``claim()``, the rounds are in ``claiming.py``): every activity recorded in the journal
becomes a pending claim in the ledger (shown, never counted) named by the event's uuid, so the
service never pays it twice; it stays pending until its receipt is appended or the service
refuses it ("daily cap for opening reached", returned to show). Blocking network and disk work:
call it off the GUI thread.

Locks (docs/architecture.md, "Threads and locks"): no lock of the whole process is held across a
network call or a question to the user. Each store has its own lock, held while a request that
adds receipts to its chain is sent and answered and the receipts appended, so that store's
receipts go into the ledger in order; a claim round in one store never holds up a payment in
another. Claim rounds run one at a time (the journal's cursor), holding no store's lock between
stores. The cached policies and terms are read and set under a lock, fetched outside it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar, cast

from appstore.core.activity import ActivityLog
from appstore.core.claiming import Backoff, ClaimReport, Credit, Refusal, claim_round, settled_claims
from appstore.core.errors import AppStoreError, NotFound
from appstore.core.ia.client import ServiceClient, resolve_url
from appstore.core.ia.errors import PolicyError, ServiceError
from appstore.core.ia.policy import RewardPolicy, SwapTerms, parse_policy, parse_terms
from appstore.core.ia.protocol import AccountStatus, Quote
from appstore.core.jobs import assert_lane
from appstore.core.logs import log
from appstore.core.store.manager import Stores
from appstore.core.wallet.keys import Account
from appstore.core.wallet.ledger import LedgerBroken, LedgerError
from appstore.core.wallet.receipts import Receipt
from appstore.core.wallet.trust import ServiceKeys
from appstore.core.wallet.wallet import Wallet

POLICY_TARGET = "rewards/policy.json"
TERMS_TARGET = "swap/rates.json"
MAX_TARGET = 64 * 1024
T = TypeVar("T")


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
        self._round = threading.Lock()  # one claim round at a time per process (the journal's cursor)
        self._locks_lock = threading.Lock()
        self._store_locks: dict[str, threading.RLock] = {}
        self.backoff = Backoff()  # services that asked to wait (HTTP 429)
        self.timeout = 10.0  # seconds a service may take to answer (connect, then each read)
        # Each store's signed policy and swap terms, read once; ``forget`` after a refresh. The
        # lock covers checking and setting, never the fetch; ``_generation`` counts the forgets,
        # so a value fetched before one is not kept after it.
        self._cache_lock = threading.Lock()
        self._generation = 0
        self._policies: dict[str, RewardPolicy | None] = {}
        self._terms: dict[str, SwapTerms | None] = {}

    def store_lock(self, store: str) -> threading.RLock:
        """The lock held while ``store``'s service is asked for receipts and they are appended:
        that store's chain goes into the ledger in order (other stores are not held up)."""
        with self._locks_lock:
            return self._store_locks.setdefault(store, threading.RLock())

    # -- the stores' signed terms ---------------------------------------------------------

    def policy(self, store: str) -> RewardPolicy | None:
        """The store's signed reward policy; None when it publishes none."""
        with self._cache_lock:
            if store in self._policies:
                return self._policies[store]
            generation = self._generation
        return self._keep(self._policies, store, generation, self._read(store, POLICY_TARGET, parse_policy))

    def terms(self, store: str) -> SwapTerms | None:
        """The store's signed swap terms; None when it publishes none."""
        with self._cache_lock:
            if store in self._terms:
                return self._terms[store]
            generation = self._generation
        policy = self.policy(store)
        found = None if policy is None else self._read(
            store, TERMS_TARGET, lambda data, where: parse_terms(data, where, ia_decimals=policy.decimals))
        return self._keep(self._terms, store, generation, found)

    def _keep(self, cache: dict[str, T | None], store: str, generation: int, value: T | None) -> T | None:
        """``value`` (fetched without the lock) cached, unless a ``forget`` came meanwhile;
        a value another thread cached first wins, so every caller sees one."""
        with self._cache_lock:
            if generation != self._generation:
                return value  # read before the stores changed: used once, not kept
            return cache.setdefault(store, value)

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
        assert_lane("stores")  # the stores' writer: what changed the stores says so
        with self._cache_lock:
            self._generation += 1
            self._policies.clear()
            self._terms.clear()

    def trust(self, store: str) -> ServiceKeys | None:
        """The keys ``store``'s signed policy names for its IA service: the wallet's trust
        anchor. None when the store is not one of the user's stores, or names no service (its
        receipts can then be checked only against the key their chain is held by)."""
        if all(entry.id != store for entry in self.stores.config.stores):
            return None
        policy = self.policy(store)
        return None if policy is None else policy.keys

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
        """A client of ``store``'s service, signing as this wallet (the key may be asked for)."""
        return ServiceClient(self._url(store), self._policy(store), self.wallet.account(create=True),
                             timeout=self.timeout)

    def reader(self, store: str, address: str) -> ServiceClient:
        """A client of ``store``'s service for its public reads by ``address`` (status,
        receipts, the games' rounds): it signs nothing, so it needs no key."""
        return ServiceClient(self._url(store), self._policy(store), cast(Account, _ReadOnly(address)),
                             timeout=self.timeout)

    def _policy(self, store: str) -> RewardPolicy:
        policy = self.policy(store)
        if policy is None:
            raise NotFound(f"store {store} has no IA service (it signs no {POLICY_TARGET})")
        return policy

    def _url(self, store: str) -> str:
        return resolve_url(self._policy(store), self._embedded(store))

    # -- claims -------------------------------------------------------------------------

    def claim(self) -> ClaimReport:
        """Queue every activity recorded since the last round as a pending claim, then send
        every pending claim (``claiming.claim_round``). A round holds each store's lock only
        while that store's claims are sent and answered. (The GUI runs rounds on a lane of
        their own, so a spend never waits for a round.)"""
        assert_lane("claims")
        self.wallet.address(create=True)  # earning is a first use (which may ask): before the lock
        with self._round:
            return claim_round(self)

    def _append(self, store: str, receipts: list[Receipt], settles: Iterable[str] = ()) -> None:
        """Receipts into the ledger; one that does not follow the chain (a receipt sent before
        was missed) brings the missing ones first. The pending claims ``settles`` names, and
        those any reward receipt among them answers, are removed in the same transaction."""
        ledger = self.wallet.ledger
        last, _ = ledger.last(store)
        ordered = sorted(receipts, key=lambda r: r.seq)
        if ordered and ordered[0].seq > last + 1:
            missing = [r for r in self.client(store).receipts(since=last) if r.seq < ordered[0].seq]
            ordered = missing + ordered
        ledger.append_many(ordered, settles=[*settles, *settled_claims(ordered)])

    # -- re-sync, status, swaps -------------------------------------------------------------

    def sync(self, store: str) -> int:
        """Fetch the receipts this wallet lacks from ``store``'s service; a ledger that failed
        verification, or whose chain the new receipts do not follow, is re-built from the
        service's full chain (old rows kept aside). Returns how many receipts were added or
        replaced. A service whose receipts its store's signed policy does not vouch for cannot
        repair anything: ``ServiceError`` (``untrusted-key``) says why and what to do."""
        assert_lane("wallet")
        client = self.client(store)  # (the key may be asked for: before the lock)
        with self.store_lock(store):
            ledger = self.wallet.ledger
            try:
                with contextlib.suppress(LedgerBroken):  # a ledger changed since its last check is
                    ledger.quick_check(client.account.seal_key())  # found (recorded), then re-built below
                problem = ledger.problem
                if problem is None or problem.store != store:
                    last, _ = ledger.last(store)
                    new = client.receipts(since=last)
                    try:  # (a reward receipt settles the claim it answers, if still pending)
                        return ledger.append_many(new, settles=settled_claims(new)) if new else 0
                    except LedgerError as e:  # the chain here is not the service's: re-build it
                        log.info("rewards: %s: %s; re-syncing the whole chain", store, e)
                chain = client.receipts(0)
                return ledger.reset_from(store, chain, service_key=client.policy.keys,
                                         settles=settled_claims(chain)).receipts
            except ServiceError as e:
                if e.code != "bad-receipt" or "signed policy" not in e.message:
                    raise
                raise ServiceError("untrusted-key", (
                    f"cannot re-sync from store {store}'s IA service: {e.message}. imapp accepts only "
                    "receipts signed by a key the store's signed policy names, so your ledger was not "
                    f"changed. Refresh the store first (Settings → Stores → Refresh, or `store refresh "
                    f"{store}`) in case it has published a new policy; if the keys still differ, the "
                    "service is misconfigured or something else answers in its place: tell the store's "
                    "operator")) from None

    def status(self, store: str, *, ask: bool = True) -> AccountStatus:
        """Today's progress at ``store``'s service: a public read by address. ``ask=False``
        (the GUI's background read) asks no one and makes no wallet: the address the key or
        the wallet file's checked header gives; with only the marker to go by (the keyring
        cannot be read now) the key is read quietly, and ``WalletLocked`` says why it cannot
        be. ``ask=True`` (``imapp rewards``): the wallet's account, made on first use."""
        if ask:
            return self.client(store).status()
        info = self.wallet.address_info()
        address = info.address
        if address is None or info.source == "marker":
            address = self.wallet.account_at_hand().address
        return self.reader(store, address).status()

    def quote(self, store: str, amount_ia: int) -> Quote:
        self.wallet.ledger.require_verified()  # (the spend itself runs the quick check)
        return self.client(store).quote(amount_ia)

    def swap(self, store: str, quote: Quote) -> list[Receipt]:
        """Accept ``quote``; its two receipts go into the ledger. The check before a spend
        (which may ask for the passphrase) runs before the lock: a person never holds it."""
        client = self._spend(store)
        with self.store_lock(store):
            receipts = client.swap(quote)
            self._append(store, receipts)
            return receipts

    def withdraw(self, store: str, address: str, amount_bcd: int) -> Receipt:
        client = self._spend(store)
        with self.store_lock(store):
            receipt = client.withdraw(address, amount_bcd)
            self._append(store, [receipt])
            return receipt

    def pay(self, store: str, payee: str, amount_ia: int, memo: str, app: str) -> Receipt:
        client = self._spend(store)
        with self.store_lock(store):
            receipt = client.pay(payee, amount_ia, memo, app)
            self._append(store, [receipt])
            return receipt

    def _spend(self, store: str) -> ServiceClient:
        """The check before a spend and the store's client, both before the store's lock
        (either may ask for the passphrase, or read the store's policy)."""
        assert_lane("wallet")
        self.wallet.require_spendable()
        return self.client(store)


@dataclass(frozen=True)
class _ReadOnly:
    """What a ``ServiceClient`` needs of an account for public reads: its address."""

    address: str


__all__ = ["ClaimReport", "Credit", "Refusal", "Rewards", "ServiceError"]
