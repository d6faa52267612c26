"""A store's guessing-game rounds: the signed target ``games/rounds.json`` (docs/games.md).

Each round is published with the **commitment** (SHA-256 of a secret seed) before it opens; after
it locks the store publishes the file again with the round's ``seed``. Amounts are decimal
strings in whole IA (as in ``rewards/policy.json``), parsed with integer arithmetic; odds are
basis points (``19400`` = 1.94×, the stake included). ``RoundsError`` names the bad field:
``games/rounds.json: rounds[2].options[0].odds_bp: must be a whole number from 10001 to 10000000``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appstore.core.errors import AppStoreError, shorten
from appstore.core.games.rule import HEX64, seed_matches
from appstore.core.ia.protocol import stake_reference as stake_reference  # (the games name it from here)
from appstore.core.ia.times import format_time, parse_time
from appstore.core.ids import STORE_ID_RE
from appstore.core.wallet.amounts import format_amount, parse_amount
from appstore.core.wallet.errors import AmountError

ROUNDS_TARGET = "games/rounds.json"
FORMAT = 1
MAX_FILE = 4 * 1024 * 1024
MAX_ROUNDS = 2000
MAX_DRAW = 1000  # possible draws of one round
MAX_OPTIONS = 64
MAX_ODDS_BP = 10_000_000  # 1000×
MAX_UNITS = 2**53 - 1
LANGS = ("en", "zh_CN")
KINDS = ("number", "higher-lower", "odd-even")  # what the demo store runs; others are shown as they are
ROUND_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?")  # ≤ 48: receipts' references hold it
OPTION_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?")  # ≤ 24
DRAW_VALUE = re.compile(r"[A-Za-z0-9.+-]{1,24}")


class RoundsError(AppStoreError):
    """A ``games/rounds.json`` that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Option:
    id: str
    label: Mapping[str, str]
    wins: tuple[str, ...]  # the draws this option wins on
    odds_bp: int  # paid back: stake × odds_bp // 10000

    def text(self, lang: str = "en") -> str:
        return self.label.get(lang) or self.label["en"]


@dataclass(frozen=True)
class Round:
    id: str
    kind: str
    title: Mapping[str, str]
    question: Mapping[str, str]
    draw: tuple[str, ...]  # the possible draws; the rule picks one index uniformly
    options: tuple[Option, ...]
    min_stake: int  # base units of IA
    max_stake: int  # base units of IA an account may stake on the round in all
    opens_at: datetime
    locks_at: datetime  # no stake from then on (by the service's clock)
    reveals_at: datetime  # the seed is published by then, or every stake is refunded
    commitment: str  # 64 hex: SHA-256 of the seed
    seed: str | None = None  # 64 hex, once revealed

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def terms(self, decimals: int) -> str:
        """``terms_hash``: what a stake on this round names (``ServiceClient.stake``)."""
        return terms_hash(self, decimals)

    def text(self, what: str, lang: str = "en") -> str:
        texts = self.title if what == "title" else self.question
        return texts.get(lang) or texts["en"]

    @property
    def seed_ok(self) -> bool | None:
        """None while unrevealed; else whether the seed matches the commitment."""
        return None if self.seed is None else seed_matches(self.seed, self.commitment)

    def winners(self, result: str) -> list[str]:
        return [o.id for o in self.options if result in o.wins]

    def to_json(self, decimals: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "title": dict(self.title), "question": dict(self.question),
            "draw": list(self.draw),
            "options": [{"id": o.id, "label": dict(o.label), "wins": list(o.wins), "odds_bp": o.odds_bp}
                        for o in self.options],
            "min_stake": format_amount(self.min_stake, decimals),
            "max_stake": format_amount(self.max_stake, decimals),
            "opens_at": format_time(self.opens_at), "locks_at": format_time(self.locks_at),
            "reveals_at": format_time(self.reveals_at), "commitment": self.commitment,
        }
        if self.seed is not None:
            out["seed"] = self.seed
        return out


@dataclass(frozen=True)
class RoundsFile:
    store: str
    decimals: int  # IA's decimals (the reward policy's)
    rounds: tuple[Round, ...] = ()
    _by_id: Mapping[str, Round] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({r.id: r for r in self.rounds}))

    def get(self, round_id: str) -> Round | None:
        return self._by_id.get(round_id)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "store": self.store, "decimals": self.decimals,
                "rounds": [r.to_json(self.decimals) for r in self.rounds]}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")

    def with_rounds(self, rounds: Sequence[Round]) -> RoundsFile:
        return replace(self, rounds=tuple(rounds))


# -- parsing ---------------------------------------------------------------------------------

def _kind(v: object) -> str:
    if v is None:
        return "null"
    return {bool: "true/false", str: "a string", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(v), type(v).__name__)


