"""The games' house (docs/games.md, docs/ia-service.md "Games"): stakes on the store's signed
rounds, and their settlement once the store reveals a round's seed.

* A **stake** (a signed ``stake`` request) is taken only while the round is open by the
  service's clock, within the round's minimum and maximum (all of an account's stakes on a round
  together) and the account's balance; it answers a ``stake`` receipt whose reference names the
  round, the option, the odds and the commitment. The first stake keeps the round's definition:
  settlement goes by it, whatever the store signs later.
* **Settlement**, for each round with stakes, once its seed is published (or its reveal time has
  passed without one): the seed is checked against the kept commitment; a match pays every
  winning stake ``stake × odds_bp // 10000`` (a ``payout`` receipt); a mismatch (the store broke
  its promise) or no seed by ``reveals_at`` refunds every stake (``refund`` receipts). A round is
  settled in **one transaction** with a row per stake (primary key: the stake), so settling
  twice never pays twice and a kill -9 mid-settlement leaves nothing half done.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from appstore.core.games.rounds import (
    Option,
    Round,
    RoundsFile,
    definition_json,
    round_from_definition,
    settle_reference,
    stake_reference,
)
from appstore.core.games.rule import HEX64, draw_index, payout, seed_matches
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.protocol import HEX32, SignedRequest, format_time, malformed, parse_time, positive_int
from appstore.core.wallet.amounts import format_amount
from appstore.core.wallet.receipts import Receipt
from appstore.service.schema import t_game_rounds, t_game_settlements, t_game_stakes, t_receipts
from appstore.service.storage import HOUSE, Head, Storage, insert_ignore

log = logging.getLogger(__name__)
RoundsProvider = Callable[[], "RoundsFile | None"]
FINAL = ("settled", "invalid", "refunded")
RETRY = timedelta(seconds=60)  # a round whose settlement failed is tried again this much later
MAX_LISTED = 500


class Games:
    def __init__(self, storage: Storage, decimals: int, rounds: RoundsProvider | None) -> None:
        self.storage = storage
        self.decimals = decimals
        self.rounds = rounds or (lambda: None)
        self._lock = threading.Lock()
        self._done: set[str] = set()  # rounds known to be in a final state
        self._retry: dict[str, datetime] = {}  # rounds whose settlement failed: not tried again before
        # (the rounds file last looked at, nothing due before): skip the database until either changes
        self._quiet: tuple[RoundsFile | None, datetime | None] | None = None

    def _ia(self, units: int) -> str:
        return format_amount(units, self.decimals) + " IA"

    # -- stakes --------------------------------------------------------------------------

    def stake(self, conn: Connection, head: Head, req: SignedRequest, now: datetime) -> dict[str, Any]:
        p = req.payload
        stake_id = p.get("stake_id")
        if not isinstance(stake_id, str) or not HEX32.fullmatch(stake_id):
            raise malformed("stake_id must be 32 lowercase hex digits (fresh for each stake)")
        done = conn.execute(select(t_game_stakes.c.seq).where(t_game_stakes.c.account == head.address,
                                                              t_game_stakes.c.stake_id == stake_id)).scalar()
        if done is not None:  # sent again (an answer lost on the way): the same receipt
            body = conn.execute(select(t_receipts.c.body).where(t_receipts.c.account == head.address,
                                                                t_receipts.c.seq == done)).scalar_one()
            return {"receipt": Receipt.from_json(body).to_dict()}
        rid, option = p.get("round"), p.get("option")
        amount = positive_int(p.get("amount_ia"), "amount_ia")
        if not isinstance(rid, str) or not isinstance(option, str):
            raise malformed("round and option must be the ids the store's rounds file gives")
        odds_seen, commitment_seen, terms_seen = p.get("odds_bp"), p.get("commitment"), p.get("terms")
        if type(odds_seen) is not int or not isinstance(commitment_seen, str) or not HEX64.fullmatch(
                commitment_seen) or not isinstance(terms_seen, str) or not HEX64.fullmatch(terms_seen):
            raise malformed("a stake names the option's odds_bp, the round's commitment and terms (the "
                            "SHA-256 of its definition) as the user saw them")
        rnd, opt, definition, terms = self._open_round(rid, option, odds_seen, commitment_seen, terms_seen,
                                                       now)
        row = conn.execute(select(t_game_rounds).where(t_game_rounds.c.round_id == rid)
                           .with_for_update()).first()
        self._check_row(row, rid, definition)
        self._check_amount(conn, head, rid, rnd.min_stake, rnd.max_stake, amount)
        s = self.storage
        if row is None:
            insert_ignore(conn, t_game_rounds, {
                "round_id": rid, "state": "open", "commitment": rnd.commitment,
                "reveals_at": format_time(rnd.reveals_at), "definition": definition, "result": None,
                "seed": None, "stakes": 0, "staked": 0, "paid": 0, "time": None})
            # Locked now that it exists: a final row recorded at the same moment (a round nobody
            # had staked on, settled by another thread or process) wins, and the stake is refused.
            self._check_row(conn.execute(select(t_game_rounds).where(t_game_rounds.c.round_id == rid)
                                         .with_for_update()).first(), rid, definition)
        if not s.move(conn, head.address, "IA", -amount):
            raise RuntimeError("the IA balance changed under the account's lock")
        s.move(conn, HOUSE, "IA", amount)
        r = s.append(conn, head, "IA", -amount, "stake", stake_reference(rid, option, opt.odds_bp, terms),
                     now)
        conn.execute(t_game_stakes.insert().values(account=head.address, stake_id=stake_id, round_id=rid,
                                                   option=option, amount=amount, odds_bp=opt.odds_bp,
                                                   seq=r.seq, time=r.time))
        c = t_game_rounds.c
        conn.execute(t_game_rounds.update().where(c.round_id == rid)
                     .values(stakes=c.stakes + 1, staked=c.staked + amount))
        self._quiet = None
        return {"receipt": r.to_dict()}

    def _open_round(self, rid: str, option: str, odds_seen: int, commitment_seen: str, terms_seen: str,
                    now: datetime) -> tuple[Round, Option, str, str]:
        """The round and option a stake names, as the user saw them, open by the service's clock;
        with the round's definition and its SHA-256 (the terms)."""
        rounds = self.rounds()
        rnd = rounds.get(rid) if rounds is not None else None
        if rnd is None:
            raise ServiceError("unknown-round", f"the store has no open round {rid[:48]!r}", status=404)
        opt = rnd.option(option)
        if opt is None:
            raise ServiceError("unknown-option", f"round {rid} has no option {option[:24]!r} (its options: "
                                                 f"{', '.join(o.id for o in rnd.options)})", status=400)
        definition = definition_json(rnd, self.decimals)
        terms = hashlib.sha256(definition.encode("utf-8")).hexdigest()
        if odds_seen != opt.odds_bp or commitment_seen != rnd.commitment or terms_seen != terms:
            what = (f"odds {odds_seen} bp, now {opt.odds_bp}" if odds_seen != opt.odds_bp
                    else "its commitment" if commitment_seen != rnd.commitment else "its terms")
            raise ServiceError("round-changed", f"round {rid} is not the one the stake was made on ({what}): "
                                                "the store changed it; look at it again", status=409)
        if now < rnd.opens_at:
            raise ServiceError("round-not-open", f"round {rid} opens at {format_time(rnd.opens_at)} "
                                                 f"(the service's clock says {format_time(now)})", status=409)
        if now >= rnd.locks_at:
            raise ServiceError("round-locked", f"round {rid} locked at {format_time(rnd.locks_at)} by the "
                                               f"service's clock (now {format_time(now)}): it takes no more "
                                               "stakes", status=409)
        if rnd.seed is not None:  # published early (another clock, a mistake): never a sure win
            raise ServiceError("round-locked", f"round {rid}'s seed is already published: it takes no more "
                                               "stakes", status=409)
        return rnd, opt, definition, terms

    def _check_amount(self, conn: Connection, head: Head, rid: str, min_stake: int, max_stake: int,
                      amount: int) -> None:
        """Within the round's limits (counting the account's stakes on it so far) and the balance."""
        if amount < min_stake:
            raise ServiceError("stake-too-small", f"the smallest stake on round {rid} is "
                                                  f"{self._ia(min_stake)}", status=400)
        staked = int(conn.execute(select(func.coalesce(func.sum(t_game_stakes.c.amount), 0)).where(
            t_game_stakes.c.account == head.address, t_game_stakes.c.round_id == rid)).scalar() or 0)
        if staked + amount > max_stake:
            already = f" (you have staked {self._ia(staked)} already)" if staked else ""
            raise ServiceError("stake-too-large", f"at most {self._ia(max_stake)} can be staked on round "
                                                  f"{rid}{already}", status=400)
        if self.storage.balance(conn, head.address, "IA") < amount:
            raise ServiceError("insufficient", f"the IA balance is too low for a stake of {self._ia(amount)}",
                               status=409)

    @staticmethod
    def _check_row(row: Any, rid: str, definition: str) -> None:
        """The round's kept row (None before its first stake) still takes stakes on ``definition``."""
        if row is None:
            return
        if row.state != "open":
            raise ServiceError("round-locked", f"round {rid} is already settled: it takes no more stakes",
                               status=409)
        if row.definition != definition:
            raise ServiceError("round-changed", f"the store changed round {rid} after it took stakes; "
                                                "it takes no more", status=409)

    # -- settlement ----------------------------------------------------------------------

    def settle_due(self, now: datetime) -> list[str]:
        """Settle every round that can be: its seed is published, or its reveal time passed
        without one. Called before requests and by the background task; one caller at a time
        (the others skip). The rounds settled now."""
        if not self._lock.acquire(blocking=False):
            return []
        try:
            return self._settle_due(now)
        finally:
            self._lock.release()

    def _settle_due(self, now: datetime) -> list[str]:
        file = self.rounds()
        quiet = self._quiet
        if quiet is not None and quiet[0] is file and (quiet[1] is None or now < quiet[1]):
            return []
        in_file = {r.id: r for r in file.rounds} if file is not None else {}
        open_rows = self.storage.read(lambda conn: conn.execute(
            select(t_game_rounds.c.round_id, t_game_rounds.c.reveals_at)
            .where(t_game_rounds.c.state == "open")).all())
        due: list[str] = []
        nothing_before: datetime | None = None

        def wait(t: datetime) -> None:
            nonlocal nothing_before
            nothing_before = t if nothing_before is None else min(nothing_before, t)

        for row in open_rows:
            rnd = in_file.get(row.round_id)
            deadline = parse_time(row.reveals_at)
            if (rnd is not None and rnd.seed is not None) or (deadline is not None and now >= deadline):
                due.append(row.round_id)
            elif deadline is not None:
                wait(deadline)
        open_ids = {r.round_id for r in open_rows}
        unstaked = []  # rounds nobody staked on: their final state is kept too (for the clients)
        for rnd in in_file.values():
            if rnd.id in self._done or rnd.id in open_ids:
                continue
            if rnd.seed is not None or now >= rnd.reveals_at:
                unstaked.append(rnd)
            else:
                wait(rnd.reveals_at)
        settled = []
        for rid in due:
            retry = self._retry.get(rid)
            if retry is not None and now < retry:
                wait(retry)
                continue
            try:
                if self._settle_one(rid, in_file.get(rid), now):
                    settled.append(rid)
                self._done.add(rid)
                self._retry.pop(rid, None)
            except Exception:  # one round that cannot be settled never holds up the others
                log.exception("games: settling round %s failed; tried again in %d s", rid, RETRY.seconds)
                self._retry[rid] = now + RETRY
                wait(now + RETRY)
        if unstaked:
            try:
                self.storage.transaction(lambda conn: self._record_unstaked(conn, unstaked, now))
                self._done.update(r.id for r in unstaked)
            except Exception:
                log.exception("games: recording the rounds nobody staked on failed; tried again in %d s",
                              RETRY.seconds)
                wait(now + RETRY)
        self._quiet = (file, nothing_before)
        return settled

    def _settle_one(self, rid: str, published: Round | None, now: datetime) -> bool:
        return self.storage.transaction(lambda conn: self._settle(conn, rid, published, now))

    def _record_unstaked(self, conn: Connection, rounds: list[Round], now: datetime) -> None:
        for rnd in rounds:
            state, result = _decide(rnd, rnd.commitment, rnd)
            insert_ignore(conn, t_game_rounds, {
                "round_id": rnd.id, "state": state, "commitment": rnd.commitment,
                "reveals_at": format_time(rnd.reveals_at), "definition": definition_json(rnd, self.decimals),
                "result": result, "seed": rnd.seed, "stakes": 0, "staked": 0, "paid": 0,
                "time": format_time(now)})

    def _settle(self, conn: Connection, rid: str, published: Round | None, now: datetime) -> bool:
        """Settle round ``rid`` in this transaction; False if it was settled already."""
        s = self.storage
        c = t_game_rounds.c
        row = conn.execute(select(t_game_rounds).where(c.round_id == rid)).first()
        if row is None or row.state != "open":
            return False
        stakers = [r.account for r in conn.execute(select(t_game_stakes.c.account).distinct()
                                                   .where(t_game_stakes.c.round_id == rid)).all()]
        heads = s.lock_accounts(conn, stakers)  # accounts first, as a stake does, then the round
        row = conn.execute(select(t_game_rounds).where(c.round_id == rid).with_for_update()).first()
        if row is None or row.state != "open":
            return False
        kept = round_from_definition(row.definition, self.decimals)
        state, result = _decide(kept, row.commitment, published)
        stakes = conn.execute(select(t_game_stakes).where(t_game_stakes.c.round_id == rid)
                              .order_by(t_game_stakes.c.account, t_game_stakes.c.seq)).all()
        missing = sorted({st.account for st in stakes} - set(heads))
        if missing:  # staked between the two reads (not possible after lock, but never skipped)
            heads.update(s.lock_accounts(conn, missing))
        log.info("games: settling round %s (%s, %d stakes)", rid, state, len(stakes))
        paid = 0
        for st in stakes:
            if state == "settled":
                opt = kept.option(st.option)
                won = result is not None and opt is not None and result in opt.wins
                kind, amount = ("payout", payout(int(st.amount), int(st.odds_bp))) if won else ("lost", 0)
            else:
                kind, amount = "refund", int(st.amount)
            if not insert_ignore(conn, t_game_settlements, {"account": st.account, "stake_seq": st.seq,
                                                            "round_id": rid, "kind": kind, "amount": amount,
                                                            "seq": None}):
                continue  # settled already: never twice
            if amount > 0:
                s.move(conn, HOUSE, "IA", -amount, floor=None)
                s.move(conn, st.account, "IA", amount)
                r = s.append(conn, heads[st.account], "IA", amount, kind,
                             settle_reference(kind, rid, st.seq), now)
                conn.execute(t_game_settlements.update().where(
                    t_game_settlements.c.account == st.account, t_game_settlements.c.stake_seq == st.seq)
                    .values(seq=r.seq))
                paid += amount
        s.save_heads(conn, heads)
        seed = published.seed if published is not None else None
        conn.execute(t_game_rounds.update().where(c.round_id == rid).values(
            state=state, result=result, seed=seed, paid=paid, time=format_time(now)))
        log.info("games: round %s %s: %s paid back", rid, state, self._ia(paid))
        return True

    # -- reads ---------------------------------------------------------------------------

    def states(self, round_id: str | None = None) -> list[dict[str, Any]]:
        """What the service did with each round (the latest first), or with one."""
        def run(conn: Connection) -> list[dict[str, Any]]:
            c = t_game_rounds.c
            q = select(c.round_id, c.state, c.result, c.seed, c.stakes, c.staked, c.paid, c.time,
                       c.commitment)
            if round_id is not None:
                q = q.where(c.round_id == round_id)
            else:
                q = q.order_by(c.reveals_at.desc()).limit(MAX_LISTED)
            return [{"id": r.round_id, "state": r.state, "result": r.result, "seed": r.seed,
                     "commitment": r.commitment, "stakes": int(r.stakes), "staked": int(r.staked),
                     "paid": int(r.paid), "time": r.time} for r in conn.execute(q).all()]
        return self.storage.read(run)


def _decide(kept: Round, commitment: str, published: Round | None) -> tuple[str, str | None]:
    """``(state, result)`` of a round: ``settled`` with the draw when the published seed matches
    the commitment kept; ``invalid`` when it does not; ``refunded`` when there is no seed (the
    caller settles only after the reveal time then)."""
    seed = published.seed if published is not None else None
    if seed is None:
        return "refunded", None
    if not seed_matches(seed, commitment):
        return "invalid", None
    index = draw_index(seed, kept.id, len(kept.draw))
    if index < 0:
        return "invalid", None
    return "settled", kept.draw[index]
