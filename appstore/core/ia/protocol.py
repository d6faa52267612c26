"""What travels between the app and a store's IA service (docs/ia-service.md).

**The envelope.** Every request that changes something is a JSON object::

    {"account": "1…", "public_key": "02…(66 hex)", "payload": {...}, "signature": "(128 hex)"}

``payload`` holds ``action`` (``claim``, ``quote``, ``swap``, ``withdraw``, ``pay``, ``stake``),
``service`` (the service's Ed25519 public key, 64 lowercase hex digits: the policy's
``service_key``), ``nonce`` (32 lowercase hex digits, fresh for each request), ``time`` (UTC,
``2026-01-02T03:04:05Z``) and the action's own fields. ``signature`` is the account's secp256k1
signature of ``payload`` under the purpose ``ia-request:STORE`` (docs/wallet.md, "Signing":
canonical JSON, no floats). The service refuses a request whose key is not the account's, whose
signature does not verify, that names another service (or none: ``wrong-service``, so a clone that
shares the store id cannot replay it), whose time is more than ``SKEW_SECONDS`` away from its clock,
or whose nonce it has already seen.

Quotes and the account status are in ``messages`` (and importable from here too).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appstore.core.errors import shorten
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.messages import AccountStatus as AccountStatus
from appstore.core.ia.messages import KindStatus as KindStatus
from appstore.core.ia.messages import Quote as Quote
from appstore.core.ia.messages import sign_quote as sign_quote
from appstore.core.ia.policy import ACTIVITY_KINDS
from appstore.core.ia.times import TIME_FORMAT as TIME_FORMAT
from appstore.core.ia.times import day_of as day_of
from appstore.core.ia.times import format_time as format_time
from appstore.core.ia.times import parse_time as parse_time
from appstore.core.ids import ID_RE
from appstore.core.wallet.address import decode_address, p2pkh_address
from appstore.core.wallet.errors import BadAddress, SigningError
from appstore.core.wallet.keys import Account
from appstore.core.wallet.receipts import Receipt
from appstore.core.wallet.signing import (
    decode_signature,
    encode_signature,
    ia_request_purpose,
    verify_signed_by,
)

ACTIONS = ("claim", "quote", "swap", "withdraw", "pay", "stake")
SKEW_SECONDS = 300  # how far a request's time may be from the service's clock
MAX_BODY = 256 * 1024  # bytes of a request body
MAX_CLAIMS = 200  # claims in one request
MAX_APP = 100  # characters of an app id in a claim (a receipt's reference holds it)
MAX_MEMO = 140
_HEX = re.compile(r"[0-9a-f]+")
HEX32 = re.compile(r"[0-9a-f]{32}")  # a nonce, a claim id, a quote id
HEX64 = re.compile(r"[0-9a-f]{64}")  # a service's Ed25519 public key
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+~-]{0,63}")
_MEMO_BAD = re.compile(r'["\\]')


def malformed(message: str) -> ServiceError:
    return ServiceError("malformed", message, status=400)


def too_large() -> ServiceError:
    return ServiceError("too-large", f"a request is at most {MAX_BODY // 1024} KiB", status=413)


# -- the envelope ----------------------------------------------------------------------------

def make_request(account: Account, store: str, action: str, fields: Mapping[str, object], *,
                 service_key: str, now: datetime | None = None, nonce: str | None = None) -> dict[str, Any]:
    """The signed envelope of ``action`` with ``fields`` for the service of ``store`` whose key
    (the policy's ``service_key``) is ``service_key`` (docs/ia-service.md, "The envelope")."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not HEX64.fullmatch(service_key):
        raise ValueError("service_key must be 64 lowercase hex digits")
    payload = {**fields, "action": action, "service": service_key, "nonce": nonce or secrets.token_hex(16),
               "time": format_time(now or datetime.now(UTC))}
    signature = account.sign(ia_request_purpose(store), payload)
    return {"account": account.address, "public_key": account.public_key.hex(), "payload": payload,
            "signature": encode_signature(signature)}


@dataclass(frozen=True)
class SignedRequest:
    """An envelope whose signature, key, time and shape were checked (not yet its nonce: that
    is the service's database's job)."""

    account: str
    action: str
    nonce: str
    time: datetime
    payload: Mapping[str, Any]


def check_request(body: bytes, store: str, now: datetime, *, service_key: str,
                  action: str | None = None) -> SignedRequest:
    """The envelope in ``body`` checked against ``store``, the service's own key ``service_key``
    (64 hex) and its clock ``now``; ``ServiceError`` (with its HTTP status) saying what is wrong."""
    if len(body) > MAX_BODY:
        raise too_large()
    try:
        env = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise malformed(f"the request is not valid JSON ({shorten(e, 60)})") from None
    if not isinstance(env, dict):
        raise malformed("a request is a JSON object")
    if "signature" not in env or "public_key" not in env:
        raise ServiceError("unsigned", "the request is not signed: every request carries the account's "
                                       "public_key and signature (docs/ia-service.md)", status=401)
    missing = [k for k in ("account", "public_key", "payload", "signature") if k not in env]
    if missing:
        raise malformed(f"the request has no {missing[0]!r}: it must be signed (docs/ia-service.md)")
    account, key_hex, payload, sig_hex = env["account"], env["public_key"], env["payload"], env["signature"]
    if not isinstance(payload, dict):
        raise malformed("payload must be a JSON object")
    if not isinstance(account, str) or not isinstance(key_hex, str) or len(key_hex) != 66 \
            or not _HEX.fullmatch(key_hex):
        raise malformed("account must be a BCD address and public_key 66 lowercase hex digits")
    try:
        signature = decode_signature(sig_hex)
    except SigningError as e:
        raise ServiceError("bad-signature", f"signature: {e}", status=401) from None
    key = bytes.fromhex(key_hex)
    try:
        if p2pkh_address(key) != account:
            raise ServiceError("key-mismatch", "public_key is not the key of account", status=401)
    except ValueError:
        raise ServiceError("key-mismatch", "public_key is not a compressed secp256k1 key",
                           status=401) from None
    if not verify_signed_by(account, key, ia_request_purpose(store), payload, signature):
        raise ServiceError("bad-signature", f"the signature does not verify for account {account} and "
                                            f"store {store}", status=401)
    service = payload.get("service")
    if service != service_key:
        if not isinstance(service, str):
            raise ServiceError("wrong-service", "the request names no service: sign payload.service = this "
                                                f"service's key, {service_key} (the policy's service_key)",
                               status=401)
        raise ServiceError("wrong-service", f"the request was signed for the IA service with key "
                                            f"{shorten(service, 16)}, not this one ({service_key[:16]}…): "
                                            "send it to the service the store's policy names", status=401)
    act = payload.get("action")
    if not isinstance(act, str) or act not in ACTIONS:
        raise ServiceError("unknown-action", f"unknown action {shorten(repr(act), 30)} (known: "
                                             f"{', '.join(ACTIONS)})", status=400)
    if action is not None and act != action:
        raise ServiceError("wrong-action", f"this endpoint takes {action!r} requests, not {act!r}",
                           status=400)
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not HEX32.fullmatch(nonce):
        raise malformed("payload.nonce must be 32 lowercase hex digits")
    t = parse_time(payload.get("time"))
    if t is None:
        raise malformed("payload.time must be a UTC time like 2026-01-02T03:04:05Z")
    skew = abs((t - now).total_seconds())
    if skew > SKEW_SECONDS:
        raise ServiceError("stale", f"the request's time is {int(skew)} s away from the service's clock "
                                    f"(at most {SKEW_SECONDS} s): check the computer's clock", status=401)
    return SignedRequest(account, act, nonce, t, payload)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


# -- claims ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A claim for one recorded activity. ``id`` is the activity event's uuid (32 hex): the
    service credits an id at most once. ``time`` is when it happened (UTC); ``version`` names
    the version an ``update`` installed; ``seconds`` how long a ``browse`` lasted."""

    id: str
    kind: str
    app: str
    time: str
    version: str | None = None
    seconds: int | None = None

    def __post_init__(self) -> None:
        problem = claim_problem(self.to_json())
        if problem:
            raise ValueError(f"a claim's {problem}")

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "kind": self.kind, "app": self.app, "time": self.time}
        if self.version is not None:
            d["version"] = self.version
        if self.seconds is not None:
            d["seconds"] = self.seconds
        return d

    @classmethod
    def from_json(cls, d: object) -> Claim:
        problem = claim_problem(d)
        if problem:
            raise malformed(f"a claim's {problem}")
        assert isinstance(d, Mapping)
        return cls(d["id"], d["kind"], d["app"], d["time"], d.get("version"), d.get("seconds"))


def claim_problem(d: object) -> str | None:
    if not isinstance(d, Mapping):
        return "JSON must be an object"
    unknown = sorted(str(k) for k in d if k not in ("id", "kind", "app", "time", "version", "seconds"))
    if unknown:
        return f"field {shorten(unknown[0], 30)!r} is unknown"
    cid, kind, app, t = d.get("id"), d.get("kind"), d.get("app"), d.get("time")
    if not isinstance(cid, str) or not HEX32.fullmatch(cid):
        return "id must be 32 lowercase hex digits (the activity's uuid)"
    if kind not in ACTIVITY_KINDS:
        return f"kind must be one of {', '.join(ACTIVITY_KINDS)}"
    if not is_app_id(app):
        return "app must be an app id"
    if parse_time(t) is None:
        return "time must be a UTC time like 2026-01-02T03:04:05Z"
    v = d.get("version")
    if v is not None and (not isinstance(v, str) or not _VERSION.fullmatch(v)):
        return "version must be a version such as 1.2.0"
    s = d.get("seconds")
    if s is not None and (type(s) is not int or not 0 <= s <= 10**9):
        return "seconds must be a whole number of seconds"
    return None


@dataclass(frozen=True)
class ClaimOutcome:
    """What the service did with one claim: a receipt (credited), or a refusal with a stable
    ``code`` (docs/ia-service.md, "Claims") and an English ``message`` to show ("daily cap for
    opening reached")."""

    claim_id: str
    receipt: Receipt | None
    code: str | None = None
    message: str | None = None

    @property
    def credited(self) -> bool:
        return self.receipt is not None


ACTIVITY_WORDS = {"browse": "browsing", "forward": "sharing", "download": "downloading",
                  "update": "updating", "open": "opening"}


def reward_reference(claim: Claim) -> str:
    """The reference of a reward receipt: ``KIND:APP[@VERSION]#CLAIM_ID``."""
    version = f"@{claim.version}" if claim.kind == "update" and claim.version else ""
    return f"{claim.kind}:{claim.app}{version}#{claim.id}"


def stake_reference(round_id: str, option: str, odds_bp: int, terms: str) -> str:
    """A stake receipt's reference: ``stake:ROUND:OPTION:ODDS_BP:TERMS``, where ``TERMS`` is the
    SHA-256 of the game round's ``definition_json`` (its draws, every option's ``wins`` and odds,
    the commitment, the times; ``games.rounds.terms_hash``): the signed receipt with that text
    proves what was staked on."""
    return f"stake:{round_id}:{option}:{odds_bp}:{terms}"


def parse_reward_reference(reference: str) -> tuple[str, str, str | None, str] | None:
    """``(kind, app, version, claim_id)`` of a reward receipt's reference, or None."""
    m = re.fullmatch(r"([a-z]+):([^@#]+)(?:@([^#]+))?#([0-9a-f]{32})", reference)
    return (m[1], m[2], m[3], m[4]) if m else None


def parse_payment_reference(reference: str) -> tuple[str, str, str] | None:
    """``(direction, other account, app)`` of a payment receipt's reference (``to:PAYEE:APP``
    for the payer, ``from:PAYER:APP`` for the payee), or None."""
    m = re.fullmatch(r"(to|from):([1-9A-HJ-NP-Za-km-z]{25,35}):([a-z0-9.-]+)", reference)
    return (m[1], m[2], m[3]) if m else None


def is_app_id(v: object) -> bool:
    """Whether ``v`` is an app id short enough for a receipt's reference."""
    return isinstance(v, str) and len(v) <= MAX_APP and bool(ID_RE.fullmatch(v))


def check_address(text: object, what: str) -> str:
    """``text`` if it is a BCD address, else a ``bad-address`` error naming ``what``."""
    if not isinstance(text, str) or text != text.strip():
        raise ServiceError("bad-address", f"{what} must be a BCD address", status=400)
    try:
        decode_address(text)
    except BadAddress as e:
        raise ServiceError("bad-address", f"{what}: {e}", status=400) from None
    return text


def check_memo(text: object) -> str:
    if not isinstance(text, str) or len(text) > MAX_MEMO or not (text == "" or text.isprintable()) \
            or _MEMO_BAD.search(text):
        raise malformed(f"memo must be at most {MAX_MEMO} printable characters, without \" or \\")
    return text


def positive_int(v: object, what: str, limit: int = 2**53 - 1) -> int:
    if type(v) is not int or not 0 < v <= limit:
        raise malformed(f"{what} must be a whole number of base units above zero")
    return v


def claims_payload(claims: Sequence[Claim]) -> dict[str, Any]:
    return {"claims": [c.to_json() for c in claims]}
