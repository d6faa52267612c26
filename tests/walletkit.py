"""Receipts for tests that need a wallet with a history, signed by a test service key (until a
test runs the real IA service, which tests/service does)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.wallet.ledger import Ledger
from appstore.core.wallet.receipts import ZERO_HASH, Receipt, sign_receipt
from tests.lanekit import off_lane

if TYPE_CHECKING:
    from appstore.core.services import Services

TEST_SERVICE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

# kind, asset, amount (base units: IA has 8 decimals by default, BCD 7), reference
PATTERN = [("reward", "IA", 200_000_000, "org.imapp.fairdice"),
           ("reward", "IA", 50_000_000, "org.imapp.game2048"), ("dividend", "IA", 12_345_678, "2026-11-02"),
           ("swap", "IA", -100_000_000, "q-1"),
           ("swap", "BCD", 9_900_000, "q-1"), ("withdrawal", "BCD", -1_000_000, "w-1")]


def chain(account: str, n: int, *, store: str = "demo", key: Ed25519PrivateKey = TEST_SERVICE_KEY,
          month: str = "2026-11") -> list[Receipt]:
    """``n`` receipts for ``account``, one every day or so, following PATTERN."""
    out: list[Receipt] = []
    prev = ZERO_HASH
    for seq in range(1, n + 1):
        kind, asset, amount, reference = PATTERN[(seq - 1) % len(PATTERN)]
        r = sign_receipt({"store": store, "seq": seq, "account": account,
                          "time": f"{month}-{1 + (seq * 27) // max(n, 1):02d}T10:{seq % 60:02d}:00Z",
                          "asset": asset, "amount": amount, "kind": kind, "reference": reference,
                          "prev_hash": prev}, key)
        out.append(r)
        prev = r.hash
    return out


def demo_service_key(data_dir: Path) -> Ed25519PrivateKey:
    """The key of the demo store's IA service in data dir ``data_dir`` (the one its signed
    policy names): receipts signed by it are the demo store's."""
    from appstore.core.publish.keys import load_service_key

    return load_service_key(data_dir / "demo-store" / "keys")


def fill(ledger_file: Path, account: str, n: int, *,
         key: Ed25519PrivateKey = TEST_SERVICE_KEY) -> list[Receipt]:
    receipts = chain(account, n, key=key)
    led = Ledger(ledger_file, account=account)
    try:
        with off_lane():  # (the test's doing, as a script's)
            led.append_many(receipts)
    finally:
        led.close()
    return receipts


def fill_wallet(s: Services, n: int, *, key: Ed25519PrivateKey | None = None
                ) -> tuple[str, Path, list[Receipt]]:
    """The account's address, its ledger file and ``n`` receipts put in it, signed by the demo
    store's service key (or ``key``): a wallet with a history, as the app finds it."""
    address = s.wallet.address(create=True)
    ledger_file = s.paths.root / "wallet" / "ledger.sqlite3"
    return address, ledger_file, fill(ledger_file, address, n, key=key or demo_service_key(s.paths.root))
