"""The provider's rules without Qt: methods per permission, hostile requests, parameters, the
limits on a flooding page, connections on disk, and the catalogue's ``payee``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appstore.core.catalog.parse import parse_catalog
from appstore.core.errors import CatalogError
from appstore.core.host.connections import Connections
from appstore.core.host.provider import (
    MAX_REQUEST,
    Code,
    ProviderError,
    RateLimiter,
    Rejections,
    message_param,
    methods_for,
    parse_call,
    pay_params,
)

ALL = methods_for(["wallet.address", "wallet.sign", "wallet.pay"])
PAYEE = "1CbgLUPfHWnm81HFBmYeP5Dhxm2cLPjtaU"


def error(fn: Any, *args: Any) -> ProviderError:
    with pytest.raises(ProviderError) as e:
        fn(*args)
    return e.value


def test_methods_follow_the_manifest() -> None:
    assert methods_for([]) == ()
    assert methods_for(["storage", "network"]) == ()
    assert methods_for(["wallet.address"]) == ("imapp_requestAccounts", "imapp_accounts", "imapp_balance")
    assert methods_for(["wallet.sign"]) == ("imapp_requestAccounts", "imapp_accounts", "imapp_signMessage")
    assert "imapp_pay" not in methods_for(["wallet.address", "wallet.sign"])
    assert methods_for(["wallet.pay"])[-1] == "imapp_pay"


@pytest.mark.parametrize("text, code, words", [
    ("", Code.INVALID_PARAMS, "JSON object"),
    ("[1]", Code.INVALID_PARAMS, "an object"),
    ("{}", Code.INVALID_PARAMS, "method name"),
    ('{"method": 5}', Code.INVALID_PARAMS, "method name"),
    ('{"method": "eth_sign"}', Code.UNSUPPORTED, "no method 'eth_sign'"),
    ('{"method": "imapp_pay", "params": {}, "id": 1}', Code.INVALID_PARAMS, "'id'"),
    ("x" * (MAX_REQUEST + 1), Code.INVALID_PARAMS, "at most"),
    ('{"method": "imapp_accounts", "params": NaN}', Code.INVALID_PARAMS, "JSON"),
])
def test_malformed_requests_are_refused_with_what_to_send(text: str, code: Code, words: str) -> None:
    e = error(parse_call, text, ALL)
    assert e.code == code and words in e.message, e.message
    assert json.loads(json.dumps(e.to_json()))["code"] == int(code)


def test_a_method_the_dapp_lacks_is_unsupported_and_says_which_permission() -> None:
    e = error(parse_call, '{"method": "imapp_pay", "params": {"amount": "1"}}', methods_for(["wallet.sign"]))
    assert e.code == Code.UNSUPPORTED and "wallet.pay" in e.message


def test_pay_params_take_an_amount_string_and_a_memo_and_never_an_address() -> None:
    def pay(params: Any) -> Any:
        return pay_params(parse_call(json.dumps({"method": "imapp_pay", "params": params}), ALL))

    assert pay({"amount": "2.5", "memo": "coats"}).amount == "2.5"
    assert pay([{"amount": "1"}]).memo == ""
    for key in ("to", "payee", "address", "recipient", "from", "account"):
        e = error(pay, {"amount": "1", key: PAYEE})
        assert e.code == Code.UNAUTHORIZED and "takes no" in e.message
    cases: list[tuple[Any, str]] = [(1.5, "params is an object"), ({"amount": 1.5}, "string"),
                                    ({"amount": True}, "string"),
                                    ({"amount": "1", "memo": "a\u202eb"}, "memo"),
                                    ({"amount": "1", "memo": "x" * 141}, "memo"),
                                    ({"amount": "1", "memo": "a\\b"}, "memo"),
                                    ({"amount": "1", "note": "x"}, "'note'")]
    for params, words in cases:
        e = error(pay, params)
        assert e.code == Code.INVALID_PARAMS and words in e.message, (params, e.message)


def test_messages_to_sign_are_readable_text() -> None:
    def sign(params: Any) -> str:
        return message_param(parse_call(json.dumps({"method": "imapp_signMessage", "params": params}), ALL))

    assert sign(["I agree\nto this"]) == "I agree\nto this"
    assert sign({"message": "我确认"}) == "我确认"
    cases: list[tuple[Any, str]] = [([""], "non-empty"), (["x" * 2001], "longer"),
                                    (["pay\u202emoc"], "invisible"), (["a\u200bb"], "invisible"),
                                    (["a\x00b"], "control"), ({"message": "x", "to": "y"}, "'to'"),
                                    ([["nested"]], "params")]
    for bad, words in cases:
        e = error(sign, bad)
        assert e.code == Code.INVALID_PARAMS and words in e.message, (bad, e.message)


def test_a_flooding_dapp_is_paused_then_let_through_again() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=10, burst=5, pause=10, clock=lambda: now[0])
    assert [limiter.take() for _ in range(5)] == [0.0] * 5
    assert limiter.take() == 10  # the sixth at once: paused
    now[0] += 4
    assert limiter.take() == 6 and limiter.paused_for() == 6
    now[0] += 6
    assert limiter.take() == 0.0  # the pause is over, with a full bucket
    now[0] += 0.1
    assert limiter.take() == 0.0


def test_refusals_quiet_the_questions_for_a_while() -> None:
    now = [0.0]
    r = Rejections(limit=3, window=60, quiet=60, clock=lambda: now[0])
    r.rejected()
    r.rejected()
    assert r.quiet_for() == 0
    r.accepted()  # a yes resets the count
    for _ in range(3):
        r.rejected()
    assert r.quiet_for() == 60
    now[0] += 61
    assert r.quiet_for() == 0


def test_connections_are_per_account_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "dapps" / "connections.json"
    c = Connections(path)
    c.connect("demo/org.imapp.charity", "1Alice")
    assert c.is_connected("demo/org.imapp.charity", "1Alice")
    assert not c.is_connected("demo/org.imapp.charity", "1Bob")  # another account: asks again
    again = Connections(path)
    assert [x.key for x in again.all()] == ["demo/org.imapp.charity"]
    assert again.revoke("demo/org.imapp.charity") and not again.revoke("demo/org.imapp.charity")
    assert Connections(path).all() == []
    path.write_text("{not json")
    assert Connections(path).all() == []  # damaged: nothing is connected (the safe side)


def _catalog(app: dict[str, Any]) -> dict[str, Any]:
    base = {"id": "org.test.pay", "name": {"en": "Pay"}, "summary": {"en": "s"}, "description": {"en": "d"},
            "categories": ["tools"], "kind": "link", "url": "https://example.org/", "icon": "icons/x.png",
            "developer": "d", "license": "MIT"}
    return {"format": 1, "store": {"id": "s", "name": {"en": "S"}}, "categories": {"tools": {"en": "Tools"}},
            "apps": [{**base, **app}]}


def test_the_catalogue_payee_is_a_checked_address() -> None:
    app = parse_catalog(_catalog({"permissions": ["wallet.pay"], "payee": PAYEE})).apps[0]
    assert app.payee == PAYEE and app.to_json()["payee"] == PAYEE
    assert parse_catalog(_catalog({"permissions": ["wallet.pay"]})).apps[0].payee == ""
    for payee, words in ((PAYEE[:-1] + "b", "checksum"), ("0xdeadbeef", "character"), (5, "string"),
                         (" " + PAYEE, "spaces")):
        with pytest.raises(CatalogError, match=words):
            parse_catalog(_catalog({"permissions": ["wallet.pay"], "payee": payee}))
    with pytest.raises(CatalogError, match="only for a DApp with the wallet.pay"):
        parse_catalog(_catalog({"permissions": ["wallet.address"], "payee": PAYEE}))
    with pytest.raises(CatalogError, match="needs the BCD address"):
        parse_catalog(_catalog({"permissions": ["wallet.pay"]}), strict=True)
