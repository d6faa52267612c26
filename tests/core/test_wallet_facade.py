"""The Wallet facade over a real seed store (an in-memory keyring backend, and the passphrase
file) and a real SQLite ledger: balances as the CLI prints them, restore that keeps every
ledger, and a wallet that is shown without unlocking it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backends import fail

from appstore.core.paths import Paths
from appstore.core.wallet.errors import NoWallet, WalletExists
from appstore.core.wallet.keys import parse_words
from appstore.core.wallet.ledger import PendingClaim, ledger_path
from appstore.core.wallet.seedstore import KdfParams, SeedStore
from appstore.core.wallet.wallet import Wallet
from tests.seedkit import MemoryKeyring
from tests.walletkit import fill

ABANDON = "abandon " * 11 + "about"
ABANDON_ADDRESS = "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh"
FAST = KdfParams(n=2 ** 10)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(before)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    p = Paths.resolve(tmp_path / "data")
    p.ensure()
    return p


def test_no_wallet_until_first_use_then_the_address_needs_no_seed(
        memory: MemoryKeyring, paths: Paths) -> None:
    wallet = Wallet(paths)
    with pytest.raises(NoWallet):
        wallet.address()
    address = wallet.address(create=True)
    memory.fail_get = keyring.errors.KeyringLocked("locked")
    assert Wallet(paths).address() == address  # from the marker: no keyring read


def test_balances_come_from_the_receipts_as_decimal_strings(memory: MemoryKeyring, paths: Paths) -> None:
    wallet = Wallet(paths)
    address = wallet.address(create=True)
    fill(ledger_path(paths), address, 6)  # +2 +0.5 +0.12345678 -1 IA, +0.99 -0.1 BCD
    wallet.ledger.add_pending(PendingClaim("demo", "open", "org.imapp.charity", amount=100_000_000))
    balances = wallet.balances()
    assert balances.to_json() == {"IA": "1.62345678", "BCD": "0.89", "pending": {"IA": "1"},
                                  "stores": {"demo": {"IA": "1.62345678", "BCD": "0.89"}}, "unanchored": {}}
    assert balances.totals["IA"].units == 162_345_678 and balances.pending_count == 1
    assert not any(isinstance(v, float) for v in balances.to_json().values())


def test_ia_decimals_come_from_the_store_policy(memory: MemoryKeyring, paths: Paths) -> None:
    wallet = Wallet(paths, decimals=lambda store: 2 if store == "demo" else None)
    address = wallet.address(create=True)
    fill(ledger_path(paths), address, 1)  # 200,000,000 base units
    assert wallet.balances().to_json()["IA"] == "2000000"


def test_restore_sets_the_old_ledger_aside_and_brings_it_back(memory: MemoryKeyring, paths: Paths) -> None:
    wallet = Wallet(paths)
    first = wallet.address(create=True)
    first_words = wallet.words()
    fill(ledger_path(paths), first, 4)
    words = parse_words(ABANDON)
    with pytest.raises(WalletExists):
        wallet.restore(words)
    assert wallet.restore(words, replace=True) == ABANDON_ADDRESS
    assert wallet.address() == ABANDON_ADDRESS
    assert wallet.ledger.count() == 0 and wallet.ledger.account() in (None, ABANDON_ADDRESS)
    assert (paths.root / "wallet" / f"ledger-{first}.sqlite3").exists()
    fill(ledger_path(paths), ABANDON_ADDRESS, 2)
    assert wallet.ledger.count() == 2
    # back to the first wallet: its four receipts come back, the other two are set aside
    assert wallet.restore(first_words, replace=True) == first
    assert wallet.ledger.count() == 4 and wallet.ledger.verify().ok
    assert (paths.root / "wallet" / f"ledger-{ABANDON_ADDRESS}.sqlite3").exists()
    assert not (paths.root / "wallet" / f"ledger-{first}.sqlite3").exists()


def test_a_wallet_in_the_passphrase_file(paths: Paths) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        seeds = SeedStore(paths, kdf=FAST, env={"IMAPP_WALLET_PASSPHRASE": "correct horse"})
        wallet = Wallet(paths, seeds=seeds)
        address = wallet.address(create=True)
        assert wallet.status().storage == "file"
        assert wallet.account().address == address
        assert wallet.words().reveal().count(" ") == 11
    finally:
        keyring.set_keyring(before)
