"""The Wallet page's Rewards card (what each activity pays, today's progress against every cap,
the next dividend) and the Swap dialog (amount, live quote with its countdown, fee, what is
received, confirm)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.errors import AppStoreError
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount, parse_amount
from appstore.ui import texts
from appstore.ui.wallet import RewardsRow, WalletController
from appstore.ui.walletmodels import local_time
from appstore.ui.widgets import clear_layout, plain_label, section_title


def activity_label(kind: str) -> str:
    return {"browse": QCoreApplication.translate("rewards", "Browsing an app"),
            "forward": QCoreApplication.translate("rewards", "Sharing an app"),
            "download": QCoreApplication.translate("rewards", "Downloading an app"),
            "update": QCoreApplication.translate("rewards", "Updating an app"),
            "open": QCoreApplication.translate("rewards", "Opening an app")}.get(kind, kind)


class RewardsCard(QWidget):
    """Filled from ``RewardsRow``s: one block per store with a service. ``unlock_wanted``: the
    Unlock button of a row whose address only the key can confirm (the keyring unreadable)."""

    unlock_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.col = QVBoxLayout(self)
        self.col.setContentsMargins(0, 0, 0, 0)
        self.col.setSpacing(8)
        self.rows: list[RewardsRow] = []
        # (until the stores' policies are read, which waits for a wallet: no claim it cannot keep)
        self.empty = plain_label(self.tr("What each activity earns shows here once your wallet is ready."))
        self.empty.setProperty("muted", True)
        self.col.addWidget(self.empty)

    def show_rows(self, rows: list[RewardsRow]) -> None:
        self.rows = rows
        clear_layout(self.col)
        if not rows:
            self.empty = plain_label(self.tr("None of your stores pays rewards."))
            self.empty.setProperty("muted", True)
            self.col.addWidget(self.empty)
            return
        for row in rows:
            self.col.addWidget(self._block(row))

    def swap_row(self) -> RewardsRow | None:
        """The store the Swap button swaps at: the first that publishes terms and whose service
        answered (or would, once the wallet is unlocked)."""
        return next((r for r in self.rows if r.terms is not None and (r.status is not None or r.locked)),
                    None)

    def _block(self, row: RewardsRow) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        d = row.policy.decimals
        status = row.status
        for i, (kind, pays) in enumerate(row.policy.rewards.items()):
            grid.addWidget(plain_label(activity_label(kind)), i, 0)
            grid.addWidget(plain_label(f"+{format_amount(pays, d)} IA"), i, 1, Qt.AlignmentFlag.AlignRight)
            bar = QProgressBar()
            bar.setFixedHeight(6)
            bar.setTextVisible(False)
            cap = row.policy.caps.get(kind, 0)
            bar.setRange(0, max(1, cap))
            done = status.kinds[kind].count if status is not None and kind in status.kinds else 0
            bar.setValue(min(done, cap))
            grid.addWidget(bar, i, 2)
            count = plain_label(self.tr("%1 of %2 today").replace("%1", str(done)).replace("%2", str(cap)))
            count.setProperty("muted", True)
            grid.addWidget(count, i, 3)
        grid.setColumnStretch(2, 1)
        n = len(row.policy.rewards)
        if status is not None:
            total = self.tr("Today: %1 of %2 IA (days are UTC)").replace(
                "%1", format_amount(status.total_amount, d)).replace(
                "%2", format_amount(row.policy.daily_cap, d))
            grid.addWidget(plain_label(total), n, 0, 1, 4)
            if status.next_dividend:
                pool = row.policy.dividend.amount if row.policy.dividend else status.pool
                dividend = self.tr("Next dividend %1: %2 IA shared among all holders, by balance.")
                dividend = dividend.replace("%1", local_time(status.next_dividend)).replace(
                    "%2", format_amount(pool, d))
                grid.addWidget(plain_label(dividend), n + 1, 0, 1, 4)
        elif row.locked:
            locked = QHBoxLayout()
            note = plain_label(self.tr("Today's progress cannot be read now: %1")
                               .replace("%1", row.error or ""))
            note.setWordWrap(True)
            note.setProperty("muted", True)
            locked.addWidget(note, 1)
            unlock = QPushButton(self.tr("Unlock…"))
            unlock.clicked.connect(self.unlock_wanted)
            locked.addWidget(unlock)
            grid.addLayout(locked, n, 0, 1, 4)
        else:
            problem = plain_label(self.tr("The store's service cannot be reached now; claims wait and are "
                                          "sent later. (%1)").replace("%1", row.error or ""))
            problem.setWordWrap(True)
            problem.setProperty("muted", True)
            grid.addWidget(problem, n, 0, 1, 4)
        if len(self.rows) > 1:
            outer = QWidget()
            col = QVBoxLayout(outer)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(section_title(row.store))
            col.addWidget(box)
            return outer
        return box


class SwapDialog(QDialog):
    """Swap IA for BCD: a quote is asked 400 ms after the amount changes, shown with its
    countdown; Confirm accepts that exact quote (the service refuses it once expired)."""

    def __init__(self, parent: QWidget, wallet: WalletController, row: RewardsRow, balance: int) -> None:
        super().__init__(parent)
        self.wallet, self.row, self.balance = wallet, row, balance
        self.quote: Any = None
        self.setWindowTitle(self.tr("Swap IA for BCD"))
        self.setMinimumWidth(460)
        self.d = row.policy.decimals
        terms = row.terms
        col = QVBoxLayout(self)
        intro = plain_label(self.tr("%1 swaps IA for BCD at the rate it publishes. BCD stays in your "
                                    "account at this store until you withdraw it.").replace(
                                        "%1", texts.store_name(wallet.controller.view, row.store)))
        intro.setWordWrap(True)
        col.addWidget(intro)
        form = QFormLayout()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("IA to swap"))
        form.addRow(self.tr("Amount"), self.amount)
        # the rate is the store's published one: known before any quote
        self.rate = plain_label(self.tr("%1 BCD per IA").replace("%1", terms.rate_text) if terms else "—")
        self.fee = plain_label("—")
        self.receive = plain_label("—")
        f = self.receive.font()
        f.setWeight(f.Weight.Bold)  # 700: Chinese gets a synthetic bold too
        self.receive.setFont(f)
        self.expires = plain_label("—")
        form.addRow(self.tr("Rate"), self.rate)
        form.addRow(self.tr("Fee"), self.fee)
        form.addRow(self.tr("You receive"), self.receive)
        form.addRow(self.tr("Quote valid"), self.expires)
        col.addLayout(form)
        limits = ""
        if terms is not None:
            limits = self.tr("From %1 to %2 IA per swap; you have %3 IA.").replace(
                "%1", format_amount(terms.min_ia, self.d)).replace(
                "%2", format_amount(terms.max_ia, self.d)).replace("%3", format_amount(balance, self.d))
        self.limits = limits
        self.status = plain_label(limits)
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        col.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = self.buttons.addButton(self.tr("Swap"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setEnabled(False)
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self._ask_timer = QTimer(self)
        self._ask_timer.setSingleShot(True)
        self._ask_timer.setInterval(400)
        self._ask_timer.timeout.connect(self._ask)
        self.amount.textChanged.connect(self._changed)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._countdown)
        self._asked = 0
        self.done_receipts: Any = None

    def _changed(self) -> None:
        self.quote = None
        self.confirm.setEnabled(False)
        self._tick.stop()
        asking = bool(self.amount.text().strip())
        # at once, not after the pause before asking: the figures are on their way
        for label in (self.fee, self.receive, self.expires):
            label.setText(self.tr("Getting a quote…") if asking and label is self.receive else
                          "…" if asking else "—")
        if asking:
            self.status.setText(self.tr("Asking the store for a quote…"))
            self._ask_timer.start()
        else:
            self._ask_timer.stop()
            self.status.setText(self.limits)

    def _no_quote(self, message: str) -> None:
        for label in (self.fee, self.receive, self.expires):
            label.setText("—")
        self.status.setText(message)

    def _ask(self) -> None:
        text = self.amount.text().strip()
        if not text:
            return
        try:
            units = parse_amount(text, self.d)
        except AppStoreError as e:
            self._no_quote(texts.error_text(e))
            return
        if units > self.balance:
            self._no_quote(self.tr("That is more than the %1 IA you have.").replace(
                "%1", format_amount(self.balance, self.d)))
            return
        self._asked += 1
        asked = self._asked
        self.status.setText(self.tr("Asking the store for a quote…"))
        self.wallet.quote(self.row.store, units, lambda q: self._quoted(asked, q),
                          lambda message, _: self._quote_failed(asked, message))

    def _quoted(self, asked: int, quote: Any) -> None:
        if asked != self._asked:
            return  # the amount changed meanwhile
        self.quote = quote
        self.rate.setText(self.tr("%1 BCD per IA").replace("%1", self.row.terms.rate_text if self.row.terms
                                                             else quote.rate))
        self.fee.setText(f"{format_amount(quote.fee, self.d)} IA")
        self.receive.setText(f"{format_amount(quote.bcd_out, BCD_DECIMALS)} BCD")
        self.status.setText(self.tr("The amount received is rounded down to whole base units."))
        self.confirm.setEnabled(quote.bcd_out > 0)
        self._countdown()
        self._tick.start()

    def _quote_failed(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._no_quote(message)

    def _countdown(self) -> None:
        if self.quote is None:
            self._tick.stop()
            return
        left = int((self.quote.expires_at() - datetime.now(UTC)).total_seconds())
        if left <= 0:
            self.expires.setText(self.tr("expired: asking again…"))
            self.confirm.setEnabled(False)
            self.quote = None
            self._ask()
            return
        self.expires.setText(self.tr("%1 s").replace("%1", str(left)))

    def _confirm(self) -> None:
        quote = self.quote
        if quote is None:
            return
        self.confirm.setEnabled(False)
        self._tick.stop()
        self.status.setText(self.tr("Swapping…"))

        def done(receipts: Any) -> None:
            self.done_receipts = receipts
            self.accept()

        def failed(message: str, _: BaseException) -> None:
            self.status.setText(message)
            self._changed()

        self.wallet.swap(self.row.store, quote, done, failed)


def rewards_title() -> QLabel:
    return section_title(QCoreApplication.translate("rewards", "Rewards"))
