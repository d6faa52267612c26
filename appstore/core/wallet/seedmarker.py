"""``DATA/wallet/seedstore.json``: which storage holds the wallet (the keyring, with its service
and user, or the file) and the wallet's address. No secret, and no evidence either: the address
in it is a hint that the seed store checks (docs/wallet.md, "The address marker")."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from appstore.core.errors import short_path
from appstore.core.fileio import write_json_atomic
from appstore.core.wallet.errors import WalletError

log = logging.getLogger("imapp.wallet")

MARKER_FORMAT = "imapp-wallet-seedstore"
MARKER_VERSION = 1

Storage = Literal["keyring", "file"]


class Marker:
    """The marker file at ``path``; ``file_name`` is the wallet file's name it records."""

    def __init__(self, path: Path, file_name: str) -> None:
        self.path, self.file_name = path, file_name

    def read(self) -> dict[str, Any] | None:
        """Its fields, or None if there is none (or it cannot be read: it is only a hint);
        ``WalletError`` if a newer imapp wrote it."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise WalletError(f"cannot read {short_path(self.path)} ({e.strerror or e})") from None
        try:
            obj = json.loads(raw)
            ok = (isinstance(obj, dict) and obj.get("format") == MARKER_FORMAT
                  and obj.get("storage") in ("keyring", "file")
                  and all(isinstance(obj.get(k, ""), str) for k in ("address", "service", "user")))
        except (ValueError, UnicodeDecodeError):
            ok = False
        if not ok:
            log.warning("wallet: %s is not readable: ignored", short_path(self.path))
            return None
        if obj.get("version") != MARKER_VERSION:
            raise WalletError(f"{short_path(self.path)} was written by a newer imapp: update imapp")
        return obj  # type: ignore[no-any-return]

    def write(self, storage: Storage, address: str, service: str = "", user: str = "") -> None:
        obj: dict[str, object] = {"format": MARKER_FORMAT, "version": MARKER_VERSION, "storage": storage,
                                  "address": address,
                                  "saved": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if storage == "keyring":
            obj.update(service=service, user=user)
        else:
            obj.update(file=self.file_name)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json_atomic(self.path, obj)
