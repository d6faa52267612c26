"""Where the seed is kept: the OS keyring (an in-memory backend set with
``keyring.set_keyring``, and the real default one when there is one), the passphrase-protected
file when there is none, and what happens when things go wrong. None of it may leave the seed
words on disk or in a log. (The file's format and its damage: test_wallet_seedfile.py.)
"""

import base64
import json
import logging
import os
import secrets
import threading
from contextlib import suppress
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backends import fail, null

from appstore.core.paths import Paths
from appstore.core.wallet import seedkeyring, seedstore
from appstore.core.wallet.errors import (
    BadWords,
    NoWallet,
    WalletCorrupt,
    WalletError,
    WalletExists,
    WalletLocked,
    WrongPassphrase,
)
from appstore.core.wallet.keys import BCD_PATH, Account, ExtendedKey, SeedWords, new_words, parse_words
from appstore.core.wallet.seedstore import ENV_PASSPHRASE, PassphraseRequest, SeedStore, wallet_id
from tests.seedkit import ABANDON, PASS, Answers, MemoryKeyring, snapshot, store


@pytest.fixture
def memory(keep_keyring: None) -> MemoryKeyring:
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    return kr


@pytest.fixture
def no_keyring(keep_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())


def test_wallet_id_is_derived_from_the_data_dir(tmp_path: Path) -> None:
    a, b = Paths(tmp_path / "a"), Paths(tmp_path / "b")
    assert wallet_id(a) == wallet_id(Paths(tmp_path / "a")) != wallet_id(b)
    assert wallet_id(a).startswith("wallet-") and len(wallet_id(a)) == 23


def test_keyring_create_load_replace(memory: MemoryKeyring, paths: Paths) -> None:
    s = store(paths)
    assert s.status().storage is None and not s.exists()
    with pytest.raises(NoWallet):
        s.load()
    words = s.create()
    address = Account.from_words(words).address
    assert s.status().storage == "keyring" and s.status().address == address
    assert list(memory.entries) == [("imapp-wallet", wallet_id(paths))]
    assert not s.file.exists()
    assert store(paths).load() == words  # a new process finds it
    # never overwritten without replace=True
    with pytest.raises(WalletExists, match=address):
        s.create()
    other = new_words()
    with pytest.raises(WalletExists):
        s.save(other)
    assert s.load() == words
    status = s.save(other, replace=True)
    assert status.storage == "keyring" and status.address == Account.from_words(other).address
    assert store(paths).load() == other
    assert s.load_or_create() == (other, False)


def test_restore_into_a_new_data_dir(memory: MemoryKeyring, paths: Paths) -> None:
    status = store(paths).save(parse_words(ABANDON))
    assert (status.storage, status.address) == ("keyring", "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh")
    assert Account.from_words(store(paths).load()).address == status.address
    with pytest.raises(BadWords):  # words that were never checked are not kept
        store(paths).save(SeedWords("abandon abandon"), replace=True)
    assert store(paths).load() == parse_words(ABANDON)


def test_load_or_create_makes_one_once(memory: MemoryKeyring, paths: Paths) -> None:
    words, created = store(paths).load_or_create(24)
    assert created and len(words) == 24
    assert store(paths).load_or_create() == (words, False)


def test_no_keyring_means_a_passphrase_file(no_keyring: None, paths: Paths) -> None:
    ask = Answers(PASS)
    s = store(paths, ask)
    words = s.create()
    assert ask.requests == [PassphraseRequest(True, s.file, 1, "")]
    blob = json.loads(s.file.read_text())
    assert blob["format"] == "imapp-wallet-seed" and blob["version"] == 2
    kdf = blob["kdf"]
    assert kdf["name"] == "scrypt" and (kdf["n"], kdf["r"], kdf["p"]) == (1024, 8, 1)
    assert len(base64.b64decode(kdf["salt"])) == 16
    assert blob["cipher"]["name"] == "aes-256-gcm"
    assert blob["address"] == Account.from_words(words).address
    if os.name == "posix":
        assert s.file.stat().st_mode & 0o077 == 0
    assert s.status().storage == "file" and s.status().address == blob["address"]
    unlock = Answers(PASS)
    assert store(paths, unlock).load() == words
    assert unlock.requests == [PassphraseRequest(False, s.file, 1, "")]
    assert store(paths, env={ENV_PASSPHRASE: PASS}).load() == words  # headless


