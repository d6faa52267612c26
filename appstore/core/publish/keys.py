"""Signing keys of a store: one Ed25519 key per TUF role, kept as PEM files in KEYS_DIR.

Private keys never leave KEYS_DIR; files are created 0600 in a 0700 folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from securesystemslib.signer import CryptoSigner

from appstore.core.errors import ConfigError, short_path

ROLES = ("root", "targets", "snapshot", "timestamp", "bins")
SERVICE_KEY = "service.pem"  # the store's IA service's Ed25519 key (receipts and quotes)


@dataclass(frozen=True)
class StoreKeys:
    """A signer for each role (``bins`` signs every hashed-bin delegation)."""

    signers: dict[str, CryptoSigner]

    def __getitem__(self, role: str) -> CryptoSigner:
        return self.signers[role]


def init_keys(keys_dir: Path) -> StoreKeys:
    """Create a fresh key per role; refuse to overwrite existing keys."""
    try:
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)
    except FileExistsError:
        raise ConfigError(f"cannot create keys in {short_path(keys_dir)}: it is not a folder") from None
    except OSError as e:
        raise ConfigError(f"cannot create keys in {short_path(keys_dir)} ({_reason(e)})") from None
    existing = [r for r in ROLES if (keys_dir / f"{r}.pem").exists()]
    if existing:
        raise ConfigError(
            f"{short_path(keys_dir)} already holds keys ({', '.join(existing)}); "
            "use another folder, or remove them if you really mean to replace this store's keys"
        )
    for role in ROLES:
        signer = CryptoSigner(Ed25519PrivateKey.generate())
        path = keys_dir / f"{role}.pem"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(signer.private_bytes)
        except OSError as e:
            raise ConfigError(f"cannot write {short_path(path)} ({_reason(e)})") from None
    if not (keys_dir / SERVICE_KEY).exists():
        load_service_key(keys_dir)
    return load_keys(keys_dir)


def load_keys(keys_dir: Path) -> StoreKeys:
    signers: dict[str, CryptoSigner] = {}
    for role in ROLES:
        path = keys_dir / f"{role}.pem"
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise ConfigError(
                f"{short_path(path)} is missing: create keys with `python -m appstore keys init "
                f"{short_path(keys_dir)}`"
            ) from None
        except OSError as e:
            raise ConfigError(f"cannot read {short_path(path)} ({_reason(e)})") from None
        try:
            signers[role] = CryptoSigner(load_pem_private_key(data, password=None))
        except (ValueError, TypeError, UnsupportedAlgorithm) as e:
            problem = ("it is encrypted or holds no private key" if isinstance(e, TypeError)
                       else "its kind of key is not supported" if isinstance(e, UnsupportedAlgorithm)
                       else "it is not a PEM private key, or it is damaged")
            raise ConfigError(f"{short_path(path)} cannot be used ({problem}); restore it from "
                              "your backup of the keys folder") from None
    return StoreKeys(signers)


def load_service_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The IA service's Ed25519 key, ``KEYS_DIR/service.pem``; created (0600) when missing, so
    key folders made before the service existed get one. Its public half goes into the store's
    ``rewards/policy.json`` (``service_key``)."""
    path = keys_dir / SERVICE_KEY
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        data = None
    except OSError as e:
        raise ConfigError(f"cannot read {short_path(path)} ({_reason(e)})") from None
    if data is None:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            keys_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
        except FileExistsError:  # another process made it just now: use that one
            return load_service_key(keys_dir)
        except OSError as e:
            raise ConfigError(f"cannot write {short_path(path)} ({_reason(e)})") from None
        return key
    try:
        loaded: object = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        loaded = None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigError(f"{short_path(path)} is not an Ed25519 private key in PEM (it is damaged?); "
                          "restore it from your backup of the keys folder: the receipts already issued "
                          "are signed with it")
    return loaded


def _reason(e: OSError) -> str:
    text = e.strerror or str(e)
    return text[:1].lower() + text[1:]
