"""What this app keeps of a store's rounds the user staked on (docs/games.md, "The kept round"),
in ``DATA/games/STORE/``:

* ``ID.json``: the round as staked on (its definition, whose SHA-256 the signed stake receipts
  name), the first seed seen and when, a second, different seed if one came;
* ``pending/ID.json``: a stake sent whose answer has not come (its id, option and amount), so
  the same stake sent again reuses its id;
* ``proof/ID.SEED.json``: the store's signed rounds file that shows ``SEED`` for the round
  (``evidence.Signed``), kept for a seed that does not match the commitment;
* ``.stakes.lock``: held by whoever decides and sends a stake to the store, so two processes
  never send (and both report) one stake id at once.

None of it is signed, so none of it is evidence: ``believe`` keeps of a kept round only what
the store or its service signed — a definition named by a signed stake receipt (or the same as
the store's signed round), a seed that matches the commitment (anyone can check that) or that a
kept proof shows the store signed — and says when the record held something else.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from appstore.core.errors import AppStoreError
from appstore.core.fileio import write_bytes_atomic
from appstore.core.games.evidence import Signed
from appstore.core.games.rounds import Round, definition_json, round_from_definition, terms_hash
from appstore.core.games.rule import HEX64, seed_matches
from appstore.core.ia.times import format_time, parse_time
from appstore.core.logs import log
from appstore.core.oslock import held

STAKE_WAIT = 90.0  # seconds a stake waits for another process's stake to the same store
_STAKE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Kept:
    """A round kept in ``ID.json``: as staked on, with the first seed seen."""

    round: Round  # as staked on, with the first seed this app saw (if any)
    seed_seen_at: datetime | None
    other_seed: str | None = None  # a later, different seed: the store broke its promise


@dataclass(frozen=True)
class Pending:
    """A stake sent whose answer has not come."""

    stake_id: str
    option: str
    amount: int


@dataclass(frozen=True)
class Belief:
    """What of a round can be believed: ``round`` is its signed definition with a seed the
    store signed or that matches the commitment (None: nothing signed says what it is)."""

    round: Round | None
    seen_at: datetime | None
    other_seed: str | None
    changed: bool  # the kept record held something nothing signed backs (it was ignored)
    keep: Kept | None  # what to write back (a seed seen for the first time, a repaired record)


class KeptRounds:
    """The kept rounds of one store (IA with ``decimals``)."""

    def __init__(self, folder: Path, decimals: int) -> None:
        self.folder = folder
        self.decimals = decimals

    def _path(self, round_id: str) -> Path:
        return self.folder / f"{round_id}.json"

    def all(self) -> dict[str, Kept]:
        out: dict[str, Kept] = {}
        if self.folder.is_dir():
            for p in self.folder.glob("*.json"):
                k = self._read(p)
                if k is not None:
                    out[k.round.id] = k
        return out

    def get(self, round_id: str) -> Kept | None:
        p = self._path(round_id)
        return self._read(p) if p.exists() else None

    def _raw(self, path: Path) -> dict[str, Any] | None:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            log.warning("games: %s cannot be read (%s); ignored", path, e)
            return None
        return raw if isinstance(raw, dict) else None

    def _read(self, path: Path) -> Kept | None:
        raw = self._raw(path)
        if raw is None:
            return None
        try:
            rnd = round_from_definition(raw["definition"], self.decimals)
            seed, other = raw.get("seed"), raw.get("other_seed")
            if isinstance(seed, str) and HEX64.fullmatch(seed):
                rnd = replace(rnd, seed=seed)
            return Kept(rnd, parse_time(raw.get("seed_seen_at")) if rnd.seed else None,
                        other if isinstance(other, str) and HEX64.fullmatch(other) and rnd.seed else None)
        except (ValueError, KeyError, TypeError, AppStoreError) as e:
            log.warning("games: %s cannot be read (%s); ignored", path, e)
            return None

    def write(self, kept: Kept) -> None:
        rnd = kept.round
        body: dict[str, Any] = {"definition": definition_json(rnd, self.decimals), "seed": rnd.seed,
                                "seed_seen_at": format_time(kept.seed_seen_at) if kept.seed_seen_at else None}
        if kept.other_seed is not None:
            body["other_seed"] = kept.other_seed
        write_bytes_atomic(self._path(rnd.id), json.dumps(body, ensure_ascii=False, sort_keys=True).encode())

    def forget(self, round_id: str) -> None:
        self._path(round_id).unlink(missing_ok=True)
        self.set_pending(round_id, None)

    # -- the stake in flight ------------------------------------------------------------------

    @contextlib.contextmanager
    def staking(self, store: str) -> Iterator[None]:
        """Held while a stake to the store is decided, sent and answered (by any process)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with held(self.folder / ".stakes.lock", STAKE_WAIT, lambda: AppStoreError(
                f"another imapp on this computer has been sending a stake to store {store} for over "
                f"{int(STAKE_WAIT)} seconds; nothing was staked. Look at your stakes (`games`) before "
                "staking again.")):
            yield

    def pending(self, round_id: str) -> Pending | None:
        raw = self._raw(self.folder / "pending" / f"{round_id}.json")
        if raw is None:  # kept inside the round's file by imapp before 2026-12
            raw = (self._raw(self._path(round_id)) or {}).get("pending")
        if not isinstance(raw, dict):
            return None
        sid, option, amount = raw.get("stake_id"), raw.get("option"), raw.get("amount")
        if isinstance(sid, str) and _STAKE_ID.fullmatch(sid) and isinstance(option, str) \
                and type(amount) is int and amount > 0:
            return Pending(sid, option, amount)
        return None

    def set_pending(self, round_id: str, pending: Pending | None) -> None:
        path = self.folder / "pending" / f"{round_id}.json"
        legacy = self._raw(self._path(round_id)) if self._path(round_id).exists() else None
        if legacy is not None and "pending" in legacy:  # moved out of the round's file
            legacy.pop("pending")
            data = json.dumps(legacy, ensure_ascii=False, sort_keys=True).encode()
            write_bytes_atomic(self._path(round_id), data)
        if pending is None:
            path.unlink(missing_ok=True)
            return
        write_bytes_atomic(path, json.dumps({"stake_id": pending.stake_id, "option": pending.option,
                                             "amount": pending.amount}).encode())

    # -- proofs -----------------------------------------------------------------------------

    def proof(self, round_id: str, seed: str) -> Signed | None:
        try:
            return Signed.from_bytes((self.folder / "proof" / f"{round_id}.{seed}.json").read_bytes())
        except OSError:
            return None

    def keep_proof(self, round_id: str, seed: str, proof: Signed) -> None:
        write_bytes_atomic(self.folder / "proof" / f"{round_id}.{seed}.json", proof.to_bytes())


