"""The shared protocol without a server: policy and terms files, envelopes, quotes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.errors import AppStoreError
from appstore.core.ia.errors import PolicyError, ServiceError
from appstore.core.ia.messages import Quote, sign_quote
from appstore.core.ia.policy import Dividend, parse_policy, parse_terms, policy_json, terms_json
from appstore.core.ia.protocol import (
    Claim,
    check_request,
    make_request,
    parse_reward_reference,
    reward_reference,
)
from appstore.core.wallet.receipts import public_key_hex
from tests.service.conftest import account

KEY = "ab" * 32


def _policy(**over: object) -> bytes:
    body = json.loads(policy_json("demo", KEY))
    body.update(over)
    return json.dumps(body).encode()


def test_the_demo_policy_and_terms_parse_to_base_units() -> None:
    p = parse_policy(policy_json("demo", KEY))
    assert p.embedded and p.decimals == 8
    assert p.rewards["open"] == 2 * 10**8 and p.rewards["browse"] == 5 * 10**7
    assert p.daily_cap == 60 * 10**8 and p.caps["forward"] == 5 and p.once["update"] == "version"
    assert p.dividend == Dividend(1000 * 10**8, "00:00")
    assert parse_policy(json.dumps(p.to_json()).encode()) == p
    t = parse_terms(terms_json("demo"), ia_decimals=8)
    assert (t.rate_num, t.rate_den) == (1, 1000)  # 0.01 BCD (10**5 units) per IA (10**8 units)
    assert t.bcd_out(10**8) == (10**8 - 300_000) // 1000


@pytest.mark.parametrize(("over", "message"), [
    ({"rewards": {"browse": "1", "forward": "1", "download": "1", "update": "1", "open": 2}},
     "rewards.open: must be an amount written as a string"),
    ({"daily_cap": 1.5}, "1.5 is not a whole number"),
    ({"service_url": "ftp://x"}, "service_url:"),
    ({"service_key": "XYZ"}, "service_key: must be 64 lowercase hex digits"),
    ({"caps": {"open": -1, "browse": 1, "forward": 1, "download": 1, "update": 1}},
     "caps.open: must be from 0"),
    ({"rewards": {"mint": "1"}}, "rewards.mint: is not an activity"),
    ({"format": 2}, "format: unsupported format 2"),
    ({"dividend": {"amount": "10", "at": "25:00"}}, "dividend.at: must be a UTC time of day"),
    ({"rewards": {"browse": "0.123456789", "forward": "1", "download": "1", "update": "1", "open": "1"}},
     "rewards.browse: "),
])
def test_a_bad_policy_names_the_field(over: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError) as e:
        parse_policy(_policy(**over), "rewards/policy.json")
    assert message in str(e.value) and str(e.value).startswith("rewards/policy.json: ")
    assert isinstance(e.value, AppStoreError)


def test_bad_terms_name_the_field() -> None:
    body = json.loads(terms_json("demo"))
    with pytest.raises(PolicyError, match="max_ia: is less than min_ia"):
        parse_terms(json.dumps({**body, "max_ia": "0.5"}).encode())
    with pytest.raises(PolicyError, match="ia_decimals: is 8, but the reward policy gives IA 6"):
        parse_terms(terms_json("demo"), ia_decimals=6)
    with pytest.raises(PolicyError, match="fee_bp: must be from 0 to 9999"):
        parse_terms(json.dumps({**body, "fee_bp": 10_000}).encode())


def test_dividend_schedule() -> None:
    d = Dividend(1, "06:30")
    now = datetime(2026, 1, 2, 6, 0, tzinfo=UTC)
    assert d.last_due(now) == datetime(2026, 1, 1, 6, 30, tzinfo=UTC)
    assert d.next_due(now) == datetime(2026, 1, 2, 6, 30, tzinfo=UTC)
    assert Dividend.period(d.next_due(now)) == "2026-01-02T06:30Z"


def test_the_sybil_budget_fields_of_the_terms_are_optional_and_checked() -> None:
    old = parse_terms(terms_json("demo"), ia_decimals=8)  # a file from before them: no budget
    assert (old.daily_budget_bcd, old.vesting_days, old.address_daily_bcd) == (None, 0, None)
    t = parse_terms(terms_json("demo", daily_budget_bcd="50", vesting_days=2, address_daily_bcd="0.5"))
    assert (t.daily_budget_bcd, t.vesting_days, t.address_daily_bcd) == (50 * 10**7, 2, 5 * 10**6)
    body = json.loads(terms_json("demo"))
    assert parse_terms(json.dumps({**body, "daily_budget_bcd": None}).encode()).daily_budget_bcd is None
    assert parse_terms(json.dumps({**body, "daily_budget_bcd": "0"}).encode()).daily_budget_bcd == 0
    for over, words in [({"daily_budget_bcd": 50}, "daily_budget_bcd: must be an amount written as a string"),
                        ({"vesting_days": "2"}, "vesting_days: must be a whole number"),
                        ({"vesting_days": 366}, "vesting_days: must be from 0 to 365"),
                        ({"address_daily_bcd": "0.000000001"}, "address_daily_bcd: amounts have at most 7")]:
        with pytest.raises(PolicyError, match=words):
            parse_terms(json.dumps({**body, **over}).encode())


def test_envelopes_and_quotes() -> None:
    a = account(0)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    key = Ed25519PrivateKey.generate()
    mine, clone = public_key_hex(key), public_key_hex(Ed25519PrivateKey.generate())
    body = json.dumps(make_request(a, "demo", "quote", {"amount_ia": 5}, service_key=mine, now=now)).encode()
    req = check_request(body, "demo", now + timedelta(seconds=200), service_key=mine)
    assert (req.account, req.action, req.payload["amount_ia"]) == (a.address, "quote", 5)
    assert req.payload["service"] == mine
    with pytest.raises(ServiceError) as e:
        check_request(body, "other", now, service_key=mine)
    assert e.value.code == "bad-signature"
    # a service that shares the store id but has another key (a clone) refuses it
    with pytest.raises(ServiceError, match="signed for the IA service with key") as e:
        check_request(body, "demo", now, service_key=clone)
    assert (e.value.code, e.value.status) == ("wrong-service", 401)
    q = sign_quote({"id": "0" * 32, "store": "demo", "account": a.address, "amount_ia": 5, "fee": 0,
                    "bcd_out": 1, "rate_num": 1, "rate_den": 3, "expires": "2026-01-02T03:05:05Z"}, key)
    assert q.verify(public_key_hex(key)) is None
    assert Quote.from_json(q.to_json()) == q
    forged = Quote.from_json({**q.to_json(), "bcd_out": 2})
    assert forged.verify(public_key_hex(key)) == "the quote's signature does not verify"
    c = Claim("f" * 32, "update", "org.x", "2026-01-02T03:04:05+00:00", version="1.2.0")
    assert parse_reward_reference(reward_reference(c)) == ("update", "org.x", "1.2.0", "f" * 32)
    with pytest.raises(ValueError, match="kind must be one of"):
        Claim("f" * 32, "mint", "org.x", "2026-01-02T03:04:05Z")


def test_a_service_that_cannot_be_reached_is_unreachable() -> None:
    import socket

    from appstore.core.ia.client import ServiceClient, resolve_url
    from appstore.core.ia.errors import ServiceUnreachable
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    policy = parse_policy(policy_json("demo", KEY))
    client = ServiceClient(f"http://127.0.0.1:{port}", policy, account(0), timeout=2)
    with pytest.raises(ServiceUnreachable) as e:
        client.status()
    assert e.value.code == "unreachable" and "claims wait as pending" in str(e.value)
    with pytest.raises(ServiceUnreachable, match="has not started yet"):
        resolve_url(policy, None)
    assert resolve_url(policy, "http://127.0.0.1:1") == "http://127.0.0.1:1"