def _no_float(text: str) -> Any:
    raise ValueError(f"{shorten(text, 20)} is not a whole number: amounts are decimal strings")


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, problem: str) -> RoundsError:
        return RoundsError(f"{path}: {problem}", where=self.where)

    def get(self, obj: Mapping[str, Any], path: str, name: str) -> Any:
        if name not in obj:
            raise self.fail(f"{path}{name}", "is missing")
        return obj[name]

    def integer(self, v: Any, path: str, low: int, high: int) -> int:
        if type(v) is not int or not low <= v <= high:
            shown = v if type(v) is int else _kind(v)
            raise self.fail(path, f"must be a whole number from {low} to {high}, not {shown}")
        return v

    def text(self, v: Any, path: str, limit: int) -> dict[str, str]:
        if not isinstance(v, dict) or "en" not in v:
            raise self.fail(path, "must be an object of texts by language, with \"en\"")
        out = {}
        for lang, s in v.items():
            if not isinstance(s, str) or not s.strip() or len(s) > limit or not s.isprintable():
                raise self.fail(f"{path}.{shorten(lang, 10)}", f"must be a printable text of 1 to {limit} "
                                                               "characters")
            if lang in LANGS:
                out[lang] = s
        return out

    def amount(self, v: Any, path: str, decimals: int) -> int:
        if not isinstance(v, str):
            raise self.fail(path, f"must be an amount written as a string such as \"2.5\", not {_kind(v)}")
        try:
            return parse_amount(v, decimals, cap=MAX_UNITS)
        except AmountError as e:
            raise self.fail(path, str(e)) from None

    def time(self, v: Any, path: str) -> datetime:
        t = parse_time(v)
        if t is None or not isinstance(v, str) or not v.endswith("Z"):
            raise self.fail(path, "must be a UTC time like \"2026-01-02T03:04:05Z\"")
        return t


def parse_rounds(data: bytes, where: str = ROUNDS_TARGET, *, decimals: int | None = None) -> RoundsFile:
    """``games/rounds.json`` checked; ``RoundsError`` naming the field that is wrong.
    ``decimals`` (the store's reward policy's) must match the file's when given."""
    r = _Reader(where)
    if len(data) > MAX_FILE:
        raise RoundsError(f"the rounds file is larger than {MAX_FILE // 1024 // 1024} MiB", where=where)
    try:
        obj = json.loads(bytes(data).decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise RoundsError(f"the rounds file is not valid JSON ({shorten(e)})", where=where) from None
    if not isinstance(obj, dict):
        raise RoundsError("the rounds file must be a JSON object", where=where)
    fmt = r.get(obj, "", "format")
    if type(fmt) is not int or fmt != FORMAT:
        raise r.fail("format", f"unsupported format {shorten(repr(fmt), 20)} (this imapp reads format "
                               f"{FORMAT}); update imapp")
    store = r.get(obj, "", "store")
    if not isinstance(store, str) or not STORE_ID_RE.fullmatch(store):
        raise r.fail("store", f"{shorten(repr(store), 40)} is not a store id")
    dec = r.integer(r.get(obj, "", "decimals"), "decimals", 0, 18)
    if decimals is not None and dec != decimals:
        raise r.fail("decimals", f"is {dec}, but the reward policy gives IA {decimals} decimals")
    raw_rounds = r.get(obj, "", "rounds")
    if not isinstance(raw_rounds, list) or len(raw_rounds) > MAX_ROUNDS:
        raise r.fail("rounds", f"must be a list of at most {MAX_ROUNDS} rounds")
    rounds: list[Round] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rounds):
        rnd = _round(r, raw, f"rounds[{i}].", dec)
        if rnd.id in seen:
            raise r.fail(f"rounds[{i}].id", f"{rnd.id} is listed twice")
        seen.add(rnd.id)
        rounds.append(rnd)
    return RoundsFile(store, dec, tuple(rounds))