def believe(kept: Kept | None, listed: Round | None, terms: set[str], service_seed: object,
            now: datetime, decimals: int, prove: Callable[[str], Round | None]) -> Belief:
    """What of round ``listed`` / ``kept`` rests on signed data.

    ``listed``: the round in the store's signed rounds file now (None: not listed); ``terms``:
    the terms hashes the user's signed stake receipts on it name; ``service_seed``: the seed the
    service reports (believed only when it matches the commitment); ``prove(seed)``: the round as
    a verified proof shows the store signed it with ``seed`` (None: no such proof). A seed that
    does not match the commitment is believed only with a proof: only then is it the store's."""
    changed = False
    d: Round | None = None
    if kept is not None:
        k = replace(kept.round, seed=None)
        if terms_hash(k, decimals) in terms or (listed is not None and _same(k, listed, decimals)):
            d = k
        else:  # a proof kept with it may show the store signed this very round
            shown = [prove(s) for s in (kept.round.seed, kept.other_seed) if s is not None]
            if any(r is not None and _same(k, r, decimals) for r in shown):
                d = k
            else:
                changed = True
                d = next((replace(r, seed=None) for r in shown
                          if r is not None and terms_hash(r, decimals) in terms), None)
    if d is None and listed is not None:
        d = replace(listed, seed=None)  # what the store signs now
    if d is None:
        return Belief(None, None, None, changed, None)
    commitment = d.commitment

    def believed(s: str | None) -> str | None:
        return s if s is not None and (seed_matches(s, commitment) or prove(s) is not None) else None

    first = kept.round.seed if kept is not None else None
    seen_at = kept.seed_seen_at if kept is not None else None
    other = kept.other_seed if kept is not None else None
    if first is not None and believed(first) is None:
        changed, first, seen_at = True, None, None
    if other is not None and other == first:
        other = None
    elif other is not None and believed(other) is None:
        changed, other = True, None
    if first is None and other is not None:
        first, other = other, None
    fresh = believed(listed.seed if listed is not None else None)
    if fresh is None and isinstance(service_seed, str) and seed_matches(service_seed, commitment):
        fresh = service_seed  # the app missed the publication; the service's copy matches
    new = False
    if first is None and fresh is not None:
        first, seen_at, new = fresh, now, True  # the first seed seen is kept for good
    elif first is not None and fresh is not None and fresh != first and other is None:
        other, new = fresh, True  # a second, different seed, signed: a broken promise
    rnd = replace(d, seed=first)
    keep = None
    if kept is not None and new:  # written from signed data only (a changed record is repaired)
        base = kept.round if not changed else d
        keep = Kept(replace(base, seed=first), seen_at, other)
    return Belief(rnd, seen_at, other, changed, keep)


def _same(a: Round, b: Round, decimals: int) -> bool:
    return definition_json(a, decimals) == definition_json(b, decimals)
