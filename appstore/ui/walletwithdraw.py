"""The Withdraw dialog: BCD leaves the account at a store for a BCD address. The address is
checked as it is typed (``decode_address``: P2PKH ``1…`` or P2SH ``3…``), with the look-alike
Bitcoin warning; the amount is parsed to base units (never a float), Max fills the balance; a
second step names the store, the amount and the address before anything is sent. The store's
service charges no fee for a withdrawal (docs/ia-service.md, "Withdrawals")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.errors import AppStoreError
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount, parse_amount
from appstore.core.wallet.errors import BadAddress
from appstore.ui.wallet import WalletController
from appstore.ui.widgets import plain_label


def address_problem(text: str) -> str | None:
    """Why ``text`` is not a BCD address, in the GUI's language (None: it is one)."""
    from appstore.core.wallet.address import ALPHABET, b58check_decode, decode_address

    try:
        decode_address(text)
        return None
    except BadAddress:
        pass
    s = text.strip()
    if not s:
        return QCoreApplication.translate(
            "WithdrawDialog", "Enter a BCD address (it starts with 1 or 3, like a Bitcoin address).")
    bad = next((c for c in s if c not in ALPHABET), None)
    if bad is not None:
        return QCoreApplication.translate(
            "WithdrawDialog", "This is not a BCD address: it has a character an address never has, "
            "“%1” (0, O, I and l are never used).").replace("%1", bad)
    if not 25 <= len(s) <= 35:
        return QCoreApplication.translate(
            "WithdrawDialog", "This is not a BCD address: an address has 25 to 35 characters.")
    try:
        b58check_decode(s)
    except ValueError:
        return QCoreApplication.translate(
            "WithdrawDialog", "This is not a BCD address: its checksum does not match (a character is "
            "wrong or missing).")
    return QCoreApplication.translate(
        "WithdrawDialog", "This is some other kind of key or address: a BCD address starts with 1 or 3.")


def amount_problem(e: AppStoreError) -> str:
    code = getattr(e, "code", "")
    if code == "empty":
        return QCoreApplication.translate("WithdrawDialog", "Enter the amount of BCD to withdraw.")
    if code == "zero":
        return QCoreApplication.translate("WithdrawDialog", "The amount must be more than 0.")
    if code == "too-many-decimals":
        return QCoreApplication.translate("WithdrawDialog", "BCD has at most 7 decimal places.")
    if code == "negative":
        return QCoreApplication.translate("WithdrawDialog", "The amount cannot be negative.")
    return QCoreApplication.translate("WithdrawDialog", "That is not an amount: type a number such as 0.05.")


def service_problem(message: str, error: BaseException) -> str:
    """A refusal of the store's service, in words (its own message for the rarer ones)."""
    code = getattr(error, "code", "")
    if code == "insufficient":
        return QCoreApplication.translate(
            "WithdrawDialog", "The store says your BCD balance is too low for this withdrawal.")
    if code == "bad-address":
        return QCoreApplication.translate(
            "WithdrawDialog", "The store refused this address: it is not a BCD address it can send to.")
    if code == "unreachable":
        return QCoreApplication.translate(
            "WithdrawDialog", "The store's service cannot be reached now; nothing was withdrawn. Try again "
            "later.")
    if code == "rate-limited":
        return QCoreApplication.translate(
            "WithdrawDialog", "The store asks to slow down; nothing was withdrawn. Try again in a moment.")
    return QCoreApplication.translate("WithdrawDialog", "Nothing was withdrawn: %1").replace("%1", message)


