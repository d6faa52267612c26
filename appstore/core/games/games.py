"""The app's side of the guessing games (docs/games.md): each store's signed rounds, stakes sent
to its IA service (the house), and every settled round checked against the rule.

A store takes part when it signs ``games/rounds.json`` (and a reward policy naming its service).
Stakes, payouts and refunds are receipts in the wallet's ledger like any other; what a round was
when the user staked on it is kept in ``DATA/games/STORE/ID.json`` (with when the app first saw
its seed), so a round the store no longer lists can still be checked. For the built-in demo store
this process also keeps the rounds running (``keep_rounds``: the round keeper, then a refresh).

Blocking network and disk work: call it off the GUI thread.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from appstore.core.errors import AppStoreError, NotFound
from appstore.core.fileio import write_bytes_atomic
from appstore.core.games.rounds import (
    ROUNDS_TARGET,
    Round,
    RoundsError,
    RoundsFile,
    definition_json,
    parse_rounds,
    round_from_definition,
)
from appstore.core.games.rule import seed_matches
from appstore.core.games.verify import Verification, verify_round
from appstore.core.ia.client import ServiceClient, resolve_url
from appstore.core.ia.errors import ServiceError, ServiceUnreachable
from appstore.core.ia.times import format_time, parse_time
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.rewards import Rewards
from appstore.core.store.manager import Stores
from appstore.core.wallet.keys import Account
from appstore.core.wallet.receipts import Receipt

MAX_TARGET = 4 * 1024 * 1024
ROUNDS_REFRESH = timedelta(seconds=60)  # a store with games: its metadata refreshed at most this often
_NOBODY = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"  # an address for public reads before a wallet exists


@dataclass(frozen=True)
class _ReadOnly:
    """What a ``ServiceClient`` needs of an account for reads: its address (it signs nothing)."""

    address: str
HISTORY = 100_000  # receipts of a kind read back from the ledger


@dataclass(frozen=True)
class Kept:
    """A round kept in ``DATA/games/STORE/ID.json``: as staked on, with the first seed seen."""

    round: Round  # as staked on, with the first seed this app saw (if any)
    seed_seen_at: datetime | None
    other_seed: str | None = None  # a later, different seed: the store broke its promise


def _first_sentence(text: str) -> str:
    return text.split(";")[0].rstrip(". ")


@dataclass(frozen=True)
class RoundView:
    """A round as the app shows it: its state, the user's stakes and the check of its settlement."""

    store: str
    round: Round
    decimals: int
    check: Verification
    listed: bool = True  # in the store's current rounds file (else: kept from when the user staked)

    @property
    def state(self) -> str:
        return self.check.state

    @property
    def ref(self) -> str:
        return self.round.id

    def to_json(self) -> dict[str, Any]:
        from appstore.core.wallet.amounts import format_amount

        r, d = self.round, self.decimals
        out = {
            "id": r.id, "store": self.store, "kind": r.kind, "title": r.text("title"),
            "question": r.text("question"), "texts": {"title": dict(r.title), "question": dict(r.question)},
            "options": [o.id for o in r.options],
            "option_labels": {o.id: dict(o.label) for o in r.options},
            "odds": {o.id: o.odds_bp for o in r.options},  # basis points: 19400 pays 1.94 × the stake
            "odds_decimal": {o.id: odds_text(o.odds_bp) for o in r.options},
            "min_stake": format_amount(r.min_stake, d), "max_stake": format_amount(r.max_stake, d),
            "state": self.state, "verdict": self.check.verdict, "message": self.check.message,
            "opens_at": format_time(r.opens_at), "locks_at": format_time(r.locks_at),
            "reveals_at": format_time(r.reveals_at), "commitment": r.commitment,
            "result": self.check.result,
            "stakes": [{"option": s.option, "amount": format_amount(s.amount, d), "odds_bp": s.odds_bp,
                        "receipt": s.receipt.seq, "time": s.receipt.time,
                        "expected": s.expected_kind, "expected_amount": format_amount(s.expected, d),
                        "received": format_amount(s.received, d)} for s in self.check.stakes],
            "staked": format_amount(self.check.staked, d), "received": format_amount(self.check.received, d),
            "owed": format_amount(self.check.owed, d), "listed": self.listed,
        }
        if r.seed is not None:
            out["seed"] = r.seed
        return out


