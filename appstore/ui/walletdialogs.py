"""The wallet's dialogs: the backup words, and a restore from words (the passphrase's are in
``walletpass.py``, the set-aside copies' in ``walletcopies.py``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from appstore.core.wallet.errors import BadWords
from appstore.core.wallet.keys import SeedWords, parse_words
from appstore.ui import texts
from appstore.ui.walletpass import ask_passphrase  # noqa: F401 - (its old home: callers import it here)
from appstore.ui.widgets import plain_label


def confirm_show_words(parent: QWidget) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning,
                      QCoreApplication.translate("BackupDialog", "Show your seed words?"),
                      QCoreApplication.translate("BackupDialog",
                                                 "Your seed words are the only backup of this wallet."),
                      parent=parent)
    box.setInformativeText(BackupDialog.warning_text())
    box.setStandardButtons(QMessageBox.StandardButton.Cancel)
    show = box.addButton(QCoreApplication.translate("BackupDialog", "Show the words"),
                         QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is show


class BackupDialog(QDialog):
    """The seed words, numbered, in a grid; nothing is copied to the clipboard."""

    def __init__(self, parent: QWidget, words: SeedWords) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Back up your wallet"))
        self.setMinimumWidth(480)
        col = QVBoxLayout(self)
        col.setSpacing(12)
        warning = plain_label(self.warning_text())
        warning.setWordWrap(True)
        col.addWidget(warning)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        listed = words.words()
        rows = (len(listed) + 2) // 3
        self.word_labels: list[QLabel] = []
        for i, word in enumerate(listed):
            label = QLabel(f"{i + 1:>2}. {word}")
            label.setObjectName("mono")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            grid.addWidget(label, i % rows, i // rows)
            self.word_labels.append(label)
        col.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        col.addWidget(buttons)

    @staticmethod
    def warning_text() -> str:
        return QCoreApplication.translate(
            "BackupDialog",
            "Anyone who sees these words can take everything in this wallet. Write them down on paper, "
            "in order, and keep them somewhere safe and offline. Never type them into a website or give "
            "them to anyone, including imapp's support.")


class RestoreDialog(QDialog):
    """Type (or paste) the words; each problem is named as it is typed (which word is not in
    the list, a wrong count, the checksum); Restore is enabled only for words that restore."""

    def __init__(self, parent: QWidget, current_address: str | None) -> None:
        super().__init__(parent)
        self.current_address = current_address
        self.words: SeedWords | None = None
        self.setWindowTitle(self.tr("Restore a wallet"))
        self.setMinimumWidth(520)
        col = QVBoxLayout(self)
        intro = plain_label(self.tr("Type your 12 or 24 seed words, in order, separated by spaces."))
        intro.setWordWrap(True)
        col.addWidget(intro)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("mono")
        self.edit.setFixedHeight(96)
        self.edit.textChanged.connect(self._schedule)
        col.addWidget(self.edit)
        self.status = plain_label(" ")
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        col.addWidget(self.status)
        if current_address:
            replace = plain_label(self.tr("This replaces the wallet %1 on this computer. Its receipts "
                                          "are kept aside, but without its own seed words it cannot be "
                                          "restored again.").replace("%1", current_address))
            replace.setWordWrap(True)
            col.addWidget(replace)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(self.tr("Restore"),
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.check)

    def _schedule(self) -> None:
        self.restore_button.setEnabled(False)
        self._timer.start()

    def check(self) -> None:
        """Check the words (BIP39's list and checksum: a little CPU, no I/O)."""
        self.words = None
        text = self.edit.toPlainText()
        if not text.strip():
            self.status.setText(" ")
            return
        try:
            self.words = parse_words(text)
        except BadWords as e:
            self.status.setText(self._problem(e, len(text.split())))
            self.restore_button.setEnabled(False)
            return
        self.status.setText(self.tr("These %1 words are a valid seed.").replace("%1", str(len(self.words))))
        self.restore_button.setEnabled(True)

    def _problem(self, e: BadWords, count: int) -> str:
        if e.reason == "unknown-word" and e.position is not None:
            text = self.tr("Word %1 is not a seed word.").replace("%1", str(e.position))
            if e.suggestions:
                text += " " + self.tr("Did you mean: %1?").replace("%1", ", ".join(e.suggestions))
            return text
        if e.reason == "count":
            return self.tr("%1 words so far: a seed has 12, 15, 18, 21 or 24.").replace("%1", str(count))
        if e.reason == "checksum":
            return self.tr("Every word is a seed word, but they do not add up (the checksum): one is "
                           "wrong, or two are swapped. Check them against your backup.")
        return texts.error_text(e)

    def _accept(self) -> None:
        self.check()
        if self.words is None:
            return
        if self.current_address:
            answer = QMessageBox.question(
                self, self.tr("Replace this wallet?"),
                self.tr("Replace the wallet %1 with the one these words restore?").replace(
                    "%1", self.current_address),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.accept()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.edit.clear()  # the words leave the widget's buffer with the dialog
        super().closeEvent(event)


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
