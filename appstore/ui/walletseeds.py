"""The wallet's own state and actions for the Wallet page: what it shows (``WalletSnapshot``),
whether there is a wallet to show (or one to set up, or an address that could not be
confirmed), and creating a wallet protected by a passphrase, unlocking it, changing its
passphrase, the copies restores set aside, and an address checked before it is copied. Every
one runs on a worker of the ``WalletController``; the passphrase is asked through its bridge (a
dialog on the GUI thread while the worker waits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PySide6.QtCore import QObject

from appstore.core.jobs import JobContext
from appstore.core.logs import log
from appstore.core.wallet.errors import NoWallet, WalletLocked
from appstore.ui import texts
from appstore.ui.jobs import Job

if TYPE_CHECKING:
    from appstore.core.wallet.ledger import Problem
    from appstore.core.wallet.seedcopies import SetAside
    from appstore.core.wallet.seedstore import AddressInfo
    from appstore.core.wallet.wallet import Balances, Wallet


@dataclass(frozen=True)
class WalletSnapshot:
    """What the Wallet page shows, read in one go on a worker."""

    address: str
    storage: str  # "keyring" or "file"
    balances: Balances
    problem: Problem | None  # the last verification's finding (None: fine, or never run)
    verified: bool  # a verification ran in this snapshot's session and passed
    # asset -> the balance before the first receipt read, then (time, balance) after each
    series: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)
    source: str = "key"  # AddressInfo.source: "key", "file" (not unlocked yet), "marker" (unconfirmed)
    note: str = ""  # why the address is not confirmed ("" when it is)
    copies: int = 0  # wallet files and ledgers that restores set aside


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


class SeedOwner(Protocol):
    """What the actions use of the page's ``wallet.WalletController``, which runs them: declared
    here, as that module is built on this one."""

    @property
    def wallet(self) -> Wallet | None: ...

    def load(self, *, create: bool = True) -> Job | None: ...

    def _submit(self, fn: Callable[[JobContext], Any], title: str, *, lane: str = "wallet",
                on_done: Callable[[Any], None] | None = None) -> Job | None: ...

    def _loaded(self, snapshot: WalletSnapshot | WalletNeeds | None) -> None: ...


class SeedActions(QObject):
    """See the module's docstring; ``owner`` is the page's ``WalletController`` (``parent``)."""

    def __init__(self, owner: SeedOwner, parent: QObject) -> None:
        super().__init__(parent)
        self.owner = owner

    def _run(self, fn: Callable[[Wallet, JobContext], Any], title: str,
             on_done: Callable[[Any], None] | None = None, lane: str = "wallet") -> Job | None:
        wallet = self.owner.wallet
        if wallet is None:
            return None
        return self.owner._submit(lambda ctx: fn(wallet, ctx), title, lane=lane, on_done=on_done)

    def create(self) -> Job | None:
        """A new wallet; without a keyring the seed store asks for a new passphrase."""
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


def snapshot_of(wallet: Wallet, info: AddressInfo, verified: bool) -> WalletSnapshot:
    """What the page shows of an account whose address ``info`` has (not None)."""
    assert info.address is not None
    wallet.check_if_unlocked()  # a ledger changed behind imapp's back shows as failed, not as money
    ledger = wallet.ledger
    balances = wallet.balances()
    series: dict[str, list[tuple[str, int]]] = {}
    for asset, total in balances.totals.items():
        # Sums of base units over every store: exact while the stores agree on IA's decimals
        # (the balances beside the chart are exact either way). The balance before the first
        # receipt read, then after each (the chart's steps).
        changes = ledger.recent_changes(asset)
        running = total.units - sum(change for _, change in changes)
        points = [(changes[0][0], running)] if changes else []
        for time, change in changes:
            running += change
            points.append((time, running))
        series[asset] = points
    status = wallet.status()
    return WalletSnapshot(info.address, status.storage or "keyring", balances, ledger.problem, verified,
                          series, {a: b.decimals for a, b in balances.totals.items()},
                          "key" if info.may_hand_out else info.source, info.problem,
                          len(wallet.seeds.copies()))