def test_default_scrypt_cost(no_keyring: None, paths: Paths) -> None:
    s = SeedStore(paths, env={ENV_PASSPHRASE: PASS})
    words = s.create()
    kdf = json.loads(s.file.read_text())["kdf"]
    assert (kdf["n"], kdf["r"], kdf["p"]) == (2 ** 17, 8, 1)  # 128 MiB
    assert SeedStore(paths, env={ENV_PASSPHRASE: PASS}).load() == words


def test_wrong_passphrase_loses_nothing(no_keyring: None, paths: Paths) -> None:
    s = store(paths, Answers(PASS))
    words = s.create()
    before = snapshot(paths.root)
    with pytest.raises(WrongPassphrase, match=ENV_PASSPHRASE):
        store(paths, env={ENV_PASSPHRASE: "not the one"}).load()
    ask = Answers("wrong 1", "wrong 2", "wrong 3")
    with pytest.raises(WrongPassphrase, match="3 tries"):
        store(paths, ask).load()
    assert [(r.attempt, bool(r.problem)) for r in ask.requests] == [(1, False), (2, True), (3, True)]
    ask = Answers("wrong", PASS)
    assert store(paths, ask).load() == words
    with pytest.raises(WalletLocked, match="no passphrase"):
        store(paths, Answers(None)).load()  # cancelled
    with pytest.raises(WalletLocked, match=ENV_PASSPHRASE):
        store(paths).load()  # no dialog, no variable
    assert snapshot(paths.root) == before


def test_new_passphrase_too_short(no_keyring: None, paths: Paths) -> None:
    with pytest.raises(WalletError, match="at least 8"):
        store(paths, env={ENV_PASSPHRASE: "short"}).create()
    ask = Answers("short", PASS)
    store(paths, ask).create()
    assert ask.requests[1].attempt == 2 and "8" in ask.requests[1].problem
    assert not list(paths.root.glob("wallet/*.tmp"))


@pytest.mark.parametrize("damage", ["ciphertext", "address", "salt", "json", "truncate", "huge-n", "empty",
                                    "version", "nonce", "binary"])
