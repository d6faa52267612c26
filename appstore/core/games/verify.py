"""Checking a round the way anyone can (docs/games.md, "Checking a round"): the revealed seed
against the commitment, the draw by the rule, and what the service paid the user against what
the rule says it owes.

``verify_round`` gives a ``Verification``: the state shown (``open``, ``locked``, ``revealed``,
``settled``, ``invalid``, ``refunded``), a verdict, each of the user's stakes with what it was
owed and what came, and the derivation step by step. Verdicts:

* ``open`` / ``pending``: nothing is owed yet (not locked; locked or revealed, not settled);
* ``ok``: every stake got what the rule says (a payout, a refund, or nothing for a loss);
* ``invalid``: the revealed seed is not the committed one (or the store published two different
  seeds) — the store broke its promise; every
  stake is owed a refund (``owed`` > 0 while one is missing);
* ``refunded``: no seed was published by ``reveals_at`` (the store broke its promise): every
  stake is owed a refund;
* ``owed``: the service settled the round but did not pay the user what the rule says; the stake
  receipts and the seed are the proof (never said without a seed to show);
* ``unknown``: this app cannot check the round: it has no seed while the service says it settled
  (or long after ``reveals_at``), or the stake receipt names other terms than the round it kept.

Every verdict that says the store broke its promise rests on what the store or its service
signed: the caller (``Games``, through ``kept.believe``) hands in only a definition a signed
stake receipt names (or the store signs), and seeds that match the commitment or that a proof
shows the store signed. When this computer's clock (``seed_seen_at``) alone says a seed was out
in time, a refund "for no reveal" is accepted and only noted: no key signed that time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from appstore.core.games.rounds import Round, parse_settle_reference, parse_stake_reference, terms_hash
from appstore.core.games.rule import Derivation, commitment_of, derive, payout, seed_matches
from appstore.core.ia.times import format_time
from appstore.core.wallet.receipts import Receipt

CHANGED = ("The record of this round kept on this computer was changed: it proves nothing, and what "
           "the store and its service signed is checked instead.")
SETTLE_GRACE = timedelta(hours=1)  # after reveals_at, an unsettled round counts as not paid
FINAL = ("settled", "invalid", "refunded")


@dataclass(frozen=True)
class StakeCheck:
    """One of the user's stakes on the round: what the rule owes for it and what was paid."""

    receipt: Receipt  # the signed stake receipt (the proof it was taken)
    option: str
    odds_bp: int
    amount: int  # staked (positive)
    terms: str  # the SHA-256 of the round's terms the stake receipt names
    expected_kind: str | None  # "payout", "refund" or None (lost / not settled yet)
    expected: int  # base units owed back
    paid: list[Receipt] = field(default_factory=list)  # payout / refund receipts for this stake

    @property
    def received(self) -> int:
        return sum(r.amount for r in self.paid)

    @property
    def short(self) -> int:
        """What is still owed for this stake (0 when paid in full)."""
        return max(0, self.expected - self.received)


@dataclass(frozen=True)
class Verification:
    round: Round
    state: str
    verdict: str
    message: str
    seed: str | None
    commitment: str
    recomputed: str | None  # SHA-256 of the seed
    derivation: Derivation | None
    result: str | None
    winners: list[str]
    stakes: list[StakeCheck]
    service_state: str | None
    other_seed: str | None = None  # a second, different seed the store published (a broken promise)
    record_changed: bool = False  # the kept local record held what nothing signed backs (ignored)

    @property
    def staked(self) -> int:
        return sum(s.amount for s in self.stakes)

    @property
    def received(self) -> int:
        return sum(s.received for s in self.stakes)

    @property
    def owed(self) -> int:
        return sum(s.short for s in self.stakes)

    def steps(self) -> list[str]:
        """The verification in plain English, step by step."""
        out = [f"commitment published before the round opened: {self.commitment}"]
        if self.seed is None:
            out.append("seed: not revealed yet")
            return out
        out.append(f"seed revealed: {self.seed}")
        if self.other_seed is not None:
            out.append(f"another seed published later: {self.other_seed}")
            out.append("→ the store published two different seeds: the round is invalid, every stake is "
                       "refunded")
            return out
        out.append(f"SHA-256(seed) = {self.recomputed}")
        if self.recomputed != self.commitment:
            out.append("→ does NOT match the commitment: the round is invalid, every stake is refunded")
            return out
        out.append("→ matches the commitment")
        if self.derivation is not None:
            out.extend(self.derivation.explain())
            if self.result is not None:
                out.append(f"draw[{self.derivation.index}] = {self.result}; winning options: "
                           f"{', '.join(self.winners) or 'none'}")
        return out

    def to_json(self, decimals: int) -> dict[str, Any]:
        from appstore.core.wallet.amounts import format_amount

        def ia(units: int) -> str:
            return format_amount(units, decimals)

        return {
            "round": self.round.id, "state": self.state, "verdict": self.verdict, "message": self.message,
            "seed": self.seed, "commitment": self.commitment, "recomputed": self.recomputed,
            "commitment_ok": None if self.recomputed is None else self.recomputed == self.commitment,
            "draw_count": len(self.round.draw),
            "tries": [] if self.derivation is None else
            [{"message": t.message, "hmac": t.digest, "accepted": t.accepted} for t in self.derivation.tries],
            "index": None if self.derivation is None or self.result is None else self.derivation.index,
            "result": self.result, "winners": self.winners, "service_state": self.service_state,
            "other_seed": self.other_seed, "record_changed": self.record_changed,
            "steps": self.steps(),
            "stakes": [{"option": s.option, "odds_bp": s.odds_bp, "amount": ia(s.amount),
                        "expected": s.expected_kind, "expected_amount": ia(s.expected),
                        "received": ia(s.received), "owed": ia(s.short),
                        "stake_receipt": s.receipt.to_dict(),
                        "receipts": [r.to_dict() for r in s.paid]} for s in self.stakes],
            "staked": ia(self.staked), "received": ia(self.received), "owed": ia(self.owed),
        }


