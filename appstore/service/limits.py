"""Rate limits of the IA service (docs/ia-service.md, "Rate limits"): a token bucket per account
(signed requests, counted once their signature verifies, so nobody can spend another account's
allowance) and one per client address (every request). Over a limit the service answers 429
``rate-limited`` with ``Retry-After`` (whole seconds) and does nothing else: a refused request's
nonce is not used, so the client sends its claims again later.

The buckets live in each worker process's memory: with N workers a client that spreads its
requests over several connections may get up to N times the limit (caps, budgets and balances
are in the database and exact whatever the number of processes; these limits only stop floods).
A client address is the TCP peer, or, when the peer is one of ``trusted_proxies``, the nearest
address in ``X-Forwarded-For`` that is not a trusted proxy; IPv6 addresses count per /64.
Loopback addresses are never limited by address (the embedded service, a local tool; name a
proxy on the same host with ``--trust-proxy`` so that its clients' addresses count).
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from appstore.core.errors import ConfigError, shorten
from appstore.core.ia.errors import ServiceError

MAX_KEYS = 200_000  # buckets kept per limiter (the least recently used go: they count as full)
_RATE = re.compile(r"([0-9]{1,9})/([0-9]{1,7})")


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` in a burst, refilled at ``requests / seconds`` a second."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"600/60"`` (requests per seconds) or ``"off"`` (None: no limit)."""
        if text.strip().lower() == "off":
            return None
        m = _RATE.fullmatch(text.strip())
        if m is None or int(m[1]) < 1 or int(m[2]) < 1:
            raise ConfigError(f"{shorten(text, 30)!r} is not a rate: write REQUESTS/SECONDS such as 600/60 "
                              "(at most 600 requests in a burst, 600 more each 60 s), or off")
        return cls(int(m[1]), int(m[2]))

    def __str__(self) -> str:
        return f"{self.requests}/{self.seconds}"


DEFAULT_ACCOUNT_RATE = Rate(600, 60)
DEFAULT_ADDRESS_RATE = Rate(3000, 60)


@dataclass(frozen=True)
class Limits:
    """What ``service serve`` is configured with (``--account-rate``, ``--address-rate``,
    ``--trust-proxy``); None: no limit of that kind."""

    account: Rate | None = DEFAULT_ACCOUNT_RATE
    address: Rate | None = DEFAULT_ADDRESS_RATE
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def proxies(addresses: Iterable[str]) -> frozenset[str]:
        out = set()
        for a in addresses:
            try:
                out.add(str(ipaddress.ip_address(a.strip())))
            except ValueError:
                raise ConfigError(f"--trust-proxy {shorten(a, 40)!r} is not an IP address") from None
        return frozenset(out)


class Bucket:
    """Token buckets keyed by a string, in this process (thread-safe)."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._per_second = rate.requests / rate.seconds
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)

    def take(self, key: str) -> int | None:
        """Spend one request of ``key``: None when allowed, else the whole seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.pop(key, (float(self.rate.requests), now))
            tokens = min(float(self.rate.requests), tokens + (now - when) * self._per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_KEYS:
                    self._buckets.popitem(last=False)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._per_second))


def limited(what: str, wait: int) -> ServiceError:
    return ServiceError("rate-limited", f"too many requests from this {what}: wait {wait} s and try again",
                        status=429, retry_after=wait)


class Limiter:
    """The service's two limits (``Limits``)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.accounts = Bucket(limits.account, clock) if limits.account else None
        self.addresses = Bucket(limits.address, clock) if limits.address else None

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """Whom a request counts against: the peer, or behind trusted proxies the nearest
        untrusted address of ``X-Forwarded-For``; an IPv6 address as its /64. None: unknown or
        loopback (never limited by address)."""
        if peer is None:
            return None
        address = peer
        trusted = self.limits.trusted_proxies
        if forwarded_for and _normal(peer) in trusted:
            for hop in reversed([h.strip() for h in forwarded_for.split(",")][-16:]):
                address = hop
                if _normal(hop) not in trusted:
                    break
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return shorten(address, 40)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            return None
        if isinstance(ip, ipaddress.IPv6Address):
            return str(ipaddress.IPv6Network((ip, 64), strict=False))
        return str(ip)

    def check_address(self, address: str | None) -> None:
        if self.addresses is None or address is None:
            return
        wait = self.addresses.take(address)
        if wait is not None:
            raise limited("address", wait)

    def check_account(self, account: str) -> None:
        if self.accounts is None:
            return
        wait = self.accounts.take(account)
        if wait is not None:
            raise limited("account", wait)


def _normal(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address

