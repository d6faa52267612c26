"""The wallet file's format (docs/wallet.md, "The wallet file"): the seed under AES-256-GCM with a
key from scrypt of a passphrase, and (version 2) an integrity record that needs no passphrase.

The integrity record is a SHA-256 of each field, so a file damaged on disk (a flipped bit in the
salt, the check value, the nonce, the parameters, the address or the ciphertext) is reported as
damaged, naming what changed, before any passphrase is tried, and a passphrase that fails the
check of an intact file is a wrong passphrase. It has no key: it catches damage, not a forger,
whom the authenticated encryption stops once the passphrase is typed. Version 1 files (no
record) are still read, and re-written as version 2 the next time they are opened.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from appstore.core.errors import short_path, shorten
from appstore.core.wallet.errors import BadWords, WalletCorrupt, WalletError
from appstore.core.wallet.keys import LANGUAGE, SeedWords, parse_words

FILE_FORMAT = "imapp-wallet-seed"
FILE_VERSION = 2  # the version written; 1 (no integrity record) is read and upgraded
SECRET_VERSION = 1  # the keyring value's (and the file's plaintext's) version
MAX_FILE = 64 * 1024

# What each summed field is called in a message, in the order they are named.
_FIELDS = {"format": "format", "version": "format", "kdf.name": "key-derivation parameters",
           "kdf.n": "key-derivation parameters", "kdf.r": "key-derivation parameters",
           "kdf.p": "key-derivation parameters", "kdf.salt": "salt", "cipher.name": "cipher",
           "cipher.nonce": "nonce", "check": "passphrase check value", "address": "address",
           "ciphertext": "encrypted seed"}
_KEYS = {"": {"format", "version", "kdf", "cipher", "check", "address", "ciphertext", "integrity"},
         "kdf": {"name", "n", "r", "p", "salt"}, "cipher": {"name", "nonce"}}


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

    def weaker_than(self, other: KdfParams) -> bool:
        """Less memory (n·r) or less work (n·r·p) than ``other``: a guesser's cost is both."""
        return self.n * self.r < other.n * other.r or self.n * self.r * self.p < other.n * other.r * other.p

    def at_least(self, other: KdfParams) -> KdfParams:
        return other if self.weaker_than(other) else self


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class SeedFile:
    """A wallet file, parsed and checked, not decrypted. ``header`` is the authenticated data
    (every field but the ciphertext and the integrity record)."""

    version: int
    header: dict[str, Any]
    ciphertext: bytes
    params: KdfParams
    address: str  # "" when the file records none


# -- the secret ---------------------------------------------------------------------------------

def encode_secret(words: SeedWords) -> str:
    """The keyring value, and the file's plaintext."""
    return json.dumps({"format": FILE_FORMAT, "version": SECRET_VERSION, "language": LANGUAGE,
                       "mnemonic": words.reveal()}, sort_keys=True, separators=(",", ":"))


def decode_secret(secret: str, what: str) -> SeedWords:
    try:
        obj = json.loads(secret)
        ok = (isinstance(obj, dict) and obj.get("format") == FILE_FORMAT
              and obj.get("language") == LANGUAGE and isinstance(obj.get("mnemonic"), str))
    except ValueError:
        ok = False
    if not ok:
        raise WalletCorrupt(f"{what} is not an imapp wallet seed; it is left as it is")
    if obj.get("version") != SECRET_VERSION:
        raise WalletError(f"{what} was written by a newer imapp: update imapp")
    try:
        return parse_words(obj["mnemonic"])
    except BadWords:
        raise WalletCorrupt(f"{what} holds seed words that do not check out; it is left as it is") from None


# -- writing ----------------------------------------------------------------------------------------

def encrypt(secret: str, passphrase: str, params: KdfParams, address: str) -> bytes:
    """A version 2 wallet file: a fresh salt and nonce every time."""
    kdf = {"name": "scrypt", "n": params.n, "r": params.r, "p": params.p,
           "salt": _b64(secrets.token_bytes(16))}
    key, check = _derive(passphrase, kdf)
    nonce = secrets.token_bytes(12)
    header: dict[str, Any] = {"format": FILE_FORMAT, "version": FILE_VERSION, "kdf": kdf,
                              "cipher": {"name": "aes-256-gcm", "nonce": _b64(nonce)},
                              "check": _b64(check), "address": address}
    ciphertext = _b64(AESGCM(key).encrypt(nonce, secret.encode("utf-8"), _aad(header)))
    body = {**header, "ciphertext": ciphertext}
    body["integrity"] = {"sha256": {name: _sum(name, value) for name, value in _flat(body).items()}}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()


# -- reading ----------------------------------------------------------------------------------------

