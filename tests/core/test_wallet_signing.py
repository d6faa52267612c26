"""Signed requests: the documented, domain-separated format, checked by an independent
implementation (``cryptography``'s ECDSA verifies what coincurve signed, and the reverse)."""

import hashlib
import json
import secrets

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from appstore.core.wallet.errors import SigningError
from appstore.core.wallet.keys import Account
from appstore.core.wallet.signing import (
    CURVE_ORDER,
    canonical_json,
    check_purpose,
    dapp_message_purpose,
    decode_signature,
    encode_signature,
    ia_request_purpose,
    request_digest,
    signature_from_der,
    signature_to_der,
    verify_request,
    verify_signed_by,
)

N = CURVE_ORDER
PAYLOAD = {"action": "claim", "amount": 125_000_000, "asset": "IA", "note": "café ☕", "seq": 7,
           "items": [1, "two", None, True, {"b": 2, "a": 1}]}


def spec_digest(purpose: str, payload: dict) -> bytes:
    """The format as docs/wallet.md states it, written out here independently."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(b"imapp-sig-v1\x00" + purpose.encode("ascii") + b"\x00" + body).digest()


def crypto_public(account: Account) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), account.public_key)


def crypto_verify(account: Account, purpose: str, payload: dict, sig: bytes) -> bool:
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    try:
        crypto_public(account).verify(utils.encode_dss_signature(r, s), spec_digest(purpose, payload),
                                      ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


def crypto_sign(secret: bytes, purpose: str, payload: dict) -> tuple[int, int]:
    key = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256K1())
    der = key.sign(spec_digest(purpose, payload), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    return utils.decode_dss_signature(der)


def new_secret() -> bytes:
    while True:
        s = secrets.token_bytes(32)
        if 0 < int.from_bytes(s, "big") < N:
            return s


# -- the message ---------------------------------------------------------------------------------

def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": None, "c": "é"}]}) == (
        '{"a":[1,{"c":"é","d":null}],"b":1}'.encode())
    assert canonical_json({"t": (1, 2)}) == b'{"t":[1,2]}'
    assert canonical_json({"big": 10 ** 30}) == b'{"big":1000000000000000000000000000000}'


@pytest.mark.parametrize("payload", [
    {"amount": 1.5},
    {"nested": [{"x": 0.0}]},
    {1: "non-string key"},
    {"b": b"bytes"},
    {"s": {1, 2}},
    {"lone": "\ud800"},
    [1, 2],
    "text",
])
def test_payloads_without_a_canonical_form_are_refused(payload: object) -> None:
    with pytest.raises(SigningError):
        canonical_json(payload)  # type: ignore[arg-type]


def test_deep_nesting_is_refused() -> None:
    deep: dict = {}
    cur = deep
    for _ in range(40):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(SigningError, match="nested"):
        canonical_json(deep)


@pytest.mark.parametrize("purpose", [
    "ia-request:demo", "ia-request:Store_1.example-x", "dapp-message:demo/fair-dice",
    "dapp-message:demo/org.example.app",
])
def test_valid_purposes(purpose: str) -> None:
    assert check_purpose(purpose) == purpose


@pytest.mark.parametrize("purpose", [
    "", "ia-request", "ia-request:", "ia-request:a/b", "ia-request:.hidden", "dapp-message:demo",
    "dapp-message:demo/", "dapp-message:/app", "dapp-message:demo/App", "dapp-message:demo/a/b",
    "login:demo", "IA-REQUEST:demo", "ia-request:demo\x00x", "ia-request:dém", "dapp-message:demo/app\n",
])
def test_other_purposes_are_refused(purpose: str) -> None:
    with pytest.raises(SigningError):
        check_purpose(purpose)


def test_purpose_helpers() -> None:
    assert ia_request_purpose("demo") == "ia-request:demo"
    assert dapp_message_purpose("demo", "fair-dice") == "dapp-message:demo/fair-dice"
    with pytest.raises(SigningError):
        dapp_message_purpose("demo", "x/y")


def test_digest_follows_the_documented_format() -> None:
    for purpose in ("ia-request:demo", "dapp-message:demo/notes"):
        assert request_digest(purpose, PAYLOAD) == spec_digest(purpose, PAYLOAD)
    # the worked example in docs/wallet.md
    assert request_digest("ia-request:demo", {"amount": 125000000, "asset": "IA"}).hex() == (
        "1af8b9a11c5be093d80ceec30aba6eea3b0691658b96121797985cafda836cfb")


# -- signatures, both ways -----------------------------------------------------------------------

def test_coincurve_signs_cryptography_verifies() -> None:
    account = Account.from_private_key(new_secret())
    for purpose in ("ia-request:demo", "dapp-message:demo/notes"):
        sig = account.sign(purpose, PAYLOAD)
        assert len(sig) == 64
        assert int.from_bytes(sig[32:], "big") <= N // 2  # low S
        assert crypto_verify(account, purpose, PAYLOAD, sig)
        assert verify_request(account.public_key, purpose, PAYLOAD, sig)


def test_cryptography_signs_we_verify_and_high_s_is_refused() -> None:
    secret = new_secret()
    account = Account.from_private_key(secret)
    for i in range(16):
        payload = {**PAYLOAD, "seq": i}
        r, s = crypto_sign(secret, "ia-request:demo", payload)
        low, high = min(s, N - s), max(s, N - s)
        compact_low = r.to_bytes(32, "big") + low.to_bytes(32, "big")
        compact_high = r.to_bytes(32, "big") + high.to_bytes(32, "big")
        assert verify_request(account.public_key, "ia-request:demo", payload, compact_low)
        # both forms are valid ECDSA (cryptography takes either), but only low S is accepted here
        assert crypto_verify(account, "ia-request:demo", payload, compact_high)
        assert not verify_request(account.public_key, "ia-request:demo", payload, compact_high)
        assert signature_from_der(utils.encode_dss_signature(r, s)) == compact_low


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=12), st.booleans(),
                                                      st.none()), max_size=6))
def test_any_payload_round_trips_both_ways(payload: dict) -> None:
    secret = new_secret()
    account = Account.from_private_key(secret)
    sig = account.sign("ia-request:demo", payload)
    assert crypto_verify(account, "ia-request:demo", payload, sig)
    r, s = crypto_sign(secret, "ia-request:demo", payload)
    assert verify_request(account.public_key, "ia-request:demo", payload,
                          r.to_bytes(32, "big") + min(s, N - s).to_bytes(32, "big"))


def test_no_replay_across_purposes_stores_apps_payloads_or_keys() -> None:
    account = Account.from_private_key(new_secret())
    other = Account.from_private_key(new_secret())
    sig = account.sign("ia-request:demo", PAYLOAD)
    assert verify_request(account.public_key, "ia-request:demo", PAYLOAD, sig)
    for purpose in ("ia-request:other", "dapp-message:demo/notes", "dapp-message:demo/demo"):
        assert not verify_request(account.public_key, purpose, PAYLOAD, sig)
        assert not crypto_verify(account, purpose, PAYLOAD, sig)
    assert not verify_request(account.public_key, "ia-request:demo", {**PAYLOAD, "amount": 125_000_001}, sig)
    assert not verify_request(account.public_key, "ia-request:demo", {**PAYLOAD, "extra": None}, sig)
    assert not verify_request(other.public_key, "ia-request:demo", PAYLOAD, sig)
    # a DApp message signed for one app does not verify for another app of the same store
    dsig = account.sign("dapp-message:demo/notes", {"text": "hi"})
    assert not verify_request(account.public_key, "dapp-message:demo/notes2", {"text": "hi"}, dsig)


def test_malformed_inputs_do_not_verify() -> None:
    account = Account.from_private_key(new_secret())
    sig = account.sign("ia-request:demo", PAYLOAD)
    uncompressed = crypto_public(account).public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    bad = [
        (account.public_key, sig[:63]),
        (account.public_key, sig + b"\0"),
        (account.public_key, b"\0" * 32 + sig[32:]),  # r = 0
        (account.public_key, sig[:32] + b"\0" * 32),  # s = 0
        (account.public_key, N.to_bytes(32, "big") + sig[32:]),  # r = n
        (uncompressed, sig),  # the wallet's keys are compressed
        (b"\x02" + b"\0" * 32, sig),  # not a point
        (account.public_key[:-1], sig),
    ]
    for pub, s in bad:
        assert not verify_request(pub, "ia-request:demo", PAYLOAD, s)
    assert not verify_request(account.public_key, "ia-request:demo", {"x": 1.5}, sig)
    with pytest.raises(SigningError):
        verify_request(account.public_key, "nonsense", PAYLOAD, sig)  # the verifier's own mistake
    with pytest.raises(SigningError):
        account.sign("ia-request:demo", {"amount": 0.1})


def test_verify_signed_by_checks_the_address() -> None:
    account = Account.from_private_key(new_secret())
    other = Account.from_private_key(new_secret())
    sig = account.sign("ia-request:demo", PAYLOAD)
    assert verify_signed_by(account.address, account.public_key, "ia-request:demo", PAYLOAD, sig)
    assert not verify_signed_by(other.address, account.public_key, "ia-request:demo", PAYLOAD, sig)
    assert not verify_signed_by(account.address, b"junk", "ia-request:demo", PAYLOAD, sig)


def test_encodings() -> None:
    account = Account.from_private_key(new_secret())
    sig = account.sign("ia-request:demo", PAYLOAD)
    text = encode_signature(sig)
    assert len(text) == 128 and text == text.lower()
    assert decode_signature(text) == sig
    for bad in (text.upper(), text[:-2], text + "00", "zz" * 64, None):
        with pytest.raises(SigningError):
            decode_signature(bad)  # type: ignore[arg-type]
    assert signature_from_der(signature_to_der(sig)) == sig
    with pytest.raises(SigningError):
        signature_from_der(b"\x30\x00")
    with pytest.raises(SigningError):
        encode_signature(sig[:10])


def test_signatures_are_deterministic_rfc6979() -> None:
    account = Account.from_private_key((1).to_bytes(32, "big"))
    assert account.sign("ia-request:demo", PAYLOAD) == account.sign("ia-request:demo", PAYLOAD)
    assert account.address == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
