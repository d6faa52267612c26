"""The Wallet page's account card: the address with its QR code, or what stands in its way.

One card, four faces (``show_snapshot``, ``show_needs``, ``show_error``):

* the account: the QR code, the address, Copy, the look-alike note, where the seed is kept
  (with "Change passphrase…" for a wallet file), and a note when the address is not confirmed;
* set up: no wallet yet and no system keyring: create one protected by a passphrase, or restore;
* unconfirmed: the address could not be confirmed (a marker that disagrees with the wallet file,
  a damaged file): unlock, and nothing is shown that could be a planted address;
* a failure to read the wallet, with "Try again".

Signals (no payload): ``create_wallet``, ``restore_wallet``, ``unlock_wallet``, ``retry``,
``copy_address``, ``change_passphrase``, ``list_copies``: what the user clicked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from appstore.core.wallet.seedstore import ADDRESS_CONFLICT, UNCONFIRMED
from appstore.ui import texts
from appstore.ui.widgets import plain_label, section_title

QR_SIZE = 136


def qr_pixmap(text: str, size: int) -> QPixmap:
    """``text`` as a QR code (segno makes the matrix; we paint it, with its quiet zone)."""
    import segno

    matrix = segno.make(text, error="m").matrix
    n = len(matrix) + 8  # four modules of quiet zone on each side
    image = QImage(n, n, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x + 4, y + 4, black)
    return QPixmap.fromImage(image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.FastTransformation))


class AccountCard(QFrame):
    """See the module's docstring."""

    create_wallet = Signal()
    restore_wallet = Signal()
    unlock_wallet = Signal()
    retry = Signal()
    copy_address = Signal()
    change_passphrase = Signal()
    list_copies = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.shown_address: str | None = None
        self._keep_focus = False  # a button of the card was used: the next face's takes the focus
        col = QVBoxLayout(self)
        col.setContentsMargins(18, 14, 18, 14)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.qr = QLabel()
        self.qr.setFixedSize(QR_SIZE, QR_SIZE)
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(6)
        self.title = section_title(self.tr("Your BCD address"))
        words.addWidget(self.title)
        self.address = QLabel("…")
        self.address.setObjectName("mono")
        self.address.setTextFormat(Qt.TextFormat.PlainText)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        words.addWidget(self.address)
        self.text = plain_label()
        self.text.setWordWrap(True)
        words.addWidget(self.text)
        actions = QHBoxLayout()
        self.copy_button = self._button(actions, self.tr("Copy address"), self.copy_address)
        self.create_button = self._button(actions, self.tr("Create a wallet protected by a passphrase…"),
                                          self.create_wallet, primary=True)
        self.restore_button = self._button(actions, self.tr("Restore from words…"), self.restore_wallet)
        self.unlock_button = self._button(actions, self.tr("Unlock…"), self.unlock_wallet, primary=True)
        self.retry_button = self._button(actions, self.tr("Try again"), self.retry)
        actions.addStretch(1)
        words.addLayout(actions)
        self.lookalike = plain_label(self.tr(
            "A BCD address looks exactly like a Bitcoin (BTC) address: check that whoever sends to it, "
            "or receives from it, means BCD."))
        self.lookalike.setWordWrap(True)
        self.lookalike.setProperty("muted", True)
        words.addWidget(self.lookalike)
        self.storage = plain_label()
        self.storage.setProperty("muted", True)
        self.storage.setWordWrap(True)
        words.addWidget(self.storage)
        links = QHBoxLayout()
        self.passphrase_button = self._button(links, self.tr("Change passphrase…"), self.change_passphrase)
        self.copies_button = self._button(links, "", self.list_copies)
        for b in (self.passphrase_button, self.copies_button):
            b.setObjectName("link")
        links.addStretch(1)
        words.addLayout(links)
        words.addStretch(1)
        row.addLayout(words, 1)
        col.addLayout(row)
        self._face(address=False)

    def _button(self, row: QHBoxLayout, text: str, signal: SignalInstance, *,
                primary: bool = False) -> QPushButton:
        b = QPushButton(text)
        if primary:
            b.setObjectName("primary")
        b.clicked.connect(signal)
        b.clicked.connect(self._used)
        row.addWidget(b)
        return b

    def _used(self) -> None:
        self._keep_focus = True

    def _focus(self, button: QPushButton, *, first: bool = False) -> None:
        """Keyboard users stay in the card as it changes face (its buttons come and go);
        ``first``: the page's one thing to do (set up a wallet) takes the focus anyway."""
        if self._keep_focus or first:
            button.setFocus()
        self._keep_focus = False

    def _face(self, *, address: bool, create: bool = False, unlock: bool = False,
              retry: bool = False) -> None:
        for w in (self.qr, self.copy_button, self.lookalike, self.storage):
            w.setVisible(address)
        self.create_button.setVisible(create)
        self.restore_button.setVisible(not address)  # the way on from every other face
        self.unlock_button.setVisible(unlock)
        self.retry_button.setVisible(retry)
        self.passphrase_button.setVisible(False)

    def show_account(self, address: str, storage: str, confirmed: bool, note: str, copies: int) -> None:
        """``confirmed``: fit to hand out as it is (else Copy checks it first, and no QR)."""
        self._face(address=True)
        self.title.setText(self.tr("Your BCD address"))
        self.address.setVisible(True)
        self.address.setText(address)
        self.address.setProperty("muted", not confirmed)
        self.address.style().polish(self.address)
        self.qr.setVisible(confirmed)
        if confirmed and address != self.shown_address:
            self.qr.setPixmap(qr_pixmap(address, QR_SIZE))
        self.shown_address = address if confirmed else None
        self.text.setText(self.tr("Not confirmed yet: %1. Copy reads the key first.").replace(
            "%1", self._detail(note).rstrip(".")) if not confirmed else "")
        self.text.setVisible(not confirmed)
        self.storage.setText(self.tr("Kept in this computer's keyring.") if storage == "keyring"
                             else self.tr("Kept in a file protected by your passphrase."))
        self.passphrase_button.setVisible(storage == "file")
        self.show_copies(copies)
        self._focus(self.copy_button)

    def show_copies(self, count: int) -> None:
        self.copies_button.setText(self.tr("%n copy(ies) set aside by restores…", "", count))
        self.copies_button.setVisible(count > 0)

    def show_setup(self, reason: str) -> None:
        self._face(address=False, create=True)
        self.title.setText(self.tr("Set up your wallet"))
        self.address.setText("")
        self.address.setVisible(False)
        self.text.setText(self.tr(
            "No system keyring can keep a wallet on this computer (%1). Your wallet can be kept in a file "
            "protected by a passphrase you choose, made new or restored from your seed words.").replace(
                "%1", self._reason(reason)))
        self.text.setVisible(True)
        self._focus(self.create_button, first=True)

    def _reason(self, reason: str) -> str:
        """The seed store's reason, in the user's language where it is a known one."""
        if reason == "no keyring backend":
            return self.tr("none is installed or running")
        if reason == "the null keyring":
            return self.tr("the keyring is switched off")
        if reason.endswith("keeps secrets in a file or asks on a terminal"):
            return self.tr("the keyring set up here keeps secrets in a plain file")
        return texts.core_text(reason)

    def _detail(self, reason: str) -> str:
        """The seed store's words, in the user's language where they are known ones (others,
        such as a damaged file's, name a path and are shown as they are)."""
        if reason == ADDRESS_CONFLICT:
            return self.tr("The address recorded beside the wallet is not the one in the wallet file. "
                           "Unlock the wallet to confirm which it is: no address is shown until then.")
        if reason == UNCONFIRMED:
            return self.tr("the system keyring cannot be read now, so this address (recorded beside the "
                           "wallet) is not confirmed against the wallet's key")
        reason = texts.core_text(reason)
        return reason[:1].upper() + reason[1:]

    def show_unconfirmed(self, reason: str) -> None:
        self._face(address=False, unlock=True, retry=True)
        self.title.setText(self.tr("The address could not be confirmed"))
        self.address.setVisible(False)
        self.text.setText(self._detail(reason))
        self.text.setVisible(True)
        self._focus(self.unlock_button)

    def show_error(self, message: str) -> None:
        self._face(address=False, retry=True, unlock=False)
        self.title.setText(self.tr("The wallet could not be read"))
        self.address.setVisible(False)
        self.text.setText(self._detail(message))
        self.text.setVisible(True)
        self._focus(self.retry_button)