def parse(data: bytes, path: Path) -> SeedFile:
    """Every field checked (a version 2 file against its integrity record first, without the
    passphrase); ``WalletCorrupt`` naming what is damaged, ``WalletError`` for a newer format."""
    def corrupt(what: str) -> WalletCorrupt:
        return WalletCorrupt(f"the wallet file {short_path(path)} is damaged ({what}); it is left as it "
                             "is: put back a copy of it, or restore the wallet from your backup words")

    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise corrupt("not JSON") from None
    if not isinstance(obj, dict) or obj.get("format") != FILE_FORMAT:
        raise corrupt("not an imapp wallet file")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise corrupt("no format version")
    if version > FILE_VERSION:
        raise WalletError(f"the wallet file {short_path(path)} was written by a newer imapp: update imapp")
    if version >= 2:
        changed = _changed_fields(obj)
        if changed:
            raise WalletCorrupt(
                f"the wallet file {short_path(path)} is damaged: its {' and '.join(changed)} "
                f"{'was' if len(changed) == 1 else 'were'} changed since it was written (the passphrase "
                "was not tried); it is left as it is: put back a copy of it, or restore the wallet "
                "from your backup words")
    kdf, cipher = obj.get("kdf"), obj.get("cipher")
    try:
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise ValueError("key derivation")
        params = KdfParams(kdf.get("n"), kdf.get("r"), kdf.get("p")).check()  # type: ignore[arg-type]
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
    header = {k: v for k, v in obj.items() if k not in ("ciphertext", "integrity")}
    return SeedFile(version, header, ciphertext, params, obj.get("address", ""))


def decrypt(f: SeedFile, passphrase: str, path: Path) -> str | None:
    """The plaintext, or None if the passphrase is wrong; ``WalletCorrupt`` if the passphrase is
    right but the file was changed (a version 1 file, or a change its record was made to hide)."""
    key, check = _derive(passphrase, f.header["kdf"])
    if not hmac.compare_digest(check, _unb64(f.header["check"], (32, 32))):
        return None
    nonce = _unb64(f.header["cipher"]["nonce"], (12, 12))
    try:
        return AESGCM(key).decrypt(nonce, f.ciphertext, _aad(f.header)).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise WalletCorrupt(f"the wallet file {short_path(path)} was changed or damaged (the passphrase "
                            "is right, the data does not check out); it is left as it is: put back a "
                            "copy of it, or restore the wallet from your backup words") from None


def _changed_fields(obj: Mapping[str, Any]) -> list[str]:
    """What a version 2 file's integrity record says changed (its own damage included)."""
    for where, allowed in _KEYS.items():
        part = obj.get(where) if where else obj
        if isinstance(part, dict) and set(part) - allowed:
            return [f"record (an unexpected field {shorten(sorted(set(part) - allowed)[0], 30)!r})"]
    record = obj.get("integrity")
    sums = record.get("sha256") if isinstance(record, dict) else None
    if not (isinstance(sums, dict) and set(sums) == set(_FIELDS)
            and all(isinstance(v, str) and len(v) == 64 for v in sums.values())):
        return ["integrity record"]
    flat = _flat(obj)
    named: list[str] = []
    for name, label in _FIELDS.items():
        changed = name not in flat or not hmac.compare_digest(sums[name], _sum(name, flat[name]))
        if changed and label not in named:
            named.append(label)
    return named


def _flat(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The summed fields by dotted name (missing ones left out: they count as changed)."""
    out: dict[str, Any] = {}
    for name in _FIELDS:
        head, _, tail = name.partition(".")
        value = obj.get(head, _MISSING)
        if tail:
            value = value.get(tail, _MISSING) if isinstance(value, dict) else _MISSING
        if value is not _MISSING:
            out[name] = value
    return out


_MISSING = object()


def _sum(name: str, value: object) -> str:
    return hashlib.sha256(b"imapp-wallet-field\0" + name.encode() + b"\0" + _canonical(value)).hexdigest()


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _aad(header: Mapping[str, object]) -> bytes:
    return _canonical(header)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, size: tuple[int, int]) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    raw = base64.b64decode(value, validate=True)
    if not size[0] <= len(raw) <= size[1]:
        raise ValueError("wrong length")
    return raw


def _derive(passphrase: str, kdf: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(AES key, passphrase check) from scrypt of the NFKD-normalised passphrase."""
    salt = _unb64(kdf["salt"], (16, 64))
    out = Scrypt(salt=salt, length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        unicodedata.normalize("NFKD", passphrase).encode("utf-8"))
    return out[:32], hashlib.sha256(b"imapp-wallet-check\0" + out[32:]).digest()