def round_receipts(receipts: Sequence[Receipt],
                   round_id: str) -> tuple[list[Receipt], dict[int, list[Receipt]]]:
    """The user's stake receipts on ``round_id`` and its payouts / refunds by stake seq."""
    stakes: list[Receipt] = []
    paid: dict[int, list[Receipt]] = {}
    for r in receipts:
        if r.kind == "stake":
            ref = parse_stake_reference(r.reference)
            if ref is not None and ref.round_id == round_id:
                stakes.append(r)
        elif r.kind in ("payout", "refund"):
            parsed = parse_settle_reference(r.reference)
            if parsed is not None and parsed[1] == round_id:
                paid.setdefault(parsed[2], []).append(r)
    stakes.sort(key=lambda r: r.seq)
    return stakes, paid


def verify_round(rnd: Round, receipts: Sequence[Receipt], now: datetime, *,
                 service: Mapping[str, Any] | None = None,
                 seed_seen_at: datetime | None = None, other_seed: str | None = None,
                 decimals: int = 8, service_now: datetime | None = None,
                 record_changed: bool = False) -> Verification:
    """Check ``rnd`` (as staked on, with its seed once revealed) against the user's receipts
    (``receipts``: any of the user's receipts from the round's store) and what the service says
    it did (``service``: its ``game_rounds`` row, or None). ``seed_seen_at``: when this app first
    saw the seed published (a refund "for no reveal" of a seed seen in time is noted, and accepted:
    this computer's clock is no proof).
    ``other_seed``: a second, different seed seen for the round after ``rnd.seed`` (the store
    broke its promise). ``decimals``: IA's (the round's terms hash covers its amounts).
    ``service_now``: the service's clock when known (settlement is overdue by its clock, not this
    computer's); ``now`` otherwise. ``record_changed``: the round kept on this computer held what
    nothing signed backs (said in the message).

    "Owed" is only ever said with a seed this app can show: without one (not published, or the
    app never saw it and the service's does not match the commitment) the verdict is ``pending``
    or ``unknown``, never ``owed``."""
    stake_receipts, paid = round_receipts(receipts, rnd.id)
    service_state = str(service["state"]) if service is not None else None
    final = service_state in FINAL
    seed = rnd.seed
    from_service = service.get("seed") if service is not None else None
    if seed is None and isinstance(from_service, str) and seed_matches(from_service, rnd.commitment):
        seed = from_service  # the app missed the publication; the service's copy is as good (it matches)
        rnd = replace(rnd, seed=seed)
    conflict = other_seed is not None and seed is not None and other_seed != seed
    recomputed = commitment_of(seed) if seed is not None else None
    late = (service_now or now) >= rnd.reveals_at + SETTLE_GRACE  # settlement is overdue from then on
    st = _state(rnd, seed, now, service_state, late, seed_seen_at, conflict or recomputed != rnd.commitment)
    terms = terms_hash(rnd, decimals)
    checks = _stake_checks(rnd, stake_receipts, paid, st.expect, st.result, terms)
    verdict, message = _verdict(st, checks, terms, conflict, final or late, seed is not None,
                                bool(stake_receipts))
    if record_changed:
        message = f"{CHANGED} {message}"
    return Verification(rnd, st.state, verdict, message, seed, rnd.commitment, recomputed, st.derivation,
                        st.result, st.winners, checks, service_state, other_seed if conflict else None,
                        record_changed)


@dataclass(frozen=True)
class _State:
    """Where the round stands as this app can tell, and what its stakes are owed for it."""

    state: str
    expect: str | None  # "refund", "payout" or None (nothing owed yet)
    derivation: Derivation | None = None
    result: str | None = None
    winners: list[str] = field(default_factory=list)
    unknown: str | None = None  # why this app cannot check the round
    noted: datetime | None = None  # when this computer saw the seed, if before reveals_at


