"""The wallet as the GUI and the CLI use it: one account, its seed store and its ledger.

``Wallet`` ties together ``SeedStore`` (where the words are), ``Account`` (the BCD address and
its key, derived when first needed) and ``Ledger`` (the receipts). It asks for the seed only when
something must be signed or backed up; showing the address and the balances never asks for a
passphrase nor makes the keyring prompt, and the address is checked against the key whenever
the key is at hand (``address_info``; the marker beside the seed is only a hint).

A restore that changes the account sets the old account's ledger aside as
``ledger-<address>.sqlite3`` (and brings back the new account's, if this machine had it
before), so no receipt is ever dropped.

Two locks: ``_lock`` guards the state (the account, the open ledger) and is held only for
quick work; ``_asking`` is held while the seed is read, which may wait for a person (the
passphrase dialog, a keyring prompt), so two unlocks never ask twice while balances, the
address and ``close()`` go on meanwhile (docs/architecture.md, "Threads and locks").
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.wallet.amounts import BCD_DECIMALS, IA_DEFAULT_DECIMALS, format_amount
from appstore.core.wallet.errors import NoWallet, WalletExists, WalletLocked
from appstore.core.wallet.keys import Account, SeedWords
from appstore.core.wallet.ledger import (
    Ledger,
    LedgerBroken,
    LedgerError,
    TrustSource,
    Verification,
    ledger_path,
)
from appstore.core.wallet.receipts import ASSETS, Receipt
from appstore.core.wallet.seedstore import UNCONFIRMED, AddressInfo, PassphraseSource, SeedStore, WalletStatus


@dataclass(frozen=True)
class Balance:
    """An amount of one asset in base units, with the decimals it is shown with."""

    asset: str
    units: int
    decimals: int

    @property
    def text(self) -> str:
        return format_amount(self.units, self.decimals)


@dataclass(frozen=True)
class Balances:
    """What the wallet holds: ``totals`` over every store (IA scaled to the most decimals any
    store uses, so nothing is rounded), ``stores`` each store's own, and ``pending`` what
    claims made offline may bring (never part of a balance). ``unanchored``: receipts of
    stores that are not among the user's stores or name no IA service: no signed policy
    vouches for their key, so they are shown apart and never counted."""

    totals: dict[str, Balance]
    stores: dict[str, dict[str, Balance]] = field(default_factory=dict)
    pending: dict[str, Balance] = field(default_factory=dict)
    pending_count: int = 0
    unanchored: dict[str, dict[str, Balance]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The ``wallet balance --json`` object: decimal strings, never floats."""
        out: dict[str, object] = {a: self.totals[a].text for a in ASSETS}
        out["pending"] = {a: b.text for a, b in self.pending.items()}
        out["stores"] = {s: {a: b.text for a, b in bs.items()} for s, bs in self.stores.items()}
        out["unanchored"] = {s: {a: b.text for a, b in bs.items()} for s, bs in self.unanchored.items()}
        return out