@dataclass
class Overview:
    rounds: list[RoundView] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # stores whose rounds or service failed

    def totals(self) -> dict[str, int]:
        """Over the settled rounds the user staked on: staked, received, net (base units; one
        store's decimals: the demo's)."""
        staked = received = 0
        for v in self.rounds:
            if v.check.stakes and v.state in ("settled", "invalid", "refunded"):
                staked += v.check.staked
                received += v.check.received
        return {"staked": staked, "received": received, "net": received - staked}


def odds_text(bp: int) -> str:
    whole, rest = divmod(bp, 10_000)
    return f"{whole}.{rest:04d}".rstrip("0").rstrip(".")


class Games:
    def __init__(self, paths: Paths, stores: Stores, rewards: Rewards,
                 clock: Any = None) -> None:
        self.paths = paths
        self.stores = stores
        self.rewards = rewards
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
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
            self._keeper = RoundKeeper(base / "repo", base / "keys", base / "games", entry.id,
                                       decimals=decimals, timing=Timing.from_env())
        if not self._keeper.tick(now):
            return False
        self._stale.add(entry.id)
        return True

    def _freshen(self) -> None:
        """Refresh the stores whose rounds this process published since it last read them, and
        every other store with games at most once every ``ROUNDS_REFRESH`` (their rounds are
        revealed and opened by their publisher, not by this app). Network work: a worker's."""
        stale, self._stale = self._stale, set()
        now = self.clock()
        due = set()
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
        policy = self.rewards.policy(store)
        if policy is None:
            return None
        try:
            path = self.stores.client(store).fetch_target(ROUNDS_TARGET, max_length=MAX_TARGET)
        except NotFound:
            return None
        rounds = parse_rounds(path.read_bytes(), f"{store}: {ROUNDS_TARGET}", decimals=policy.decimals)
        if rounds.store != store:
            raise RoundsError(f"{ROUNDS_TARGET} is the rounds file of store {rounds.store!r}, not this one",
                              where=store)
        return rounds

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

    def _kept_dir(self, store: str) -> Path:
        return self.paths.root / "games" / store

    def _kept_raw(self, store: str, round_id: str) -> dict[str, Any] | None:
        try:
            raw = json.loads((self._kept_dir(store) / f"{round_id}.json").read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            log.warning("games: the kept round %s/%s cannot be read (%s)", store, round_id, e)
            return None
        return raw if isinstance(raw, dict) else None

    def _kept(self, store: str, decimals: int) -> dict[str, Kept]:
        out: dict[str, Kept] = {}
        folder = self._kept_dir(store)
        if not folder.is_dir():
            return out
        for p in folder.glob("*.json"):
            try:
                raw = json.loads(p.read_text("utf-8"))
                rnd = round_from_definition(raw["definition"], decimals)
                seed = raw.get("seed")
                if isinstance(seed, str):
                    rnd = replace(rnd, seed=seed)
                other = raw.get("other_seed")
                out[rnd.id] = Kept(rnd, parse_time(raw.get("seed_seen_at")),
                                   other if isinstance(other, str) else None)
            except (OSError, ValueError, KeyError, TypeError, AppStoreError) as e:
                log.warning("games: %s cannot be read (%s); ignored", p, e)
        return out

    def _keep(self, store: str, rnd: Round, decimals: int, seed_seen_at: datetime | None, *,
              other_seed: str | None = None, pending: dict[str, Any] | None = None) -> None:
        """Write the round as staked on (its definition, whose SHA-256 the stake receipts name),
        the first seed seen and when, a second different seed if one came, and the stake in
        flight (``pending``: its id, option and amount, until its answer comes)."""
        body: dict[str, Any] = {"definition": definition_json(rnd, decimals), "seed": rnd.seed,
                "seed_seen_at": format_time(seed_seen_at) if seed_seen_at else None}
        if other_seed is not None:
            body["other_seed"] = other_seed
        if pending is not None:
            body["pending"] = pending
        write_bytes_atomic(self._kept_dir(store) / f"{rnd.id}.json",
                           json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    # -- what the user sees ----------------------------------------------------------------

    def overview(self, *, sync: bool = True) -> Overview:
        """Every round of every store with games, newest first, each with the user's stakes and
        the check of its settlement. ``sync`` fetches the receipts the wallet lacks first."""
        with self._lock:
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

    def _store_rounds(self, store: str, sync: bool) -> list[RoundView]:
        file = self.rounds_file(store)
        policy = self.rewards.policy(store)
        if file is None or policy is None:
            return []
        self._with_games.add(store)
        decimals = policy.decimals
        kept = self._kept(store, decimals)
        service: dict[str, dict[str, Any]] = {}
        service_now: datetime | None = None
        has_wallet = self._has_wallet()
        try:
            if sync and has_wallet:
                self._sync(store)
            reader = self._reader(store)
            service = {str(r["id"]): r for r in reader.game_rounds()}
            service_now = parse_time(reader.info().get("time"))
        except ServiceUnreachable as e:
            log.info("games: %s", e)
        receipts = self._receipts(store) if has_wallet else []
        now = self.clock()
        views: list[RoundView] = []
        for rnd in file.rounds:
            if rnd.opens_at > now:
                continue
            views.append(self._view(store, rnd, decimals, kept, service, receipts, now, listed=True,
                                    service_now=service_now))
        listed = {r.id for r in file.rounds}
        for rid, k in kept.items():
            if rid not in listed:
                views.append(self._view(store, k.round, decimals, kept, service, receipts, now, listed=False,
                                        service_now=service_now))
        return views

    def _has_wallet(self) -> bool:
        return bool(self.rewards.wallet.status().address)

    def _reader(self, store: str) -> ServiceClient:
        """A client for the service's public reads (receipts, the rounds' states): it signs
        nothing, so it needs the wallet's address but never its seed (no passphrase asked)."""
        policy = self.rewards.policy(store)
        if policy is None:
            raise NotFound(f"store {store} has no IA service")
        address = self.rewards.wallet.status().address
        return ServiceClient(resolve_url(policy, self.rewards._embedded(store)), policy,
                             cast(Account, _ReadOnly(address or _NOBODY)))

    def _sync(self, store: str) -> None:
        """The receipts the wallet lacks from ``store`` (a read: no seed needed). A ledger that
        failed verification is left to the wallet's re-sync."""
        ledger = self.rewards.wallet.ledger
        if ledger.problem is not None:
            return
        last, _ = ledger.last(store)
        new = self._reader(store).receipts(since=last)
        if new:
            ledger.append_many(new)

    def _receipts(self, store: str) -> list[Receipt]:
        ledger = self.rewards.wallet.ledger
        out: list[Receipt] = []
        for kind in ("stake", "payout", "refund"):
            out.extend(ledger.history(kind=kind, service=store, limit=HISTORY))
        return out

    def _view(self, store: str, rnd: Round, decimals: int, kept: dict[str, Kept],
              service: dict[str, dict[str, Any]], receipts: list[Receipt], now: datetime,
              listed: bool, service_now: datetime | None = None) -> RoundView:
        seen_at: datetime | None = None
        other: str | None = None
        row = service.get(rnd.id)
        if rnd.id in kept:
            k = kept[rnd.id]
            staked_on, seen_at, other = k.round, k.seed_seen_at, k.other_seed
            # the seed seen now: the store's signed file, else the service's copy if it matches
            fresh = rnd.seed if listed else None
            from_service = row.get("seed") if row is not None else None
            if fresh is None and isinstance(from_service, str) and seed_matches(from_service,
                                                                                 staked_on.commitment):
                fresh = from_service
            seed, changed = staked_on.seed, False
            if seed is None and fresh is not None:
                seed, seen_at, changed = fresh, now, True  # the first seed seen is kept for good
            elif seed is not None and fresh is not None and fresh != seed and other is None:
                other, changed = fresh, True  # a second, different seed: proof of a broken promise
            rnd_checked = replace(staked_on, seed=seed)  # checked as staked on, whatever the store signs now
            if changed:
                self._keep(store, rnd_checked, decimals, seen_at, other_seed=other,
                           pending=(self._kept_raw(store, rnd.id) or {}).get("pending"))
        else:
            rnd_checked = rnd
        check = verify_round(rnd_checked, receipts, now, service=row, seed_seen_at=seen_at,
                             other_seed=other, decimals=decimals, service_now=service_now)
        return RoundView(store, check.round, decimals, check, listed)

    def find(self, ref: str) -> tuple[str, Round]:
        """The store and round named ``ref`` (``ROUND`` or ``STORE/ROUND``)."""
        self._freshen()
        want_store, _, rid = ref.rpartition("/")
        found: list[tuple[str, Round]] = []
        for store in self.rewards.stores_with_service():
            if want_store and store != want_store:
                continue
            try:
                file = self.rounds_file(store)
            except AppStoreError as e:
                log.info("games: %s", e)
                continue
            rnd = file.get(rid) if file is not None else None
            if rnd is None:
                policy = self.rewards.policy(store)
                kept = self._kept(store, policy.decimals) if policy else {}
                rnd = kept[rid].round if rid in kept else None
            if rnd is not None:
                found.append((store, rnd))
        if not found:
            raise NotFound(f"no game round {ref!r} (see `games` for the rounds)")
        if len(found) > 1:
            raise AppStoreError(f"round {rid} is in several stores ({', '.join(s for s, _ in found)}): "
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
        reuses it, so the service takes it at most once (the same receipt comes back)."""
        with self._lock:
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
            ledger = self.rewards.wallet.ledger
            ledger.require_verified()
            kept = self._kept(store, d)
            if rnd.id in kept and definition_json(kept[rnd.id].round, d) != definition_json(rnd, d):
                raise AppStoreError(f"the store changed round {rnd.id} after you staked on it: it takes no "
                                    "more stakes (your stakes are settled by the round as it was)")
            raw = self._kept_raw(store, rnd.id) or {}
            pending = raw.get("pending")
            if stake_id is None and isinstance(pending, dict) and pending.get("option") == option \
                    and pending.get("amount") == amount and isinstance(pending.get("stake_id"), str):
                stake_id = pending["stake_id"]  # the same stake sent again: taken at most once
            stake_id = stake_id or secrets.token_hex(16)
            first = kept.get(rnd.id)
            here = first.round if first is not None else rnd
            seen_at = first.seed_seen_at if first is not None else None
            other = first.other_seed if first is not None else None
            # before the stake: what is staked on, and the stake in flight
            self._keep(store, here, d, seen_at, other_seed=other,
                       pending={"stake_id": stake_id, "option": option, "amount": amount})
            try:
                receipt = self.rewards.client(store).stake(rnd, option, amount, stake_id=stake_id)
            except ServiceUnreachable as e:
                # the stake may have been taken: keep the round and the stake's id for a retry
                raise ServiceUnreachable(
                    f"{_first_sentence(str(e))}. The stake's answer did not come: it may have been taken. "
                    "Stake the same amount on the same option again to retry (it is never taken twice), "
                    "or look at the wallet once the service is back.") from None
            except ServiceError:
                if first is None and not self._receipts_on(store, rnd.id):
                    (self._kept_dir(store) / f"{rnd.id}.json").unlink(missing_ok=True)
                else:
                    self._keep(store, here, d, seen_at, other_seed=other)
                raise
            self._keep(store, here, d, seen_at, other_seed=other)
            self._sync(store)
            return store, receipt

    def _receipts_on(self, store: str, round_id: str) -> bool:
        from appstore.core.games.verify import round_receipts

        return bool(round_receipts(self._receipts(store), round_id)[0])

    def verify(self, ref: str, *, sync: bool = True) -> RoundView:
        """The check of one round (see ``verify_round``)."""
        store, _ = self.find(ref)
        rid = ref.rpartition("/")[2]
        for view in self._store_rounds(store, sync):
            if view.round.id == rid:
                return view
        raise NotFound(f"round {ref!r} has not opened yet")
