"""The copies restores set aside (``SetAside``): where they are, and removing the replaced
wallet files the user no longer wants, after a confirmation. Ledgers are listed, never removed:
they hold receipts a restore of their account brings back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.wallet.seedcopies import SetAside
from appstore.ui.widgets import plain_label


class CopiesDialog(QDialog):
    """``remove(paths, done)`` removes the chosen wallet files on a worker and calls
    ``done(copies)`` with the list read again."""

    def __init__(self, parent: QWidget, copies: list[SetAside],
                 remove: Callable[[list[Path], Callable[[list[SetAside]], None]], object]) -> None:
        super().__init__(parent)
        self._remove = remove
        self.setWindowTitle(self.tr("Copies set aside by restores"))
        self.setMinimumWidth(680)
        col = QVBoxLayout(self)
        intro = plain_label(self.tr(
            "Each restore keeps what it replaced. A wallet file holds, encrypted, the words of the wallet "
            "it names: remove it only if you have those words, or never want that wallet again. A ledger "
            "holds that account's receipts and is kept."))
        intro.setWordWrap(True)
        col.addWidget(intro)
        self.where = plain_label()
        self.where.setProperty("muted", True)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.where)
        self.list = QListWidget()
        self.list.setMinimumHeight(160)
        self.list.setSpacing(3)
        self.list.itemChanged.connect(lambda _: self._checked())
        col.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_folder = QPushButton(self.tr("Open the folder"))
        self.remove_button = QPushButton(self.tr("Remove the checked files…"))
        buttons.addButton(self.open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder.clicked.connect(self._open_folder)
        self.remove_button.clicked.connect(self.remove_checked)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.show_copies(copies)

    def show_copies(self, copies: list[SetAside]) -> None:
        self.copies = copies
        self.list.clear()
        folder = copies[0].path.parent if copies else None
        self.where.setText(self.tr("In %1").replace("%1", str(folder)) if folder
                           else self.tr("No copies are set aside."))
        self.open_folder.setEnabled(folder is not None)
        for c in copies:
            when = QDateTime.fromString(c.time, Qt.DateFormat.ISODate).toLocalTime()
            when_text = when.toString("yyyy-MM-dd HH:mm")
            address = c.address or self.tr("address unknown")
            if c.kind == "seed":
                text = self.tr("Wallet file of %1, set aside %2").replace("%1", address).replace(
                    "%2", when_text)
            else:
                text = self.tr("Ledger of %1: its receipts (kept)").replace("%1", address)
            item = QListWidgetItem(f"{c.path.name}\n{text}")
            item.setData(Qt.ItemDataRole.UserRole, str(c.path))
            if c.removable:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.list.addItem(item)
        self._checked()

    def checked(self) -> list[Path]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and item.checkState() == Qt.CheckState.Checked:
                out.append(Path(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _checked(self) -> None:
        self.remove_button.setEnabled(bool(self.checked()))

    def remove_checked(self) -> None:
        paths = self.checked()
        if not paths or not self.confirm(paths):
            return
        self.remove_button.setEnabled(False)
        self._remove(paths, self.show_copies)

    def confirm(self, paths: list[Path]) -> bool:
        answer = QMessageBox.warning(
            self, self.tr("Remove these wallet files?"),
            self.tr("%n wallet file(s) will be deleted. Each holds the words of the wallet it names: "
                    "without the file or those words, that wallet cannot be restored.", "", len(paths)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _open_folder(self) -> None:
        if self.copies:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.copies[0].path.parent)))
