"""What is known of the wallet without unlocking it: where it is (``WalletStatus``), its address
and how far that is vouched for (``AddressInfo``), and where this data dir keeps it
(``wallet_dir``, ``wallet_id``). ``seedstore.py`` reads and keeps the wallet itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from appstore.core.paths import Paths
from appstore.core.wallet.seedmarker import Storage

UNCONFIRMED = ("the system keyring cannot be read now, so this address (recorded beside the wallet) "
               "is not confirmed against the wallet's key")
ADDRESS_CONFLICT = ("the address recorded beside the wallet (seedstore.json) is not the one in the wallet "
                    "file, so the address could not be confirmed: unlock the wallet to confirm it")


@dataclass(frozen=True)
class WalletStatus:
    """Where the wallet is, without unlocking it. ``storage`` None: no wallet yet. ``address``
    None when it is not known or could not be confirmed without the seed (``problem`` says
    why: a damaged wallet file, or a marker that disagrees with it). ``set_aside``: the wallet
    file a ``save`` moved aside."""

    storage: Storage | None
    address: str | None = None
    file: Path | None = None
    problem: str = ""
    set_aside: Path | None = None


@dataclass(frozen=True)
class AddressInfo:
    """The wallet's address and how far it is vouched for (docs/wallet.md, "The address
    marker"). ``source``: ``key`` derived from the seed; ``file`` the wallet file's header,
    intact and matching the marker (the file is not unlocked yet); ``marker`` the marker alone
    (the keyring cannot be read now). ``address`` None: it could not be confirmed (``problem``
    says why); never show or hand out a guess then."""

    address: str | None
    source: Literal["key", "file", "marker"]
    problem: str = ""

    @property
    def may_hand_out(self) -> bool:
        """Fit to give away (copy, QR, a DApp, a script) without reading the key first: only
        an address the key gave. The file's header and the marker are both writable by anyone
        who can write the data dir (its integrity record has no key), so two that agree are a
        hint to show, not evidence to hand out."""
        return self.address is not None and self.source == "key"


def wallet_dir(paths: Paths) -> Path:
    """``DATA/wallet``: the seed file, its marker and (elsewhere) the ledger."""
    return paths.root / "wallet"


def wallet_id(paths: Paths) -> str:
    """The keyring user name for the wallet of this data dir."""
    return "wallet-" + hashlib.sha256(str(paths.root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
