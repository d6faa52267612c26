"""Where the seed words are kept: the OS keyring, or else a passphrase-protected wallet file.

* **The OS keyring** (``keyring``: Secret Service, macOS Keychain, Windows Credential Locker),
  service ``imapp-wallet``, user ``wallet-<16 hex digits of SHA-256 of the data dir's path>``.
* **When no keyring works** (no backend, the ``fail``/``null`` backends, a ``keyrings.alt``
  backend that keeps secrets in files or prompts on a terminal, or any error while storing):
  ``DATA/wallet/seed.enc``, AES-256-GCM under a key from scrypt of a passphrase (docs/wallet.md,
  "Seed storage", has the format). The passphrase comes from ``$IMAPP_WALLET_PASSPHRASE``
  (headless use) or from the caller's callback (the GUI's dialog).
* ``DATA/wallet/seedstore.json`` says which of the two holds the wallet, and its address (public),
  so the address can be shown while the wallet is locked and a keyring that has gone away is
  told apart from no wallet at all.

Nothing is ever lost: a wallet (keyring entry or file) is replaced only by ``save(...,
replace=True)`` (a replaced file is kept as ``seed.enc.replaced-<time>``); a wrong passphrase, a
damaged file, a locked or vanished keyring are errors that leave everything as it was. The words
never reach the disk in plain text, a log line or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import keyring
import keyring.backend
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from appstore.core.errors import short_path, shorten
from appstore.core.fileio import write_bytes_atomic, write_json_atomic
from appstore.core.oslock import held
from appstore.core.paths import Paths
from appstore.core.wallet.errors import (
    BadWords,
    NoWallet,
    WalletCorrupt,
    WalletError,
    WalletExists,
    WalletLocked,
    WrongPassphrase,
)
from appstore.core.wallet.keys import LANGUAGE, Account, SeedWords, new_words, parse_words

log = logging.getLogger("imapp.wallet")

SERVICE = "imapp-wallet"
ENV_PASSPHRASE = "IMAPP_WALLET_PASSPHRASE"
FILE_FORMAT = "imapp-wallet-seed"
MARKER_FORMAT = "imapp-wallet-seedstore"
FORMAT_VERSION = 1
MIN_PASSPHRASE = 8
MAX_ATTEMPTS = 3
LOCK_WAIT = 15.0  # seconds to wait for another imapp that is changing the wallet
MAX_FILE = 64 * 1024

Storage = Literal["keyring", "file"]


@dataclass(frozen=True)
class KdfParams:
    """scrypt's cost: ``n`` (CPU/memory, a power of two), ``r`` (block size), ``p``
    (parallelism); memory is 128·n·r bytes (128 MiB for the default)."""

    n: int = 2 ** 17
    r: int = 8
    p: int = 1

    def check(self) -> KdfParams:
        ok = (isinstance(self.n, int) and isinstance(self.r, int) and isinstance(self.p, int)
              and 2 ** 10 <= self.n <= 2 ** 22 and self.n & (self.n - 1) == 0
              and 1 <= self.r <= 32 and 1 <= self.p <= 16 and 128 * self.n * self.r <= 2 ** 30)
        if not ok:
            raise ValueError(f"scrypt parameters out of range: n={self.n!r}, r={self.r!r}, p={self.p!r}")
        return self


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class PassphraseRequest:
    """What the passphrase callback is asked. ``new``: choose a passphrase for a new wallet file
    (the dialog should ask twice); else unlock the existing one. ``attempt`` counts from 1;
    ``problem`` says why it is asked again (wrong or too short)."""

    new: bool
    path: Path
    attempt: int = 1
    problem: str = ""


PassphraseSource = Callable[[PassphraseRequest], str | None]  # None: the user cancelled


@dataclass(frozen=True)
class WalletStatus:
    """Where the wallet is, without unlocking it. ``storage`` None: no wallet yet. ``address``
    None when it is not known without the seed."""

    storage: Storage | None
    address: str | None = None
    file: Path | None = None


def wallet_dir(paths: Paths) -> Path:
    """``DATA/wallet``: the seed file, its marker and (elsewhere) the ledger."""
    return paths.root / "wallet"


def wallet_id(paths: Paths) -> str:
    """The keyring user name for the wallet of this data dir."""
    return "wallet-" + hashlib.sha256(str(paths.root).encode("utf-8", "surrogateescape")).hexdigest()[:16]


class _KeyringAbsent(Exception):
    """No keyring on this machine (no backend, or one that must not hold a seed)."""


class _KeyringFailed(Exception):
    """A keyring is there but failed (locked, D-Bus error, …)."""


class SeedStore:
    """The seed words of the wallet in data dir ``paths``.

    ``passphrase`` is asked when the wallet is (or goes) in the file; ``keyring_backend``
    pins a backend (default: ``keyring.get_keyring()`` at each call); ``kdf`` is the scrypt cost
    for a new file; ``env`` replaces ``os.environ`` (for ``IMAPP_WALLET_PASSPHRASE``)."""

    def __init__(self, paths: Paths, *, passphrase: PassphraseSource | None = None,
                 keyring_backend: keyring.backend.KeyringBackend | None = None,
                 kdf: KdfParams = DEFAULT_KDF, service: str = SERVICE,
                 env: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        self.dir = wallet_dir(paths)
        self.file = self.dir / "seed.enc"
        self.marker = self.dir / "seedstore.json"
        self.service = service
        self.user = wallet_id(paths)
        self._ask = passphrase
        self._backend = keyring_backend
        self._kdf = kdf.check()
        self._env = os.environ if env is None else env

    def __repr__(self) -> str:
        return f"SeedStore({short_path(self.dir)})"

    # -- reading ------------------------------------------------------------------------

    def status(self) -> WalletStatus:
        """Where the wallet is and its address, as far as is known without the seed."""
        marker = self._read_marker()
        if marker is not None:
            storage: Storage = marker["storage"]
            return WalletStatus(storage, marker.get("address"), self.file if storage == "file" else None)
        if self.file.exists():
            address = None
            with suppress(WalletError):
                address = _parse_file(self._read_file_bytes(), self.file)[0].get("address")
            return WalletStatus("file", address, self.file)
        try:
            if self._kr_get(self.service, self.user) is not None:
                return WalletStatus("keyring")
        except (_KeyringAbsent, _KeyringFailed):
            pass
        return WalletStatus(None)

    def exists(self) -> bool:
        return self.status().storage is not None

    def load(self) -> SeedWords:
        """The seed words; ``NoWallet``, ``WalletLocked`` (keyring locked or gone, no passphrase),
        ``WrongPassphrase`` or ``WalletCorrupt``, each leaving everything as it was."""
        marker = self._read_marker()
        if marker is not None and marker["storage"] == "keyring":
            service, user = marker.get("service", self.service), marker.get("user", self.user)
            try:
                secret = self._kr_get(service, user)
            except _KeyringAbsent as e:
                raise WalletLocked(f"this wallet is in the system keyring, which is not available now "
                                   f"({e}); start or unlock the keyring and try again: the wallet is "
                                   "still there") from None
            except _KeyringFailed as e:
                raise WalletLocked(f"the system keyring that holds this wallet cannot be read now ({e}); "
                                   "unlock it and try again: the wallet is still there") from None
            if secret is None:
                raise WalletLocked("the system keyring does not have this wallet's seed (is this "
                                   "another user's or machine's keyring?); if it is gone, restore "
                                   "the wallet from your backup words")
            words = _decode_secret(secret, "the wallet's keyring entry")
            self._check_address(words, marker.get("address"), "the wallet's keyring entry")
            return words
        if (marker is not None and marker["storage"] == "file") or self.file.exists():
            return self._load_file()
        try:
            secret = self._kr_get(self.service, self.user)
        except (_KeyringAbsent, _KeyringFailed):
            secret = None
        if secret is None:
            raise NoWallet("there is no wallet yet: create one, or restore one from its words")
        words = _decode_secret(secret, "the wallet's keyring entry")
        log.info("wallet: found in the system keyring (no marker file): recording it")
        self._write_marker("keyring", Account.from_words(words).address, self.service, self.user)
        return words

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
        with self._lock():
            before = self.status()
            if before.storage is not None and not replace:
                shown = f" (address {before.address})" if before.address else ""
                raise WalletExists(f"there is already a wallet here{shown}: it is replaced only once "
                                   "you confirm that you want to replace it")
            try:
                self._kr_put(self.user, _encode_secret(words))
            except _KeyringAbsent as e:
                log.info("wallet: no usable system keyring (%s): the seed goes in a passphrase-"
                         "protected file", e)
            except _KeyringFailed as e:
                if before.storage == "keyring":  # do not move a keyring wallet aside on a hiccup
                    raise WalletLocked(f"the system keyring cannot store the wallet now ({e}); unlock "
                                       "it and try again: nothing was changed") from None
                log.info("wallet: the system keyring failed (%s): the seed goes in a passphrase-"
                         "protected file", e)
            else:
                self._write_marker("keyring", address, self.service, self.user)
                if before.storage == "file" and self.file.exists():
                    self._set_aside_file()
                log.info("wallet: %s in the system keyring (%s); address %s",
                         "replaced" if before.storage else "saved", _backend_name(self._kr()), address)
                return WalletStatus("keyring", address)
            passphrase = self._new_passphrase()
            blob = _encrypt(words, passphrase, self._kdf, address)
            if self.file.exists():
                self._set_aside_file()
            self._mkdir()
            write_bytes_atomic(self.file, blob)
            self._write_marker("file", address)
            log.info("wallet: %s in %s; address %s", "replaced" if before.storage else "saved",
                     short_path(self.file), address)
            return WalletStatus("file", address, self.file)

    # -- the file -------------------------------------------------------------------------

    def _load_file(self) -> SeedWords:
        data = self._read_file_bytes()
        header, ciphertext = _parse_file(data, self.file)
        from_env = self._env.get(ENV_PASSPHRASE)
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if from_env:
                passphrase = from_env
            else:
                passphrase = self._ask_passphrase(PassphraseRequest(False, self.file, attempt, problem))
            plain = _decrypt(header, ciphertext, passphrase, self.file)
            if plain is not None:
                words = _decode_secret(plain, f"the wallet file {short_path(self.file)}")
                self._check_address(words, header.get("address"), f"the wallet file {short_path(self.file)}")
                return words
            if from_env:
                raise WrongPassphrase(f"the passphrase in ${ENV_PASSPHRASE} does not open the wallet "
                                      f"file {short_path(self.file)}")
            problem = "that passphrase does not open the wallet: try again"
        raise WrongPassphrase(f"the passphrase does not open the wallet file {short_path(self.file)} "
                              f"({MAX_ATTEMPTS} tries); the file is unchanged")

    def _read_file_bytes(self) -> bytes:
        try:
            with open(self.file, "rb") as f:
                data = f.read(MAX_FILE + 1)
        except FileNotFoundError:
            raise WalletCorrupt(f"the wallet file {short_path(self.file)} is missing; put it back, or "
                                "restore the wallet from your backup words") from None
        except OSError as e:
            raise WalletError(f"cannot read the wallet file {short_path(self.file)} "
                              f"({e.strerror or e})") from None
        if len(data) > MAX_FILE:
            raise WalletCorrupt(f"the wallet file {short_path(self.file)} is far too large to be one; "
                                "it is left as it is")
        return data

    def _new_passphrase(self) -> str:
        from_env = self._env.get(ENV_PASSPHRASE)
        if from_env:
            if len(from_env) < MIN_PASSPHRASE:
                raise WalletError(f"${ENV_PASSPHRASE} is too short for a new wallet file: use at least "
                                  f"{MIN_PASSPHRASE} characters")
            return from_env
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            passphrase = self._ask_passphrase(PassphraseRequest(True, self.file, attempt, problem))
            if len(passphrase) >= MIN_PASSPHRASE:
                return passphrase
            problem = f"a passphrase has at least {MIN_PASSPHRASE} characters"
        raise WalletError(f"no usable passphrase was given (at least {MIN_PASSPHRASE} characters): "
                          "the wallet was not saved")

    def _ask_passphrase(self, request: PassphraseRequest) -> str:
        if self._ask is None:
            what = "a passphrase for the new wallet file" if request.new else "the wallet file's passphrase"
            raise WalletLocked(f"no system keyring here, and {what} is needed: set ${ENV_PASSPHRASE}, "
                               "or use the app")
        answer = self._ask(request)
        if answer is None:
            raise WalletLocked("no passphrase was given: the wallet stays locked")
        return answer

    def _set_aside_file(self) -> None:
        """Move a replaced wallet file aside (still encrypted), never over another."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.file.with_name(f"{self.file.name}.replaced-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.file.with_name(f"{self.file.name}.replaced-{stamp}-{n}")
        os.replace(self.file, target)
        log.info("wallet: the replaced wallet file is kept as %s", short_path(target))

    # -- the marker -----------------------------------------------------------------------

    def _read_marker(self) -> dict[str, Any] | None:
        try:
            raw = self.marker.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise WalletError(f"cannot read {short_path(self.marker)} ({e.strerror or e})") from None
        try:
            obj = json.loads(raw)
            ok = (isinstance(obj, dict) and obj.get("format") == MARKER_FORMAT
                  and obj.get("storage") in ("keyring", "file")
                  and all(isinstance(obj.get(k, ""), str) for k in ("address", "service", "user")))
        except (ValueError, UnicodeDecodeError):
            ok = False
        if not ok:
            log.warning("wallet: %s is not readable: ignored", short_path(self.marker))
            return None
        if obj.get("version") != FORMAT_VERSION:
            raise WalletError(f"{short_path(self.marker)} was written by a newer imapp: update imapp")
        return obj  # type: ignore[no-any-return]

    def _write_marker(self, storage: Storage, address: str, service: str = "", user: str = "") -> None:
        obj: dict[str, object] = {"format": MARKER_FORMAT, "version": FORMAT_VERSION, "storage": storage,
                                  "address": address,
                                  "saved": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if storage == "keyring":
            obj.update(service=service, user=user)
        else:
            obj.update(file=self.file.name)
        self._mkdir()
        write_json_atomic(self.marker, obj)

    def _mkdir(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    @staticmethod
    def _check_address(words: SeedWords, address: object, what: str) -> None:
        if isinstance(address, str) and address and Account.from_words(words).address != address:
            raise WalletCorrupt(f"{what} holds the seed of another address than the one recorded "
                                f"({address}); nothing was changed: check which wallet this is")

    # -- the keyring ----------------------------------------------------------------------

    def _kr(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _kr_get(self, service: str, user: str) -> str | None:
        backend = self._kr()
        reason = _unusable(backend)
        if reason:
            raise _KeyringAbsent(reason)
        try:
            value = backend.get_password(service, user)
        except keyring.errors.NoKeyringError:
            raise _KeyringAbsent("no keyring backend") from None
        except Exception as e:  # any backend's failure (D-Bus, locked, …): the keyring's boundary
            raise _KeyringFailed(_describe(e)) from None
        return value if isinstance(value, str) else None

    def _kr_put(self, user: str, secret: str) -> None:
        """Store ``secret`` and read it back; ``_KeyringAbsent``/``_KeyringFailed`` if not kept."""
        backend = self._kr()
        reason = _unusable(backend)
        if reason:
            raise _KeyringAbsent(reason)
        try:
            backend.set_password(self.service, user, secret)
            back = backend.get_password(self.service, user)
        except keyring.errors.NoKeyringError:
            raise _KeyringAbsent("no keyring backend") from None
        except Exception as e:  # never quote the message: it could echo what was stored
            raise _KeyringFailed(type(e).__name__) from None
        if not (isinstance(back, str) and hmac.compare_digest(back.encode(), secret.encode())):
            raise _KeyringAbsent(f"{_backend_name(backend)} did not keep the secret")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One process at a time changes the wallet (``DATA/wallet/.lock``)."""
        self._mkdir()
        with held(self.dir / ".lock", LOCK_WAIT,
                  lambda: WalletError("another imapp is changing the wallet: try again when it is done")):
            yield


# -- formats ---------------------------------------------------------------------------------

def _encode_secret(words: SeedWords) -> str:
    return json.dumps({"format": FILE_FORMAT, "version": FORMAT_VERSION, "language": LANGUAGE,
                       "mnemonic": words.reveal()}, sort_keys=True, separators=(",", ":"))


def _decode_secret(secret: str, what: str) -> SeedWords:
    try:
        obj = json.loads(secret)
        ok = (isinstance(obj, dict) and obj.get("format") == FILE_FORMAT
              and obj.get("language") == LANGUAGE and isinstance(obj.get("mnemonic"), str))
    except ValueError:
        ok = False
    if not ok:
        raise WalletCorrupt(f"{what} is not an imapp wallet seed; it is left as it is")
    if obj.get("version") != FORMAT_VERSION:
        raise WalletError(f"{what} was written by a newer imapp: update imapp")
    try:
        return parse_words(obj["mnemonic"])
    except BadWords:
        raise WalletCorrupt(f"{what} holds seed words that do not check out; it is left as it is") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, size: tuple[int, int]) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    raw = base64.b64decode(value, validate=True)
    if not size[0] <= len(raw) <= size[1]:
        raise ValueError("wrong length")
    return raw


def _aad(header: Mapping[str, object]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _derive(passphrase: str, kdf: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(AES key, passphrase check) from scrypt of the NFKD-normalised passphrase."""
    salt = _unb64(kdf["salt"], (16, 64))
    out = Scrypt(salt=salt, length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        unicodedata.normalize("NFKD", passphrase).encode("utf-8"))
    return out[:32], hashlib.sha256(b"imapp-wallet-check\0" + out[32:]).digest()


def _encrypt(words: SeedWords, passphrase: str, params: KdfParams, address: str) -> bytes:
    kdf = {"name": "scrypt", "n": params.n, "r": params.r, "p": params.p,
           "salt": _b64(secrets.token_bytes(16))}
    key, check = _derive(passphrase, kdf)
    nonce = secrets.token_bytes(12)
    header = {"format": FILE_FORMAT, "version": FORMAT_VERSION, "kdf": kdf,
              "cipher": {"name": "aes-256-gcm", "nonce": _b64(nonce)},
              "check": _b64(check), "address": address}
    ciphertext = AESGCM(key).encrypt(nonce, _encode_secret(words).encode("utf-8"), _aad(header))
    return (json.dumps({**header, "ciphertext": _b64(ciphertext)}, indent=2, sort_keys=True) + "\n").encode()


def _parse_file(data: bytes, path: Path) -> tuple[dict[str, Any], bytes]:
    """(header, ciphertext) of a wallet file, every field checked; ``WalletCorrupt`` if not."""
    def corrupt(what: str) -> WalletCorrupt:
        return WalletCorrupt(f"the wallet file {short_path(path)} is damaged ({what}); it is left as it "
                             "is: put back a copy of it, or restore the wallet from your backup words")

    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise corrupt("not JSON") from None
    if not isinstance(obj, dict) or obj.get("format") != FILE_FORMAT:
        raise corrupt("not an imapp wallet file")
    if not isinstance(obj.get("version"), int) or obj["version"] < 1:
        raise corrupt("no format version")
    if obj["version"] > FORMAT_VERSION:
        raise WalletError(f"the wallet file {short_path(path)} was written by a newer imapp: update imapp")
    kdf, cipher = obj.get("kdf"), obj.get("cipher")
    try:
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise ValueError("key derivation")
        KdfParams(kdf.get("n"), kdf.get("r"), kdf.get("p")).check()  # type: ignore[arg-type]
        _unb64(kdf.get("salt"), (16, 64))
        if not isinstance(cipher, dict) or cipher.get("name") != "aes-256-gcm":
            raise ValueError("cipher")
        _unb64(cipher.get("nonce"), (12, 12))
        _unb64(obj.get("check"), (32, 32))
        ciphertext = _unb64(obj.get("ciphertext"), (17, MAX_FILE))
        if not isinstance(obj.get("address", ""), str):
            raise ValueError("address")
    except (ValueError, binascii.Error) as e:
        raise corrupt(shorten(e, 40)) from None
    header = {k: v for k, v in obj.items() if k != "ciphertext"}
    return header, ciphertext


def _decrypt(header: Mapping[str, Any], ciphertext: bytes, passphrase: str, path: Path) -> str | None:
    """The plaintext, or None if the passphrase is wrong; ``WalletCorrupt`` if the passphrase is
    right but the file was changed."""
    key, check = _derive(passphrase, header["kdf"])
    if not hmac.compare_digest(check, _unb64(header["check"], (32, 32))):
        return None
    nonce = _unb64(header["cipher"]["nonce"], (12, 12))
    try:
        plain = AESGCM(key).decrypt(nonce, ciphertext, _aad(header))
        return plain.decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise WalletCorrupt(f"the wallet file {short_path(path)} was changed or damaged (the passphrase "
                            "is right, the data does not check out); it is left as it is: put back a "
                            "copy of it, or restore the wallet from your backup words") from None


# -- keyring helpers -----------------------------------------------------------------------------

def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _unusable(backend: keyring.backend.KeyringBackend) -> str:
    """Why ``backend`` must not hold a seed ("" if it may): no keyring at all, or one that keeps
    secrets in a plain file or asks for a password on a terminal."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return "no keyring backend"
        backend = chained[0]  # the one that set_password writes to
    if isinstance(backend, fail.Keyring):
        return "no keyring backend"
    if isinstance(backend, null.Keyring):
        return "the null keyring"
    module = type(backend).__module__
    if module.startswith(("keyrings.alt", "keyrings.cryptfile")):
        return f"{_backend_name(backend)} keeps secrets in a file or asks on a terminal"
    return ""


def _describe(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {shorten(text, 120)}" if text else type(e).__name__
