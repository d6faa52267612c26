"""Quotes and account status: what the IA service answers (docs/ia-service.md).

**Quotes** are signed by the service's Ed25519 key: ``signature = Ed25519(SHA-256(b"imapp-quote-v1\\0"
+ canonical JSON of every field but signature))``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.errors import shorten
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.times import parse_time
from appstore.core.wallet.receipts import public_key_hex, signature_ok
from appstore.core.wallet.signing import canonical_json

QUOTE_DOMAIN = b"imapp-quote-v1\0"

# -- quotes ----------------------------------------------------------------------------------

QUOTE_FIELDS = ("id", "store", "account", "amount_ia", "fee", "bcd_out", "rate_num", "rate_den",
                "expires", "service_key")


@dataclass(frozen=True)
class Quote:
    """A swap quote signed by the service: swap ``amount_ia`` IA base units (``fee`` of them
    kept as the fee) for exactly ``bcd_out`` BCD base units, at ``rate_num/rate_den`` BCD base
    units per IA base unit, if accepted before ``expires``."""

    id: str
    store: str
    account: str
    amount_ia: int
    fee: int
    bcd_out: int
    rate_num: int
    rate_den: int
    expires: str
    service_key: str
    signature: str

    def signed_fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in QUOTE_FIELDS}

    def to_json(self) -> dict[str, Any]:
        return {**self.signed_fields(), "signature": self.signature}

    @property
    def rate(self) -> str:
        return f"{self.rate_num}/{self.rate_den}"

    def expires_at(self) -> datetime:
        t = parse_time(self.expires)
        assert t is not None
        return t

    def verify(self, service_key: str) -> str | None:
        """What is wrong with the quote's signature (by ``service_key``), or None."""
        if self.service_key != service_key:
            return f"the quote is signed by key {self.service_key[:16]}…, not the store's service key"
        try:
            sig = bytes.fromhex(self.signature)
            return None if signature_ok(bytes.fromhex(service_key), sig, quote_digest(self.signed_fields())) \
                else "the quote's signature does not verify"
        except ValueError:
            return "the quote's signature is not hex"

    @classmethod
    def from_json(cls, d: object) -> Quote:
        if not isinstance(d, Mapping) or set(d) != {*QUOTE_FIELDS, "signature"}:
            raise ServiceError("bad-quote", "a quote must have exactly the fields of docs/ia-service.md")
        ints = ("amount_ia", "fee", "bcd_out", "rate_num", "rate_den")
        if any(type(d[k]) is not int or d[k] < 0 for k in ints) or \
                any(not isinstance(d[k], str) for k in d if k not in ints):
            raise ServiceError("bad-quote", "a quote's amounts are whole numbers, its other fields strings")
        if parse_time(d["expires"]) is None:
            raise ServiceError("bad-quote", "a quote's expires is not a UTC time")
        return cls(**{k: d[k] for k in (*QUOTE_FIELDS, "signature")})


def quote_digest(fields: Mapping[str, object]) -> bytes:
    return hashlib.sha256(QUOTE_DOMAIN + canonical_json(fields)).digest()


def sign_quote(fields: Mapping[str, object], key: Ed25519PrivateKey) -> Quote:
    signed = {**fields, "service_key": public_key_hex(key)}
    sig = key.sign(quote_digest(signed)).hex()
    return Quote(**{k: signed[k] for k in QUOTE_FIELDS}, signature=sig)  # type: ignore[arg-type]


# -- status ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class KindStatus:
    kind: str
    count: int  # credited today
    cap: int  # per day
    amount: int  # base units credited today for this kind
    reward: int  # base units per credited activity


@dataclass(frozen=True)
class AccountStatus:
    """An account as the service sees it now: balances (base units per asset), today's credits
    against every cap, and the next dividend."""

    account: str
    time: str  # the service's clock
    day: str  # the UTC day caps count in
    balances: Mapping[str, int]
    kinds: Mapping[str, KindStatus]
    total_amount: int  # base units credited today
    daily_cap: int
    last_seq: int
    next_dividend: str | None
    pool: int  # IA base units in the dividend pool
    swapped_today: int = 0  # IA base units swapped today
    unvested: int = 0  # IA base units credited too lately to be swapped yet (the terms' vesting_days)
    swap_budget_left: int | None = None  # BCD base units left in today's swap budget (None: no budget)

    def to_json(self) -> dict[str, Any]:
        return {"account": self.account, "time": self.time, "day": self.day, "balances": dict(self.balances),
                "kinds": {k: {"count": v.count, "cap": v.cap, "amount": v.amount, "reward": v.reward}
                          for k, v in self.kinds.items()},
                "total_amount": self.total_amount, "daily_cap": self.daily_cap, "last_seq": self.last_seq,
                "next_dividend": self.next_dividend, "pool": self.pool, "swapped_today": self.swapped_today,
                "unvested": self.unvested, "swap_budget_left": self.swap_budget_left}

    @classmethod
    def from_json(cls, d: Any) -> AccountStatus:
        try:
            kinds = {k: KindStatus(k, _int(v["count"]), _int(v["cap"]), _int(v["amount"]), _int(v["reward"]))
                     for k, v in d["kinds"].items()}
            return cls(str(d["account"]), str(d["time"]), str(d["day"]),
                       {str(k): _int(v) for k, v in d["balances"].items()}, kinds, _int(d["total_amount"]),
                       _int(d["daily_cap"]), _int(d["last_seq"]),
                       None if d["next_dividend"] is None else str(d["next_dividend"]), _int(d["pool"]),
                       _int(d.get("swapped_today", 0)), _int(d.get("unvested", 0)),
                       None if d.get("swap_budget_left") is None else _int(d["swap_budget_left"]))
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise ServiceError("bad-answer", f"the service's status is malformed ({shorten(e, 60)})") \
                from None


def _int(v: object) -> int:
    if type(v) is not int:
        raise ValueError("not an integer")
    return v
