"""Copies a restore sets aside in ``DATA/wallet``: replaced wallet files
(``seed.enc.replaced-<UTC time>``, still encrypted) and the ledgers of other accounts
(``ledger-<address>.sqlite3``, which hold receipts).

They are listed so they never pile up unseen; a replaced wallet file may be removed once the
user confirms (it is the only copy of the words it holds), a ledger never is (it is what lets a
restore of that account bring its receipts back).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from appstore.core.errors import short_path
from appstore.core.wallet import seedfile
from appstore.core.wallet.errors import WalletError

log = logging.getLogger("imapp.wallet")

SEED_COPY = re.compile(r"seed\.enc\.replaced-(\d{8}T\d{6}Z)(-\d+)?")
LEDGER_COPY = re.compile(r"ledger-([1-9A-HJ-NP-Za-km-z]{25,40}|unknown)\.sqlite3")


@dataclass(frozen=True)
class SetAside:
    """A copy set aside by a restore. ``time``: when it was set aside (UTC, ISO 8601);
    ``address``: the account it belongs to, when known without a passphrase; ``removable``:
    only a replaced wallet file may be removed."""

    path: Path
    kind: Literal["seed", "ledger"]
    time: str
    address: str | None
    size: int

    @property
    def removable(self) -> bool:
        return self.kind == "seed"

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "time": self.time, "address": self.address,
                "size": self.size, "removable": self.removable}


def set_aside_file(file: Path) -> Path:
    """Move a replaced wallet file aside (still encrypted), never over another; its new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = file.with_name(f"{file.name}.replaced-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = file.with_name(f"{file.name}.replaced-{stamp}-{n}")
    os.replace(file, target)
    log.info("wallet: the replaced wallet file is kept as %s", short_path(target))
    return target


def list_copies(folder: Path) -> list[SetAside]:
    """The copies in ``folder``, oldest first."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    except OSError as e:
        raise WalletError(f"cannot list {short_path(folder)} ({e.strerror or e})") from None
    out = []
    for name in names:
        path = folder / name
        seed, ledger = SEED_COPY.fullmatch(name), LEDGER_COPY.fullmatch(name)
        if not (seed or ledger) or not path.is_file():
            continue
        stat = path.stat()
        if seed:
            when = datetime.strptime(seed.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            address = _recorded_address(path)
            out.append(SetAside(path, "seed", when.strftime("%Y-%m-%dT%H:%M:%SZ"), address, stat.st_size))
        elif ledger:
            size = stat.st_size + sum(_size(path.with_name(name + s)) for s in ("-wal", "-shm"))
            when = datetime.fromtimestamp(stat.st_mtime, UTC)
            owner = ledger.group(1)
            out.append(SetAside(path, "ledger", when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                None if owner == "unknown" else owner, size))
    out.sort(key=lambda c: (c.time, c.path.name))
    return out


def remove_copy(folder: Path, path: Path) -> None:
    """Delete a replaced wallet file in ``folder``; anything else is refused."""
    path = Path(path)
    if path.parent.resolve() != folder.resolve() or not SEED_COPY.fullmatch(path.name):
        if LEDGER_COPY.fullmatch(path.name):
            raise WalletError(f"{path.name} holds the receipts of another account: imapp never removes "
                              "it (a restore of that account brings them back)")
        raise WalletError(f"{short_path(path)} is not a wallet file set aside by a restore: nothing "
                          "was removed")
    try:
        path.unlink()
    except FileNotFoundError:
        raise WalletError(f"{path.name} is no longer there") from None
    except OSError as e:
        raise WalletError(f"cannot remove {short_path(path)} ({e.strerror or e})") from None
    log.info("wallet: removed the set-aside wallet file %s", path.name)


def _recorded_address(path: Path) -> str | None:
    """The address a wallet file records (no passphrase needed); None if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return seedfile.parse(f.read(seedfile.MAX_FILE + 1), path).address or None
    except (OSError, WalletError):
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
