"""The wallet's own state and actions for the Wallet page: whether there is a wallet to show
(or one to set up, or an address that could not be confirmed), and creating a wallet protected by
a passphrase, unlocking it, changing its passphrase, the copies restores set aside, and an
address checked before it is copied. Every one runs on a worker of the ``WalletController``;
the passphrase is asked through its bridge (a dialog on the GUI thread while the worker waits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject

from appstore.core.jobs import JobContext
from appstore.core.logs import log
from appstore.core.wallet.errors import NoWallet, WalletLocked
from appstore.ui import texts
from appstore.ui.jobs import Job

if TYPE_CHECKING:
    from appstore.core.wallet.seedcopies import SetAside
    from appstore.core.wallet.wallet import Wallet
    from appstore.ui.wallet import WalletController, WalletSnapshot


@dataclass(frozen=True)
class WalletNeeds:
    """No account to show: ``setup`` there is no wallet and no system keyring can hold one (nor
    ``$IMAPP_WALLET_PASSPHRASE``): offer one protected by a passphrase, or a restore;
    ``unconfirmed`` its address could not be confirmed without the key (offer to unlock).
    ``detail``: why, from the core (English)."""

    kind: Literal["setup", "unconfirmed"]
    detail: str


def read_state(wallet: Wallet, create: bool, verified: bool) -> WalletSnapshot | WalletNeeds | None:
    """What the page shows, read on a worker. ``create``: make a wallet on first use when a
    system keyring may hold it (without one, the page offers the choice instead)."""
    from appstore.ui.wallet import snapshot_of

    made_now = wallet.status().storage is None
    if made_now:
        problem = wallet.seeds.needs_a_choice()
        if problem:
            log.info("wallet: none yet, and no system keyring (%s): the Wallet page offers one protected "
                     "by a passphrase", problem)
            return WalletNeeds("setup", problem)
        if not create:
            return None
    try:
        info = wallet.address_info(create=create)
    except NoWallet:
        return None
    except WalletLocked as e:
        if made_now:  # the keyring failed, the passphrase for a file was not given
            return WalletNeeds("setup", texts.error_text(e))
        raise
    if info.address is None:
        return WalletNeeds("unconfirmed", info.problem)
    return snapshot_of(wallet, info, verified)


class SeedActions(QObject):
    """See the module's docstring; ``owner`` is the page's ``WalletController``."""

    def __init__(self, owner: WalletController) -> None:
        super().__init__(owner)
        self.owner = owner

    def _run(self, fn: Callable[[Wallet, JobContext], Any], title: str,
             on_done: Callable[[Any], None] | None = None, lane: str = "wallet") -> Job | None:
        wallet = self.owner.wallet
        if wallet is None:
            return None
        return self.owner._submit(lambda ctx: fn(wallet, ctx), title, lane=lane, on_done=on_done)

    def create(self) -> Job | None:
        """A new wallet; without a keyring the seed store asks for a new passphrase."""
        from appstore.ui.wallet import snapshot_of

        return self._run(lambda w, ctx: snapshot_of(w, w.address_info(create=True), False),
                         "create the wallet", self.owner._loaded)

    def unlock(self) -> Job | None:
        """Read the key (asking for the passphrase): the address is confirmed, the marker repaired."""
        def run(w: Wallet, ctx: JobContext) -> Any:
            w.account()
            return read_state(w, False, False)

        return self._run(run, "unlock the wallet", self.owner._loaded)

    def change_passphrase(self, on_done: Callable[[Any], None]) -> Job | None:
        return self._run(lambda w, ctx: w.seeds.change_passphrase(), "change the passphrase", on_done)

    def copies(self, on_done: Callable[[list[SetAside]], None]) -> Job | None:
        return self._run(lambda w, ctx: w.seeds.copies(), "list the set-aside copies", on_done, lane="io")

    def remove_copies(self, paths: list[Path], on_done: Callable[[list[SetAside]], None]) -> Job | None:
        def run(w: Wallet, ctx: JobContext) -> list[SetAside]:
            for path in paths:
                w.seeds.remove_copy(path)
            return w.seeds.copies()

        def done(copies: list[SetAside]) -> None:
            on_done(copies)
            self.owner.load(create=False)  # the count on the page

        return self._run(run, "remove set-aside copies", done)

    def address_to_copy(self, on_done: Callable[[str], None]) -> Job | None:
        """The address, checked against the key first where only the marker vouches for it."""
        return self._run(lambda w, ctx: w.give_address(), "check the address", on_done, lane="io")
