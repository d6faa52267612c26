"""Version strings and their order (documented in docs/store-format.md#versions).

A version is ``N(.N)*`` (1 to 4 numeric parts, no leading zeros) optionally followed by
``-PRE`` where PRE is dot-separated identifiers of ``[0-9A-Za-z]``. Numeric parts compare as
numbers with missing parts taken as 0 (``1.2`` == ``1.2.0``); a pre-release sorts before its
release; pre-release identifiers compare as in SemVer 2.0 (numbers < words, numbers numerically).
"""

from __future__ import annotations

import re
from functools import lru_cache, total_ordering

_VERSION_RE = re.compile(
    r"^(0|[1-9]\d{0,8})(\.(0|[1-9]\d{0,8})){0,3}(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$"
)


def is_valid(text: str) -> bool:
    return bool(_VERSION_RE.fullmatch(text)) and len(text) <= 64


@total_ordering
class Version:
    """A parsed, comparable version. ``Version("1.10") > Version("1.9")``."""

    __slots__ = ("text", "_release", "_pre", "_k")

    def __init__(self, text: str) -> None:
        if not is_valid(text):
            raise ValueError(
                f"{text!r} is not a valid version: use numbers like 1.2.3, optionally with -beta.1"
            )
        self.text = text
        core, _, pre = text.partition("-")
        nums = [int(p) for p in core.split(".")]
        while len(nums) > 1 and nums[-1] == 0:
            nums.pop()
        self._release = tuple(nums)
        self._pre: tuple[tuple[int, int | str], ...] | None = (
            tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else None
        )
        # What versions compare by: a release (no pre-release part) sorts after all its
        # pre-releases. Made once: a sort compares each version many times.
        self._k: tuple[object, ...] = (self._release, (1,) if self._pre is None else (0, self._pre))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._k == other._k

    def __lt__(self, other: Version) -> bool:
        return self._k < other._k

    def __hash__(self) -> int:
        return hash(self._k)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=4096)  # a catalogue's releases share few version strings
def sort_key(text: str) -> tuple[object, ...]:
    """What ``Version(text)`` compares and hashes by, as a plain tuple (which sorts and hashes
    faster): equal for equal versions, such as ``1.2`` and ``1.2.0``. ``ValueError`` as
    ``Version``."""
    return Version(text)._k
