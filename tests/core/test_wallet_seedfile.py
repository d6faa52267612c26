"""The wallet file (docs/wallet.md, "The wallet file"): a damaged file told apart from a wrong
passphrase, without trying the passphrase (a flipped bit in each field); version 1 files read
and upgraded; weaker scrypt costs raised; the passphrase changed; the copies a restore sets
aside listed and removed. The format is rebuilt here from the documentation (an independent
version 1 writer, the version 2 integrity sums) so the text and the code cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import unicodedata
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.backends import fail

from appstore.core.paths import Paths
from appstore.core.wallet.errors import WalletCorrupt, WalletError, WalletLocked, WrongPassphrase
from appstore.core.wallet.keys import Account, SeedWords, new_words, parse_words
from appstore.core.wallet.ledger import ledger_path
from appstore.core.wallet.seedstore import ENV_PASSPHRASE, KdfParams, PassphraseRequest
from appstore.core.wallet.wallet import Wallet
from tests.seedkit import ABANDON, ABANDON_ADDRESS, FAST, PASS, Answers, MemoryKeyring, snapshot, store
from tests.walletkit import fill

NEW = "a brand new passphrase"


@pytest.fixture(autouse=True)
def no_keyring(keep_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def flip(text: str, byte: int = 3) -> str:
    """Base64 ``text`` with one bit of its ``byte``-th byte flipped."""
    raw = bytearray(base64.b64decode(text))
    raw[byte] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def v1_file(words: SeedWords, passphrase: str, address: str, n: int = 2 ** 10) -> bytes:
    """A version 1 wallet file, written from the documentation alone."""
    salt, nonce = os.urandom(16), os.urandom(12)
    out = Scrypt(salt=salt, length=64, n=n, r=8, p=1).derive(
        unicodedata.normalize("NFKD", passphrase).encode())
    header = {"format": "imapp-wallet-seed", "version": 1,
              "kdf": {"name": "scrypt", "n": n, "r": 8, "p": 1, "salt": base64.b64encode(salt).decode()},
              "cipher": {"name": "aes-256-gcm", "nonce": base64.b64encode(nonce).decode()},
              "check": base64.b64encode(hashlib.sha256(b"imapp-wallet-check\0" + out[32:]).digest()).decode(),
              "address": address}
    plain = json.dumps({"format": "imapp-wallet-seed", "version": 1, "language": "english",
                        "mnemonic": words.reveal()}, sort_keys=True, separators=(",", ":"))
    ciphertext = AESGCM(out[:32]).encrypt(nonce, plain.encode(), canonical(header))
    return json.dumps({**header, "ciphertext": base64.b64encode(ciphertext).decode()}).encode()


def made(paths: Paths) -> tuple[SeedWords, Path]:
    s = store(paths, Answers(PASS))
    return s.create(), s.file


def test_version_2_as_documented(paths: Paths) -> None:
    """Each summed field's SHA-256, computed here from the text of the documentation."""
    words, file = made(paths)
    blob = json.loads(file.read_text())
    assert blob["version"] == 2 and set(blob) == {"format", "version", "kdf", "cipher", "check", "address",
                                                  "ciphertext", "integrity"}
    fields = {"format": blob["format"], "version": 2, "kdf.name": "scrypt", "kdf.n": 1024, "kdf.r": 8,
              "kdf.p": 1, "kdf.salt": blob["kdf"]["salt"], "cipher.name": "aes-256-gcm",
              "cipher.nonce": blob["cipher"]["nonce"], "check": blob["check"], "address": blob["address"],
              "ciphertext": blob["ciphertext"]}
    label = b"imapp-wallet-field\0"
    expected = {name: hashlib.sha256(label + name.encode() + b"\0" + canonical(value)).hexdigest()
                for name, value in fields.items()}
    assert blob["integrity"] == {"sha256": expected}
    assert blob["address"] == Account.from_words(words).address


