"""The questions the host asks the user. Each is a plain function so the host can be given
another (tests answer without a dialog)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from appstore.core.host import display_url, external_target


class HostTexts(QObject):
    """A QObject only so that lupdate finds these texts under one context."""

    def leave_title(self) -> str:
        return self.tr("Open outside imapp?")

    def leave_text(self, name: str, target: str, url: str) -> str:
        return (self.tr("%1 wants to open a page that is not part of it:")
                .replace("%1", name) + f"\n\n{target}\n{url}\n\n"
                + self.tr("Open it in your web browser?"))

    def permission_title(self) -> str:
        return self.tr("Allow access?")

    def permission_text(self, name: str, feature: str) -> str:
        feature_words = {
            "camera": self.tr("your camera"), "microphone": self.tr("your microphone"),
            "screen": self.tr("what is on your screen"), "location": self.tr("your location"),
            "notifications": self.tr("showing notifications"),
        }.get(feature, feature)
        return self.tr("%1 asks for %2. Allow it this time?").replace("%1", name).replace("%2", feature_words)

    def save_title(self) -> str:
        return self.tr("Save file")

    def download_failed(self, name: str, file: str, reason: str) -> str:
        return (self.tr("%1: %2 was not saved (%3)")
                .replace("%1", name).replace("%2", file).replace("%3", reason))


def ask_leave(parent: QWidget | None, name: str, url: str) -> bool:
    """Whether the user agrees to open ``url`` (outside the DApp ``name``) in the browser."""
    texts = HostTexts()
    box = QMessageBox(QMessageBox.Icon.Question, texts.leave_title(),
                      texts.leave_text(name, external_target(url), display_url(url)),
                      QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Open


def ask_permission(parent: QWidget | None, name: str, feature: str) -> bool:
    """Whether the user lets the DApp ``name`` use ``feature`` (``camera``, ``location``...)."""
    texts = HostTexts()
    answer = QMessageBox.question(parent, texts.permission_title(), texts.permission_text(name, feature),
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_save(parent: QWidget | None, suggested: str) -> str | None:
    """Where to save a file a DApp downloads (``suggested``: a full path), or None."""
    path, _ = QFileDialog.getSaveFileName(parent, HostTexts().save_title(), suggested)
    return path or None
