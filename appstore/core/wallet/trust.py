"""Which keys a store's IA service may sign receipts with: the wallet's trust anchor.

A receipt proves a credit only if the key that signed it is one the store's **signed** policy
names (docs/ledger.md, "Whose key"): its ``service_key``, or a key it names under
``previous_keys`` for receipts dated up to the moment that key was retired. A chain that agrees
with itself proves nothing (anyone can make one), so the ledger checks every receipt against
these keys whenever the store's policy can be read.
"""

from __future__ import annotations

from dataclasses import dataclass


def short_key(key: str) -> str:
    return key[:16] + "…"


@dataclass(frozen=True)
class RetiredKey:
    """A key the store's service used before a rotation: it vouches only for receipts whose
    ``time`` is at or before ``until`` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``)."""

    key: str  # 64 lowercase hex digits
    until: str


@dataclass(frozen=True)
class ServiceKeys:
    """The keys a store's signed policy names for its IA service (hex, lowercase)."""

    current: str
    retired: tuple[RetiredKey, ...] = ()

    def accepts(self, key: str, time: str) -> bool:
        """Whether a receipt dated ``time`` and signed by ``key`` is the service's."""
        return key == self.current or any(r.key == key and time <= r.until for r in self.retired)

    def refusal(self, store: str, key: str, time: str) -> str:
        """Why a receipt signed by ``key`` at ``time`` is not the service's (for a message)."""
        for r in self.retired:
            if r.key == key:
                return (f"it is signed by key {short_key(key)}, which store {store}'s signed policy "
                        f"retired at {r.until}, and it is dated {time}, after that")
        return (f"it is signed by key {short_key(key)}, which store {store}'s signed policy does not "
                f"name (its IA service's key is {short_key(self.current)})")

    def all(self) -> tuple[str, ...]:
        return (self.current, *(r.key for r in self.retired))


__all__ = ["RetiredKey", "ServiceKeys", "short_key"]