@pytest.mark.parametrize(("field", "named"), [
    ("salt", "its salt"), ("check", "its passphrase check value"), ("nonce", "its nonce"),
    ("ciphertext", "its encrypted seed"), ("n", "its key-derivation parameters"),
    ("r", "its key-derivation parameters"), ("p", "its key-derivation parameters"),
    ("address", "its address"), ("sum", "its passphrase check value"), ("integrity", "its integrity record"),
    ("extra", "unexpected field"),
    ("salt+nonce", "its salt and nonce were changed"),
])
def test_a_flipped_bit_is_damage_not_a_wrong_passphrase(paths: Paths, field: str, named: str) -> None:
    _, file = made(paths)
    blob = json.loads(file.read_text())
    if field in ("salt", "salt+nonce"):
        blob["kdf"]["salt"] = flip(blob["kdf"]["salt"])
    if field in ("nonce", "salt+nonce"):
        blob["cipher"]["nonce"] = flip(blob["cipher"]["nonce"])
    if field in ("check", "ciphertext"):
        blob[field] = flip(blob[field])
    elif field in ("n", "r", "p"):
        blob["kdf"][field] = blob["kdf"][field] * 2
    elif field == "address":
        blob["address"] = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    elif field == "sum":  # the record or the field: which one cannot be told, either is damage
        digest = blob["integrity"]["sha256"]["check"]
        blob["integrity"]["sha256"]["check"] = ("0" if digest[0] != "0" else "1") + digest[1:]
    elif field == "integrity":
        del blob["integrity"]["sha256"]["cipher.nonce"]
    elif field == "extra":
        blob["kdf"]["hint"] = "x"
    file.write_text(json.dumps(blob))
    before = snapshot(paths.root)
    ask = Answers(PASS)
    with pytest.raises(WalletCorrupt) as e:
        store(paths, ask).load()
    assert named in str(e.value) and "the passphrase was not tried" in str(e.value)
    assert "restore the wallet from your backup words" in str(e.value)
    assert ask.requests == [] and ask.answers == [PASS]  # nobody was asked for a passphrase
    status = store(paths).status()
    assert status.storage == "file" and status.address is None and named in status.problem
    assert snapshot(paths.root) == before


def test_a_wrong_passphrase_on_an_intact_file(paths: Paths) -> None:
    made(paths)
    with pytest.raises(WrongPassphrase):
        store(paths, env={ENV_PASSPHRASE: "not the passphrase"}).load()


def test_a_forged_header_fails_once_the_passphrase_is_typed(paths: Paths) -> None:
    """Sums recomputed after a change (a forger, not damage): the authenticated encryption
    refuses it with the right passphrase."""
    _, file = made(paths)
    blob = json.loads(file.read_text())
    blob["address"] = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    blob["integrity"]["sha256"]["address"] = hashlib.sha256(
        b"imapp-wallet-field\0address\0" + canonical(blob["address"])).hexdigest()
    file.write_text(json.dumps(blob))
    with pytest.raises(WalletCorrupt, match="passphrase is right"):
        store(paths, Answers(PASS)).load()


def test_a_version_1_file_is_read_and_upgraded(paths: Paths, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "imapp.wallet")
    words = parse_words(ABANDON)
    file = paths.root / "wallet" / "seed.enc"
    file.parent.mkdir()
    old = v1_file(words, PASS, ABANDON_ADDRESS)
    file.write_bytes(old)
    s = store(paths, Answers("wrong one", "wrong two", "wrong three"))
    with pytest.raises(WrongPassphrase):
        s.load()
    assert file.read_bytes() == old  # a failed unlock changes nothing
    assert store(paths).status().address == ABANDON_ADDRESS  # read without the passphrase
    assert store(paths, Answers(PASS)).load() == words
    blob = json.loads(file.read_text())
    assert blob["version"] == 2 and "integrity" in blob and blob["kdf"]["n"] == 2 ** 10
    assert "re-encrypted (format 1 → 2" in caplog.text
    if os.name == "posix":
        assert file.stat().st_mode & 0o077 == 0
    assert store(paths, Answers(PASS)).load() == words
    assert not list(file.parent.glob("*.tmp")) and words.reveal().encode() not in file.read_bytes()


