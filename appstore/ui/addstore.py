"""Adding a store: check its fingerprint (shown in full), compare, then trust and add."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.errors import ConfigError
from appstore.core.store.client import RefreshOutcome, StoreClient
from appstore.core.store.config import check_store_url, normalise_fingerprint
from appstore.ui import texts
from appstore.ui.controller import Controller


def _is_fingerprint(text: str) -> bool:
    """64 lowercase hex digits (what ``normalise_fingerprint`` gives)."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def grouped(hex_digest: str) -> str:
    """A fingerprint in groups of four, two lines: easier to compare by eye."""
    groups = [hex_digest[i:i + 4] for i in range(0, len(hex_digest), 4)]
    return " ".join(groups[:8]) + "\n" + " ".join(groups[8:])


class AddStoreDialog(QDialog):
    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.fingerprint: str | None = None
        self.added: RefreshOutcome | None = None
        self.setWindowTitle(self.tr("Add a store"))
        self.setMinimumSize(580, 380)

        intro = QLabel(self.tr("A store is trusted by its fingerprint. Get it from the store's "
                               "publisher, paste it below, and imapp checks that the store you "
                               "reach is that one."))
        intro.setWordWrap(True)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://store.example.org/")
        self.expected = QLineEdit()
        self.expected.setPlaceholderText(self.tr("64 hexadecimal characters (recommended)"))
        self.check_button = QPushButton(self.tr("Check store"))
        self.check_button.clicked.connect(self.check)
        form = QFormLayout()
        form.addRow(self.tr("Store URL"), self.url)
        form.addRow(self.tr("Fingerprint from the publisher"), self.expected)

        self.found = QLabel()
        self.found.setTextFormat(Qt.TextFormat.PlainText)
        self.found.setObjectName("mono")
        self.found.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()  # may quote what a store or the user typed: never markup
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.confirm = QCheckBox(self.tr("I compared this fingerprint with the one the publisher gave me"))
        self.confirm.toggled.connect(self._update_buttons)
        self.confirm.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(self.tr("Trust and add"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        self.url.textChanged.connect(self._reset)
        self.expected.textChanged.connect(self._reset)

        col = QVBoxLayout(self)
        col.addWidget(intro)
        col.addLayout(form)
        col.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignLeft)
        col.addWidget(self.found)
        col.addWidget(self.message)
        col.addWidget(self.confirm)
        col.addStretch(1)
        col.addWidget(self.buttons)
        self._update_buttons()

    def _expected(self) -> str:
        """The fingerprint typed or pasted, as the CLI reads it (any case, spaces or colons
        between groups); what was typed as it is if it is not one (``check`` says so)."""
        text = self.expected.text()
        if not text.strip():
            return ""
        try:
            return normalise_fingerprint(text)
        except ConfigError:
            return text

    def _reset(self) -> None:
        self.fingerprint = None
        self.found.setText("")
        self.message.setText("")
        self.confirm.hide()
        self.confirm.setChecked(False)
        self._update_buttons()

    def _error(self, text: str) -> None:
        self.message.setStyleSheet("color: #c62828;")
        self.message.setText(text)
        self.check_button.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        expected = self._expected()
        ok = self.fingerprint is not None and (
            self.fingerprint == expected if expected else self.confirm.isChecked())
        self.add_button.setEnabled(ok)

    def check(self) -> None:
        """Fetch the store's root (in a worker) and show its fingerprint."""
        self._reset()
        expected = self._expected()
        if expected and not _is_fingerprint(expected):
            self._error(self.tr("A fingerprint is 64 characters from 0-9 and a-f; check what you pasted."))
            return
        try:
            url = check_store_url(self.url.text())
        except ConfigError as e:
            self._error(texts.error_text(e))
            return
        self.check_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Contacting the store…"))
        self.controller.jobs.submit(
            lambda ctx: hashlib.sha256(StoreClient.fetch_root([url])).hexdigest(), lane="probe",
            title="check store", on_done=self._checked, on_error=lambda message, _: self._error(message))

    def _checked(self, fingerprint: str) -> None:
        self.check_button.setEnabled(True)
        self.fingerprint = fingerprint
        self.found.setText(grouped(fingerprint))
        expected = self._expected()
        if expected and expected != fingerprint:
            self.fingerprint = None
            self._error(self.tr("This store's fingerprint does not match the one you entered. It is "
                                "not the store you expect (or someone is impersonating it), so it "
                                "will not be added."))
            self.found.setText(grouped(fingerprint))
            return
        self.message.setStyleSheet("")
        if expected:
            self.message.setText(self.tr("✓ The fingerprint matches. You can add this store."))
        else:
            self.message.setText(self.tr("This is the store's fingerprint. Compare it with the one "
                                         "its publisher gave you before you trust it."))
            self.confirm.show()
        self._update_buttons()

    def add(self) -> None:
        if self.fingerprint is None or self.controller.services is None:
            return
        url, pin = check_store_url(self.url.text()), self.fingerprint
        self.add_button.setEnabled(False)
        self._set_adding(True)  # an add is not undone half-way: the dialog waits for it
        self.message.setText(self.tr("Checking the store's signatures and downloading its catalogue…"))
        self.controller.add_store([url], pin, self._added, self._add_failed)

    def _set_adding(self, adding: bool) -> None:
        self.adding = adding
        for widget in (self.buttons.button(QDialogButtonBox.StandardButton.Cancel), self.url,
                       self.expected, self.check_button):
            widget.setEnabled(not adding)

    def reject(self) -> None:
        if not getattr(self, "adding", False):  # Esc or the window's close while adding: wait
            super().reject()

    def _added(self, outcome: RefreshOutcome) -> None:
        self._set_adding(False)
        self.added = outcome
        self.accept()

    def _add_failed(self, message: str, _: BaseException) -> None:
        self._set_adding(False)
        self._error(message)
