"""Where the seed words are kept: the OS keyring, or else a passphrase-protected wallet file.

* **The OS keyring** (``keyring``: Secret Service, macOS Keychain, Windows Credential Locker),
  service ``imapp-wallet``, user ``wallet-<16 hex digits of SHA-256 of the data dir's path>``.
* **When no keyring works** (no backend, the ``fail``/``null`` backends, a ``keyrings.alt``
  backend that keeps secrets in files or prompts on a terminal, or any error while storing):
  ``DATA/wallet/seed.enc`` (``seedfile.py``; docs/wallet.md, "Seed storage", has the format). The
  passphrase comes from ``$IMAPP_WALLET_PASSPHRASE`` (headless use) or from the caller's
  callback (the GUI's dialog).
* ``DATA/wallet/seedstore.json`` says which of the two holds the wallet, and its address: a
  hint, so the address can be shown while the wallet is locked and a keyring that has gone away
  is told apart from no wallet at all. The address is checked against the wallet file's header
  without the passphrase, and against the key whenever the words are read; a marker that
  disagrees with the key is repaired (and the repair logged).

Nothing is ever lost: a wallet (keyring entry or file) is replaced only by ``save(...,
replace=True)`` (a replaced file is kept as ``seed.enc.replaced-<time>``, listed by
``copies()``); a wrong passphrase, a damaged file, a locked or vanished keyring are errors that
leave everything as it was. The words never reach the disk in plain text, a log line or an
error message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

import keyring
import keyring.backend

from appstore.core.errors import short_path
from appstore.core.fileio import fsync_dir, write_bytes_atomic
from appstore.core.oslock import held
from appstore.core.paths import Paths
from appstore.core.wallet import seedfile, seedkeyring
from appstore.core.wallet.errors import NoWallet, WalletCorrupt, WalletError, WalletExists, WalletLocked
from appstore.core.wallet.keys import Account, SeedWords, new_words, parse_words
from appstore.core.wallet.seedcopies import SetAside, list_copies, remove_copy, set_aside_file
from appstore.core.wallet.seedfile import DEFAULT_KDF, FILE_FORMAT, KdfParams
from appstore.core.wallet.seedkeyring import KeyringAbsent, KeyringFailed
from appstore.core.wallet.seedmarker import Marker, Storage
from appstore.core.wallet.seedpass import (
    ENV_PASSPHRASE,
    MIN_PASSPHRASE,
    Asker,
    PassphraseRequest,
    PassphraseSource,
)
from appstore.core.wallet.seedstatus import ADDRESS_CONFLICT as ADDRESS_CONFLICT
from appstore.core.wallet.seedstatus import UNCONFIRMED as UNCONFIRMED
from appstore.core.wallet.seedstatus import AddressInfo as AddressInfo
from appstore.core.wallet.seedstatus import WalletStatus, wallet_dir, wallet_id

log = logging.getLogger("imapp.wallet")

SERVICE = "imapp-wallet"
LOCK_WAIT = 15.0  # seconds to wait for another imapp that is changing the wallet

Check = Literal["same", "repaired", "changed"]

__all__ = ["AddressInfo", "DEFAULT_KDF", "ENV_PASSPHRASE", "FILE_FORMAT", "MIN_PASSPHRASE", "KdfParams",
           "PassphraseRequest", "PassphraseSource", "SeedStore", "SetAside", "WalletStatus",
           "wallet_dir", "wallet_id"]


class SeedStore:
    """The seed words of the wallet in data dir ``paths``.

    ``passphrase`` (settable) is asked when the wallet is (or goes) in the file;
    ``keyring_backend`` pins a backend (default: ``keyring.get_keyring()`` at each call);
    ``kdf`` is the scrypt cost for a new file, and the least an opened file is re-encrypted
    to; ``env`` replaces ``os.environ`` (for ``IMAPP_WALLET_PASSPHRASE``)."""

    def __init__(self, paths: Paths, *, passphrase: PassphraseSource | None = None,
                 keyring_backend: keyring.backend.KeyringBackend | None = None,
                 kdf: KdfParams = DEFAULT_KDF, service: str = SERVICE,
                 env: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        self.dir = wallet_dir(paths)
        self.file = self.dir / "seed.enc"
        self.marker = self.dir / "seedstore.json"
        self._marker = Marker(self.marker, self.file.name)
        self.service = service
        self.user = wallet_id(paths)
        self.passphrase = passphrase
        self._backend = keyring_backend
        self._kdf = kdf.check()
        self._env = os.environ if env is None else env
        self._warned: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f"SeedStore({short_path(self.dir)})"

    # -- reading ------------------------------------------------------------------------

    def status(self) -> WalletStatus:
        """Where the wallet is and its address, as far as is known without the seed."""
        marker = self._marker.read()
        if marker is not None and marker["storage"] == "keyring":
            return WalletStatus("keyring", marker.get("address") or None)
        if marker is not None or self.file.exists():
            return self._file_status(marker)
        try:
            if seedkeyring.get(self._kr(), self.service, self.user, quiet=True) is not None:
                return WalletStatus("keyring")
        except (KeyringAbsent, KeyringFailed):
            pass
        return WalletStatus(None)

    def exists(self) -> bool:
        return self.status().storage is not None

    def keyring_problem(self) -> str:
        """Why no system keyring can hold a new wallet here ("" when one may: it may still fail
        when asked, and then the wallet goes in the file)."""
        return seedkeyring.unusable(self._kr())

    def needs_a_choice(self) -> str:
        """Why a new wallet cannot be made without asking the user (no keyring, and no
        ``$IMAPP_WALLET_PASSPHRASE``): the front offers the choice instead; "" when it can."""
        return "" if self._asker().from_env() else self.keyring_problem()

    def load(self, *, quiet: bool = False) -> SeedWords:
        """The seed words; ``NoWallet``, ``WalletLocked`` (keyring locked or gone, no passphrase),
        ``WrongPassphrase`` or ``WalletCorrupt``, each leaving everything as it was. ``quiet``:
        never ask (no passphrase callback, no keyring prompt): ``WalletLocked`` instead."""
        marker = self._marker.read()
        if marker is not None and marker["storage"] == "keyring":
            service, user = marker.get("service", self.service), marker.get("user", self.user)
            try:
                secret = seedkeyring.get(self._kr(), service, user, quiet=quiet)
            except KeyringAbsent as e:
                raise WalletLocked(f"this wallet is in the system keyring, which is not available now "
                                   f"({e}); start or unlock the keyring and try again: the wallet is "
                                   "still there") from None
            except KeyringFailed as e:
                raise WalletLocked(f"the system keyring that holds this wallet cannot be read now ({e}); "
                                   "unlock it and try again: the wallet is still there") from None
            if secret is None:
                raise WalletLocked("the system keyring does not have this wallet's seed (is this "
                                   "another user's or machine's keyring?); if it is gone, restore "
                                   "the wallet from your backup words")
            words = seedfile.decode_secret(secret, "the wallet's keyring entry")
            self._confirm(words, lambda: self._kr_value(service, user) == secret)
            return words
        if (marker is not None and marker["storage"] == "file") or self.file.exists():
            return self._load_file(quiet)
        try:
            secret = seedkeyring.get(self._kr(), self.service, self.user, quiet=quiet)
        except (KeyringAbsent, KeyringFailed):
            secret = None
        if secret is None:
            raise NoWallet("there is no wallet yet: create one, or restore one from its words")
        words = seedfile.decode_secret(secret, "the wallet's keyring entry")
        log.info("wallet: found in the system keyring (no marker file): recording it")
        self._write_marker("keyring", Account.from_words(words).address, self.service, self.user)
        return words

    def load_quietly(self) -> SeedWords | None:
        """The words if they can be had without asking anyone (an unlocked keyring, or the
        passphrase in ``$IMAPP_WALLET_PASSPHRASE``); None otherwise (``status()`` says what is
        wrong with a damaged file; reading the words for real says it too)."""
        try:
            return self.load(quiet=True)
        except WalletError:
            return None

    def check_address(self, address: str) -> Check:
        """Whether ``address`` (derived from this wallet's words earlier) is still the wallet's:
        ``same``; ``repaired``: the marker named another, the storage confirms ``address``, and
        the marker was rewritten; ``changed``: the wallet is another one now (a restore)."""
        marker = self._marker.read()
        recorded = marker.get("address") if marker is not None else None
        if not recorded or recorded == address:
            return "same"
        if marker is not None and marker["storage"] == "keyring":
            words = self.load_quietly()  # (repairs the marker when the entry confirms it)
            if words is None:
                return "same"  # the keyring cannot tell now: keep to the key we hold
            return "repaired" if Account.from_words(words).address == address else "changed"
        try:
            held_address = seedfile.parse(self._read_file_bytes(), self.file).address
        except WalletError:
            return "changed"
        if held_address != address:
            return "changed"
        self._repair_marker(address, recorded, lambda: self._file_address() == address)
        return "repaired"

    # -- writing ------------------------------------------------------------------------

    def create(self, count: int = 12) -> SeedWords:
        """A new wallet with ``count`` (12 or 24) fresh words; ``WalletExists`` if there is one."""
        words = new_words(count)
        self.save(words)
        return words

    def load_or_create(self, count: int = 12) -> tuple[SeedWords, bool]:
        """The wallet's words, made first if there is no wallet; ``(words, created)``."""
        try:
            return self.load(), False
        except NoWallet:
            return self.create(count), True

    def save(self, words: SeedWords, *, replace: bool = False) -> WalletStatus:
        """Keep ``words`` as this data dir's wallet (a restore). If there is a wallet already,
        ``WalletExists`` unless ``replace`` (which the user has confirmed)."""
        if not isinstance(words, SeedWords):
            raise TypeError("save() takes SeedWords (from parse_words or new_words)")
        words = parse_words(words.reveal())  # BadWords: never keep words that cannot be restored
        address = Account.from_words(words).address
        secret = seedfile.encode_secret(words)
        passphrase: str | None = None  # asked with no lock held (a person types it), then re-checked
        while True:
            with self._lock():
                before = self.status()
                if before.storage is not None and not replace:
                    shown = f" (address {before.address})" if before.address else ""
                    raise WalletExists(f"there is already a wallet here{shown}: it is replaced only once "
                                       "you confirm that you want to replace it")
                if passphrase is None:
                    kept = self._save_in_keyring(before, address, secret)
                    if kept is not None:
                        return kept
                else:
                    blob = seedfile.encrypt(secret, passphrase, self._kdf, address)
                    aside = set_aside_file(self.file) if self.file.exists() else None
                    self._mkdir()
                    write_bytes_atomic(self.file, blob)
                    self._write_marker("file", address)
                    log.info("wallet: %s in %s; address %s", "replaced" if before.storage else "saved",
                             short_path(self.file), address)
                    return WalletStatus("file", address, self.file, set_aside=aside)
            passphrase = self._asker().new()  # then the wallet is looked at again, under the lock

    def _save_in_keyring(self, before: WalletStatus, address: str, secret: str) -> WalletStatus | None:
        """The seed put in the system keyring (the caller holds the lock); None when no keyring
        can take it and it goes in the passphrase file instead."""
        try:
            seedkeyring.put(self._kr(), self.service, self.user, secret)
        except KeyringAbsent as e:
            log.info("wallet: no usable system keyring (%s): the seed goes in a passphrase-"
                     "protected file", e)
            return None
        except KeyringFailed as e:
            if before.storage == "keyring":  # do not move a keyring wallet aside on a hiccup
                raise WalletLocked(f"the system keyring cannot store the wallet now ({e}); unlock "
                                   "it and try again: nothing was changed") from None
            log.info("wallet: the system keyring failed (%s): the seed goes in a passphrase-"
                     "protected file", e)
            return None
        self._write_marker("keyring", address, self.service, self.user)
        aside = set_aside_file(self.file) if before.storage == "file" and self.file.exists() else None
        log.info("wallet: %s in the system keyring (%s); address %s",
                 "replaced" if before.storage else "saved", seedkeyring.backend_name(self._kr()), address)
        return WalletStatus("keyring", address, set_aside=aside)

    def change_passphrase(self, new: str | None = None) -> WalletStatus:
        """Re-encrypt the wallet file under a new passphrase (asked through the callback with
        ``PassphraseRequest(new=True, change=True)`` when ``new`` is None), after unlocking it
        with the current one; the file is replaced at once, never left half-written."""
        status = self.status()
        if status.storage is None:
            raise NoWallet("there is no wallet yet: create one, or restore one from its words")
        if status.storage != "file":
            raise WalletError("this wallet is kept in the system keyring, which protects it: it has no "
                              "passphrase of its own to change")
        data = self._read_file_bytes()
        f = seedfile.parse(data, self.file)
        secret, old = self._asker().unlock(f)
        words = self._words_of(secret, f)
        if new is None:
            new = self._asker().new(change=True)
        elif len(new) < MIN_PASSPHRASE:
            raise WalletError(f"a passphrase has at least {MIN_PASSPHRASE} characters: nothing was changed")
        if new == old:
            raise WalletError("that is the passphrase the wallet file has already: nothing was changed")
        address = f.address or Account.from_words(words).address
        blob = seedfile.encrypt(secret, new, f.params.at_least(self._kdf), address)
        if not self._replace_file(data, blob):
            raise WalletError("the wallet file changed while the passphrase was being changed: nothing "
                              "was changed, try again")
        log.info("wallet: the passphrase of %s was changed", short_path(self.file))
        return self.status()

    def copies(self) -> list[SetAside]:
        """Replaced wallet files and other accounts' ledgers that restores set aside."""
        return list_copies(self.dir)

    def remove_copy(self, path: Path) -> None:
        """Delete a replaced wallet file (the caller has asked the user); ledgers are refused."""
        with self._lock():
            remove_copy(self.dir, path)

    # -- the file -------------------------------------------------------------------------

    def _file_status(self, marker: Mapping[str, Any] | None) -> WalletStatus:
        recorded = marker.get("address") if marker is not None else None
        try:
            f = seedfile.parse(self._read_file_bytes(), self.file)
        except WalletError as e:  # damaged, missing, newer: no address can be vouched for
            return WalletStatus("file", None, self.file, str(e))
        if recorded and f.address and recorded != f.address:
            if (recorded, f.address) not in self._warned:
                self._warned.add((recorded, f.address))
                log.warning("wallet: %s names address %s, the wallet file %s: neither is shown until the "
                            "wallet is unlocked", self.marker.name, recorded, f.address)
            return WalletStatus("file", None, self.file, ADDRESS_CONFLICT)
        return WalletStatus("file", f.address or recorded or None, self.file)

    def _load_file(self, quiet: bool) -> SeedWords:
        data = self._read_file_bytes()
        f = seedfile.parse(data, self.file)
        if quiet and not self._asker().from_env():
            raise WalletLocked("the wallet file is locked")
        secret, passphrase = self._asker().unlock(f)
        words = self._words_of(secret, f)
        if f.version < seedfile.FILE_VERSION or f.params.weaker_than(self._kdf):
            self._reencrypt(data, f, secret, passphrase)
        self._confirm(words, lambda: self._file_address() == Account.from_words(words).address)
        return words

    def _words_of(self, secret: str, f: seedfile.SeedFile) -> SeedWords:
        what = f"the wallet file {short_path(self.file)}"
        words = seedfile.decode_secret(secret, what)
        if f.address and Account.from_words(words).address != f.address:
            raise WalletCorrupt(f"{what} holds the seed of another address than the one it records "
                                f"({f.address}); nothing was changed: check which wallet this is")
        return words

    def _reencrypt(self, data: bytes, f: seedfile.SeedFile, secret: str, passphrase: str) -> None:
        """An old format or a weaker scrypt cost than ours: the same passphrase, written again
        (best effort: the words are read either way)."""
        params = f.params.at_least(self._kdf)
        try:
            blob = seedfile.encrypt(secret, passphrase, params, f.address)
            if self._replace_file(data, blob):
                log.info("wallet: %s re-encrypted (format %d → %d, scrypt n=%d r=%d p=%d → n=%d r=%d p=%d)",
                         short_path(self.file), f.version, seedfile.FILE_VERSION, f.params.n, f.params.r,
                         f.params.p, params.n, params.r, params.p)
        except (OSError, WalletError) as e:
            log.warning("wallet: %s could not be re-encrypted now (%s); it is read as it is",
                        short_path(self.file), e)

    def _replace_file(self, expected: bytes, blob: bytes) -> bool:
        """Write ``blob`` over the wallet file if it still holds ``expected`` (atomically)."""
        with self._lock():
            if self._read_file_bytes() != expected:
                return False
            write_bytes_atomic(self.file, blob)  # (a temp file of mode 0600, fsync, rename)
            fsync_dir(self.dir)
            return True

    def _file_address(self) -> str | None:
        try:
            return seedfile.parse(self._read_file_bytes(), self.file).address or None
        except WalletError:
            return None

    def _read_file_bytes(self) -> bytes:
        try:
            with open(self.file, "rb") as f:
                data = f.read(seedfile.MAX_FILE + 1)
        except FileNotFoundError:
            raise WalletCorrupt(f"the wallet file {short_path(self.file)} is missing; put it back, or "
                                "restore the wallet from your backup words") from None
        except OSError as e:
            raise WalletError(f"cannot read the wallet file {short_path(self.file)} "
                              f"({e.strerror or e})") from None
        if len(data) > seedfile.MAX_FILE:
            raise WalletCorrupt(f"the wallet file {short_path(self.file)} is far too large to be one; "
                                "it is left as it is")
        return data

    # -- the marker -----------------------------------------------------------------------

    def _confirm(self, words: SeedWords, still_held: Callable[[], bool]) -> None:
        """The words were just read: a marker naming another address is repaired."""
        marker = self._marker.read()
        derived = Account.from_words(words).address
        recorded = marker.get("address") if marker is not None else None
        if recorded and recorded != derived:
            self._repair_marker(derived, recorded, still_held)

    def _repair_marker(self, address: str, recorded: str, still_held: Callable[[], bool]) -> None:
        """Rewrite the marker's address, under the lock, if the storage still holds ``address``
        and nobody changed the marker meanwhile (a busy lock: next time)."""
        try:
            with self._lock():
                marker = self._marker.read()
                if marker is None or marker.get("address") != recorded or not still_held():
                    return
                self._write_marker(marker["storage"], address, marker.get("service", ""),
                                   marker.get("user", ""))
        except (OSError, WalletError) as e:
            log.warning("wallet: %s names address %s, the wallet's key gives %s; not repaired now (%s)",
                        self.marker.name, recorded, address, e)
            return
        log.warning("wallet: %s named address %s, but the wallet's key gives %s: the marker was "
                    "repaired (was it edited?)", self.marker.name, recorded, address)

    def _write_marker(self, storage: Storage, address: str, service: str = "", user: str = "") -> None:
        if storage == "keyring":
            service, user = service or self.service, user or self.user
        self._marker.write(storage, address, service, user)

    def _asker(self) -> Asker:
        return Asker(self.file, self.passphrase, self._env)

    def _mkdir(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    # -- the keyring ----------------------------------------------------------------------

    def _kr(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _kr_value(self, service: str, user: str) -> str | None:
        with suppress(KeyringAbsent, KeyringFailed):
            return seedkeyring.get(self._kr(), service, user, quiet=True)
        return None

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One process at a time changes the wallet (``DATA/wallet/.lock``)."""
        self._mkdir()
        with held(self.dir / ".lock", LOCK_WAIT,
                  lambda: WalletError("another imapp is changing the wallet: try again when it is done")):
            yield

