"""The wallet for the GUI: every read and write on a worker, results back as signals.

Writes (creating, restoring, verifying) run on the ``wallet`` writer lane, one at a time;
reads (a snapshot, a page of history) on the ``io`` reader lane. When the seed is in a
passphrase-protected file, the worker asks the GUI thread for the passphrase and waits
(``PassphraseBridge``); the GUI thread itself never touches the keyring, the seed or the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from appstore.core.errors import AppStoreError
from appstore.core.jobs import JobContext, current_context
from appstore.core.logs import log
from appstore.core.wallet.amounts import BCD_DECIMALS, IA_DEFAULT_DECIMALS, format_amount
from appstore.core.wallet.errors import WalletLocked
from appstore.ui import texts
from appstore.ui.controller import Controller
from appstore.ui.jobs import Job
from appstore.ui.walletseeds import SeedActions, WalletNeeds, WalletSnapshot, read_state, snapshot_of

if TYPE_CHECKING:  # the wallet's and the services' modules load when the wallet is first used
    from appstore.core.ia.messages import AccountStatus
    from appstore.core.ia.policy import RewardPolicy, SwapTerms
    from appstore.core.rewards import ClaimReport
    from appstore.core.wallet.ledger import Verification
    from appstore.core.wallet.receipts import Receipt
    from appstore.core.wallet.seedstore import PassphraseRequest
    from appstore.core.wallet.wallet import Wallet

STARTUP_CLAIM_DELAY_MS = 3000
RETRY_CLAIM_MS = 60_000  # claims a service did not answer are sent again after this, at the least



class PassphraseBridge(QObject):
    """Asks the GUI thread for the wallet file's passphrase from a worker, and waits for it.

    ``ask`` is the ``PassphraseSource`` given to the wallet; ``dialog`` (set by the page) is
    run on the GUI thread with the request and returns the passphrase or None."""

    _asked = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: Callable[[PassphraseRequest], str | None] | None = None
        self._asked.connect(self._on_gui, Qt.ConnectionType.QueuedConnection)
        if isinstance(parent, Controller):  # whatever makes the wallet first (the games, a DApp)
            if parent.services is not None:
                self._install(parent)
            else:
                parent.ready.connect(lambda: self._install(parent))

    def _install(self, controller: Controller) -> None:
        services = controller.services
        if services is not None and services.wallet_passphrase is None:
            services.wallet_passphrase = self.ask

    def ask(self, request: PassphraseRequest) -> str | None:
        box: dict[str, Any] = {"done": threading.Event(), "answer": None}
        self._asked.emit(request, box)
        # A worker waits for a person: give up only if the app is closing underneath, or the
        # job was cancelled (the app's shutdown may run inside this very dialog's event loop,
        # where the dialog cannot end before the shutdown stops waiting for the worker).
        job = current_context()
        while not box["done"].wait(0.5):
            app = QApplication.instance()
            if app is None or app.closingDown() or (job is not None and job.cancelled):
                box["gone"] = True  # (a question not yet shown is then never shown)
                return None
        answer = box["answer"]
        return answer if isinstance(answer, str) else None

    @Slot(object, object)
    def _on_gui(self, request: PassphraseRequest, box: dict[str, Any]) -> None:
        try:
            if self.dialog is not None and not box.get("gone"):
                box["answer"] = self.dialog(request)
        finally:
            box["done"].set()


ASK_PASSPHRASE = True  # False in screenshot mode (``app.open_app``)


class WalletController(QObject):
    """Signals: ``changed(WalletSnapshot)`` after every load or change; ``failed(str)`` a
    message to show; ``verified(Verification)`` a verification finished; ``notice(str)`` a
    short line for the status bar ("+2 IA — opened Parts Provenance", or why none was paid).

    One per window: a language switch makes a new window and a new controller, so what it
    hears from the app's ``Controller`` is connected to its own methods (the connections end
    with it), and the passphrase bridge is the app's one (the wallet keeps asking it)."""

    changed = Signal(object)
    failed = Signal(str)
    verified = Signal(object)
    notice = Signal(str)
    needs = Signal(object)  # WalletNeeds: no account to show (set one up, or unlock to confirm it)

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        bridge = controller.findChild(PassphraseBridge)
        self.bridge = bridge if bridge is not None else PassphraseBridge(controller)
        self.bridge.dialog = None  # (a page of an earlier window may have set it: its page sets it)
        self.snapshot: WalletSnapshot | None = None
        self._face: str | None = None  # what the page shows: "setup", "unconfirmed" or "account"
        self._verified_ok = False
        self._claiming: Job | None = None
        self._claim_again = False
        self._told: set[str] = set()  # the last round's problems, said once
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.claim)
        controller.activity.connect(self._recorded)
        # What waited from the last run (offline claims), once the window has drawn: the
        # service's first import costs a few hundred milliseconds of a worker's time.
        if controller.services is not None:  # made once the data dir was open
            self._claim_soon()
        else:
            controller.ready.connect(self._claim_soon)

    @Slot(object)
    def _recorded(self, _event: object) -> None:
        self.claim()

    @Slot()
    def _claim_soon(self) -> None:
        self._retry.start(STARTUP_CLAIM_DELAY_MS)

    # -- rewards ---------------------------------------------------------------------------

    def claim(self) -> None:
        """Send the claims for what was recorded; one round at a time, another after it if
        more was recorded meanwhile."""
        if self._claiming is not None:
            self._claim_again = True
            return
        services = self.controller.services
        if services is None or self.wallet is None:
            return

        def run(ctx: JobContext) -> tuple[ClaimReport, dict[str, int]] | None:
            wallet = services.wallet
            if wallet.status().storage is None and wallet.seeds.needs_a_choice():
                return None  # no wallet yet, and no keyring: the activities wait for the user's choice
            report = services.rewards.claim()
            # IA's decimals come from each store's policy (a file read): here, not on the GUI thread
            return report, {c.store: services.wallet.decimals("IA", c.store) for c in report.credits}

        def done(result: tuple[ClaimReport, dict[str, int]] | None) -> None:
            self._claiming = None
            if result is None:
                return
            report, decimals = result
            for line in _report_lines(report, decimals, self._app_name):
                self.notice.emit(line)
            for problem in report.problems:  # a service that stays down is said once
                if problem not in self._told:
                    self.notice.emit(self.tr("Rewards could not be claimed now: %1").replace("%1", problem))
            self._told = set(report.problems)
            if report.credits or report.refusals:
                self.load(create=False)
            if self._claim_again:
                self._claim_again = False
                self.claim()
            elif report.retry_after is not None and not self._retry.isActive():
                # what stays pending goes again later, not only at the next activity
                self._retry.start(max(RETRY_CLAIM_MS, int(report.retry_after * 1000)))

        def failed(message: str, _: BaseException) -> None:
            self._claiming = None
            self.notice.emit(self.tr("Rewards could not be claimed now: %1").replace("%1", message))

        self._claiming = self.controller.jobs.submit(run, lane="claims", title="claim rewards", key="wallet",
                                                     on_done=done, on_error=failed)

    def _app_name(self, store: str, app_id: str) -> str:
        view = self.controller.view
        return (view.app_name(store, app_id, texts.language()) if view is not None else None) or app_id

    def rewards_status(self, on_done: Callable[[Any], None]) -> Job | None:
        """Every store's policy and today's progress (``RewardsView`` rows), read on a worker."""
        services = self.controller.services
        if services is None:
            return None

        def read(ctx: JobContext) -> list[RewardsRow]:
            rows = []
            for store in services.rewards.stores_with_service():
                policy = services.rewards.policy(store)
                if policy is None:
                    continue
                locked = False
                try:  # (a background read: it never asks for the passphrase)
                    status, error = services.rewards.status(store, ask=False), None
                except WalletLocked as e:  # (the keyring cannot be read now: Unlock tries again)
                    status, error, locked = None, texts.error_text(e), True
                except AppStoreError as e:
                    status, error = None, texts.error_text(e)
                rows.append(RewardsRow(store, policy, status, error, services.rewards.terms(store), locked))
            return rows

        return self._submit(read, "read the rewards", lane="io", on_done=on_done)

    def quote(self, store: str, amount: int, on_done: Callable[[Any], None],
              on_error: Callable[[str, BaseException], None]) -> Job | None:
        services = self.controller.services
        if services is None:
            return None
        return self.controller.jobs.submit(lambda ctx: services.rewards.quote(store, amount), lane="io",
                                           title="ask for a quote", key="wallet", on_done=on_done,
                                           on_error=on_error)

    def swap(self, store: str, quote: Any, on_done: Callable[[Any], None],
             on_error: Callable[[str, BaseException], None]) -> Job | None:
        services = self.controller.services
        if services is None:
            return None

        def done(receipts: Any) -> None:
            self.load(create=False)
            on_done(receipts)

        return self.controller.jobs.submit(lambda ctx: services.rewards.swap(store, quote), lane="wallet",
                                           title="swap", key="wallet", on_done=done, on_error=on_error)

    def withdraw(self, store: str, address: str, units: int, on_done: Callable[[Any], None],
                 on_error: Callable[[str, BaseException], None]) -> Job | None:
        """Ask store ``store``'s service to send ``units`` BCD base units to ``address``; its
        ``withdrawal`` receipt goes in the ledger, then the page is read again."""
        services = self.controller.services
        if services is None:
            return None

        def done(receipt: Any) -> None:
            self.load(create=False)
            on_done(receipt)

        return self.controller.jobs.submit(lambda ctx: services.rewards.withdraw(store, address, units),
                                           lane="wallet", title="withdraw", key="wallet", on_done=done,
                                           on_error=on_error)

    def sync(self) -> Job | None:
        """Re-sync every store's receipts (and re-build a ledger that failed verification)."""
        services = self.controller.services
        if services is None:
            return None

        def run(ctx: JobContext) -> tuple[int, list[str]]:
            count, problems = 0, []
            for store in services.rewards.stores_with_service():
                try:  # one store that cannot be re-synced does not stop the others
                    count += services.rewards.sync(store)
                except AppStoreError as e:
                    problems.append(texts.error_text(e))
            return count, problems

        def done(result: tuple[int, list[str]]) -> None:
            count, problems = result
            self.notice.emit(self.tr("Re-synced: %1 receipt(s) received.").replace("%1", str(count)))
            for problem in problems:
                self.failed.emit(problem)
            self._verified_ok = False
            self.load(create=False)

        return self._submit(run, "re-sync the wallet", on_done=done)

    @property
    def wallet(self) -> Wallet | None:
        services = self.controller.services
        if services is None:
            return None
        if services.wallet_passphrase is None:
            services.wallet_passphrase = self.bridge.ask
        wallet = services.wallet
        if wallet.seeds.passphrase is None:  # (made before the bridge was installed)
            wallet.seeds.passphrase = self.bridge.ask
        return wallet

    @property
    def seeds(self) -> SeedActions:
        """Create, unlock, change the passphrase, copies (``walletseeds.py``)."""
        actions = self.findChild(SeedActions)
        return actions if actions is not None else SeedActions(self, self)

    def _submit(self, fn: Callable[[JobContext], Any], title: str, *, lane: str = "wallet",
                on_done: Callable[[Any], None] | None = None) -> Job | None:
        if self.wallet is None:
            return None
        return self.controller.jobs.submit(fn, lane=lane, title=title, key="wallet", on_done=on_done,
                                           on_error=lambda message, _: self.failed.emit(message))

    def load(self, *, create: bool = True) -> Job | None:
        """Read the snapshot (making the wallet first if there is none and ``create``)."""
        wallet = self.wallet
        if wallet is None:
            return None
        verified = self._verified_ok

        def read(ctx: JobContext) -> WalletSnapshot | WalletNeeds | None:
            return read_state(wallet, create, verified)

        return self._submit(read, "read the wallet", on_done=self._loaded)

    def _loaded(self, snapshot: WalletSnapshot | WalletNeeds | None) -> None:
        if isinstance(snapshot, WalletNeeds):
            self.needs.emit(snapshot)
        elif snapshot is not None:
            self.snapshot = snapshot
            self.changed.emit(snapshot)
        face = snapshot.kind if isinstance(snapshot, WalletNeeds) else "account" if snapshot else None
        if face is not None and face != self._face:  # (the page has changed by now: a test waits for it)
            self._face = face
            log.info("wallet: the Wallet page shows %s", face)

    def verify(self) -> Job | None:
        wallet = self.wallet
        if wallet is None:
            return None

        def check(ctx: JobContext) -> tuple[Verification, WalletSnapshot]:
            result = wallet.verify()  # (its progress has no one to show it: the page says "Verifying…")
            return result, snapshot_of(wallet, wallet.address_info(), result.ok)

        def done(result: tuple[Verification, WalletSnapshot]) -> None:
            self._verified_ok = result[0].ok
            self.verified.emit(result[0])
            self._loaded(result[1])

        return self._submit(check, "verify the ledger", on_done=done)

    def words(self, on_done: Callable[[Any], None]) -> Job | None:
        """The seed words for the backup dialog (read on a worker, handed to ``on_done``)."""
        wallet = self.wallet
        if wallet is None:
            return None
        return self._submit(lambda ctx: wallet.words(), "read the seed words", on_done=on_done)

    def restore(self, words: Any, replace: bool, on_done: Callable[[Any], None]) -> Job | None:
        wallet = self.wallet
        if wallet is None:
            return None
        self._verified_ok = False

        def run(ctx: JobContext) -> WalletSnapshot:
            wallet.restore(words, replace=replace)
            return snapshot_of(wallet, wallet.address_info(), False)

        def done(snapshot: WalletSnapshot) -> None:
            self._loaded(snapshot)
            on_done(snapshot)

        return self._submit(run, "restore the wallet", on_done=done)

    def history(self, filters: tuple[str | None, str | None, str | None], offset: int, limit: int,
                on_done: Callable[[list[Receipt]], None]) -> Job | None:
        """A page of receipts (newest first) matching ``(asset, kind, text)``."""
        wallet = self.wallet
        if wallet is None:
            return None
        asset, kind, text = filters
        return self._submit(lambda ctx: wallet.history(asset, kind, text, limit=limit, offset=offset),
                            "read the wallet's history", lane="io", on_done=on_done)

    def decimals(self, asset: str, store: str | None) -> int:
        """From the last snapshot, read on a worker (the policy behind it is a file)."""
        snapshot = self.snapshot
        if snapshot is not None and store in snapshot.balances.stores:
            return snapshot.balances.stores[store][asset].decimals
        return BCD_DECIMALS if asset == "BCD" else IA_DEFAULT_DECIMALS

    def set_dialog_parent(self, widget: QWidget) -> None:
        """Where the passphrase dialog opens (the page sets itself). Not in screenshot mode:
        nobody is there to answer, so the wallet says a passphrase is needed instead."""
        if not ASK_PASSPHRASE:
            return
        from appstore.ui.walletpass import ask_passphrase

        def ask(request: PassphraseRequest) -> str | None:
            # A worker may still wait when the page is gone (its window closed, and no new page
            # took the bridge over): nobody is there to answer, so the question is cancelled
            # (a dialog on a deleted parent would crash).
            return ask_passphrase(widget, request) if shiboken6.isValid(widget) else None

        self.bridge.dialog = ask


