"""How long each signed role of a store lives, and when it is re-signed: the publisher signs
with these, and the demo store's quick start-up check (``core.demo.is_fresh``) reads them
without loading the publisher (TUF, the keys)."""

from __future__ import annotations

from datetime import timedelta

LIFETIME = {
    "root": timedelta(days=365),
    "targets": timedelta(days=90),
    "bins": timedelta(days=90),
    "snapshot": timedelta(days=30),
    "timestamp": timedelta(days=7),
}


def due(role: str, left: timedelta) -> bool:
    """Whether a role with ``left`` before it expires is re-signed: under half its lifetime."""
    return left < LIFETIME[role] / 2
