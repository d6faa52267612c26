"""The wallet file's passphrase, asked in a dialog: a new wallet protected by a passphrase
(typed twice, with a strength hint), unlocking it, and choosing a new one.

``ask_passphrase`` is what the wallet's ``PassphraseBridge`` runs on the GUI thread for a worker
that waits (``PassphraseRequest``: ``new`` for a new file, with ``change`` for a new passphrase of
the existing file, else unlock)."""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from appstore.core.wallet.seedpass import MIN_PASSPHRASE, PassphraseRequest
from appstore.ui import texts
from appstore.ui.widgets import plain_label, section_title


def ask_passphrase(parent: QWidget | None, request: PassphraseRequest) -> str | None:
    """The wallet file's passphrase (a new one is typed twice); None if cancelled."""
    dialog = PassphraseDialog(parent, request)
    try:
        return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.clear()
        dialog.deleteLater()


def strength(text: str) -> int:
    """A rough guess of how hard ``text`` is to guess, 0 (too short) to 3 (strong): bits from
    its length and the kinds of characters in it (a hint to show, not a rule)."""
    if len(text) < MIN_PASSPHRASE:
        return 0
    pool = sum(size for test, size in ((str.islower, 26), (str.isupper, 26), (str.isdigit, 10))
               if any(test(c) for c in text))
    pool += 33 if any(not c.isalnum() for c in text) else 0
    distinct = len(set(text))
    bits = min(len(text), 2 * distinct) * math.log2(max(pool, 2))
    return 1 if bits < 50 else 2 if bits < 80 else 3


def strength_text(level: int) -> str:
    if level == 0:
        return QCoreApplication.translate("PassphraseDialog", "Too short: at least %1 characters").replace(
            "%1", str(MIN_PASSPHRASE))
    if level == 1:
        return QCoreApplication.translate("PassphraseDialog", "Weak: a longer passphrase, or a few "
                                                              "unrelated words, is much harder to guess")
    if level == 2:
        return QCoreApplication.translate("PassphraseDialog", "Fair")
    return QCoreApplication.translate("PassphraseDialog", "Strong")


class PassphraseDialog(QDialog):
    """One dialog for the three questions (``request`` says which)."""

    def __init__(self, parent: QWidget | None, request: PassphraseRequest) -> None:
        super().__init__(parent)
        self.request = request
        col = QVBoxLayout(self)
        col.setSpacing(10)
        self.setMinimumWidth(480)
        if request.change:
            title = self.tr("Change the wallet's passphrase")
            intro = self.tr("Choose a new passphrase for your wallet file, of at least %1 characters. "
                            "The old one will no longer open it.").replace("%1", str(MIN_PASSPHRASE))
        elif request.new:
            title = self.tr("Create a wallet protected by a passphrase")
            intro = self.tr("No system keyring can keep your wallet on this computer, so it is kept in "
                            "a file protected by a passphrase. Choose one of at least %1 characters. "
                            "A forgotten passphrase cannot be recovered: only your seed words can "
                            "restore the wallet.").replace("%1", str(MIN_PASSPHRASE))
        else:
            title = self.tr("Unlock your wallet")
            intro = self.tr("Type the passphrase that protects your wallet file.")
        self.setWindowTitle(title)
        col.addWidget(section_title(title))
        text = plain_label(intro)
        text.setWordWrap(True)
        col.addWidget(text)
        where = plain_label(self.tr("Wallet file: %1").replace("%1", str(request.path)))
        where.setWordWrap(True)
        where.setProperty("muted", True)
        col.addWidget(where)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setPlaceholderText(self.tr("New passphrase") if request.new else self.tr("Passphrase"))
        self.first.setAccessibleName(self.first.placeholderText())
        col.addWidget(self.first)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setPlaceholderText(self.tr("The same passphrase again"))
        self.second.setAccessibleName(self.second.placeholderText())
        self.second.setVisible(request.new)
        col.addWidget(self.second)
        self.strength = QLabel()
        self.strength.setProperty("muted", True)
        self.strength.setWordWrap(True)
        self.strength.setVisible(request.new)
        col.addWidget(self.strength)
        self.problem = plain_label(_problem_text(request.problem))
        self.problem.setObjectName("danger")
        self.problem.setWordWrap(True)
        self.problem.setVisible(bool(request.problem))
        col.addWidget(self.problem)
        std = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(std.Ok | std.Cancel)
        ok = buttons.button(std.Ok)
        ok.setText(self.tr("Change") if request.change
                   else self.tr("Create") if request.new else self.tr("Unlock"))
        ok.setObjectName("primary")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.first.textChanged.connect(self._typed)
        self._typed()

    def _typed(self) -> None:
        if self.request.new:
            self.strength.setText(strength_text(strength(self.first.text())))

    def _accept(self) -> None:
        if self.request.new:
            if len(self.first.text()) < MIN_PASSPHRASE:
                return self._say(self.tr("Use at least %1 characters.").replace("%1", str(MIN_PASSPHRASE)))
            if self.first.text() != self.second.text():
                return self._say(self.tr("The two passphrases differ."))
        elif not self.first.text():
            return self._say(self.tr("Type the passphrase."))
        self.accept()

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)

    def passphrase(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        """The passphrase leaves the widgets' buffers with the dialog."""
        self.first.clear()
        self.second.clear()


def _problem_text(problem: str) -> str:
    """The seed store's reason for asking again, in the user's language."""
    if problem.startswith("that passphrase does not open"):
        return QCoreApplication.translate("PassphraseDialog",
                                          "That passphrase does not open the wallet: try again.")
    if problem.startswith("a passphrase has at least"):
        return QCoreApplication.translate("PassphraseDialog", "Use at least %1 characters.").replace(
            "%1", str(MIN_PASSPHRASE))
    return texts.core_text(problem)
