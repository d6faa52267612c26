"""Signing keys of a store: one Ed25519 key per TUF role, kept as PEM files in KEYS_DIR.

Private keys never leave KEYS_DIR; files are created 0600 in a 0700 folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

from appstore.core.errors import ConfigError

ROLES = ("root", "targets", "snapshot", "timestamp", "bins")


@dataclass(frozen=True)
class StoreKeys:
    """A signer for each role (``bins`` signs every hashed-bin delegation)."""

    signers: dict[str, CryptoSigner]

    def __getitem__(self, role: str) -> CryptoSigner:
        return self.signers[role]


def init_keys(keys_dir: Path) -> StoreKeys:
    """Create a fresh key per role; refuse to overwrite existing keys."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    existing = [r for r in ROLES if (keys_dir / f"{r}.pem").exists()]
    if existing:
        raise ConfigError(
            f"{keys_dir} already holds keys ({', '.join(existing)}); "
            "use another folder, or remove them if you really mean to replace this store's keys"
        )
    for role in ROLES:
        signer = CryptoSigner(Ed25519PrivateKey.generate())
        path = keys_dir / f"{role}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(signer.private_bytes)
    return load_keys(keys_dir)


def load_keys(keys_dir: Path) -> StoreKeys:
    signers: dict[str, CryptoSigner] = {}
    for role in ROLES:
        path = keys_dir / f"{role}.pem"
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise ConfigError(
                f"{path} is missing: create keys with `python -m appstore keys init {keys_dir}`"
            ) from None
        except ValueError as e:
            raise ConfigError(f"{path} is not a valid PEM private key: {e}") from None
        signers[role] = CryptoSigner(key)
    return StoreKeys(signers)
