"""What the app shows of a round (``RoundView``: the round, its state, the user's stakes and the
check of its settlement) and of every store's rounds (``Overview``); the ``games --json`` shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appstore.core.games.rounds import Round
from appstore.core.games.verify import Verification
from appstore.core.ia.times import format_time


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
