"""Signed requests: secp256k1 ECDSA over a domain-separated, canonical message.

What is signed (docs/wallet.md, "Signing"):

    digest = SHA-256( b"imapp-sig-v1\\0" + PURPOSE + b"\\0" + CANONICAL_JSON(payload) )

* ``PURPOSE`` (ASCII) says what the signature is for, and is one of a fixed set of forms:
  ``ia-request:<store>`` (a request to that store's IA service: a claim, a swap acceptance, a
  stake, a payment, a withdrawal; the payload names the action) and
  ``dapp-message:<store>/<app>`` (a message a DApp asked the user to sign). A signature made
  for one purpose (or one store, or one app) never verifies for another.
* ``CANONICAL_JSON``: a JSON object, keys sorted (by code point), no spaces
  (``separators=(",", ":")``), UTF-8 without ``\\u`` escapes for non-ASCII text; values are
  objects, arrays, strings, integers, ``true``/``false``/``null``: **no floats** (amounts are
  integers in base units).
* The signature is the 64-byte compact form ``r || s`` (32 bytes each, big-endian) with a low
  ``s`` (``s <= n/2``, as libsecp256k1 makes it); in JSON, 128 lowercase hex digits. A high-``s``
  twin of a valid signature is refused (no malleability). No public-key recovery: a request
  carries the 33-byte compressed public key, whose address is the account.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from coincurve import PrivateKey, PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from appstore.core.ids import ID_RE, STORE_ID_RE
from appstore.core.wallet.address import p2pkh_address
from appstore.core.wallet.errors import SigningError

DOMAIN = b"imapp-sig-v1\0"
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
IA_REQUEST = "ia-request"
DAPP_MESSAGE = "dapp-message"
PURPOSE_KINDS = (IA_REQUEST, DAPP_MESSAGE)
MAX_DEPTH = 32

_PURPOSE = re.compile(r"(?P<kind>[a-z-]+):(?P<rest>[^\0]+)")


def ia_request_purpose(store: str) -> str:
    """The purpose of a request to store ``store``'s IA service."""
    return check_purpose(f"{IA_REQUEST}:{store}")


def dapp_message_purpose(store: str, app: str) -> str:
    """The purpose of a message that DApp ``app`` of store ``store`` asks the user to sign."""
    return check_purpose(f"{DAPP_MESSAGE}:{store}/{app}")


def check_purpose(purpose: str) -> str:
    """``purpose`` if it is one of the fixed forms, else ``SigningError``."""
    m = _PURPOSE.fullmatch(purpose) if isinstance(purpose, str) else None
    ok = False
    if m and m["kind"] == IA_REQUEST:
        ok = bool(STORE_ID_RE.fullmatch(m["rest"]))
    elif m and m["kind"] == DAPP_MESSAGE:
        store, slash, app = m["rest"].partition("/")
        ok = bool(slash and STORE_ID_RE.fullmatch(store) and ID_RE.fullmatch(app))
    if not ok:
        raise SigningError(f"cannot sign for {purpose!r:.80}: a purpose is ia-request:STORE or "
                           "dapp-message:STORE/APP")
    return purpose


def canonical_json(payload: Mapping[str, object]) -> bytes:
    """The canonical bytes of ``payload`` (see the module's rules); ``SigningError`` for a value
    that has none (a float, a non-string key, bytes, a set, a lone surrogate…)."""
    if not isinstance(payload, Mapping):
        raise SigningError("a signed payload is a JSON object")
    payload = dict(payload)
    _check_value(payload, 0)
    try:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as e:
        raise SigningError(f"the payload has no canonical JSON form ({type(e).__name__})") from None


def request_digest(purpose: str, payload: Mapping[str, object]) -> bytes:
    """The 32 bytes that are signed for ``payload`` under ``purpose``."""
    message = DOMAIN + check_purpose(purpose).encode("ascii") + b"\0" + canonical_json(payload)
    return hashlib.sha256(message).digest()


def sign_request(private_key: PrivateKey, purpose: str, payload: Mapping[str, object]) -> bytes:
    """The 64-byte low-S compact signature of ``payload`` under ``purpose``. (An ``Account``
    does this with its own key: ``account.sign(purpose, payload)``.)"""
    der = private_key.sign(request_digest(purpose, payload), hasher=None)
    return signature_from_der(der)


def verify_request(public_key: bytes, purpose: str, payload: Mapping[str, object], signature: bytes) -> bool:
    """True if ``signature`` (64-byte compact, low S) is ``public_key``'s (33-byte compressed)
    over ``payload`` under ``purpose``. Malformed keys, signatures and payloads are False; an
    unknown purpose is a ``SigningError`` (the verifier's own mistake)."""
    digest_purpose = check_purpose(purpose)
    if not (isinstance(public_key, bytes) and len(public_key) == 33 and public_key[0] in (2, 3)):
        return False
    if not isinstance(signature, bytes) or len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < CURVE_ORDER and 0 < s <= CURVE_ORDER // 2):
        return False
    try:
        digest = request_digest(digest_purpose, payload)
        return bool(PublicKey(public_key).verify(encode_dss_signature(r, s), digest, hasher=None))
    except (SigningError, ValueError, TypeError):
        return False


def verify_signed_by(address: str, public_key: bytes, purpose: str, payload: Mapping[str, object],
                     signature: bytes) -> bool:
    """``verify_request``, and ``public_key`` is the key of BCD address ``address``."""
    try:
        if p2pkh_address(public_key) != address:
            return False
    except (ValueError, TypeError):
        return False
    return verify_request(public_key, purpose, payload, signature)


def signature_from_der(der: bytes) -> bytes:
    """A DER ECDSA signature as 64-byte compact ``r || s``, with ``s`` made low."""
    try:
        r, s = decode_dss_signature(der)
    except ValueError:
        raise SigningError("not a DER ECDSA signature") from None
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        raise SigningError("not a secp256k1 signature")
    if s > CURVE_ORDER // 2:
        s = CURVE_ORDER - s
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def signature_to_der(signature: bytes) -> bytes:
    """A 64-byte compact signature in DER (for libraries that verify DER)."""
    if len(signature) != 64:
        raise SigningError("a compact signature is 64 bytes")
    return encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))


def encode_signature(signature: bytes) -> str:
    """A signature as it goes in JSON: 128 lowercase hex digits."""
    if len(signature) != 64:
        raise SigningError("a compact signature is 64 bytes")
    return signature.hex()


def decode_signature(text: str) -> bytes:
    """The 64 bytes of a signature from JSON; ``SigningError`` if it is not 128 hex digits."""
    if not isinstance(text, str) or len(text) != 128 or not re.fullmatch(r"[0-9a-f]+", text):
        raise SigningError("a signature is 128 lowercase hex digits")
    return bytes.fromhex(text)


def _check_value(value: object, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise SigningError(f"the payload is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        raise SigningError("a signed payload holds no floats: amounts are integers in base units")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise SigningError("the keys of a signed payload are strings")
            _check_value(v, depth + 1)
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _check_value(v, depth + 1)
        return
    raise SigningError(f"a signed payload holds JSON values only, not {type(value).__name__}")