def test_corrupted_file_is_reported_and_kept(no_keyring: None, paths: Paths, damage: str) -> None:
    s = store(paths, Answers(PASS))
    s.create()
    blob = json.loads(s.file.read_text())
    raw = s.file.read_bytes()
    if damage == "ciphertext":
        ct = bytearray(base64.b64decode(blob["ciphertext"]))
        ct[5] ^= 1
        blob["ciphertext"] = base64.b64encode(bytes(ct)).decode()
    elif damage == "address":
        blob["address"] = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    elif damage == "salt":
        blob["kdf"]["salt"] = "!!"
    elif damage == "huge-n":
        blob["kdf"]["n"] = 2 ** 40  # would need petabytes: refused before scrypt runs
    elif damage == "version":
        blob["version"] = 3
    elif damage == "nonce":
        blob["cipher"]["nonce"] = blob["kdf"]["salt"]
    replaced = {"json": raw[:-20] + b"}{", "truncate": raw[: len(raw) // 2], "empty": b"",
                "binary": os.urandom(300)}
    damaged = replaced[damage] if damage in replaced else json.dumps(blob).encode()
    s.file.write_bytes(damaged)
    before = snapshot(paths.root)
    expected = WalletError if damage == "version" else WalletCorrupt
    with pytest.raises(expected) as e:
        store(paths, Answers(PASS, PASS, PASS)).load()
    assert type(e.value) is expected
    assert "newer imapp" in str(e.value) if damage == "version" else "left as it is" in str(e.value)
    assert snapshot(paths.root) == before
    with pytest.raises(WalletExists):  # a damaged wallet is still a wallet: never replaced silently
        store(paths, Answers(PASS)).create()


def test_missing_file_after_marker(no_keyring: None, paths: Paths) -> None:
    s = store(paths, Answers(PASS))
    s.create()
    s.file.unlink()
    with pytest.raises(WalletCorrupt, match="missing"):
        store(paths, Answers(PASS)).load()
    with pytest.raises(WalletExists):
        store(paths, Answers(PASS)).create()


def test_keyring_vanishes_mid_session(memory: MemoryKeyring, paths: Paths) -> None:
    s = store(paths)
    words = s.create()
    address = Account.from_words(words).address
    before = snapshot(paths.root)
    keyring.set_keyring(fail.Keyring())  # the Secret Service went away
    with pytest.raises(WalletLocked, match="not available"):
        s.load()
    status = s.status()
    assert (status.storage, status.address) == ("keyring", address)  # still shown, locked
    with pytest.raises(WalletExists):
        s.create()
    with pytest.raises(WalletExists):
        s.save(new_words())
    assert snapshot(paths.root) == before and not s.file.exists()
    keyring.set_keyring(memory)  # it is back
    assert s.load() == words


def test_keyring_locked_or_failing(memory: MemoryKeyring, paths: Paths) -> None:
    s = store(paths)
    words = s.create()
    entries = dict(memory.entries)
    memory.fail_get = keyring.errors.KeyringLocked("Failed to unlock the collection!")
    with pytest.raises(WalletLocked, match="KeyringLocked"):
        s.load()
    memory.fail_get = None
    memory.fail_set = keyring.errors.PasswordSetError("D-Bus said no")
    with pytest.raises(WalletLocked, match="nothing was changed"):  # not moved to a file on a hiccup
        s.save(new_words(), replace=True)
    assert memory.entries == entries and not s.file.exists()
    memory.fail_set = None
    assert s.load() == words


def test_keyring_entry_deleted_or_tampered(memory: MemoryKeyring, paths: Paths) -> None:
    s = store(paths)
    s.create()
    key = ("imapp-wallet", wallet_id(paths))
    saved = memory.entries.pop(key)
    with pytest.raises(WalletLocked, match="backup words"):
        s.load()
    with pytest.raises(WalletExists):
        s.create()
    other = json.loads(saved)
    another = new_words()
    other["mnemonic"] = another.reveal()
    memory.entries[key] = json.dumps(other)
    # the key wins: the marker is a hint, repaired to the address the entry's words give
    assert s.load() == another
    assert s.status().address == Account.from_words(another).address
    memory.entries[key] = "garbage"
    with pytest.raises(WalletCorrupt, match="not an imapp wallet seed"):
        s.load()
    memory.entries[key] = saved
    s.load()


def test_keyring_entry_without_marker_is_adopted(memory: MemoryKeyring, paths: Paths) -> None:
    s = store(paths)
    words = s.create()
    s.marker.unlink()
    assert s.status().storage == "keyring"
    with pytest.raises(WalletExists):
        s.create()
    assert s.load() == words
    assert s.marker.exists()  # recorded again


def test_keyring_failure_at_creation_falls_back_to_a_file(memory: MemoryKeyring, paths: Paths) -> None:
    memory.fail_set = keyring.errors.PasswordSetError("no")
    s = store(paths, Answers(PASS))
    words = s.create()
    assert s.status().storage == "file" and not memory.entries
    memory.fail_set = None
    assert store(paths, Answers(PASS)).load() == words  # stays in the file


@pytest.mark.parametrize("backend", [null.Keyring, "forgetful"])
def test_keyrings_that_keep_nothing_are_not_used(keep_keyring: None, paths: Paths, backend: object) -> None:
    if backend == "forgetful":
        kr = MemoryKeyring()
        kr.keeps = False
        keyring.set_keyring(kr)
    else:
        keyring.set_keyring(backend())  # type: ignore[operator]
    s = store(paths, env={ENV_PASSPHRASE: PASS})
    words = s.create()
    assert s.status().storage == "file"
    assert s.load() == words


def test_replacing_a_file_wallet_keeps_the_old_file_aside(keep_keyring: None, paths: Paths) -> None:
    keyring.set_keyring(fail.Keyring())
    s = store(paths, env={ENV_PASSPHRASE: PASS})
    s.create()
    old = s.file.read_bytes()
    second = new_words()
    s.save(second, replace=True)  # still no keyring: a new file, the old one set aside
    assert s.load() == second
    aside = list(s.dir.glob("seed.enc.replaced-*"))
    assert [p.read_bytes() for p in aside] == [old]
    kr = MemoryKeyring()
    keyring.set_keyring(kr)  # a keyring appears: a replacement goes there
    third = new_words()
    s.save(third, replace=True)
    assert s.status().storage == "keyring" and not s.file.exists()
    assert len(list(s.dir.glob("seed.enc.replaced-*"))) == 2
    assert store(paths).load() == third


def test_replace_when_the_keyring_is_gone_for_good(memory: MemoryKeyring, paths: Paths) -> None:
    """A wallet in a keyring that no longer exists (a headless machine): restoring with replace
    goes to a file, and the old keyring entry is left where it was."""
    s = store(paths, env={ENV_PASSPHRASE: PASS})
    s.create()
    entries = dict(memory.entries)
    keyring.set_keyring(fail.Keyring())
    restored = new_words()
    assert s.save(restored, replace=True).storage == "file"
    assert s.load() == restored
    assert memory.entries == entries


def test_a_second_writer_waits_for_the_first(memory: MemoryKeyring, paths: Paths,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seedstore, "LOCK_WAIT", 0.3)
    first, second = store(paths), store(paths)
    with first._lock(), pytest.raises(WalletError, match="another imapp"):
        second.create()
    words = second.create()
    assert first.load() == words


def test_concurrent_creates_make_one_wallet(memory: MemoryKeyring, paths: Paths) -> None:
    results: list[object] = []

    def make() -> None:
        try:
            results.append(store(paths).create())
        except WalletExists as e:
            results.append(e)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    made = [r for r in results if isinstance(r, SeedWords)]
    assert len(made) == 1 and len(results) == 4
    assert store(paths).load() == made[0]


@pytest.mark.parametrize("where", ["keyring", "file"])
def test_no_secret_on_disk_or_in_logs(keep_keyring: None, paths: Paths, where: str,
                                      caplog: pytest.LogCaptureFixture) -> None:
    """Create, restore, unlock, fail to unlock: then grep every file under the data dir, the
    log file and the captured log for the words, the seed and the keys."""
    keyring.set_keyring(MemoryKeyring() if where == "keyring" else fail.Keyring())
    log_file = paths.root / "logs" / "imapp.log"
    log_file.parent.mkdir(parents=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logger = logging.getLogger("imapp")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    try:
        s = store(paths, Answers(*[PASS] * 10))
        created = s.create()
        restored = parse_words(new_words(24).reveal())
        s.save(restored, replace=True)
        assert store(paths, Answers(PASS)).load() == restored
        for attempt in (lambda: store(paths, Answers("x" * 9, "y" * 9, "z" * 9)).load(),
                        lambda: s.create(),
                        lambda: parse_words(restored.reveal().replace(restored.words()[3], "qqqq")),
                        lambda: parse_words(" ".join(reversed(restored.words())))):
            try:
                attempt()
            except WalletError as e:
                seen += [str(e), repr(e)]
                logging.getLogger("imapp.wallet").info("user error: %s", e)  # as the app logs them
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(old_level)
    texts = [log_file.read_text(encoding="utf-8"), caplog.text, *seen]
    blobs = [p.read_bytes() for p in paths.root.rglob("*") if p.is_file()]
    assert any(b"imapp.wallet" in b or b"wallet:" in b for b in blobs)  # the log was written
    for words in (created, restored):
        master = ExtendedKey.from_seed(words.seed())
        needles = [words.reveal(), words.seed().hex(), master.xprv(), master.derive(BCD_PATH).xprv(),
                   Account.from_words(words)._key.secret.hex()]
        w = words.words()
        needles += [f"{a} {b}" for a, b in zip(w, w[1:], strict=False)]  # any two words in a row
        for needle in needles:
            for blob in blobs:
                assert needle.encode() not in blob
                assert needle.encode("utf-16-le") not in blob
            for text in texts:
                assert needle not in text


def _usable_default_keyring() -> str:
    backend = keyring.get_keyring()
    reason = seedkeyring.unusable(backend)
    return f"{reason} ({type(backend).__module__}.{type(backend).__name__})" if reason else ""


def test_real_default_keyring(paths: Paths) -> None:
    """The OS keyring as it is (gnome-keyring's Secret Service under `make test` and in CI)."""
    reason = _usable_default_keyring()
    if reason:
        if os.environ.get("IMAPP_REQUIRE_KEYRING") == "1":
            pytest.fail(f"no usable OS keyring: {reason}; run the tests with `make test`")
        pytest.skip(f"no usable OS keyring here: {reason}; `make test` runs the tests inside a "
                    "Secret Service")
    backend = keyring.get_keyring()
    service = f"imapp-wallet-test-{secrets.token_hex(4)}"
    s = SeedStore(paths, service=service, env={})  # no passphrase source: a file is impossible
    try:
        words = s.create()
        assert s.status().storage == "keyring" and not s.file.exists()
        assert backend.get_password(service, wallet_id(paths)) is not None
        assert SeedStore(paths, env={}).load() == words  # the service name comes from the marker
        with pytest.raises(WalletExists):
            s.create()
        other = new_words()
        s.save(other, replace=True)
        assert SeedStore(paths, env={}).load() == other
        for blob in (p.read_bytes() for p in paths.root.rglob("*") if p.is_file()):
            assert other.reveal().encode() not in blob and words.reveal().encode() not in blob
    finally:
        with suppress(Exception):
            backend.delete_password(service, wallet_id(paths))