class Wallet:
    """The wallet of data dir ``paths``. ``decimals(store)`` gives IA's decimals from that
    store's signed policy (default ``IA_DEFAULT_DECIMALS``); ``trust(store)`` the keys that
    policy names for the store's IA service: the ledger's trust anchor (docs/ledger.md).
    Thread-safe: the GUI reads it from workers while its writer lane changes it."""

    def __init__(self, paths: Paths, *, passphrase: PassphraseSource | None = None,
                 seeds: SeedStore | None = None,
                 decimals: Callable[[str], int | None] | None = None,
                 trust: TrustSource | None = None) -> None:
        self.paths = paths
        self.seeds = seeds or SeedStore(paths, passphrase=passphrase)
        self._decimals = decimals
        self._trust = trust
        self._lock = threading.RLock()  # the state below; never held while anyone is asked
        self._asking = threading.Lock()  # one seed read (which may ask) at a time
        self._restoring = False  # a restore is saving the new words: readers keep to the old account
        # Each seed read that ended, and how the last one was refused (the person cancelled, the
        # keyring is locked): those who waited for that question get its answer, not another one.
        self._questions = 0
        self._refused: WalletLocked | None = None
        self._account: Account | None = None
        self._ledger: Ledger | None = None
        self._ledger_account: str | None = None

    # -- the account -------------------------------------------------------------------

    def status(self) -> WalletStatus:
        return self.seeds.status()

    def address(self, *, create: bool = False) -> str:
        """The account's address to show, known without the seed once the wallet exists
        (``address_info``); when it cannot be confirmed that way, the wallet is unlocked to
        confirm it. ``create`` makes a wallet first when there is none (``NoWallet`` otherwise)."""
        info = self.address_info(create=create)
        if info.address is not None:
            return info.address
        return self.account().address

    def give_address(self, *, create: bool = False) -> str:
        """The address to hand out (``wallet address``, Copy, the QR code, a DApp): one that
        only the marker vouches for is checked against the key first (which may ask)."""
        info = self.address_info(create=create)
        if info.may_hand_out and info.address is not None:
            return info.address
        return self.account(create=create).address

    def address_info(self, *, create: bool = False) -> AddressInfo:
        """The address and how far it is vouched for, asking no one: the key when it is at
        hand (derived earlier, an unlocked keyring, ``$IMAPP_WALLET_PASSPHRASE``), else the
        wallet file's checked header, else the marker. ``create``: as ``address``."""
        with self._lock:
            account, restoring = self._account, self._restoring
        if account is not None:
            if restoring or self.seeds.check_address(account.address) != "changed":
                return AddressInfo(account.address, "key")
            with self._lock:  # another process restored another wallet
                if self._account is account:
                    self._account = None
        status = self.seeds.status()
        if status.storage is None:
            if not create:
                raise NoWallet("there is no wallet yet: create one, or restore one from its words")
            return AddressInfo(self.account(create=True).address, "key")
        words = self.seeds.load_quietly()  # (a marker that disagrees with the key is repaired)
        if words is not None:
            return AddressInfo(self._install(Account.from_words(words)).address, "key")
        if status.storage == "file":
            return AddressInfo(status.address, "file", status.problem)
        return AddressInfo(status.address, "marker", UNCONFIRMED if status.address else status.problem)

    def account(self, *, create: bool = False) -> Account:
        """The account with its key (reads the seed: the keyring, or the passphrase). The
        question is asked holding no lock that readers or ``close()`` need; a call that waited
        for another's question shares its outcome (a cancel is not asked again at once)."""
        with self._lock:
            if self._account is not None:
                return self._account
            asked = self._questions
        with self._asking:
            with self._lock:  # another thread may have unlocked it while this one waited
                if self._account is not None:
                    return self._account
                if self._questions != asked and self._refused is not None:
                    raise type(self._refused)(self._refused.message)
            try:
                if create:
                    words, made = self.seeds.load_or_create()
                    if made:
                        log.info("wallet: a new wallet was made, address %s",
                                 Account.from_words(words).address)
                else:
                    words = self.seeds.load()
            except WalletLocked as e:
                self._asked(e)
                raise
            except BaseException:
                self._asked(None)
                raise
            self._asked(None)
            return self._install(Account.from_words(words))

    def account_at_hand(self) -> Account:
        """The account with its key, asking no one (derived earlier, an unlocked keyring,
        ``$IMAPP_WALLET_PASSPHRASE``): ``WalletLocked`` saying why when only a question would
        give it, ``NoWallet`` when there is none. For background reads, which must not open a
        dialog nobody asked for."""
        with self._lock:
            if self._account is not None:
                return self._account
        return self._install(Account.from_words(self.seeds.load(quiet=True)))

    def _asked(self, refused: WalletLocked | None) -> None:
        with self._lock:
            self._questions += 1
            self._refused = refused

    def _install(self, account: Account) -> Account:
        """Keep ``account`` as the unlocked one, unless another was kept meanwhile."""
        with self._lock:
            if self._account is None:
                self._account = account
            return self._account

    def words(self) -> SeedWords:
        """The seed words, for the backup screen only."""
        return self.seeds.load()

    def restore(self, words: SeedWords, *, replace: bool = False) -> str:
        """Make ``words`` this data dir's wallet (``WalletExists`` unless ``replace``, which
        the user confirmed); the old account's ledger is kept aside. Returns the address."""
        account = Account.from_words(words)
        new_address = account.address
        with self._asking:  # (saving may ask for a new passphrase: no state lock is held then)
            old = self.seeds.status()
            if old.storage is not None and not replace:
                shown = f" (address {old.address})" if old.address else ""
                raise WalletExists(f"there is already a wallet here{shown}: restoring replaces it only "
                                   "once you confirm")
            with self._lock:
                self._restoring = True
            try:
                self.seeds.save(words, replace=replace)
            except BaseException:
                with self._lock:
                    self._restoring = False
                raise
            with self._lock:
                self._restoring = False
                self._account = account  # the words are at hand: no unlock right after a restore
                if old.address != new_address:
                    self._swap_ledger(old.address, new_address)
        return new_address

    # -- the ledger -------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The receipts of this wallet's account (``NoWallet`` before there is one)."""
        address = self.address()
        with self._lock:
            if self._restoring and self._ledger is not None:
                return self._ledger  # the old account's, until the restore swaps it
            if self._ledger is None or self._ledger_account != address:
                if self._ledger is not None:
                    self._ledger.close()
                self._ledger = Ledger(ledger_path(self.paths), account=address, trust=self._trust)
                self._ledger_account = address
            return self._ledger

    def verify(self, progress: Callable[[int, int], None] | None = None) -> Verification:
        """Every receipt checked again, against the keys the stores' signed policies name."""
        return self.ledger.verify(progress=progress)

    def require_spendable(self) -> Verification:
        """The check before every spend (a swap, a payment, a stake, a withdrawal): the ledger's
        quick check, sealed with a secret of the account (which the spend signs with anyway);
        ``LedgerBroken`` naming the problem when it fails."""
        return self.ledger.quick_check(self.account().seal_key())

    def check_if_unlocked(self) -> None:
        """The check before a spend, run when the key is already at hand (asking no one), so a
        ledger changed behind imapp's back is found and shown as failed before its balance is
        read as true (docs/ledger.md). Sealed, it costs a few milliseconds."""
        with self._lock:
            account = self._account
        if account is not None:
            with contextlib.suppress(LedgerBroken):  # recorded: the page shows it
                self.ledger.quick_check(account.seal_key())

    def decimals(self, asset: str, store: str | None = None) -> int:
        if asset == "BCD":
            return BCD_DECIMALS
        if store is not None and self._decimals is not None:
            found = self._decimals(store)
            if found is not None:
                return found
        return IA_DEFAULT_DECIMALS

    def balance_text(self, asset: str, units: int, store: str | None) -> str:
        return format_amount(units, self.decimals(asset, store))

    def balances(self) -> Balances:
        """Every balance, from the ledger's running totals (a few small reads)."""
        ledger = self.ledger
        chains, claims = set(ledger.services()), ledger.pending()
        stores = sorted(chains | {c.store for c in claims})
        shown = {s: {a: Balance(a, units, self.decimals(a, s)) for a, units in ledger.balances(s).items()}
                 for s in stores}
        apart = {s: shown.pop(s) for s in self._unanchored(ledger, chains)}
        totals = {a: _sum(a, (bs[a] for bs in shown.values()), self.decimals(a)) for a in ASSETS}
        pending: dict[str, list[Balance]] = {}
        for claim in claims:
            if claim.amount is not None:
                pending.setdefault(claim.asset, []).append(
                    Balance(claim.asset, claim.amount, self.decimals(claim.asset, claim.store)))
        pending_totals = {a: _sum(a, bs, self.decimals(a)) for a, bs in pending.items()}
        return Balances(totals, shown, pending_totals, len(claims), apart)

    def _unanchored(self, ledger: Ledger, chains: set[str]) -> list[str]:
        """The stores with receipts that no signed policy vouches for (a policy that cannot be
        read just now does not make a store one of them)."""
        if self._trust is None:
            return []
        out = []
        for store in sorted(chains):
            try:
                if ledger.keys([store])[store] is None:
                    out.append(store)
            except LedgerError:
                continue
        return out

    def history(self, asset: str | None = None, kind: str | None = None, text: str | None = None, *,
                limit: int = 100, offset: int = 0) -> list[Receipt]:
        return self.ledger.history(asset, kind, text, limit=limit, offset=offset)

    def close(self) -> None:
        with self._lock:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    def _swap_ledger(self, old: str | None, new: str) -> None:
        """Set the current ledger aside under its account's name; bring back ``new``'s."""
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        live = ledger_path(self.paths)
        if live.exists():
            owner = old or _ledger_owner(live)
            if owner == new:
                return
            aside = _aside_path(live, owner or "unknown")
            _move_database(live, aside)
            log.info("wallet: the ledger of %s was set aside as %s", owner, aside.name)
        earlier = _aside_path(live, new)
        if earlier.exists():
            _move_database(earlier, live)
            log.info("wallet: the ledger of %s was brought back", new)


def _sum(asset: str, balances: Iterable[Balance], decimals: int) -> Balance:
    """Balances of one asset from several stores, scaled (exactly) to the most decimals."""
    items = list(balances)
    top = max([decimals, *(b.decimals for b in items)])
    return Balance(asset, sum(b.units * 10 ** (top - b.decimals) for b in items), top)


def _aside_path(live: Path, address: str) -> Path:
    return live.with_name(f"ledger-{address}.sqlite3")


def _ledger_owner(path: Path) -> str | None:
    try:
        led = Ledger(path)
        try:
            return led.account()
        finally:
            led.close()
    except LedgerError:
        return None


def _move_database(src: Path, dst: Path) -> None:
    """Move an SQLite database with its WAL and shared-memory files (closed beforehand)."""
    for suffix in ("-wal", "-shm", ""):
        s = src.with_name(src.name + suffix)
        if s.exists():
            os.replace(s, dst.with_name(dst.name + suffix))


__all__ = ["IA_DEFAULT_DECIMALS", "Balance", "Balances", "Wallet"]
