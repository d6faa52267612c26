"""Wallet: the address (with its QR code), the IA and BCD balances and what is pending, the
balance over time, the history of receipts (filters and search), backup, restore and verify,
and a clear state when the ledger fails to verify. Without a system keyring the page offers a
wallet protected by a passphrase (``walletaccount.py``); every failure to read the wallet says
why on the page, with a way on (Try again, Unlock, Restore)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import localized
from appstore.core.wallet.keys import SeedWords
from appstore.core.wallet.ledger import Verification
from appstore.core.wallet.receipts import ASSETS, KINDS
from appstore.core.wallet.seedcopies import SetAside
from appstore.ui import texts
from appstore.ui.controller import Controller
from appstore.ui.wallet import RewardsRow, WalletController
from appstore.ui.walletaccount import AccountCard
from appstore.ui.walletchart import BalanceChart
from appstore.ui.walletcopies import CopiesDialog
from appstore.ui.walletdialogs import BackupDialog, RestoreDialog, confirm_show_words, copy_text
from appstore.ui.walletmodels import HistoryModel, fit_columns, kind_label
from appstore.ui.walletrewards import RewardsCard, SwapDialog, activity_label, rewards_title
from appstore.ui.walletseeds import WalletNeeds, WalletSnapshot
from appstore.ui.walletwithdraw import WithdrawDialog
from appstore.ui.widgets import banner_frame, card_frame, plain_label, section_title, wheel_scrolls_page


class WalletPage(QScrollArea):
    """The Wallet page (built when first shown)."""

    def __init__(self, controller: Controller, wallet: WalletController, lang: str) -> None:
        super().__init__()
        self.controller, self.wallet, self.lang = controller, wallet, lang
        self.snapshot: WalletSnapshot | None = None
        self._unconfirmed = False  # a wallet whose address could not be confirmed is there
        self._showing = ""  # what the account card shows: "", "account" or "needs"
        wallet.set_dialog_parent(self)
        self.setWidgetResizable(True)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(14)
        self._build_head(col)
        self._build_notices(col)
        self._build_top(col)
        self._build_rewards_and_chart(col)
        self._build_history(col)
        self.setWidget(page)

        wallet.changed.connect(self.show_snapshot)
        wallet.needs.connect(self.show_needs)
        controller.ready.connect(self.refresh)  # the page may be shown before the data dir is open
        wallet.verified.connect(self._verified)
        wallet.failed.connect(self._failed)
        self.model.loaded.connect(self._history_shown)
        if wallet.snapshot is not None:
            self.show_snapshot(wallet.snapshot)
        self.refresh()

    # -- building (once, in __init__) --------------------------------------------------

    def _build_head(self, col: QVBoxLayout) -> None:
        """The title, the page's buttons, and the last Verify's result under them."""
        head = QHBoxLayout()
        title = QLabel(self.tr("Wallet"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.verify_button = QPushButton(self.tr("Verify"))
        self.verify_button.setToolTip(self.tr("Check every receipt's signature, order and chain"))
        self.verify_button.clicked.connect(self.verify)
        self.backup_button = QPushButton(self.tr("Back up…"))
        self.backup_button.clicked.connect(self.backup)
        self.restore_button = QPushButton(self.tr("Restore…"))
        self.restore_button.clicked.connect(self.restore)
        self.swap_button = QPushButton(self.tr("Swap IA → BCD…"))
        self.swap_button.setObjectName("primary")
        self.swap_button.clicked.connect(self.swap)
        self.swap_button.setEnabled(False)
        self.withdraw_button = QPushButton(self.tr("Withdraw BCD…"))
        self.withdraw_button.setToolTip(self.tr("Send BCD from your account at a store to a BCD address"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.withdraw_button.setEnabled(False)
        for b in (self.swap_button, self.verify_button, self.backup_button, self.restore_button):
            head.addWidget(b)
        col.addLayout(head)
        self.verified_line = plain_label()  # the last Verify's result, until the next (not a status tip)
        self.verified_line.setProperty("muted", True)
        self.verified_line.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.verified_line.setVisible(False)
        col.addWidget(self.verified_line)

    def _build_notices(self, col: QVBoxLayout) -> None:
        """The ledger problem card and a dismissable notice, both hidden until needed."""
        self.problem_card, problem_col = card_frame()
        self.problem_card.setObjectName("banner")
        self.problem_title = section_title(self.tr("This wallet's ledger does not verify"))
        self.problem_text = plain_label()
        self.problem_text.setWordWrap(True)
        problem_col.addWidget(self.problem_title)
        problem_col.addWidget(self.problem_text)
        self.resync_button = QPushButton(self.tr("Re-sync from the store"))
        self.resync_button.clicked.connect(self.resync)
        problem_col.addWidget(self.resync_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.problem_card.setVisible(False)
        col.addWidget(self.problem_card)

        self.notice_card, notice_row = banner_frame()
        self.notice_text = plain_label()
        self.notice_text.setWordWrap(True)
        notice_row.addWidget(self.notice_text, 1)
        dismiss = QPushButton(self.tr("Dismiss"))
        dismiss.clicked.connect(self.notice_card.hide)
        notice_row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_card.setVisible(False)
        col.addWidget(self.notice_card)

    def _build_top(self, col: QVBoxLayout) -> None:
        """The account card (address, QR code) beside the balances."""
        top = QHBoxLayout()
        top.setSpacing(14)
        self.account = AccountCard()
        card = self.account  # (its parts under the page's names, as before)
        self.qr, self.address, self.copy_button = card.qr, card.address, card.copy_button
        self.lookalike, self.storage = card.lookalike, card.storage
        card.copy_address.connect(self.copy_address)
        card.create_wallet.connect(self.wallet.seeds.create)
        card.restore_wallet.connect(self.restore)
        card.unlock_wallet.connect(self.wallet.seeds.unlock)
        card.retry.connect(self.refresh)
        card.change_passphrase.connect(self.change_passphrase)
        card.list_copies.connect(self.show_copies)
        top.addWidget(card, 3)

        balance_card, balance_col = card_frame()
        balance_col.addWidget(section_title(self.tr("Balance")))
        self.balance_labels: dict[str, QLabel] = {}
        for asset in ASSETS:
            label = QLabel("—")
            label.setObjectName("balance" if asset == "IA" else "balanceSmall")
            self.balance_labels[asset] = label
            balance_col.addWidget(label)
        self.pending = plain_label()
        self.pending.setProperty("muted", True)
        self.pending.setWordWrap(True)
        balance_col.addWidget(self.pending)
        balance_col.addWidget(self.withdraw_button, 0, Qt.AlignmentFlag.AlignLeft)  # beside the BCD it sends
        balance_col.addStretch(1)
        top.addWidget(balance_card, 2)
        col.addLayout(top)

    def _build_rewards_and_chart(self, col: QVBoxLayout) -> None:
        rewards_card, rewards_col = card_frame()
        rewards_col.addWidget(rewards_title())
        self.rewards = RewardsCard()
        self.rewards.unlock_wanted.connect(self.wallet.seeds.unlock)
        rewards_col.addWidget(self.rewards)
        col.addWidget(rewards_card)

        chart_card, chart_col = card_frame()
        chart_head = QHBoxLayout()
        chart_head.addWidget(section_title(self.tr("Balance over time")))
        chart_head.addStretch(1)
        self.chart_asset = QComboBox()
        self.chart_asset.addItems(list(ASSETS))
        self.chart_asset.setMinimumWidth(90)
        self.chart_asset.setStyleSheet("min-width: 90px;")
        self.chart_asset.currentTextChanged.connect(lambda _: self._draw_chart())
        chart_head.addWidget(self.chart_asset)
        chart_col.addLayout(chart_head)
        self.chart = BalanceChart()
        chart_col.addWidget(self.chart)
        col.addWidget(chart_card)

    def _build_history(self, col: QVBoxLayout) -> None:
        """The receipts' filters, search and table."""
        history_card, history_col = card_frame()
        filters = QHBoxLayout()
        filters.addWidget(section_title(self.tr("History")))
        filters.addStretch(1)
        self.asset_filter = QComboBox()
        self.asset_filter.addItem(self.tr("All assets"), None)
        for asset in ASSETS:
            self.asset_filter.addItem(asset, asset)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(self.tr("All kinds"), None)
        for kind in KINDS:
            self.kind_filter.addItem(kind_label(kind), kind)
        wheel_scrolls_page(self.chart_asset, self.asset_filter, self.kind_filter)
        for combo in (self.asset_filter, self.kind_filter):
            combo.setStyleSheet("min-width: 120px;")
            combo.currentIndexChanged.connect(self._filters_changed)
            filters.addWidget(combo)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search receipts"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        filters.addWidget(self.search)
        history_col.addLayout(filters)
        self.model = HistoryModel(self.wallet.history, self.wallet.decimals, self._app_name, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(320)
        fit_columns(self.table)
        history_col.addWidget(self.table)
        self.empty_history = plain_label(self.tr("No receipts yet. You earn IA by browsing, sharing, "
                                                 "downloading, updating and opening apps."))
        self.empty_history.setProperty("muted", True)
        self.empty_history.setWordWrap(True)
        self.empty_history.setVisible(False)
        history_col.addWidget(self.empty_history)
        col.addWidget(history_card, 1)

    # -- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the wallet again (made on first use); its history follows the snapshot."""
        self.wallet.load(create=True)  # (the rewards follow each snapshot: none without an account)

    def _rewards_read(self, rows: list[RewardsRow]) -> None:
        self.rewards.show_rows(rows)
        self.swap_button.setEnabled(self.rewards.swap_row() is not None)

    def show_snapshot(self, snapshot: WalletSnapshot) -> None:
        self.snapshot = snapshot
        self._unconfirmed = False
        self._showing = "account"
        self.account.show_account(snapshot.address, snapshot.storage, snapshot.source != "marker",
                                  snapshot.note, snapshot.copies)
        for b in (self.backup_button, self.verify_button):
            b.setEnabled(True)
        for asset, label in self.balance_labels.items():
            label.setText(f"{snapshot.balances.totals[asset].text} {asset}")
        self.withdraw_button.setEnabled(self._bcd_store() is not None)
        pending = snapshot.balances
        if pending.pending_count:
            expected = ", ".join(f"+{b.text} {a}" for a, b in pending.pending.items())
            text = self.tr("%n claim(s) waiting for the store's service", "", pending.pending_count)
            self.pending.setText(text + (f" ({expected})" if expected else ""))
        else:
            self.pending.setText(self.tr("Nothing pending."))
        problem = snapshot.problem
        self.problem_card.setVisible(problem is not None)
        if problem is not None:
            self.problem_text.setText(self.tr(
                "%1. Nothing can be spent until the wallet is re-synced from store %2's service, which "
                "sends its receipts again; the rows it replaces are kept aside.").replace(
                    "%1", texts.core_text(str(problem))).replace("%2", problem.store))
        self._draw_chart()
        self.model.reload()
        self.wallet.rewards_status(self._rewards_read)  # today's progress (moved, or first seen)

    def show_needs(self, needs: WalletNeeds) -> None:
        """No account to show: set one up, or unlock to confirm its address."""
        self.snapshot = None
        self._unconfirmed = needs.kind == "unconfirmed"
        self._showing = "needs"
        if needs.kind == "setup":
            self.account.show_setup(needs.detail)
        else:
            self.account.show_unconfirmed(needs.detail)
        self.backup_button.setEnabled(needs.kind != "setup")  # (unlocking first, once there is one)
        self.verify_button.setEnabled(False)
        self.withdraw_button.setEnabled(False)
        for label in self.balance_labels.values():
            label.setText("—")
        self.pending.setText("")

    def _draw_chart(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        asset = self.chart_asset.currentText()
        self.chart.show_series(snapshot.series.get(asset, []), snapshot.decimals.get(asset, 0), asset)

    def _filters_changed(self) -> None:
        self.model.set_filters(self.asset_filter.currentData(), self.kind_filter.currentData(),
                               self.search.text())

    def _history_shown(self) -> None:
        empty = self.model.loaded_once and not self.model.rows
        filtered = any(self.model.filters)
        self.empty_history.setText(self.tr("No receipts match.") if filtered else self.tr(
            "No receipts yet. You earn IA by browsing, sharing, downloading, updating and opening apps."))
        self.empty_history.setVisible(empty)

    def _app_name(self, store: str, reference: str) -> str | None:
        """What a receipt was for, in words: a reward names its activity and app, a payment the
        DApp it went through."""
        from appstore.core.ia.protocol import parse_payment_reference, parse_reward_reference

        reward = parse_reward_reference(reference)
        payment = parse_payment_reference(reference) if reward is None else None
        app_id = reward[1] if reward is not None else payment[2] if payment is not None else reference
        view = self.controller.view
        name = view.app_name(store, app_id, self.lang) if view is not None and app_id else None
        if payment is not None:
            words = self.tr("Paid to %1") if payment[0] == "to" else self.tr("Received through %1")
            return words.replace("%1", name or app_id)
        if reward is None:
            return name
        return f"{activity_label(reward[0])} · {name or app_id}"

    # -- actions ---------------------------------------------------------------------

    def _tell(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    def swap(self) -> None:
        row = self.rewards.swap_row()
        if row is None or self.snapshot is None:
            return
        balance = self.snapshot.balances.stores.get(row.store, {}).get("IA")
        dialog = SwapDialog(self, self.wallet, row, balance.units if balance is not None else 0)
        if dialog.exec() == SwapDialog.DialogCode.Accepted and dialog.done_receipts:
            self._tell(self.tr("Swapped: the receipts are in your history."))

    def _bcd_store(self) -> tuple[str, int] | None:
        """The store holding the most BCD for this wallet, and how much (None: none holds any)."""
        if self.snapshot is None:
            return None
        held = [(b["BCD"].units, store) for store, b in self.snapshot.balances.stores.items()
                if "BCD" in b and b["BCD"].units > 0]
        if not held:
            return None
        units, store = max(held)
        return store, units

    def withdraw(self) -> None:
        found = self._bcd_store()
        if found is None:
            return
        store, units = found
        view = self.controller.view
        names = view.store_names.get(store) if view is not None else None
        label = localized(names, self.lang) if names else store
        dialog = WithdrawDialog(self, self.wallet, store, label, units)
        if dialog.exec() == WithdrawDialog.DialogCode.Accepted and dialog.receipt is not None:
            self._tell(self.tr("Withdrawal requested: its receipt is in your history."))

    def resync(self) -> None:
        self.wallet.sync()

    def copy_address(self) -> None:
        """The address, checked against the key first when only the marker vouches for it."""
        if self.snapshot is not None:
            self.wallet.seeds.address_to_copy(self._copy)

    def _copy(self, address: str) -> None:
        copy_text(address)
        self.copy_button.setText(self.tr("Copied"))
        QTimer.singleShot(1500, lambda: self.copy_button.setText(self.tr("Copy address")))
        if self.snapshot is None or address != self.snapshot.address or self.snapshot.source == "marker":
            self.refresh()  # it was confirmed (or corrected) meanwhile

    def change_passphrase(self) -> None:
        """The seed store asks the current passphrase, then a new one (dialogs on this thread)."""
        self.wallet.seeds.change_passphrase(
            lambda _: self._tell(self.tr("The wallet's passphrase was changed.")))

    def show_copies(self) -> None:
        def listed(copies: list[SetAside]) -> None:
            dialog = CopiesDialog(self, copies, self.wallet.seeds.remove_copies)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        self.wallet.seeds.copies(listed)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_button.setText(self.tr("Verifying…"))
        if self.wallet.verify() is None:
            self._verify_done()

    def _verify_done(self) -> None:
        self.verify_button.setEnabled(True)
        self.verify_button.setText(self.tr("Verify"))

    def _verified(self, result: Verification) -> None:
        self._verify_done()
        # (a failure shows on the problem card, with its way on)
        self.verified_line.setVisible(result.ok)
        if result.ok:
            self.verified_line.setText(self.tr("Verified: %1 receipts, all signatures good, at %2").replace(
                "%1", str(result.receipts)).replace("%2", datetime.now().strftime("%H:%M")))

    def _failed(self, message: str) -> None:
        """Said on the page: while nothing is shown yet, the card says it (Try again, Restore);
        else a notice above it (the main banner's Retry re-reads the stores, not the wallet)."""
        self._verify_done()
        if not self._showing:
            self.account.show_error(message)
        else:
            self.notice_text.setText(message)
            self.notice_card.setVisible(True)

    def backup(self) -> None:
        if not confirm_show_words(self):
            return
        self.wallet.words(self._show_words)

    def _show_words(self, words: SeedWords) -> None:
        BackupDialog(self, words).exec()

    def restore(self) -> None:
        current = self.snapshot.address if self.snapshot is not None else None
        if current is None and self._unconfirmed:  # a wallet is there: say so, never name a guess
            current = self.tr("whose address could not be confirmed")
        dialog = RestoreDialog(self, current)
        if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.words is None:
            return
        words = dialog.words
        dialog.words = None
        self.wallet.restore(words, replace=current is not None, on_done=self._restored)

    def _restored(self, snapshot: WalletSnapshot) -> None:
        text = self.tr("Restored the wallet %1.").replace("%1", snapshot.address)
        if snapshot.copies:
            text += " " + self.tr("What it replaced is kept aside: see the copies under your address.")
        self._tell(text)

