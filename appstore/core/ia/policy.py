"""A store's reward policy (``rewards/policy.json``) and swap terms (``swap/rates.json``): both
signed targets of the store, so TUF vouches for every number in them (docs/ia-service.md).

Amounts in both files are **decimal strings in whole tokens** (``"2"``, ``"0.5"``), parsed with
integer arithmetic into base units (``decimals`` of the policy for IA, 7 for BCD); a JSON number
where an amount belongs is refused, so no float ever carries money. Counts, seconds and basis
points are JSON integers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from appstore.core.errors import shorten
from appstore.core.ia.errors import PolicyError
from appstore.core.ids import STORE_ID_RE
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount, parse_amount
from appstore.core.wallet.errors import AmountError
from appstore.core.wallet.trust import RetiredKey, ServiceKeys

FORMAT = 1
POLICY_TARGET = "rewards/policy.json"
TERMS_TARGET = "swap/rates.json"
EMBEDDED_URL = "embedded:"  # the service runs inside the app; the app resolves it locally
ACTIVITY_KINDS = ("browse", "forward", "download", "update", "open")
ONCE_RULES = ("ever", "version", "day")  # once per app ever / per app version / per app per UTC day
DEFAULT_ONCE = MappingProxyType({"download": "ever", "update": "version", "open": "day", "browse": "day",
                                 "forward": "day"})
MAX_FILE = 64 * 1024
MAX_COUNT = 1_000_000
MAX_UNITS = 2**53 - 1  # what a receipt's amount may hold
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ")
MAX_PREVIOUS_KEYS = 16
MAX_VESTING_DAYS = 365
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Dividend:
    """Universal dividends: each UTC day at ``at`` (``HH:MM``), ``amount`` base units of IA are
    added to the pool, and the whole pool is shared among all accounts pro rata to their IA
    balances at that moment, rounded down; the remainder stays in the pool for the next one."""

    amount: int
    at: str = "00:00"

    def _at(self) -> time:
        h, m = self.at.split(":")
        return time(int(h), int(m), tzinfo=UTC)

    def last_due(self, now: datetime) -> datetime:
        """The latest scheduled time at or before ``now``."""
        t = datetime.combine(now.astimezone(UTC).date(), self._at())
        return t if t <= now else t - timedelta(days=1)

    def next_due(self, now: datetime) -> datetime:
        """The first scheduled time after ``now``."""
        return self.last_due(now) + timedelta(days=1)

    @staticmethod
    def period(due: datetime) -> str:
        """The name of the period paid at ``due`` (its UTC date and time)."""
        return due.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True)
class RewardPolicy:
    store: str
    service_url: str  # http(s)://… or EMBEDDED_URL
    service_key: str  # 64 hex: the raw Ed25519 public key that signs receipts and quotes
    decimals: int  # IA's decimals
    rewards: Mapping[str, int]  # base units of IA per credited activity, for every kind
    caps: Mapping[str, int]  # credited activities per kind per UTC day
    daily_cap: int  # base units of IA credited per account per UTC day, all kinds together
    browse_seconds: int  # a browse counts after this many seconds on the app's page
    once: Mapping[str, str]  # kind -> "ever" | "version" | "day" (see ONCE_RULES)
    dividend: Dividend | None = None
    retired_keys: tuple[RetiredKey, ...] = ()  # keys used before a rotation (``previous_keys``)

    @property
    def embedded(self) -> bool:
        return self.service_url == EMBEDDED_URL

    @property
    def keys(self) -> ServiceKeys:
        """The keys whose receipts the wallet accepts for this store (docs/ledger.md)."""
        return ServiceKeys(self.service_key, self.retired_keys)

    def to_json(self) -> dict[str, Any]:
        """The policy as the file holds it (amounts as decimal strings)."""
        d = self.decimals
        out: dict[str, Any] = {
            "format": FORMAT, "store": self.store, "service_url": self.service_url,
            "service_key": self.service_key, "decimals": d,
            "rewards": {k: format_amount(v, d) for k, v in self.rewards.items()},
            "caps": dict(self.caps), "daily_cap": format_amount(self.daily_cap, d),
            "browse_seconds": self.browse_seconds, "once": dict(self.once),
            "dividend": None if self.dividend is None else
            {"amount": format_amount(self.dividend.amount, d), "at": self.dividend.at},
        }
        if self.retired_keys:
            out["previous_keys"] = [{"key": r.key, "until": r.until} for r in self.retired_keys]
        return out


@dataclass(frozen=True)
class SwapTerms:
    """IA → BCD swap terms. ``rate_num / rate_den`` is BCD base units per IA base unit (reduced);
    ``fee_bp`` is taken from the IA amount (basis points, rounded down); the BCD received is
    ``(amount_ia - fee) * rate_num // rate_den`` (rounded down). Limits are IA base units."""

    store: str
    ia_decimals: int
    rate_num: int
    rate_den: int
    fee_bp: int
    min_ia: int
    max_ia: int
    daily_max_ia: int
    quote_seconds: int
    rate_text: str = ""  # the rate as published: BCD per 1 IA
    # The Sybil budget (optional in the file; docs/ia-service.md, "Fake accounts"): BCD base units
    # all swaps together may pay per UTC day (None: no budget), whole days IA waits after it is
    # credited before it can be swapped, BCD base units swaps from one client address may receive
    # per UTC day (None: no cap).
    daily_budget_bcd: int | None = None
    vesting_days: int = 0
    address_daily_bcd: int | None = None

    def fee(self, amount_ia: int) -> int:
        return amount_ia * self.fee_bp // 10_000

    def bcd_out(self, amount_ia: int) -> int:
        return (amount_ia - self.fee(amount_ia)) * self.rate_num // self.rate_den