def test_weaker_scrypt_parameters_are_raised(paths: Paths) -> None:
    words, file = made(paths)  # n = 2^10
    stronger = KdfParams(n=2 ** 11)
    salt = json.loads(file.read_text())["kdf"]["salt"]
    assert store(paths, Answers(PASS), kdf=stronger).load() == words
    kdf = json.loads(file.read_text())["kdf"]
    assert (kdf["n"], kdf["r"], kdf["p"]) == (2 ** 11, 8, 1) and kdf["salt"] != salt
    before = file.read_bytes()
    assert store(paths, Answers(PASS), kdf=FAST).load() == words  # a stronger file is left stronger
    assert file.read_bytes() == before
    assert KdfParams(n=2 ** 17, r=4).weaker_than(KdfParams()) and KdfParams(p=2).at_least(KdfParams()).p == 2


def test_change_the_passphrase(paths: Paths) -> None:
    words, file = made(paths)
    ask = Answers(PASS, NEW)
    status = store(paths, ask).change_passphrase()
    assert status.storage == "file" and status.address == Account.from_words(words).address
    assert ask.requests == [PassphraseRequest(False, file, 1, ""), PassphraseRequest(True, file, 1, "", True)]
    with pytest.raises(WrongPassphrase):
        store(paths, env={ENV_PASSPHRASE: PASS}).load()
    assert store(paths, env={ENV_PASSPHRASE: NEW}).load() == words
    # from the variable (the current one) and an explicit new one, as the CLI does
    store(paths, env={ENV_PASSPHRASE: NEW}).change_passphrase(PASS)
    assert store(paths, Answers(PASS)).load() == words
    before = snapshot(paths.root)
    with pytest.raises(WalletError, match="at least 8"):
        store(paths, env={ENV_PASSPHRASE: PASS}).change_passphrase("short")
    with pytest.raises(WalletError, match="already"):
        store(paths, env={ENV_PASSPHRASE: PASS}).change_passphrase(PASS)
    with pytest.raises(WalletLocked, match="nothing was changed"):
        store(paths, Answers(PASS, None)).change_passphrase()  # cancelled at the new one
    with pytest.raises(WrongPassphrase):
        store(paths, Answers("x" * 9, "y" * 9, "z" * 9)).change_passphrase()
    assert snapshot(paths.root) == before
    assert not list(file.parent.glob("*.tmp"))
    if os.name == "posix":
        assert file.stat().st_mode & 0o077 == 0


def test_no_passphrase_to_change_in_a_keyring(paths: Paths) -> None:
    keyring.set_keyring(MemoryKeyring())
    s = store(paths)
    s.create()
    with pytest.raises(WalletError, match="system keyring"):
        s.change_passphrase(NEW)


def test_set_aside_copies_are_listed_and_removed(paths: Paths) -> None:
    wallet = Wallet(paths, seeds=store(paths, env={ENV_PASSPHRASE: PASS}))
    first = wallet.address(create=True)
    fill(ledger_path(paths), first, 2)  # the first account's receipts: set aside, never removed
    wallet.restore(parse_words(ABANDON), replace=True)
    wallet.restore(new_words(), replace=True)
    copies = wallet.seeds.copies()
    seeds = [c for c in copies if c.kind == "seed"]
    ledgers = [c for c in copies if c.kind == "ledger"]
    assert [c.address for c in seeds] == [first, ABANDON_ADDRESS]
    assert all(c.path.parent == paths.root / "wallet" and c.removable for c in seeds)
    assert all(c.time.endswith("Z") and c.size > 0 for c in copies)
    assert {c.address for c in ledgers} >= {first} and not any(c.removable for c in ledgers)
    assert seeds[0].to_json()["kind"] == "seed"
    with pytest.raises(WalletError, match="never removes"):
        wallet.seeds.remove_copy(ledgers[0].path)
    with pytest.raises(WalletError, match="not a wallet file set aside"):
        wallet.seeds.remove_copy(wallet.seeds.file)
    outside = paths.root / seeds[0].path.name
    outside.write_bytes(b"x")
    with pytest.raises(WalletError, match="not a wallet file set aside"):
        wallet.seeds.remove_copy(outside)
    wallet.seeds.remove_copy(seeds[0].path)
    assert not seeds[0].path.exists() and ledgers[0].path.exists()
    assert [c.address for c in wallet.seeds.copies() if c.kind == "seed"] == [ABANDON_ADDRESS]
    with pytest.raises(WalletError, match="no longer there"):
        wallet.seeds.remove_copy(seeds[0].path)