def _state(rnd: Round, seed: str | None, now: datetime, service_state: str | None, late: bool,
           seed_seen_at: datetime | None, broken: bool) -> _State:
    """The round's state from its seed (``broken``: two seeds, or one not matching the
    commitment), the clocks and the service's record."""
    final = service_state in FINAL
    if seed is None:
        if now < rnd.locks_at:
            return _State("open", None)
        if now < rnd.reveals_at:
            return _State("locked", None)
        if service_state == "refunded":
            return _State("refunded", "refund")
        if final:
            return _State(str(service_state), None, unknown=(
                "The service says it settled this round, but this app has not seen its seed: it "
                "cannot check the result."))
        return _State("locked", None, unknown=(
            "The store has not revealed the seed and its service has not settled the round "
            "yet: this app cannot check it.") if late else None)
    if broken:
        return _State("invalid", "refund")
    derivation = derive(seed, rnd.id, len(rnd.draw))
    if derivation.index < 0:
        return _State("invalid", "refund")
    result = rnd.draw[derivation.index]
    winners = rnd.winners(result)
    if service_state == "refunded":  # for no reveal, by the service's own record
        noted = seed_seen_at if seed_seen_at is not None and seed_seen_at <= rnd.reveals_at else None
        return _State("refunded", "refund", derivation, result, winners, noted=noted)
    if service_state in FINAL or late:
        return _State("settled", "payout", derivation, result, winners)
    return _State("revealed", None, derivation, result, winners)


def _stake_checks(rnd: Round, stake_receipts: list[Receipt], paid: dict[int, list[Receipt]],
                  expect: str | None, result: str | None, terms: str) -> list[StakeCheck]:
    """Each stake with what the rule owes for it (``expect``) and what was paid."""
    checks: list[StakeCheck] = []
    for r in stake_receipts:
        ref = parse_stake_reference(r.reference)
        assert ref is not None
        amount = -r.amount
        if expect == "refund":
            kind: str | None = "refund"
            owed = amount
        elif expect == "payout":
            opt = rnd.option(ref.option)
            won = result is not None and opt is not None and result in opt.wins
            kind, owed = ("payout", payout(amount, ref.odds_bp)) if won else (None, 0)
        else:
            kind, owed = None, 0
        if ref.terms != terms:
            kind, owed = None, 0  # not the round this app has: nothing can be said of this stake
        checks.append(StakeCheck(r, ref.option, ref.odds_bp, amount, ref.terms, kind, owed,
                                 list(paid.get(r.seq, []))))
    return checks


def _verdict(st: _State, checks: list[StakeCheck], terms: str, conflict: bool, settled_now: bool,
             has_seed: bool, staked: bool) -> tuple[str, str]:
    """The verdict and its message (module docstring); ``settled_now``: the service settled the
    round, or settlement is overdue."""
    state, unknown, noted = st.state, st.unknown, st.noted
    # A stake receipt naming other terms than the round this app kept: it cannot check that stake.
    foreign = [c for c in checks if c.terms != terms]
    owed = sum(c.short for c in checks)
    if foreign:
        verdict = "unknown"
        message = ("This app's copy of the round is not the one your stake receipt names (the SHA-256 of its "
                   "terms differs): it cannot check this stake.")
    elif unknown is not None:
        verdict, message = "unknown", unknown
    elif state == "invalid":
        verdict = "invalid"
        message = ("The store broke its promise: it published two different seeds for this round. Every "
                   "stake must be refunded." if conflict else
                   "The store broke its promise: the seed it revealed does not match the commitment it "
                   "published. Every stake must be refunded.")
        if owed and settled_now:
            message += " Your refund has not come: the store owes it to you."
    elif owed and settled_now and has_seed:
        verdict = "owed"
        message = ("The store owes you a payment it did not make. The proof: your stake receipt and the "
                   "revealed seed (anyone can recompute the result).")
    elif state == "refunded":
        verdict = "refunded"
        message = ("The store broke its promise: it did not reveal the seed in time, so every stake is "
                   "refunded.")
        if owed:
            message += " Your refund has not come yet."
        if noted is not None:
            message += (f" This computer noted the store's seed at {format_time(noted)}, before the "
                        "deadline: if its clock is right, the service voided a round whose seed was out "
                        "in time. That note is this computer's own, which no key of the store signed: it "
                        "proves nothing, so the refund is what is checked.")
    elif state in ("open",):
        verdict, message = "open", "The round takes stakes until it locks."
    elif state in ("locked", "revealed") or owed:
        verdict = "pending"
        message = ("Waiting for the store to reveal the seed." if state == "locked"
                   else "Waiting for the service to settle the round.")
    else:
        verdict = "ok"
        message = ("The round was fair: the seed matches the commitment, and the service paid what the "
                   "rule says." if staked else "The round was fair: the seed matches the commitment.")
    return verdict, message