class WithdrawDialog(QDialog):
    """Withdraw BCD from the account at store ``store`` (shown as ``store_label``), up to
    ``balance`` base units. ``receipt`` holds the withdrawal receipt once it is done."""

    def __init__(self, parent: QWidget, wallet: WalletController, store: str, store_label: str,
                 balance: int) -> None:
        super().__init__(parent)
        self.wallet, self.store, self.store_label, self.balance = wallet, store, store_label, balance
        self.receipt: Any = None
        self.units: int | None = None
        self.confirming = False
        self.setWindowTitle(self.tr("Withdraw BCD"))
        self.setMinimumWidth(480)
        col = QVBoxLayout(self)
        intro = plain_label(self.tr("%1 sends BCD from your account at this store to a BCD address. "
                                    "You have %2 BCD there.").replace("%1", store_label).replace(
                                        "%2", format_amount(balance, BCD_DECIMALS)))
        intro.setWordWrap(True)
        col.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit()
        self.address.setObjectName("mono")
        self.address.setPlaceholderText(self.tr("BCD address (1… or 3…)"))
        form.addRow(self.tr("To address"), self.address)
        amount_row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("BCD to withdraw"))
        self.max_button = QPushButton(self.tr("Max"))
        self.max_button.clicked.connect(self.fill_max)
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.max_button)
        form.addRow(self.tr("Amount"), amount_row)
        form.addRow(self.tr("Fee"), plain_label(self.tr("no fee")))
        col.addLayout(form)
        # (LOOKALIKE_NOTE's words, translated)
        self.lookalike = plain_label(self.tr("A BCD address looks exactly like a Bitcoin (BTC) address: "
                                             "check that whoever sends to it, or receives from it, means "
                                             "BCD."))
        self.lookalike.setWordWrap(True)
        self.lookalike.setProperty("muted", True)
        col.addWidget(self.lookalike)
        self.status = plain_label(" ")
        self.status.setWordWrap(True)
        col.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = self.buttons.addButton(self.tr("Withdraw…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setEnabled(False)
        self.buttons.accepted.connect(self._next)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.address.textChanged.connect(self.check)
        self.amount.textChanged.connect(self.check)

    def fill_max(self) -> None:
        self.amount.setText(format_amount(self.balance, BCD_DECIMALS))

    def check(self) -> bool:
        """Check both fields (no I/O); the first problem is said, and Withdraw waits for none."""
        self.confirming = False
        self.confirm.setText(self.tr("Withdraw…"))
        self.units = None
        problem = None
        if self.address.text().strip():
            problem = address_problem(self.address.text())
        if problem is None and self.amount.text().strip():
            try:
                self.units = parse_amount(self.amount.text(), BCD_DECIMALS, unit="BCD")
            except AppStoreError as e:
                problem = amount_problem(e)
            else:
                if self.units > self.balance:
                    problem = self.tr("That is more than the %1 BCD you have at this store.").replace(
                        "%1", format_amount(self.balance, BCD_DECIMALS))
        ready = problem is None and self.units is not None and bool(self.address.text().strip())
        self.status.setText(problem or " ")
        self.confirm.setEnabled(ready)
        return ready

    def _next(self) -> None:
        if not self.confirming:
            if not self.check():
                return
            assert self.units is not None
            self.confirming = True
            self.status.setText(self.tr("Withdraw %1 BCD from your account at %2 to the address %3? "
                                        "The store's operator sends it on the BCD chain; it cannot be "
                                        "undone.").replace("%1", format_amount(self.units, BCD_DECIMALS))
                                .replace("%2", self.store_label).replace("%3", self.address.text().strip()))
            self.confirm.setText(self.tr("Confirm withdrawal"))
            return
        units, address = self.units, self.address.text().strip()
        if units is None:
            return
        self.confirm.setEnabled(False)
        for w in (self.address, self.amount, self.max_button):
            w.setEnabled(False)
        self.status.setText(self.tr("Withdrawing…"))

        def done(receipt: Any) -> None:
            self.receipt = receipt
            self.accept()

        def failed(message: str, error: BaseException) -> None:
            for w in (self.address, self.amount, self.max_button):
                w.setEnabled(True)
            self.check()
            self.status.setText(service_problem(message, error))

        if self.wallet.withdraw(self.store, address, units, done, failed) is None:
            failed(self.tr("the wallet is not open"), AppStoreError("the wallet is not open"))
