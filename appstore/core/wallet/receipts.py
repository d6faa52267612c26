"""Receipts: the records a store's IA service signs for each credit or debit of an account.

A receipt says: store ``store``'s IA service (Ed25519 public key ``service_key``) moved
``amount`` base units of ``asset`` on ``account`` (a BCD address) at ``time``, for ``kind``
(``reference`` names the app, quote or round), as the ``seq``-th receipt of that account; it
follows the receipt whose hash is ``prev_hash``. The service's receipts for one account form a
hash chain, so the wallet notices one that is missing, changed, forged or out of order.

**Canonical bytes** (docs/ledger.md): the JSON object of the ten signed fields (every field
but ``hash`` and ``signature``), keys sorted, no whitespace, UTF-8, integers as integers::

    {"account":"1…","amount":1500000,"asset":"IA","kind":"reward","prev_hash":"00…00",
     "reference":"org.example.app","seq":1,"service_key":"…","store":"demo","time":"2026-01-02T03:04:05Z"}

The strings can hold no control character, ``"`` nor ``\\``, so no JSON encoder escapes
anything: any encoder that sorts keys and adds no whitespace gives these bytes.
``hash = SHA-256(b"imapp-receipt-v1\\0" + canonical bytes)`` (hex);
``signature = Ed25519(service key, the 32 bytes of the hash)`` (hex).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from appstore.core.errors import shorten
from appstore.core.ids import STORE_ID_RE
from appstore.core.wallet.address import decode_address
from appstore.core.wallet.errors import BadAddress, WalletError

DOMAIN = b"imapp-receipt-v1\0"
ZERO_HASH = "0" * 64  # the prev_hash of receipt #1
ASSETS = ("IA", "BCD")
KINDS = ("reward", "dividend", "swap", "stake", "payout", "refund", "payment", "withdrawal")
CREDIT_KINDS = frozenset({"reward", "dividend", "payout", "refund"})  # amount > 0
DEBIT_KINDS = frozenset({"stake", "withdrawal"})  # amount < 0; a swap or a payment may be either
MAX_SEQ = 2**53 - 1  # exact in every JSON implementation (RFC 8785's safe integers)
MAX_AMOUNT = 2**53 - 1  # |amount| in base units
MAX_REFERENCE = 200  # characters
SIGNED_FIELDS = ("account", "amount", "asset", "kind", "prev_hash", "reference", "seq", "service_key",
                 "store", "time")  # sorted: the order of the canonical JSON
FIELDS = ("store", "service_key", "seq", "account", "time", "asset", "amount", "kind", "reference",
          "prev_hash", "hash", "signature")  # the dataclass's order

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class ReceiptError(WalletError):
    """A receipt (or its JSON) that is malformed; the message names the field."""


def utc_now() -> str:
    """Now, as a receipt's ``time``: UTC, ISO 8601, seconds, ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=64)
def _account_problem(value: str) -> str | None:
    try:
        decode_address(value)
    except BadAddress as e:
        return str(e)
    return None


def _text_problem(value: str, limit: int) -> str | None:
    if not 1 <= len(value) <= limit:
        return f"must have 1 to {limit} characters"
    if not value.isprintable() or '"' in value or "\\" in value:
        return 'must be printable, without " or \\'
    return None


def field_problem(name: str, value: object) -> str | None:
    """What is wrong with ``value`` as field ``name`` of a receipt, or None."""
    if name in ("seq", "amount"):
        if type(value) is not int:
            return f"must be an integer, not {type(value).__name__}"
        if name == "seq":
            return None if 1 <= value <= MAX_SEQ else f"must be 1 to {MAX_SEQ}, not {value}"
        return None if value and abs(value) <= MAX_AMOUNT else \
            f"must be a non-zero number of base units of at most {MAX_AMOUNT} either way, not {value}"
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    shown = shorten(repr(value), 40)
    if name == "store":
        return None if STORE_ID_RE.fullmatch(value) else f"{shown} is not a store id"
    if name in ("service_key", "prev_hash", "hash"):
        return None if _HEX64.fullmatch(value) else f"{shown} is not 64 lowercase hex digits"
    if name == "signature":
        return None if _HEX128.fullmatch(value) else f"{shown} is not 128 lowercase hex digits"
    if name == "account":
        if value != value.strip():
            return f"{shown} has spaces around it"
        return _account_problem(value)
    if name == "time":
        if _TIME.fullmatch(value):
            try:
                datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
                return None
            except ValueError:
                pass
        return f"{shown} is not a UTC time like 2026-01-02T03:04:05Z"
    if name == "asset":
        return None if value in ASSETS else f"{shown} is not {' or '.join(ASSETS)}"
    if name == "kind":
        return None if value in KINDS else f"{shown} is not one of {', '.join(KINDS)}"
    if name == "reference":
        return _text_problem(value, MAX_REFERENCE)
    raise KeyError(name)