# -- parsing ---------------------------------------------------------------------------------

class _Fields:
    def __init__(self, data: bytes, where: str, what: str) -> None:
        self.where = where
        if not isinstance(data, bytes | bytearray):
            raise PolicyError(f"{what} must be bytes", where=where)
        if len(data) > MAX_FILE:
            raise PolicyError(f"{what} is larger than {MAX_FILE // 1024} KiB", where=where)
        try:
            obj = json.loads(bytes(data).decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise PolicyError(f"{what} is not valid JSON ({shorten(e)})", where=where) from None
        if not isinstance(obj, dict):
            raise PolicyError(f"{what} must be a JSON object", where=where)
        self.obj: dict[str, Any] = obj

    def fail(self, name: str, problem: str) -> PolicyError:
        return PolicyError(f"{name}: {problem}", where=self.where)

    def get(self, name: str, *, optional: bool = False) -> Any:
        obj: Any = self.obj
        for part in name.split("."):
            if not isinstance(obj, dict) or part not in obj:
                if optional:
                    return None
                raise self.fail(name, "is missing")
            obj = obj[part]
        return obj

    def integer(self, name: str, low: int, high: int, value: Any = None, *, optional: Any = None) -> int:
        v = self.get(name, optional=optional is not None) if value is None else value
        if v is None and optional is not None:
            return int(optional)
        if type(v) is not int:
            raise self.fail(name, f"must be a whole number, not {_kind(v)}")
        if not low <= v <= high:
            raise self.fail(name, f"must be from {low} to {high}, not {v}")
        return v

    def amount(self, name: str, decimals: int, value: Any = None, *, allow_zero: bool = True) -> int:
        v = self.get(name) if value is None else value
        if not isinstance(v, str):
            raise self.fail(name, f"must be an amount written as a string such as \"2.5\" (no JSON "
                                  f"numbers for money), not {_kind(v)}")
        try:
            return parse_amount(v, decimals, allow_zero=allow_zero, cap=MAX_UNITS)
        except AmountError as e:
            raise self.fail(name, str(e)) from None

    def store(self) -> str:
        v = self.get("store")
        if not isinstance(v, str) or not STORE_ID_RE.fullmatch(v):
            raise self.fail("store", f"{shorten(repr(v), 40)} is not a store id")
        return v

    def check_format(self) -> None:
        v = self.get("format")
        if type(v) is not int or v != FORMAT:
            raise self.fail("format", f"unsupported format {shorten(repr(v), 20)} (this imapp reads "
                                      f"format {FORMAT}); update imapp")


def _no_float(text: str) -> Any:
    raise ValueError(f"{shorten(text, 20)} is not a whole number: amounts are decimal strings, "
                     "counts whole numbers")


def _kind(v: object) -> str:
    if v is None:
        return "null"
    return {bool: "true/false", str: "a string", int: "a number", list: "a list",
            dict: "an object"}.get(type(v), type(v).__name__)


def parse_policy(data: bytes, where: str = POLICY_TARGET) -> RewardPolicy:
    """``rewards/policy.json`` checked; ``PolicyError`` naming the field that is wrong."""
    f = _Fields(data, where, "the reward policy")
    f.check_format()
    store = f.store()
    url = f.get("service_url")
    if not isinstance(url, str) or not _url_ok(url):
        raise f.fail("service_url", f"{shorten(repr(url), 60)} is not an http:// or https:// URL "
                                    f"(or {EMBEDDED_URL!r} for the service built into imapp)")
    key = f.get("service_key")
    if not isinstance(key, str) or not _HEX64.fullmatch(key):
        raise f.fail("service_key", "must be 64 lowercase hex digits (a raw Ed25519 public key)")
    decimals = f.integer("decimals", 0, 18)
    rewards_raw, caps_raw = f.get("rewards"), f.get("caps")
    for name, raw in (("rewards", rewards_raw), ("caps", caps_raw)):
        if not isinstance(raw, dict):
            raise f.fail(name, f"must be an object with a value for each of {', '.join(ACTIVITY_KINDS)}")
        unknown = sorted(set(raw) - set(ACTIVITY_KINDS))
        if unknown:
            raise f.fail(f"{name}.{shorten(unknown[0], 30)}", f"is not an activity (they are "
                                                              f"{', '.join(ACTIVITY_KINDS)})")
    rewards = {k: f.amount(f"rewards.{k}", decimals) for k in ACTIVITY_KINDS}
    caps = {k: f.integer(f"caps.{k}", 0, MAX_COUNT) for k in ACTIVITY_KINDS}
    daily_cap = f.amount("daily_cap", decimals)
    browse_seconds = f.integer("browse_seconds", 0, 86_400)
    once_raw = f.get("once", optional=True)
    once = dict(DEFAULT_ONCE)
    if once_raw is not None:
        if not isinstance(once_raw, dict):
            raise f.fail("once", "must be an object mapping an activity to ever, version or day")
        for k, v in once_raw.items():
            if k not in ACTIVITY_KINDS:
                raise f.fail(f"once.{shorten(k, 30)}", "is not an activity")
            if v not in ONCE_RULES:
                raise f.fail(f"once.{k}", f"must be one of {', '.join(ONCE_RULES)}, "
                                          f"not {shorten(repr(v), 30)}")
            once[k] = v
    dividend = None
    div = f.get("dividend", optional=True)
    if div is not None:
        if not isinstance(div, dict):
            raise f.fail("dividend", "must be an object {\"amount\": \"1000\", \"at\": \"00:00\"} or null")
        amount = f.amount("dividend.amount", decimals, allow_zero=False)
        at = div.get("at", "00:00")
        if not isinstance(at, str) or not _HHMM.fullmatch(at):
            raise f.fail("dividend.at", f"must be a UTC time of day like \"00:00\", "
                                         f"not {shorten(repr(at), 20)}")
        dividend = Dividend(amount, at)
    return RewardPolicy(store, url, key, decimals, MappingProxyType(rewards), MappingProxyType(caps),
                        daily_cap, browse_seconds, MappingProxyType(once), dividend, _retired(f, key))


def _retired(f: _Fields, current: str) -> tuple[RetiredKey, ...]:
    """``previous_keys``: the service's keys before a rotation, each with the time it was retired."""
    raw = f.get("previous_keys", optional=True)
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_PREVIOUS_KEYS:
        raise f.fail("previous_keys", f"must be a list of at most {MAX_PREVIOUS_KEYS} objects "
                                      "{\"key\": \"64 hex\", \"until\": \"2026-01-02T03:04:05Z\"}")
    out: list[RetiredKey] = []
    for i, item in enumerate(raw):
        where = f"previous_keys[{i}]"
        if not isinstance(item, dict) or set(item) != {"key", "until"}:
            raise f.fail(where, "must be an object with exactly the fields key and until")
        key, until = item["key"], item["until"]
        if not isinstance(key, str) or not _HEX64.fullmatch(key):
            raise f.fail(f"{where}.key", "must be 64 lowercase hex digits (a raw Ed25519 public key)")
        if key == current or any(r.key == key for r in out):
            raise f.fail(f"{where}.key", "names the current service_key or another previous key again")
        if not isinstance(until, str) or not _TIME.fullmatch(until):
            raise f.fail(f"{where}.until", f"must be a UTC time like \"2026-01-02T03:04:05Z\", "
                                           f"not {shorten(repr(until), 30)}")
        out.append(RetiredKey(key, until))
    return tuple(out)


def parse_terms(data: bytes, where: str = TERMS_TARGET, *, ia_decimals: int | None = None) -> SwapTerms:
    """``swap/rates.json`` checked; ``PolicyError`` naming the field that is wrong.
    ``ia_decimals`` (the policy's) must match the file's when given."""
    f = _Fields(data, where, "the swap terms")
    f.check_format()
    store = f.store()
    dec = f.integer("ia_decimals", 0, 18)
    if ia_decimals is not None and dec != ia_decimals:
        raise f.fail("ia_decimals", f"is {dec}, but the reward policy gives IA {ia_decimals} decimals")
    rate_text = f.get("rate")
    bcd_per_ia = f.amount("rate", BCD_DECIMALS, allow_zero=False)  # BCD base units per 1 whole IA
    ratio = Fraction(bcd_per_ia, 10**dec)
    fee_bp = f.integer("fee_bp", 0, 9_999)
    min_ia = f.amount("min_ia", dec, allow_zero=False)
    max_ia = f.amount("max_ia", dec, allow_zero=False)
    if max_ia < min_ia:
        raise f.fail("max_ia", "is less than min_ia")
    daily = f.amount("daily_max_ia", dec, allow_zero=False)
    if daily < min_ia:
        raise f.fail("daily_max_ia", "is less than min_ia")
    quote_seconds = f.integer("quote_seconds", 5, 3600)
    budget = _optional_bcd(f, "daily_budget_bcd")
    vesting = f.integer("vesting_days", 0, MAX_VESTING_DAYS, optional=0)
    per_address = _optional_bcd(f, "address_daily_bcd")
    return SwapTerms(store, dec, ratio.numerator, ratio.denominator, fee_bp, min_ia, max_ia, daily,
                     quote_seconds, str(rate_text), budget, vesting, per_address)


def _optional_bcd(f: _Fields, name: str) -> int | None:
    """An optional BCD amount (absent or null: none); "0" is allowed (no swaps at all)."""
    return None if f.get(name, optional=True) is None else f.amount(name, BCD_DECIMALS)


def _url_ok(url: str) -> bool:
    if url == EMBEDDED_URL:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url.isprintable() and " " not in url


def policy_json(store: str, service_key: str, *, service_url: str = EMBEDDED_URL,
                dividend: str | None = "1000", decimals: int = 8) -> bytes:
    """A sensible policy file for ``store`` (what the demo store ships; see docs/ia-service.md)."""
    body = {
        "format": FORMAT, "store": store, "service_url": service_url, "service_key": service_key,
        "decimals": decimals,
        "rewards": {"browse": "0.5", "forward": "1", "download": "5", "update": "2", "open": "2"},
        "caps": {"browse": 20, "forward": 5, "download": 10, "update": 10, "open": 10},
        "daily_cap": "60", "browse_seconds": 10,
        "once": dict(DEFAULT_ONCE),
        "dividend": None if dividend is None else {"amount": dividend, "at": "00:00"},
    }
    data = json.dumps(body, indent=2).encode("utf-8")
    parse_policy(data, "policy_json")
    return data


def terms_json(store: str, *, rate: str = "0.01", fee_bp: int = 30, decimals: int = 8,
               daily_budget_bcd: str | None = None, vesting_days: int = 0,
               address_daily_bcd: str | None = None) -> bytes:
    """Sensible swap terms for ``store`` (the demo store's): 1 IA = ``rate`` BCD; the Sybil
    budget's fields only when given."""
    body: dict[str, Any] = {"format": FORMAT, "store": store, "ia_decimals": decimals, "rate": rate,
                            "fee_bp": fee_bp, "min_ia": "1", "max_ia": "10000", "daily_max_ia": "50000",
                            "quote_seconds": 60}
    if daily_budget_bcd is not None:
        body["daily_budget_bcd"] = daily_budget_bcd
    if vesting_days:
        body["vesting_days"] = vesting_days
    if address_daily_bcd is not None:
        body["address_daily_bcd"] = address_daily_bcd
    data = json.dumps(body, indent=2).encode("utf-8")
    parse_terms(data, "terms_json")
    return data
