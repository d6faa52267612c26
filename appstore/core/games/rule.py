"""The outcome rule of a guessing-game round (docs/games.md, "The rule"): anyone can recompute it
from the revealed seed and the round id with ``openssl`` or a few lines of Python.

* ``commitment = SHA-256(seed)`` (the seed's 32 bytes; hex in the rounds file).
* For ``i = 0, 1, 2, …``: ``h = HMAC-SHA256(key = seed, message = "ROUND_ID:i")`` (UTF-8), read
  as a 256-bit big-endian number ``x``. With ``n`` possible draws and
  ``limit = 2^256 - (2^256 mod n)``, the first ``x < limit`` gives the draw index ``x mod n``
  (rejection sampling: every index is exactly equally likely). Past ``MAX_TRIES`` (never
  reached in practice: each try fails with probability below ``n / 2^256``) the round is void.
* The result is ``draw[index]``; an option wins when the result is in its ``wins`` list.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

SEED_BYTES = 32
MAX_TRIES = 64
SPACE = 1 << 256
HEX64 = re.compile(r"[0-9a-f]{64}")


def commitment_of(seed_hex: str) -> str:
    """SHA-256 of the seed's bytes, as 64 lowercase hex digits."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def seed_matches(seed_hex: str, commitment: str) -> bool:
    """Whether ``seed_hex`` (64 hex digits) is the seed ``commitment`` was made of."""
    if not isinstance(seed_hex, str) or not HEX64.fullmatch(seed_hex):
        return False
    return hmac.compare_digest(commitment_of(seed_hex), commitment)


@dataclass(frozen=True)
class Try:
    """One HMAC of the derivation: its message, the digest, and whether it was kept."""

    message: str
    digest: str  # 64 hex
    accepted: bool


@dataclass(frozen=True)
class Derivation:
    """The derivation of a draw, step by step (what the verification view shows)."""

    round_id: str
    count: int  # n: how many possible draws
    limit: int  # 2^256 - (2^256 mod n): digests at or above it are rejected
    tries: tuple[Try, ...]
    index: int  # the draw's index (0 … n-1), or -1 when every try was rejected

    def explain(self) -> list[str]:
        """The steps in plain English."""
        lines = [f"n = {self.count} possible draws; a digest counts if it is below "
                 f"2^256 - (2^256 mod {self.count})"]
        for t in self.tries:
            verdict = (f"→ {int(t.digest, 16)} mod {self.count} = {self.index}" if t.accepted
                       else "→ rejected (too large), try the next counter")
            lines.append(f"HMAC-SHA256(seed, \"{t.message}\") = {t.digest} {verdict}")
        return lines


def derive(seed_hex: str, round_id: str, count: int) -> Derivation:
    """The draw index for ``round_id`` from ``seed_hex`` among ``count`` possible draws."""
    if count < 1:
        raise ValueError("a round needs at least one possible draw")
    key = bytes.fromhex(seed_hex)
    limit = SPACE - SPACE % count
    tries: list[Try] = []
    for i in range(MAX_TRIES):
        message = f"{round_id}:{i}"
        digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
        x = int.from_bytes(digest, "big")
        ok = x < limit
        tries.append(Try(message, digest.hex(), ok))
        if ok:
            return Derivation(round_id, count, limit, tuple(tries), x % count)
    return Derivation(round_id, count, limit, tuple(tries), -1)


def draw_index(seed_hex: str, round_id: str, count: int) -> int:
    """Just the index (see ``derive``)."""
    return derive(seed_hex, round_id, count).index


def payout(stake: int, odds_bp: int) -> int:
    """What a winning stake is paid back, in base units: stake × odds, rounded down."""
    return stake * odds_bp // 10_000
