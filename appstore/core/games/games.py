"""The app's side of the guessing games (docs/games.md): each store's signed rounds, stakes sent
to its IA service (the house), and every settled round checked against the rule.

A store takes part when it signs ``games/rounds.json`` (and a reward policy naming its service).
Stakes, payouts and refunds are receipts in the wallet's ledger like any other; what a round was
when the user staked on it is kept in ``DATA/games/STORE/ID.json`` (with when the app first saw
its seed), so a round the store no longer lists can still be checked — by what of it signed data
back (``kept.believe``): that file is not signed, and a verdict against a store never rests on it.
For the built-in demo store this process also keeps the rounds running (``keep_rounds``: the
round keeper, then a refresh).

Blocking network and disk work: call it off the GUI thread.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from appstore.core.claiming import settled_claims
from appstore.core.errors import AppStoreError, NotFound
from appstore.core.games import evidence
from appstore.core.games.kept import Kept, KeptRounds, Pending, believe
from appstore.core.games.rounds import (
    ROUNDS_TARGET,
    Round,
    RoundsError,
    RoundsFile,
    definition_json,
    parse_rounds,
    parse_stake_reference,
    terms_hash,
)
from appstore.core.games.verify import CHANGED, round_receipts, verify_round
from appstore.core.games.views import Overview, RoundView
from appstore.core.ia.client import ServiceClient
from appstore.core.ia.errors import ServiceError, ServiceUnreachable
from appstore.core.ia.times import parse_time
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.rewards import Rewards
from appstore.core.store.manager import Stores
from appstore.core.wallet.receipts import Receipt

MAX_TARGET = 4 * 1024 * 1024
ROUNDS_REFRESH = timedelta(seconds=60)  # a store with games: its metadata refreshed at most this often
_NOBODY = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"  # an address for public reads before a wallet exists


HISTORY = 100_000  # receipts of a kind read back from the ledger


def _first_sentence(text: str) -> str:
    return text.split(";")[0].rstrip(". ")


@dataclass
class _Store:
    """What the views of one store's rounds share: its kept rounds, the signed rounds file's
    bytes, the service's rows and clock, the user's receipts."""

    store: str
    decimals: int
    kept: KeptRounds
    data: bytes  # the rounds file as the store client holds it (a proof is made of it)
    service: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_now: datetime | None = None
    receipts: list[Receipt] = field(default_factory=list)
    terms: dict[str, set[str]] = field(default_factory=dict)  # round → the terms its stake receipts name
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


class Games:
    def __init__(self, paths: Paths, stores: Stores, rewards: Rewards,
                 clock: Any = None) -> None:
        self.paths = paths
        self.stores = stores
        self.rewards = rewards
        self.clock = clock or (lambda: datetime.now(UTC))
        # guards the bookkeeping below, never held across the network or a question to the user:
        # a stake (which may ask for the passphrase) and an overview (which reads every store's
        # service) go on side by side; staking itself is serialised per store by
        # ``KeptRounds.staking``, across processes too
        self._state = threading.Lock()
        self._keeper: Any = None
        self._stale: set[str] = set()  # stores whose rounds were published here since their refresh
        self._with_games: set[str] = set()  # stores whose rounds were read (their metadata is refreshed)
        self._refreshed: dict[str, datetime] = {}  # when each of them was last refreshed for its rounds

    # -- the demo store's rounds -----------------------------------------------------------

    def keep_rounds(self, now: datetime | None = None) -> bool:
        """Keep the built-in demo store's rounds current (open new ones, reveal locked ones) as
        of ``now`` (the keeper's clock when None). True when they changed; the store is
        refreshed the next time rounds are read (its service reads the published folder
        itself)."""
        entry = next((s for s in self.stores.config.stores if s.builtin), None)
        base = self.paths.demo_dir
        if entry is None or not (base / "keys" / "root.pem").exists():
            return False
        if self._keeper is None:
            from appstore.core.games.keeper import RoundKeeper, Timing

            decimals = self.rewards.decimals(entry.id) or 8
            with self._state:
                if self._keeper is None:
                    self._keeper = RoundKeeper(base / "repo", base / "keys", base / "games", entry.id,
                                               decimals=decimals, timing=Timing.from_env())
        if not self._keeper.tick(now):  # (publishing holds the games folder's file lock)
            return False
        with self._state:
            self._stale.add(entry.id)
        return True

    def _freshen(self) -> None:
        """Refresh the stores whose rounds this process published since it last read them, and
        every other store with games at most once every ``ROUNDS_REFRESH`` (their rounds are
        revealed and opened by their publisher, not by this app). Network work: a worker's."""
        now = self.clock()
        due = set()
        with self._state:  # which are due (the refresh itself runs outside)
            stale, self._stale = self._stale, set()
            for store in self._with_games:
                last = self._refreshed.get(store)
                fresh = last is not None and last <= now < last + ROUNDS_REFRESH
                if not fresh and not self.stores.is_builtin(store):
                    due.add(store)
            if due:
                self._refreshed.update(dict.fromkeys(due, now))
        if stale | due:
            try:
                self.stores.refresh(sorted(stale | due))
            except AppStoreError as e:  # the rounds are read from what was verified last
                log.info("games: refreshing %s: %s", ", ".join(sorted(stale | due)), e)

    # -- the stores' rounds ----------------------------------------------------------------

    def rounds_file(self, store: str) -> RoundsFile | None:
        """The store's signed rounds (None: it runs no games)."""
        got = self._rounds_target(store)
        return got[0] if got is not None else None

    def _rounds_target(self, store: str) -> tuple[RoundsFile, bytes] | None:
        """The store's signed rounds, and the file's bytes (a proof is made of them)."""
        policy = self.rewards.policy(store)
        if policy is None:
            return None
        try:
            path = self.stores.client(store).fetch_target(ROUNDS_TARGET, max_length=MAX_TARGET)
        except NotFound:
            return None
        data = path.read_bytes()
        rounds = parse_rounds(data, f"{store}: {ROUNDS_TARGET}", decimals=policy.decimals)
        if rounds.store != store:
            raise RoundsError(f"{ROUNDS_TARGET} is the rounds file of store {rounds.store!r}, not this one",
                              where=store)
        return rounds, data

    def stores_with_games(self) -> list[str]:
        out = []
        for store in self.rewards.stores_with_service():
            try:
                if self.rounds_file(store) is not None:
                    out.append(store)
            except AppStoreError as e:
                log.info("games: %s", e)
        return out

    # -- the rounds kept locally -------------------------------------------------------------

    def _kept_rounds(self, store: str, decimals: int) -> KeptRounds:
        return KeptRounds(self.paths.root / "games" / store, decimals)

    def _prover(self, store: str, round_id: str, decimals: int, kept: KeptRounds, data: bytes | None,
                keep: bool) -> Callable[[str], Round | None]:
        """``prove(seed)`` for ``kept.believe``: round ``round_id`` as a proof that verifies against
        the store's trusted root shows it with ``seed`` — a proof kept before, or one made now of
        the rounds file's bytes ``data`` (kept when ``keep``)."""
        client = self.stores.client(store)
        cache: dict[str, Round | None] = {}

        def shown(proof: evidence.Signed | None, seed: str) -> Round | None:
            try:
                root = (client.meta_dir / "root.json").read_bytes()
            except OSError:
                return None
            file = evidence.verified(proof, root, store, decimals) if proof is not None else None
            rnd = file.get(round_id) if file is not None else None
            return rnd if rnd is not None and rnd.seed == seed else None

        def prove(seed: str) -> Round | None:
            if seed not in cache:
                rnd = shown(kept.proof(round_id, seed), seed)
                if rnd is None and data is not None:
                    made = evidence.capture(client.meta_dir, data, store, decimals)
                    rnd = shown(made, seed)
                    if rnd is not None and made is not None and keep:
                        kept.keep_proof(round_id, seed, made)
                cache[seed] = rnd
            return cache[seed]

        return prove

    # -- what the user sees ----------------------------------------------------------------

    def overview(self, *, sync: bool = True) -> Overview:
        """Every round of every store with games, newest first, each with the user's stakes and
        the check of its settlement. ``sync`` fetches the receipts the wallet lacks first."""
        self._freshen()
        out = Overview()
        for store in self.rewards.stores_with_service():
            try:
                out.rounds.extend(self._store_rounds(store, sync))
            except ServiceUnreachable as e:
                out.problems.append(str(e))
            except AppStoreError as e:
                out.problems.append(f"{store}: {e}" if not e.where else str(e))
        out.rounds.sort(key=lambda v: (v.round.opens_at, v.round.id), reverse=True)
        return out

    def _store_rounds(self, store: str, sync: bool,
                      got: tuple[RoundsFile, bytes] | None = None) -> list[RoundView]:
        """The views of ``store``'s rounds; ``got``: its signed rounds, read already (else read here)."""
        got = got or self._rounds_target(store)
        policy = self.rewards.policy(store)
        if got is None or policy is None:
            return []
        file, data = got
        with self._state:
            self._with_games.add(store)
        at = _Store(store, policy.decimals, self._kept_rounds(store, policy.decimals), data)
        kept = at.kept.all()
        address = self.rewards.wallet.status().address  # (read once: the marker, the keyring)
        try:
            reader = self._reader(store, address)
            if sync and address:
                self._sync(store, reader)
            at.service = {str(r["id"]): r for r in reader.game_rounds()}
            at.service_now = parse_time(reader.info().get("time"))
        except ServiceUnreachable as e:
            log.info("games: %s", e)
        at.receipts = self._receipts(store) if address else []
        for r in at.receipts:
            if r.kind == "stake" and (ref := parse_stake_reference(r.reference)) is not None:
                at.terms.setdefault(ref.round_id, set()).add(ref.terms)
        at.now = self.clock()
        views = [self._view(at, kept.get(rnd.id), rnd) for rnd in file.rounds if rnd.opens_at <= at.now]
        listed = {r.id for r in file.rounds}
        views.extend(self._view(at, k, None) for rid, k in kept.items() if rid not in listed)
        return views

    def _reader(self, store: str, address: str | None = None) -> ServiceClient:
        """A client for the service's public reads (receipts, the rounds' states): it signs
        nothing, so it needs the wallet's address (``address``; read from the wallet's status
        when not given) but never its seed (no passphrase asked)."""
        if address is None:
            address = self.rewards.wallet.status().address
        return self.rewards.reader(store, address or _NOBODY)

    def _sync(self, store: str, reader: ServiceClient | None = None) -> None:
        """The receipts the wallet lacks from ``store`` (a read through ``reader``, made when not
        given: no seed needed). A ledger that failed verification is left to the wallet's re-sync."""
        ledger = self.rewards.wallet.ledger
        if ledger.problem is not None:
            return
        last, _ = ledger.last(store)
        new = (reader or self._reader(store)).receipts(since=last)
        if new:  # (a reward receipt among them settles its pending claim, as a re-sync's does)
            ledger.append_many(new, settles=settled_claims(new))

    def _receipts(self, store: str) -> list[Receipt]:
        ledger = self.rewards.wallet.ledger
        out: list[Receipt] = []
        for kind in ("stake", "payout", "refund"):
            out.extend(ledger.history(kind=kind, service=store, limit=HISTORY))
        return out

    def _view(self, at: _Store, kept: Kept | None, listed: Round | None) -> RoundView:
        """The check of a round as signed data show it: ``listed`` (the store's signed round now,
        None when it no longer lists it) and ``kept`` (this app's unsigned record of it) go
        through ``kept.believe``; what nothing signed backs is left out and said."""
        rnd = listed if listed is not None else kept.round if kept is not None else None
        assert rnd is not None
        row = at.service.get(rnd.id)
        prove = self._prover(at.store, rnd.id, at.decimals, at.kept, at.data, keep=kept is not None)
        service_seed = row.get("seed") if row is not None else None
        belief = believe(kept, listed, at.terms.get(rnd.id, set()), service_seed, at.now, at.decimals, prove)
        if belief.keep is not None:
            at.kept.write(belief.keep)
        if belief.round is None:  # nothing signed says what this round was: it cannot be checked
            assert kept is not None
            check = verify_round(replace(kept.round, seed=None), at.receipts, at.now, decimals=at.decimals)
            check = replace(check, verdict="unknown", record_changed=True,
                            message=f"{CHANGED} Nothing the store signs now names this round: this app "
                                    "cannot check it.")
        else:
            check = verify_round(belief.round, at.receipts, at.now, service=row, seed_seen_at=belief.seen_at,
                                 other_seed=belief.other_seed, decimals=at.decimals,
                                 service_now=at.service_now, record_changed=belief.changed)
        return RoundView(at.store, check.round, at.decimals, check, listed is not None)

    def find(self, ref: str) -> tuple[str, Round]:
        """The store and round named ``ref`` (``ROUND`` or ``STORE/ROUND``)."""
        store, rnd, _ = self._find(ref)
        return store, rnd

    def _find(self, ref: str) -> tuple[str, Round, tuple[RoundsFile, bytes] | None]:
        """``find``, with the store's signed rounds as read (``_rounds_target``) for the caller
        that checks the round next (``verify``), so the file is not read and parsed twice."""
        self._freshen()
        want_store, _, rid = ref.rpartition("/")
        found: list[tuple[str, Round, tuple[RoundsFile, bytes] | None]] = []
        for store in self.rewards.stores_with_service():
            if want_store and store != want_store:
                continue
            try:
                got = self._rounds_target(store)
            except AppStoreError as e:
                log.info("games: %s", e)
                continue
            rnd = got[0].get(rid) if got is not None else None
            if rnd is None:
                policy = self.rewards.policy(store)
                k = self._kept_rounds(store, policy.decimals).get(rid) if policy else None
                rnd = k.round if k is not None else None
            if rnd is not None:
                found.append((store, rnd, got))
        if not found:
            raise NotFound(f"no game round {ref!r} (see `games` for the rounds)")
        if len(found) > 1:
            raise AppStoreError(f"round {rid} is in several stores ({', '.join(s for s, _, _ in found)}): "
                                "write STORE/ROUND")
        return found[0]

    # -- playing ---------------------------------------------------------------------------

    def stake(self, ref: str, option: str, amount: int, *, seen: Round | None = None,
              stake_id: str | None = None) -> tuple[str, Receipt]:
        """Stake ``amount`` IA base units on ``option`` of round ``ref``; the receipt goes into
        the ledger and the round, as staked on, is kept for checking it later. ``seen``: the round
        as the user was shown it (the stake is refused if the store's is another now).

        One stake id per user action: it is kept with the round until the answer comes, and a
        stake of the same option and amount on the same round sent again after a lost answer
        reuses it, so the service takes it at most once (the same receipt comes back). Deciding,
        sending and answering hold the store's stake lock (``KeptRounds.staking``), so two
        identical stakes at once from one data dir are two stakes, never one reported twice."""
        store, rnd = self.find(ref)
        policy = self.rewards.policy(store)
        assert policy is not None
        d = policy.decimals
        if rnd.option(option) is None:
            raise AppStoreError(f"round {rnd.id} has no option {option!r} (its options: "
                                f"{', '.join(o.id for o in rnd.options)})")
        if seen is not None and definition_json(seen, d) != definition_json(rnd, d):
            raise AppStoreError(f"the store changed round {rnd.id} since it was shown (its odds, options "
                                "or times): look at it again before staking; nothing was staked")
        if rnd.seed is not None:
            raise AppStoreError(f"round {rnd.id}'s seed is already published: it takes no more stakes")
        self.rewards.wallet.require_spendable()
        kept = self._kept_rounds(store, d)
        with kept.staking(store):  # one process at a time decides, sends and is answered
            receipt = self._send_stake(store, rnd, option, amount, kept, stake_id)
        self._sync(store)
        return store, receipt

    def _send_stake(self, store: str, rnd: Round, option: str, amount: int, kept: KeptRounds,
                    stake_id: str | None) -> Receipt:
        """The stake, under the store's stake lock: no other imapp reads the stake in flight
        before its answer came (or was lost), so no two send (and report) one stake id."""
        d = kept.decimals
        stakes, _ = round_receipts(self._receipts(store), rnd.id)
        terms = {ref.terms for r in stakes if (ref := parse_stake_reference(r.reference)) is not None}
        if terms and terms_hash(rnd, d) not in terms:  # the signed receipts name the round as it was
            raise AppStoreError(f"the store changed round {rnd.id} after you staked on it: it takes no "
                                "more stakes (your stakes are settled by the round as it was)")
        pending = kept.pending(rnd.id)
        if stake_id is None and pending is not None and (pending.option, pending.amount) == (option, amount):
            stake_id = pending.stake_id  # the same stake sent again after a lost answer: taken at most once
        stake_id = stake_id or secrets.token_hex(16)
        first = kept.get(rnd.id)
        if first is None or definition_json(first.round, d) != definition_json(rnd, d):
            kept.write(Kept(rnd, None))  # what is staked on (a record that is not it is replaced)
        kept.set_pending(rnd.id, Pending(stake_id, option, amount))
        try:
            receipt = self.rewards.client(store).stake(rnd, option, amount, stake_id=stake_id)
        except ServiceUnreachable as e:
            # the stake may have been taken: keep the round and the stake's id for a retry
            raise ServiceUnreachable(
                f"{_first_sentence(str(e))}. The stake's answer did not come: it may have been taken. "
                "Stake the same amount on the same option again to retry (it is never taken twice), "
                "or look at the wallet once the service is back.") from None
        except ServiceError:
            kept.set_pending(rnd.id, None)
            if first is None and not stakes:
                kept.forget(rnd.id)
            raise
        kept.set_pending(rnd.id, None)
        return receipt

    def verify(self, ref: str, *, sync: bool = True) -> RoundView:
        """The check of one round (see ``verify_round``)."""
        store, _, got = self._find(ref)
        rid = ref.rpartition("/")[2]
        for view in self._store_rounds(store, sync, got):
            if view.round.id == rid:
                return view
        raise NotFound(f"round {ref!r} has not opened yet")
