"""Rate limits (429 with Retry-After) per account and per client address, and a client that goes
away mid-body: one line in the log, no error, no traceback."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest
import requests

from appstore.core.errors import ConfigError
from appstore.core.ia.errors import RateLimited
from appstore.service.limits import Bucket, Limiter, Limits, Rate
from appstore.service.storage import sqlite_url
from tests.service.conftest import account, claim, start_service


class Ticks:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_bucket_allows_a_burst_then_the_rate_and_says_how_long_to_wait() -> None:
    ticks = Ticks()
    b = Bucket(Rate(3, 60), ticks)  # 3 at once, then one each 20 s
    assert [b.take("a") for _ in range(3)] == [None, None, None]
    assert b.take("a") == 20 and b.take("b") is None  # per key
    ticks.t += 19.5
    assert b.take("a") == 1  # whole seconds, never 0
    ticks.t += 0.5
    assert b.take("a") is None and b.take("a") == 20
    assert Rate.parse("600/60") == Rate(600, 60) and Rate.parse("off") is None
    for bad in ("600", "0/60", "6/0", "1.5/60", "-1/60"):
        with pytest.raises(ConfigError, match="is not a rate"):
            Rate.parse(bad)


def test_the_client_address_behind_trusted_proxies() -> None:
    lim = Limiter(Limits(trusted_proxies=Limits.proxies(["10.0.0.1", "::1"])))
    assert lim.client_address("203.0.113.9", None) == "203.0.113.9"
    assert lim.client_address("203.0.113.9", "198.51.100.1") == "203.0.113.9"  # an untrusted peer's header
    assert lim.client_address("10.0.0.1", "198.51.100.1, 10.0.0.1") == "198.51.100.1"
    assert lim.client_address("10.0.0.1", "6.6.6.6, 198.51.100.1") == "198.51.100.1"  # the nearest hop
    assert lim.client_address("2001:db8:1:2:aaaa::1", None) == "2001:db8:1:2::/64"  # an IPv6 host's /64
    assert lim.client_address("::ffff:198.51.100.7", None) == "198.51.100.7"
    assert lim.client_address("127.0.0.1", None) is None  # loopback: not limited by address
    assert lim.client_address("::1", "198.51.100.1") == "198.51.100.1"
    with pytest.raises(ConfigError, match="not an IP address"):
        Limits.proxies(["proxy.example"])


def test_over_a_limit_the_service_answers_429_with_retry_after_and_does_nothing(tmp_path: Path) -> None:
    limits = Limits(account=Rate(3, 60), address=Rate(5, 60), trusted_proxies=frozenset({"127.0.0.1"}))
    run = start_service(sqlite_url(str(tmp_path / "s.sqlite3")), limits=limits)
    try:
        c = run.client(account(0))
        for i in range(3):
            assert c.claim([claim("open", f"org.test.app{i}")])[0].credited
        late = claim("open", "org.test.app3")
        with pytest.raises(RateLimited) as e:
            c.claim([late])
        assert e.value.status == 429 and e.value.code == "rate-limited"
        assert 1 <= (e.value.retry_after or 0) <= 20
        assert run.client(account(1)).claim([late])[0].credited  # another account (the same address)
        assert c.status().balances["IA"] == 3 * 2 * 10**8  # the refused claim did nothing: it can come later
        # by address, as a trusted proxy on 127.0.0.1 says (X-Forwarded-For)
        s = requests.Session()
        far = {"X-Forwarded-For": "203.0.113.7"}
        codes = [s.get(run.url + "/v1/info", headers=far, timeout=10).status_code for _ in range(5)]
        assert codes == [200] * 5
        r = s.get(run.url + "/v1/info", headers=far, timeout=10)
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate-limited"
        assert r.headers["Retry-After"].isdigit() and 1 <= int(r.headers["Retry-After"]) <= 12
        assert "too many requests from this address" in r.json()["error"]["message"]
        other = {"X-Forwarded-For": "203.0.113.8"}
        assert s.get(run.url + "/v1/info", headers=other, timeout=10).status_code == 200
        assert s.get(run.url + "/v1/info", timeout=10).status_code == 200  # the proxy itself (loopback)
    finally:
        run.server.stop()
        run.service.close()


def test_a_client_that_goes_away_mid_body_is_one_line_in_the_log(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    run = start_service(sqlite_url(str(tmp_path / "s.sqlite3")))
    try:
        for _ in range(3):
            sock = socket.create_connection((run.server.host, run.server.port))
            sock.sendall(b"POST /v1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 5000\r\n\r\n{\"account\": \"1")
            # the sentinel: a request on another connection, answered by the same event loop,
            # which took the first one's bytes before (they came first): it is mid-body now
            assert requests.get(run.url + "/v1/info", timeout=10).status_code == 200
            sock.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum("went away" in r.getMessage() for r in caplog.records) < 3:
            time.sleep(0.02)
        lines = [r for r in caplog.records if "went away" in r.getMessage()]
        assert len(lines) == 3
        assert all(r.levelno == logging.INFO and r.exc_info is None and "\n" not in r.getMessage()
                   for r in lines)
        assert "POST /v1/claims" in lines[0].getMessage()
        assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
        assert run.client(account(0)).claim([claim("open")])[0].credited  # and it serves on
    finally:
        run.server.stop()
        run.service.close()