def _round(r: _Reader, raw: Any, p: str, dec: int) -> Round:
    if not isinstance(raw, dict):
        raise r.fail(p.rstrip("."), "must be an object")
    rid = r.get(raw, p, "id")
    if not isinstance(rid, str) or not ROUND_ID.fullmatch(rid):
        raise r.fail(f"{p}id", "must be 1-48 lowercase letters, digits and inner dashes")
    kind = r.get(raw, p, "kind")
    if not isinstance(kind, str) or not OPTION_ID.fullmatch(kind):
        raise r.fail(f"{p}kind", "must be a short lowercase word (number, higher-lower, odd-even…)")
    title = r.text(r.get(raw, p, "title"), f"{p}title", 120)
    question = r.text(r.get(raw, p, "question"), f"{p}question", 400)
    draw_raw = r.get(raw, p, "draw")
    if not isinstance(draw_raw, list) or not 2 <= len(draw_raw) <= MAX_DRAW:
        raise r.fail(f"{p}draw", f"must be a list of 2 to {MAX_DRAW} possible draws")
    for j, d in enumerate(draw_raw):
        if not isinstance(d, str) or not DRAW_VALUE.fullmatch(d):
            raise r.fail(f"{p}draw[{j}]", "must be a short string of letters, digits, '.', '+' or '-'")
    if len(set(draw_raw)) != len(draw_raw):
        raise r.fail(f"{p}draw", "lists a draw twice")
    draw = tuple(draw_raw)
    opts_raw = r.get(raw, p, "options")
    if not isinstance(opts_raw, list) or not 2 <= len(opts_raw) <= MAX_OPTIONS:
        raise r.fail(f"{p}options", f"must be a list of 2 to {MAX_OPTIONS} options")
    options: list[Option] = []
    for j, o in enumerate(opts_raw):
        op = f"{p}options[{j}]."
        if not isinstance(o, dict):
            raise r.fail(op.rstrip("."), "must be an object")
        oid = r.get(o, op, "id")
        if not isinstance(oid, str) or not OPTION_ID.fullmatch(oid):
            raise r.fail(f"{op}id", "must be 1-24 lowercase letters, digits and inner dashes")
        if any(x.id == oid for x in options):
            raise r.fail(f"{op}id", f"{oid} is listed twice")
        label = r.text(r.get(o, op, "label"), f"{op}label", 60)
        wins = r.get(o, op, "wins")
        if not isinstance(wins, list) or not wins or any(w not in draw for w in wins) \
                or len(set(wins)) != len(wins):
            raise r.fail(f"{op}wins", "must be a non-empty list of distinct draws from the round's draw")
        odds = r.integer(r.get(o, op, "odds_bp"), f"{op}odds_bp", 10_001, MAX_ODDS_BP)
        options.append(Option(oid, MappingProxyType(label), tuple(wins), odds))
    low = r.amount(r.get(raw, p, "min_stake"), f"{p}min_stake", dec)
    high = r.amount(r.get(raw, p, "max_stake"), f"{p}max_stake", dec)
    if high < low:
        raise r.fail(f"{p}max_stake", "is less than min_stake")
    if high * max(o.odds_bp for o in options) // 10_000 > MAX_UNITS:
        raise r.fail(f"{p}max_stake", "is too large: its payout would not fit in a receipt")
    opens = r.time(r.get(raw, p, "opens_at"), f"{p}opens_at")
    locks = r.time(r.get(raw, p, "locks_at"), f"{p}locks_at")
    reveals = r.time(r.get(raw, p, "reveals_at"), f"{p}reveals_at")
    if not opens < locks:
        raise r.fail(f"{p}locks_at", "must be after opens_at")
    if not locks < reveals:
        raise r.fail(f"{p}reveals_at", "must be after locks_at")
    commitment = r.get(raw, p, "commitment")
    if not isinstance(commitment, str) or not HEX64.fullmatch(commitment):
        raise r.fail(f"{p}commitment", "must be 64 lowercase hex digits (SHA-256 of the seed)")
    seed = raw.get("seed")
    if seed is not None and (not isinstance(seed, str) or not HEX64.fullmatch(seed)):
        raise r.fail(f"{p}seed", "must be 64 lowercase hex digits (the 32-byte seed)")
    # A seed that does not match the commitment is *not* a format error: it is the store breaking
    # its promise, which the service and the app must see (and refund), not hide.
    return Round(rid, kind, MappingProxyType(title), MappingProxyType(question), draw, tuple(options),
                 low, high, opens, locks, reveals, commitment, seed)


# -- what receipts say about a round ---------------------------------------------------------

def settle_reference(kind: str, round_id: str, stake_seq: int) -> str:
    """A payout's or refund's reference: ``payout:ROUND:SEQ`` (SEQ: the stake receipt's seq)."""
    return f"{kind}:{round_id}:{stake_seq}"


@dataclass(frozen=True)
class StakeRef:
    round_id: str
    option: str
    odds_bp: int
    terms: str  # SHA-256 of the round's definition_json (64 hex)


_STAKE_REF = re.compile(r"stake:([a-z0-9-]{1,48}):([a-z0-9-]{1,24}):([0-9]{5,8}):([0-9a-f]{64})")
_SETTLE_REF = re.compile(r"(payout|refund):([a-z0-9-]{1,48}):([0-9]{1,16})")


def parse_stake_reference(reference: str) -> StakeRef | None:
    m = _STAKE_REF.fullmatch(reference)
    return StakeRef(m[1], m[2], int(m[3]), m[4]) if m else None


def parse_settle_reference(reference: str) -> tuple[str, str, int] | None:
    """``(kind, round_id, stake_seq)`` of a payout's or refund's reference, or None."""
    m = _SETTLE_REF.fullmatch(reference)
    return (m[1], m[2], int(m[3])) if m else None


def definition_json(rnd: Round, decimals: int) -> str:
    """The round as staked on (everything but the seed), canonical: what the service keeps at
    the first stake and settles by, whatever the store signs later."""
    body = rnd.to_json(decimals)
    body.pop("seed", None)
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def terms_hash(rnd: Round, decimals: int) -> str:
    """SHA-256 (64 hex) of ``definition_json``: what a stake request and its receipt name, so the
    service takes a stake only on the terms the user saw."""
    return hashlib.sha256(definition_json(rnd, decimals).encode("utf-8")).hexdigest()


def round_from_definition(text: str, decimals: int) -> Round:
    """The round kept by ``definition_json`` (checked again)."""
    data = json.dumps({"format": FORMAT, "store": "kept", "decimals": decimals,
                       "rounds": [json.loads(text)]}).encode("utf-8")
    return parse_rounds(data, "kept round", decimals=decimals).rounds[0]
