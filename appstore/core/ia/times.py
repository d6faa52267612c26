"""Times in the IA protocol: UTC, ISO 8601 to the second with a ``Z`` (as receipts write them)."""

from __future__ import annotations

from datetime import UTC, datetime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: object) -> datetime | None:
    """A UTC time, ``2026-01-02T03:04:05Z`` (or ISO 8601 with an offset); None if it is not one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        return None
    return t.astimezone(UTC).replace(microsecond=0)


def day_of(t: datetime) -> str:
    """The UTC day of ``t``, ``2026-01-02``."""
    return t.astimezone(UTC).strftime("%Y-%m-%d")
