"""Consent to an update that asks for more permissions than the user accepted: the words shown
where such an update waits (app page, Library, card) and the dialog that lists what it asks for,
with Accept and Cancel. Nothing is installed, and nothing is recorded, until Accept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from appstore.core import wording
from appstore.core.catalog.models import App, localized
from appstore.ui import texts
from appstore.ui.widgets import plain_label

if TYPE_CHECKING:
    from appstore.core.library import Update
    from appstore.ui.installs import InstallController


class ConsentTexts(QObject):
    """A QObject only so that lupdate finds these texts under one context."""

    def asks_for_more(self, update: Update) -> str:
        """"Update (asks for more: internet access, clipboard)": a line for a page or a row."""
        return self.tr("Update (asks for more: %1)").replace(
            "%1", wording.permissions_short(update.asks_for, texts.language()))

    def short(self) -> str:
        """The note on an app card, where a list does not fit."""
        return self.tr("Update asks for more")


def asks_for_more(update: Update) -> str:
    return ConsentTexts().asks_for_more(update)


class ConsentDialog(QDialog):
    """Lists, in plain words, what a new version asks for beyond what the user accepted.
    ``accepted`` (QDialog's) when they agree; the caller then installs it."""

    def __init__(self, parent: QWidget | None, app: App, update: Update) -> None:
        super().__init__(parent)
        self.app, self.pending = app, update  # (not ``update``: QWidget.update)
        lang = texts.language()
        self.setWindowTitle(self.tr("Review the update"))
        self.setMinimumWidth(460)
        col = QVBoxLayout(self)
        col.setSpacing(10)
        intro = plain_label(self.tr("Version %1 of “%2” asks for more than the version you have. "
                                    "If you accept, it may also:").replace("%1", update.available)
                            .replace("%2", localized(app.name, lang)))
        intro.setWordWrap(True)
        col.addWidget(intro)
        self.rows = []
        for perm in update.asks_for:
            row = plain_label("•  " + texts.permission(perm, lang))
            row.setWordWrap(True)
            row.setContentsMargins(12, 0, 0, 0)
            col.addWidget(row)
            self.rows.append(row)
        after = plain_label(self.tr("Until you accept, version %1 stays installed and works as "
                                    "before.").replace("%1", update.installed))
        after.setWordWrap(True)
        after.setProperty("muted", True)
        col.addWidget(after)
        buttons = QDialogButtonBox()
        self.accept_button: QPushButton = buttons.addButton(self.tr("Accept and update"),
                                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("primary")
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # Enter does not agree by accident
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


def review_update(parent: QWidget, installs: InstallController, app: App, update: Update) -> ConsentDialog:
    """Open the consent dialog for ``update`` of ``app`` (window-modal, not blocking); Accept
    records the permissions it listed and starts the update."""
    dialog = ConsentDialog(parent, app, update)
    dialog.accepted.connect(lambda: installs.install(app, accept=update.asks_for))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
