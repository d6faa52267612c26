"""The wallet's questions for a DApp (docs/dapp-api.md): connect, sign a message, pay. Native
dialogs, modal to the DApp's window, that name the DApp and its store and show exactly what is
signed or paid.

A page cannot click them through: it gets no input while the dialog is up (window-modal), Cancel
is the default button (Enter and Escape refuse), and Confirm stays disabled for ``DELAY_MS``
after the dialog becomes the active window, again each time it does (a click or a key press
meant for the page, or a window popping over it, never lands on Confirm). A DApp whose window is
in the background does not steal the focus: its question opens without activating and the
window asks for attention.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DELAY_MS = 1500
ICON_SIZE = 40


@dataclass(frozen=True)
class WalletAsk:
    """One question: ``kind`` is ``connect``, ``sign`` or ``pay``; the rest is what it shows."""

    kind: str
    dapp: str  # the DApp's name
    store: str  # the store's name
    account: str  # the user's address
    icon: QPixmap | None = None
    permissions: tuple[str, ...] = ()  # connect: what the DApp may then ask, in words
    message: str = ""  # sign
    amount: str = ""  # pay: IA, decimal text
    payee: str = ""  # pay: the address its catalogue entry names
    memo: str = ""
    after: str = ""  # pay: the store's IA balance after paying
    extra: dict[str, str] = field(default_factory=dict)


class ConfirmDialog(QDialog):
    """A wallet question; ``accepted``/``rejected`` as any dialog."""

    def __init__(self, ask: WalletAsk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ask = ask
        self.setObjectName("walletConfirm")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        box = QVBoxLayout(self)
        box.setSpacing(12)
        who = self._build_head(box)
        title = self._build_title(box)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        confirm_text = ""
        if ask.kind == "connect":
            confirm_text = self._ask_connect(box, title, fixed)
        elif ask.kind == "sign":
            confirm_text = self._ask_sign(box, title, fixed)
        elif ask.kind == "pay":
            confirm_text = self._ask_pay(box, title, fixed)
        self._build_buttons(box, confirm_text)
        for label in self.findChildren(QLabel):
            if label is not who:
                label.setTextFormat(Qt.TextFormat.PlainText)
        self._armed = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._armed.timeout.connect(lambda: self.confirm_button.setEnabled(True))
        self.confirm_button.setEnabled(False)  # armed once the dialog is the active window

    def _build_head(self, box: QVBoxLayout) -> QLabel:
        """The DApp's icon, name and store (the one label shown as rich text)."""
        ask = self.ask
        head = QHBoxLayout()
        if ask.icon is not None and not ask.icon.isNull():
            icon = QLabel()
            icon.setPixmap(ask.icon.scaled(ICON_SIZE, ICON_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
            head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        who = QLabel(f"<b>{_esc(ask.dapp)}</b><br>" + _esc(self.tr("from %1").replace("%1", ask.store)))
        who.setObjectName("walletConfirmWho")
        who.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(who, 1)
        box.addLayout(head)
        return who

    def _build_title(self, box: QVBoxLayout) -> QLabel:
        """The question, in large type (its text is set by the kind of question)."""
        title = QLabel()
        title.setTextFormat(Qt.TextFormat.PlainText)  # names come from a catalogue: never markup
        title.setObjectName("walletConfirmTitle")
        title.setWordWrap(True)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        box.addWidget(title)
        return title

    def _ask_connect(self, box: QVBoxLayout, title: QLabel, fixed: QFont) -> str:
        """Connect: the address the DApp would see and what it may ask then. The Confirm text."""
        ask = self.ask
        self.setWindowTitle(self.tr("Connect to your wallet"))
        title.setText(self.tr("Let %1 see your wallet address?").replace("%1", ask.dapp))
        box.addWidget(_selectable(ask.account, fixed))
        if ask.permissions:
            box.addWidget(QLabel(self.tr("Once connected, it may:")))
            box.addWidget(QLabel("\n".join(f"•  {p}" for p in ask.permissions)))
        note = QLabel(self.tr("It cannot sign or spend anything without asking you each time. "
                              "You can disconnect it in Settings."))
        note.setWordWrap(True)
        box.addWidget(note)
        return self.tr("Connect")

    def _ask_sign(self, box: QVBoxLayout, title: QLabel, fixed: QFont) -> str:
        """Sign: the message, in full, and what a signature proves. The Confirm text."""
        ask = self.ask
        self.setWindowTitle(self.tr("Sign a message"))
        title.setText(self.tr("%1 asks you to sign this message:").replace("%1", ask.dapp))
        text = QPlainTextEdit(ask.message)
        text.setObjectName("walletConfirmMessage")
        text.setReadOnly(True)
        text.setFont(fixed)
        text.setMinimumHeight(120)
        text.setTabChangesFocus(True)
        box.addWidget(text)
        note = QLabel(self.tr("Your signature proves that %1 agreed to this text. It is made for "
                              "this DApp only: it cannot move IA, and the IA service refuses it as "
                              "a request.").replace("%1", ask.account))
        note.setWordWrap(True)
        box.addWidget(note)
        return self.tr("Sign")

    def _ask_pay(self, box: QVBoxLayout, title: QLabel, fixed: QFont) -> str:
        """Pay: amount, payee, memo, account and the balance after. The Confirm text."""
        ask = self.ask
        self.setWindowTitle(self.tr("Confirm payment"))
        title.setText(self.tr("Pay %1 IA to %2?").replace("%1", ask.amount).replace("%2", ask.dapp))
        form = QFormLayout()
        form.addRow(self.tr("Amount"), _selectable(f"{ask.amount} IA", None, bold=True))
        form.addRow(self.tr("To"), _selectable(ask.payee, fixed))
        form.addRow(self.tr("Memo"), _selectable(ask.memo or "—", None))
        form.addRow(self.tr("From"), _selectable(ask.account, fixed))
        form.addRow(self.tr("Balance after"), _selectable(f"{ask.after} IA", None))
        box.addLayout(form)
        note = QLabel(self.tr("The account is the one %1's store lists for it; the DApp cannot "
                              "change it. A payment cannot be undone.").replace("%1", ask.dapp))
        note.setWordWrap(True)
        box.addWidget(note)
        return self.tr("Pay %1 IA").replace("%1", ask.amount)

    def _build_buttons(self, box: QVBoxLayout, confirm_text: str) -> None:
        """Cancel (the default) and Confirm (armed later)."""
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = QPushButton(confirm_text)
        self.confirm_button.setObjectName("walletConfirmButton")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setDefault(False)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button.setDefault(True)
        self.cancel_button.setAutoDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _disarm(self) -> None:
        self.confirm_button.setEnabled(False)
        self._armed.start()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.WindowActivate:
            self._disarm()
            self.cancel_button.setFocus()
        elif e.type() == QEvent.Type.WindowDeactivate:
            self._armed.stop()
            self.confirm_button.setEnabled(False)
        return super().event(e)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _selectable(text: str, font: QFont | None, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    if font is not None:
        label.setFont(font)
    if bold:
        f = label.font()
        f.setBold(True)
        label.setFont(f)
    return label


def ask_wallet(parent: QWidget | None, ask: WalletAsk, answer: Callable[[bool], None]) -> QDialog:
    """Open the question without a nested event loop; ``answer(agreed)`` once it closes."""
    dialog = ConfirmDialog(ask, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window = parent.window() if parent is not None else None
    if window is not None and not window.isActiveWindow():
        # A DApp in the background does not take the focus from what the user is doing: its
        # question waits, unfocused, and the window asks for attention.
        dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        QApplication.alert(window)
    dialog.finished.connect(lambda result: answer(result == QDialog.DialogCode.Accepted.value))
    # closed with its window (the page closed itself, an uninstall): a refusal, never a hang
    dialog.destroyed.connect(lambda: answer(False))
    dialog.open()
    return dialog
