"""The address marker (``DATA/wallet/seedstore.json``) is a hint (docs/wallet.md, "The address
marker"): an address planted in it is never shown nor handed out once the key or the wallet
file can contradict it, is repaired when the key is derived (a warning names both), and an
address that cannot be confirmed is said to be so."""

from __future__ import annotations

import json
import logging

import keyring
import keyring.errors
import pytest
from keyring.backends import fail

from appstore.core.host.provider import ProviderError
from appstore.core.host.wallet import DAppWallet
from appstore.core.paths import Paths
from appstore.core.services import Services
from appstore.core.store.manager import Stores
from appstore.core.wallet.errors import WalletLocked
from appstore.core.wallet.keys import Account, new_words
from appstore.core.wallet.seedstore import ADDRESS_CONFLICT, ENV_PASSPHRASE, UNCONFIRMED
from appstore.core.wallet.wallet import Wallet
from tests.seedkit import PASS, Answers, MemoryKeyring, store

PLANTED = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"  # private key 1's: anyone's


def plant(paths: Paths, address: str = PLANTED) -> None:
    marker = paths.root / "wallet" / "seedstore.json"
    obj = json.loads(marker.read_text())
    obj["address"] = address
    marker.write_text(json.dumps(obj))


def recorded(paths: Paths) -> str:
    return str(json.loads((paths.root / "wallet" / "seedstore.json").read_text())["address"])


def test_file_mode_a_planted_marker_is_caught_before_unlock_and_repaired_after(
        keep_keyring: None, paths: Paths, caplog: pytest.LogCaptureFixture) -> None:
    keyring.set_keyring(fail.Keyring())
    caplog.set_level(logging.INFO, "imapp.wallet")
    true = Account.from_words(store(paths, Answers(PASS)).create()).address
    plant(paths)
    status = store(paths).status()
    assert (status.address, status.problem) == (None, ADDRESS_CONFLICT)  # no passphrase asked
    wallet = Wallet(paths, seeds=store(paths))  # no way to unlock: it says so, it guesses nothing
    info = wallet.address_info()
    assert (info.address, info.source, info.may_hand_out) == (None, "file", False)
    with pytest.raises(WalletLocked):
        wallet.give_address()
    with pytest.raises(WalletLocked):
        wallet.address()
    assert PLANTED in caplog.text and true in caplog.text  # the warning names both
    ask = Answers(PASS)
    wallet = Wallet(paths, seeds=store(paths, ask))
    assert wallet.address() == true and len(ask.requests) == 1  # unlocked to confirm it
    assert recorded(paths) == true and "the marker was repaired" in caplog.text
    assert wallet.address_info().source == "key"


def test_file_mode_a_marker_planted_after_unlock_is_not_shown(keep_keyring: None, paths: Paths) -> None:
    """The wallet is unlocked (the key is held): the marker edited then changes nothing shown
    or handed out, and is repaired (the file's header confirms the key)."""
    keyring.set_keyring(fail.Keyring())
    wallet = Wallet(paths, seeds=store(paths, Answers(PASS, PASS)))
    true = wallet.address(create=True)
    assert wallet.account().address == true
    plant(paths)
    assert wallet.address() == true and wallet.give_address() == true
    assert wallet.address_info().source == "key" and recorded(paths) == true


def test_file_mode_with_the_variable_the_key_is_at_hand(keep_keyring: None, paths: Paths) -> None:
    keyring.set_keyring(fail.Keyring())
    seeds = store(paths, env={ENV_PASSPHRASE: PASS})
    true = Account.from_words(seeds.create()).address
    plant(paths)
    info = Wallet(paths, seeds=store(paths, env={ENV_PASSPHRASE: PASS})).address_info()
    assert (info.address, info.source) == (true, "key") and recorded(paths) == true


def test_keyring_mode_the_entry_is_read_quietly_and_wins(keep_keyring: None, paths: Paths,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    true = Wallet(paths, seeds=store(paths)).address(create=True)
    plant(paths)
    wallet = Wallet(paths, seeds=store(paths))
    assert wallet.address() == true and recorded(paths) == true
    assert PLANTED in caplog.text and true in caplog.text
    plant(paths)  # again, while the key is held: found at the next look
    assert wallet.address_info().address == true and recorded(paths) == true


def test_keyring_mode_a_locked_keyring_cannot_confirm(keep_keyring: None, paths: Paths) -> None:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    true = Wallet(paths, seeds=store(paths)).address(create=True)
    plant(paths)
    memory.fail_get = keyring.errors.KeyringLocked("locked")
    wallet = Wallet(paths, seeds=store(paths))
    info = wallet.address_info()  # shown as unconfirmed, never handed out
    assert (info.address, info.source, info.problem, info.may_hand_out) == (PLANTED, "marker", UNCONFIRMED,
                                                                             False)
    with pytest.raises(WalletLocked):
        wallet.give_address()
    memory.fail_get = None  # unlocked: the key corrects it
    assert wallet.give_address() == true and recorded(paths) == true


def test_a_restore_elsewhere_is_followed(keep_keyring: None, paths: Paths) -> None:
    """Another process restored another wallet: the key held here is dropped, not "repaired"
    back over the new marker."""
    keyring.set_keyring(fail.Keyring())
    here = Wallet(paths, seeds=store(paths, env={ENV_PASSPHRASE: PASS}))
    first = here.address(create=True)
    there = Wallet(paths, seeds=store(paths, env={ENV_PASSPHRASE: PASS}))
    second = there.restore(new_words(), replace=True)
    assert second != first
    assert here.address() == second and recorded(paths) == second


def test_a_dapp_is_never_handed_a_planted_address(keep_keyring: None, paths: Paths) -> None:
    """What the connect dialog shows and what a DApp gets (``DAppWallet``): checked against the
    key first when only the marker vouches for the address."""
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    true = Wallet(paths, seeds=store(paths)).address(create=True)
    plant(paths)
    memory.fail_get = keyring.errors.KeyringLocked("locked")
    services = Services(paths, Stores(paths))
    services._wallet = Wallet(paths, seeds=store(paths))
    dapp = DAppWallet(services)
    with pytest.raises(ProviderError):
        dapp.address()  # the key cannot be read: nothing is handed out
    with pytest.raises(ProviderError):
        dapp.connect("demo/org.imapp.charity", ["wallet.account"])
    memory.fail_get = None
    assert dapp.connect("demo/org.imapp.charity", ["wallet.account"]) == true
    assert dapp.connected("demo/org.imapp.charity", ["wallet.account"]) == true


def test_file_mode_a_matching_header_is_shown_but_handed_out_only_from_the_key(
        keep_keyring: None, paths: Paths) -> None:
    """The header and the marker agreeing is a hint (both are writable, the header's integrity
    record has no key): shown while locked, but Copy, QR and DApps get the key's address."""
    keyring.set_keyring(fail.Keyring())
    true = Account.from_words(store(paths, Answers(PASS)).create()).address
    locked = Wallet(paths, seeds=store(paths))
    info = locked.address_info()
    assert (info.address, info.source, info.may_hand_out) == (true, "file", False)
    with pytest.raises(WalletLocked):  # nobody to ask: nothing handed out
        locked.give_address()
    ask = Answers(PASS)
    assert Wallet(paths, seeds=store(paths, ask)).give_address() == true and len(ask.requests) == 1