@dataclass(frozen=True)
class RewardsRow:
    """One store's rewards: its policy, and the service's view of today (None: unreachable,
    ``error`` says why, or ``locked``)."""

    store: str
    policy: RewardPolicy
    status: AccountStatus | None
    error: str | None
    terms: SwapTerms | None
    locked: bool = False  # the address cannot be confirmed without the key: Unlock reads it


def _report_lines(report: ClaimReport, decimals: dict[str, int],
                  name: Callable[[str, str], str]) -> list[str]:
    words = {"browse": QCoreApplication.translate("wallet", "browsed %1"),
             "forward": QCoreApplication.translate("wallet", "shared %1"),
             "download": QCoreApplication.translate("wallet", "downloaded %1"),
             "update": QCoreApplication.translate("wallet", "updated %1"),
             "open": QCoreApplication.translate("wallet", "opened %1")}
    lines = []
    for c in report.credits:
        amount = format_amount(c.receipt.amount, decimals[c.store])
        lines.append(f"+{amount} IA — " + words.get(c.kind, "%1").replace("%1", name(c.store, c.app_id)))
    reasons = {"duplicate": QCoreApplication.translate("wallet", "already credited"),
               "cap-kind": QCoreApplication.translate("wallet", "today's cap for this activity is reached"),
               "cap-total": QCoreApplication.translate("wallet", "today's total cap is reached"),
               "unknown-app": QCoreApplication.translate("wallet", "the store does not list this app")}
    for r in report.refusals:
        if r.code == "too-short":
            continue  # a glance at a page is not worth a message
        what = words.get(r.kind, "%1").replace("%1", name(r.store, r.app_id))
        lines.append(QCoreApplication.translate("wallet", "No IA for %1: %2").replace("%1", what).replace(
            "%2", reasons.get(r.code) or texts.core_text(r.message)))
    return lines