def fields_problem(fields: Mapping[str, object], names: tuple[str, ...] = FIELDS) -> str | None:
    """The first problem of a receipt's fields (named), or None: each field, then the rules
    between fields (a credit's amount is positive, a debit's negative; #1 follows no receipt)."""
    for name in names:
        if name not in fields:
            return f"field {name!r} is missing"
        problem = field_problem(name, fields[name])
        if problem:
            return f"{name} {problem}"
    kind, amount, seq = fields["kind"], fields["amount"], fields["seq"]
    assert isinstance(amount, int) and isinstance(seq, int)
    if kind in CREDIT_KINDS and amount < 0:
        return f"amount: a {kind} is a credit, so its amount is positive (not {amount})"
    if kind in DEBIT_KINDS and amount > 0:
        return f"amount: a {kind} is a debit, so its amount is negative (not {amount})"
    if seq == 1 and fields["prev_hash"] != ZERO_HASH:
        return "prev_hash: receipt #1 follows no receipt, so its prev_hash is 64 zeros"
    return None


def canonical_bytes(fields: Mapping[str, object]) -> bytes:
    """The canonical JSON of the ten signed fields (see the module's docstring)."""
    return json.dumps({k: fields[k] for k in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def receipt_digest(canonical: bytes) -> bytes:
    """The 32 bytes a service signs: SHA-256 of the domain prefix and the canonical bytes."""
    return hashlib.sha256(DOMAIN + canonical).digest()


@lru_cache(maxsize=64)
def public_key(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its 32 bytes (kept: a ledger checks many receipts per key)."""
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_ok(key: bytes, signature: bytes, digest: bytes) -> bool:
    """Whether ``signature`` is Ed25519 ``key``'s signature of ``digest``."""
    try:
        public_key(key).verify(signature, digest)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_hex(private_key: Ed25519PrivateKey) -> str:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


@dataclass(frozen=True)
class Receipt:
    """One signed receipt; every field is checked when it is made (``ReceiptError``). Whether
    its hash and signature are right is ``verify()``'s question."""

    store: str
    service_key: str  # hex, 32 bytes
    seq: int  # 1, 2, … per (service, account)
    account: str  # a BCD address
    time: str  # UTC, 2026-01-02T03:04:05Z
    asset: str  # IA or BCD
    amount: int  # base units; a debit is negative
    kind: str
    reference: str
    prev_hash: str  # hex; ZERO_HASH for #1
    hash: str  # hex
    signature: str  # hex, 64 bytes

    def __post_init__(self) -> None:
        problem = fields_problem(self.__dict__)
        if problem:
            raise ReceiptError(f"a receipt's {problem}")

    @cached_property
    def canonical(self) -> bytes:
        """The bytes the hash covers."""
        return canonical_bytes(self.__dict__)

    def digest(self) -> bytes:
        return receipt_digest(self.canonical)

    def verify(self) -> str | None:
        """What is wrong with the hash or the signature, or None. (Whether ``service_key`` is
        the store's service's key is the ledger's question.)"""
        digest = self.digest()
        if digest.hex() != self.hash:
            return f"receipt #{self.seq} from store {self.store} does not match its hash (it was changed)"
        if not signature_ok(bytes.fromhex(self.service_key), bytes.fromhex(self.signature), digest):
            return (f"receipt #{self.seq} from store {self.store} has a signature that does not verify "
                    f"with the key it names, {self.service_key[:16]}…")
        return None

    def row(self) -> tuple[str, bytes, int, str, str, str, int, str, str, bytes, bytes, bytes]:
        """The receipt as the ledger stores it: text, integers, and the hex fields as bytes."""
        return (self.store, bytes.fromhex(self.service_key), self.seq, self.account, self.time, self.asset,
                self.amount, self.kind, self.reference, bytes.fromhex(self.prev_hash),
                bytes.fromhex(self.hash), bytes.fromhex(self.signature))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k in FIELDS}

    def to_json(self) -> str:
        """Compact JSON of every field, keys sorted."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> Receipt:
        """A receipt from a JSON object with exactly its twelve fields; ``ReceiptError`` naming
        the first field that is missing, unknown or wrong."""
        if not isinstance(data, Mapping):
            raise ReceiptError(f"a receipt is a JSON object, not {type(data).__name__}")
        unknown = sorted(str(k) for k in data if k not in FIELDS)
        if unknown:
            raise ReceiptError(f"a receipt has an unknown field {shorten(unknown[0], 40)!r}")
        problem = fields_problem(data)
        if problem:
            raise ReceiptError(f"a receipt's {problem}")
        return cls(**{k: data[k] for k in FIELDS})

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as e:
            raise ReceiptError(f"a receipt is not valid JSON ({shorten(e)})") from None
        return cls.from_dict(data)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a receipt may hold")


def sign_receipt(fields: Mapping[str, object], private_key: Ed25519PrivateKey) -> Receipt:
    """The receipt for ``fields`` (the signed fields; ``service_key`` may be left out), hashed
    and signed with the service's ``private_key``. What an IA service, and the tests, use."""
    key = public_key_hex(private_key)
    if "service_key" in fields and fields["service_key"] != key:
        raise ReceiptError("a receipt's service_key must be the public key of the key signing it")
    unknown = sorted(str(k) for k in fields if k not in SIGNED_FIELDS)
    if unknown:
        raise ReceiptError(f"a receipt has an unknown field {shorten(unknown[0], 40)!r}")
    signed = {**fields, "service_key": key}
    problem = fields_problem(signed, SIGNED_FIELDS)
    if problem:
        raise ReceiptError(f"a receipt's {problem}")
    digest = receipt_digest(canonical_bytes(signed))
    return Receipt(**{k: signed[k] for k in SIGNED_FIELDS}, hash=digest.hex(),  # type: ignore[arg-type]
                   signature=private_key.sign(digest).hex())
